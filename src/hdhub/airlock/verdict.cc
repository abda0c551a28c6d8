#include "hdhub/airlock/verdict.h"

#include "hdhub/airlock/enum_names.h"

namespace hdhub::airlock {

namespace {

constexpr NameTable<Outcome, 4> kOutcomeNames = {{
    {Outcome::kPass, "pass"},
    {Outcome::kReview, "review"},
    {Outcome::kSuppress, "suppress"},
    {Outcome::kRefuse, "refuse"},
}};

}  // namespace

std::string_view OutcomeName(Outcome outcome) { return NameOf(kOutcomeNames, outcome); }

StatusOr<Outcome> ParseOutcome(std::string_view name) { return ValueNamed(kOutcomeNames, name, "outcome"); }

Verdict Verdict::Pass() { return Verdict{.outcome = Outcome::kPass, .rule = "", .reason = "meets the primary rules"}; }

nlohmann::json Verdict::ToJson() const {
  return nlohmann::json{{"outcome", OutcomeName(outcome)}, {"rule", rule}, {"reason", reason}};
}

Verdict Decisive(std::span<const Verdict> findings) {
  const Verdict* worst = nullptr;
  for (const Verdict& v : findings) {
    if (worst == nullptr || static_cast<int>(v.outcome) > static_cast<int>(worst->outcome)) worst = &v;
  }
  return worst == nullptr ? Verdict::Pass() : *worst;
}

}  // namespace hdhub::airlock

#include "hdhub/airlock/disclosure_rules.h"

#include <array>
#include <optional>
#include <string>
#include <variant>

#include "hdhub/common/json_number.h"

namespace hdhub::airlock {

using nlohmann::json;

namespace {

// Which way a member gets stricter.
enum class Stricter { kLarger, kSmaller };

// One member of the rules: its JSON key, where it lives, which way is stricter.
struct MemberSpec {
  std::string_view key;
  std::variant<int64_t DisclosureRules::*, double DisclosureRules::*, Outcome DisclosureRules::*> field;
  Stricter stricter;
};

// In the order of the struct, which is the order of Validate and Tighten.
const std::array<MemberSpec, 9> kMembers = {{
    {"min_count", &DisclosureRules::min_count, Stricter::kLarger},
    {"zeros", &DisclosureRules::zeros, Stricter::kLarger},
    {"dominance_n", &DisclosureRules::dominance_n, Stricter::kLarger},
    {"dominance_k_percent", &DisclosureRules::dominance_k_percent, Stricter::kSmaller},
    {"p_percent", &DisclosureRules::p_percent, Stricter::kLarger},
    {"negative_contributions", &DisclosureRules::negative_contributions, Stricter::kLarger},
    {"min_residual_dof", &DisclosureRules::min_residual_dof, Stricter::kLarger},
    {"max_rows", &DisclosureRules::max_rows, Stricter::kSmaller},
    {"max_bytes", &DisclosureRules::max_bytes, Stricter::kSmaller},
}};

std::string Quoted(std::string_view key) { return "disclosure rules: \"" + std::string(key) + "\""; }

Status Range(bool in_range, std::string_view key, std::string_view range) {
  return in_range ? OkStatus() : InvalidArgumentError(Quoted(key) + " must be " + std::string(range));
}

// Outcomes compare by severity (pass < review < suppress < refuse).
int Order(Outcome o) { return static_cast<int>(o); }
int64_t Order(int64_t v) { return v; }
double Order(double v) { return v; }

json ValueJson(const MemberSpec& m, const DisclosureRules& rules) {
  if (const auto* f = std::get_if<Outcome DisclosureRules::*>(&m.field)) return json(OutcomeName(rules.**f));
  return std::visit([&](auto f) { return json(rules.*f); }, m.field);
}

Status Read(const MemberSpec& m, const json& value, DisclosureRules* rules) {
  if (const auto* f = std::get_if<int64_t DisclosureRules::*>(&m.field)) {
    std::optional<int64_t> i = JsonInteger(value, INT64_MIN, INT64_MAX);
    if (!i) return InvalidArgumentError(Quoted(m.key) + " must be a whole number");
    rules->** f = *i;
    return OkStatus();
  }
  if (const auto* f = std::get_if<double DisclosureRules::*>(&m.field)) {
    if (!value.is_number()) return InvalidArgumentError(Quoted(m.key) + " must be a number (a percentage)");
    rules->** f = value.get<double>();
    return OkStatus();
  }
  const auto f = std::get<Outcome DisclosureRules::*>(m.field);
  if (!value.is_string()) return InvalidArgumentError(Quoted(m.key) + " must be a string");
  StatusOr<Outcome> outcome = ParseOutcome(value.get<std::string>());
  if (!outcome.ok()) return InvalidArgumentError(Quoted(m.key) + ": " + std::string(outcome.status().message()));
  rules->*f = *outcome;
  return OkStatus();
}

bool Looser(const MemberSpec& m, const DisclosureRules& hub, const DisclosureRules& project) {
  return std::visit(
      [&](auto f) {
        const auto h = Order(hub.*f);
        const auto p = Order(project.*f);
        return m.stricter == Stricter::kLarger ? p < h : p > h;
      },
      m.field);
}

}  // namespace

Status DisclosureRules::Validate() const {
  const bool zeros_ok = zeros == Outcome::kPass || zeros == Outcome::kReview || zeros == Outcome::kSuppress;
  const bool negatives_ok = negative_contributions == Outcome::kReview || negative_contributions == Outcome::kSuppress;
  // Written so that NaN is out of range: every comparison with NaN is false.
  RETURN_IF_ERROR(Range(min_count >= 1, "min_count", "at least 1"));
  RETURN_IF_ERROR(Range(zeros_ok, "zeros", "\"pass\", \"review\" or \"suppress\""));
  RETURN_IF_ERROR(Range(dominance_n >= 1, "dominance_n", "at least 1"));
  RETURN_IF_ERROR(Range(dominance_k_percent > 0 && dominance_k_percent <= 100, "dominance_k_percent",
                        "more than 0 and at most 100"));
  RETURN_IF_ERROR(Range(p_percent > 0 && p_percent < 100, "p_percent", "more than 0 and less than 100"));
  RETURN_IF_ERROR(Range(negatives_ok, "negative_contributions", "\"review\" or \"suppress\""));
  RETURN_IF_ERROR(Range(min_residual_dof >= 1, "min_residual_dof", "at least 1"));
  RETURN_IF_ERROR(Range(max_rows >= 1, "max_rows", "at least 1"));
  RETURN_IF_ERROR(Range(max_bytes >= 1, "max_bytes", "at least 1"));
  return OkStatus();
}

json DisclosureRules::ToJson() const {
  json out = json::object();
  for (const MemberSpec& m : kMembers) out[std::string(m.key)] = ValueJson(m, *this);
  return out;
}

StatusOr<DisclosureRules> DisclosureRules::FromJson(const json& j, const DisclosureRules& base) {
  if (!j.is_object()) return InvalidArgumentError("disclosure rules must be a JSON object");
  DisclosureRules rules = base;
  for (const auto& [key, value] : j.items()) {
    const MemberSpec* member = nullptr;
    for (const MemberSpec& m : kMembers) {
      if (m.key == key) member = &m;
    }
    if (member == nullptr) return InvalidArgumentError("disclosure rules: unknown member \"" + key + "\"");
    RETURN_IF_ERROR(Read(*member, value, &rules));
  }
  RETURN_IF_ERROR(rules.Validate());
  return rules;
}

StatusOr<DisclosureRules> DisclosureRules::FromJson(const json& j) { return FromJson(j, DisclosureRules{}); }

StatusOr<DisclosureRules> Tighten(const DisclosureRules& hub, const DisclosureRules& project) {
  RETURN_IF_ERROR(hub.Validate().WithContext("the hub's rules"));
  RETURN_IF_ERROR(project.Validate().WithContext("the project's rules"));
  for (const MemberSpec& m : kMembers) {
    if (!Looser(m, hub, project)) continue;
    return InvalidArgumentError("a project's disclosure rules may only keep or tighten the hub's: \"" +
                                std::string(m.key) + "\" is " + ValueJson(m, project).dump() + " for the project, " +
                                ValueJson(m, hub).dump() + " for the hub");
  }
  return project;
}

StatusOr<DisclosureRules> ProjectRulesFromJson(const json& j, const DisclosureRules& hub) {
  ASSIGN_OR_RETURN(DisclosureRules project, DisclosureRules::FromJson(j, hub));
  return Tighten(hub, project);
}

}  // namespace hdhub::airlock

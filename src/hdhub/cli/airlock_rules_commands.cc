// hdhub airlock rules [--propose RULES.json | --confirm RULES.json]: the
// hub's disclosure rules under dual control (docs/airlock-workflow.md §5),
// over Service::ShowAirlockRules, ProposeAirlockRules and
// ConfirmAirlockRules. Without an option it shows the rules in force and any
// proposal waiting for a second operator. On the hub machine only (no HTTP
// route yet): with a server set it is refused (OnlyOnTheHub, exit 2).
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "hdhub/cli/commands.h"
#include "hdhub/cli/output.h"

namespace hdhub::cli {
namespace {

using service::AirlockRulesView;
using service::RequestContext;
using service::Service;

nlohmann::json RecordJson(const std::optional<exports::HubRulesRecord>& r) {
  if (!r) return nullptr;
  nlohmann::json out = {{"version", r->version},
                        {"rules", nlohmann::json::parse(r->rules_json, nullptr, /*allow_exceptions=*/false)},
                        {"proposed_by", r->proposed_by},
                        {"at", FormatRfc3339(FromMicros(r->at_us))}};
  out["confirmed_by"] = r->confirmed_by.empty() ? nlohmann::json(nullptr) : nlohmann::json(r->confirmed_by);
  return out;
}

void PrintRules(const GlobalOptions& opts, const AirlockRulesView& v) {
  const nlohmann::json json = {
      {"in_force", v.in_force.ToJson()}, {"confirmed", RecordJson(v.confirmed)}, {"pending", RecordJson(v.pending)}};
  if (opts.json) {
    std::cout << json.dump() << "\n";
    return;
  }
  std::cout << "rules in force";
  if (v.confirmed) {
    std::cout << " (version " << v.confirmed->version << ", proposed by " << v.confirmed->proposed_by
              << ", confirmed by " << v.confirmed->confirmed_by << ")";
  } else {
    std::cout << " (the defaults: no rules confirmed yet)";
  }
  std::cout << ":\n";
  for (const auto& [member, value] : json["in_force"].items()) std::cout << "  " << member << " " << value << "\n";
  if (v.pending) {
    std::cout << "waiting for a second operator: version " << v.pending->version << ", proposed by "
              << v.pending->proposed_by << ": " << json["pending"]["rules"].dump() << "\n";
  }
}

struct RulesArgs {
  std::string propose, confirm;
};

}  // namespace

void AddAirlockRulesCommand(CLI::App& airlock, const GlobalOptions& opts, int* exit_code,
                            std::shared_ptr<std::string> as) {
  auto* cmd = airlock.add_subcommand("rules",
                                     "the hub's disclosure rules: show them, or propose new ones (one operator) and "
                                     "confirm them (a second, different operator, the same JSON)");
  auto a = std::make_shared<RulesArgs>();
  auto* propose = cmd->add_option("--propose", a->propose, "rules JSON file (docs/airlock-workflow.md §5)");
  auto* confirm = cmd->add_option("--confirm", a->confirm, "the same rules JSON file as the proposal");
  propose->check(CLI::ExistingFile)->excludes(confirm);
  confirm->check(CLI::ExistingFile);
  cmd->callback(OnSession(
      opts, exit_code,
      [a, &opts](Service& svc, const RequestContext& ctx) -> Status {
        StatusOr<AirlockRulesView> view = [&]() -> StatusOr<AirlockRulesView> {
          if (a->propose.empty() && a->confirm.empty()) return svc.ShowAirlockRules(ctx);
          const std::string& file = a->propose.empty() ? a->confirm : a->propose;
          ASSIGN_OR_RETURN(std::string json, ReadFile(file));
          return a->propose.empty() ? svc.ConfirmAirlockRules(ctx, json) : svc.ProposeAirlockRules(ctx, json);
        }();
        if (!view.ok()) return view.status();
        PrintRules(opts, *view);
        return OkStatus();
      },
      as));
}

}  // namespace hdhub::cli

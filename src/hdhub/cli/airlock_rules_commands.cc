// hdhub airlock rules [--propose RULES.json | --confirm RULES.json]: the
// hub's disclosure rules under dual control (docs/airlock-workflow.md §5),
// over ExportRequests' Rules, ProposeRules and ConfirmRules
// (airlock_requests.h: the service on the hub machine, or the routes of
// `hdhub serve` with a server set; both print the same). Without an option
// it shows the rules in force and any proposal waiting for a second
// operator.
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "hdhub/cli/airlock_requests.h"
#include "hdhub/cli/commands.h"
#include "hdhub/cli/output.h"

namespace hdhub::cli {
namespace {

using nlohmann::json;

// The rules (AirlockRulesJson) as text. A JSON exception for another shape.
std::string RulesText(const json& rules) {
  std::ostringstream out;
  const json& confirmed = rules.at("confirmed");
  out << "rules in force";
  if (!confirmed.is_null()) {
    out << " (version " << confirmed.at("version") << ", proposed by " << confirmed.at("proposed_by").get<std::string>()
        << ", confirmed by " << confirmed.at("confirmed_by").get<std::string>() << ")";
  } else {
    out << " (the defaults: no rules confirmed yet)";
  }
  out << ":\n";
  for (const auto& [member, value] : rules.at("in_force").items()) out << "  " << member << " " << value << "\n";
  const json& pending = rules.at("pending");
  if (!pending.is_null()) {
    out << "waiting for a second operator: version " << pending.at("version") << ", proposed by "
        << pending.at("proposed_by").get<std::string>() << ": " << pending.at("rules").dump() << "\n";
  }
  return out.str();
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
  cmd->callback(OnExportRequests(opts, exit_code, as, [a, &opts](ExportRequests& requests) -> Status {
    StatusOr<json> rules = [&]() -> StatusOr<json> {
      if (a->propose.empty() && a->confirm.empty()) return requests.Rules();
      const std::string& file = a->propose.empty() ? a->confirm : a->propose;
      ASSIGN_OR_RETURN(std::string text, ReadFile(file));
      return a->propose.empty() ? requests.ConfirmRules(text) : requests.ProposeRules(text);
    }();
    if (!rules.ok()) return rules.status();
    if (opts.json) {
      std::cout << rules->dump() << "\n";
      return OkStatus();
    }
    // Printed whole or not at all: a server's answer of another shape fails
    // before the first line.
    try {
      std::cout << RulesText(*rules);
    } catch (const json::exception&) {
      return DataLossError("the rules answered are not the hub's rules");
    }
    return OkStatus();
  }));
}

}  // namespace hdhub::cli

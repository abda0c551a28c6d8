#include "hdhub/server/project_json.h"

#include "hdhub/common/network.h"

namespace hdhub::server {

nlohmann::json ProjectJson(const projects::ProjectRecord& p, TimePoint now) {
  nlohmann::json networks = nlohmann::json::array();
  for (const Network& n : p.spec.client_networks) networks.push_back(n.ToString());
  return {{"id", p.spec.id},
          {"authorisation", p.spec.authorisation_ref},
          {"purpose", p.spec.purpose},
          {"state", std::string(projects::ProjectStateName(p.state))},
          {"phase", std::string(projects::PhaseName(p.PhaseAt(now)))},
          {"scope", nlohmann::json::parse(p.spec.scope.ToJson(), nullptr, /*allow_exceptions=*/false)},
          {"scope_version", p.scope_version},
          {"approvers", p.approvers},
          {"members", p.spec.members},
          {"start", FormatRfc3339(p.spec.start)},
          {"end", FormatRfc3339(p.spec.end)},
          {"thresholds", nlohmann::json::parse(p.spec.thresholds.ToJson(), nullptr, /*allow_exceptions=*/false)},
          {"airlock_rules", nlohmann::json::parse(p.spec.airlock_rules_json, nullptr, /*allow_exceptions=*/false)},
          {"client_networks", networks},
          {"created_by", p.created_by},
          {"created_at", FormatRfc3339(p.created_at)},
          {"keys_destroyed", p.wrapped_pseudonym_key.empty()}};
}

nlohmann::json ProjectViewJson(const service::ProjectView& view, TimePoint now) {
  nlohmann::json out = ProjectJson(view.project, now);
  nlohmann::json workspaces = nlohmann::json::array();
  for (const auto& w : view.workspaces) {
    workspaces.push_back(
        {{"build", w.build},
         {"state", std::string(projects::WorkspaceStateName(w.state))},
         {"built_by", w.built_by},
         {"built_at", FormatRfc3339(w.built_at)},
         {"provenance", nlohmann::json::parse(w.provenance_json, nullptr, /*allow_exceptions=*/false)}});
  }
  out["workspaces"] = std::move(workspaces);
  return out;
}

}  // namespace hdhub::server

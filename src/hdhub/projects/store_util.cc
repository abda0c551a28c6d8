#include "hdhub/projects/store_util.h"

#include <nlohmann/json.hpp>

namespace hdhub::projects::internal {
namespace {

using catalog::Statement;

StatusOr<ProjectState> ParseState(const std::string& s) {
  for (ProjectState st :
       {ProjectState::kDraft, ProjectState::kApproved, ProjectState::kClosed, ProjectState::kExpired}) {
    if (ProjectStateName(st) == s) return st;
  }
  return DataLossError("projects: unknown state '" + s + "'");
}

StatusOr<std::vector<std::string>> Strings(catalog::Database& db, std::string_view sql, std::string_view id,
                                           std::optional<int64_t> n = std::nullopt) {
  ASSIGN_OR_RETURN(Statement s, db.Prepare(sql));
  RETURN_IF_ERROR(s.BindText(1, id));
  if (n) RETURN_IF_ERROR(s.BindInt64(2, *n));
  std::vector<std::string> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(s.ColumnText(0));
  }
  return out;
}

std::string NetworksJson(const std::vector<Network>& networks) {
  nlohmann::json out = nlohmann::json::array();
  for (const Network& n : networks) out.push_back(n.ToString());
  return out.dump();
}

StatusOr<std::vector<Network>> ParseNetworksJson(std::string_view id, const std::string& text) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  auto damaged = [&] {
    return DataLossError("projects: stored client networks of " + std::string(id) + " do not parse");
  };
  if (!j.is_array() || j.empty()) return damaged();
  std::vector<Network> out;
  for (const nlohmann::json& item : j) {
    if (!item.is_string()) return damaged();
    StatusOr<Network> n = ParseNetwork(item.get<std::string>());
    if (!n.ok()) return damaged();
    out.push_back(*n);
  }
  return out;
}

}  // namespace

Status InsertProject(catalog::Database& db, const ProjectSpec& spec, ByteSpan wrapped_key, std::string_view created_by,
                     TimePoint now) {
  ASSIGN_OR_RETURN(Statement s,
                   db.Prepare("INSERT INTO project (id, authorisation_ref, purpose, scope_json, scope_version, "
                              "thresholds_json, window_start_us, window_end_us, state, wrapped_pseudonym_key, "
                              "created_by, created_at_us, client_networks_json, airlock_rules_json) "
                              "VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6, ?7, 'draft', ?8, ?9, ?10, ?11, ?12)"));
  RETURN_IF_ERROR(s.BindText(1, spec.id));
  RETURN_IF_ERROR(s.BindText(2, spec.authorisation_ref));
  RETURN_IF_ERROR(s.BindText(3, spec.purpose));
  RETURN_IF_ERROR(s.BindText(4, spec.scope.ToJson()));
  RETURN_IF_ERROR(s.BindText(5, spec.thresholds.ToJson()));
  RETURN_IF_ERROR(s.BindInt64(6, ToMicros(spec.start)));
  RETURN_IF_ERROR(s.BindInt64(7, ToMicros(spec.end)));
  RETURN_IF_ERROR(s.BindBlob(8, wrapped_key));
  RETURN_IF_ERROR(s.BindText(9, created_by));
  RETURN_IF_ERROR(s.BindInt64(10, ToMicros(now)));
  RETURN_IF_ERROR(s.BindText(11, NetworksJson(spec.client_networks)));
  RETURN_IF_ERROR(s.BindText(12, spec.airlock_rules_json));
  return s.Run();
}

Status ReplaceMembers(catalog::Database& db, std::string_view id, const std::vector<std::string>& members) {
  ASSIGN_OR_RETURN(Statement del, db.Prepare("DELETE FROM project_member WHERE project = ?1"));
  RETURN_IF_ERROR(del.BindText(1, id));
  RETURN_IF_ERROR(del.Run());
  ASSIGN_OR_RETURN(Statement ins, db.Prepare("INSERT OR IGNORE INTO project_member (project, user) VALUES (?1, ?2)"));
  for (const std::string& m : members) {
    RETURN_IF_ERROR(ins.Reset());
    RETURN_IF_ERROR(ins.BindText(1, id));
    RETURN_IF_ERROR(ins.BindText(2, m));
    RETURN_IF_ERROR(ins.Run());
  }
  return OkStatus();
}

Status InsertApproval(catalog::Database& db, std::string_view id, int64_t scope_version, std::string_view approver,
                      TimePoint now) {
  ASSIGN_OR_RETURN(Statement s, db.Prepare("INSERT INTO project_approval (project, scope_version, approver, "
                                           "approved_at_us) VALUES (?1, ?2, ?3, ?4)"));
  RETURN_IF_ERROR(s.BindText(1, id));
  RETURN_IF_ERROR(s.BindInt64(2, scope_version));
  RETURN_IF_ERROR(s.BindText(3, approver));
  RETURN_IF_ERROR(s.BindInt64(4, ToMicros(now)));
  return s.Run();
}

Status SetState(catalog::Database& db, std::string_view id, ProjectState state, std::optional<TimePoint> ended_at) {
  ASSIGN_OR_RETURN(Statement s, db.Prepare("UPDATE project SET state = ?2, ended_at_us = ?3 WHERE id = ?1"));
  RETURN_IF_ERROR(s.BindText(1, id));
  RETURN_IF_ERROR(s.BindText(2, ProjectStateName(state)));
  RETURN_IF_ERROR(ended_at ? s.BindInt64(3, ToMicros(*ended_at)) : s.BindNull(3));
  return s.Run();
}

Status UpdateScope(catalog::Database& db, std::string_view id, const ProjectScope& scope,
                   const std::vector<Network>& client_networks, std::string_view airlock_rules_json, int64_t version) {
  ASSIGN_OR_RETURN(Statement s, db.Prepare("UPDATE project SET scope_json = ?2, scope_version = ?3, state = 'draft', "
                                           "client_networks_json = ?4, airlock_rules_json = ?5 WHERE id = ?1"));
  RETURN_IF_ERROR(s.BindText(1, id));
  RETURN_IF_ERROR(s.BindText(2, scope.ToJson()));
  RETURN_IF_ERROR(s.BindInt64(3, version));
  RETURN_IF_ERROR(s.BindText(4, NetworksJson(client_networks)));
  RETURN_IF_ERROR(s.BindText(5, airlock_rules_json));
  return s.Run();
}

StatusOr<ProjectRecord> LoadProject(catalog::Database& db, std::string_view id) {
  ASSIGN_OR_RETURN(Statement s, db.Prepare("SELECT authorisation_ref, purpose, scope_json, scope_version, "
                                           "thresholds_json, window_start_us, window_end_us, state, "
                                           "wrapped_pseudonym_key, created_by, created_at_us, ended_at_us, "
                                           "client_networks_json, airlock_rules_json "
                                           "FROM project WHERE id = ?1"));
  RETURN_IF_ERROR(s.BindText(1, id));
  ASSIGN_OR_RETURN(bool found, s.Step());
  if (!found) return NotFoundError("no project '" + std::string(id.substr(0, 64)) + "'");
  ProjectRecord p;
  p.spec.id = std::string(id);
  p.spec.authorisation_ref = s.ColumnText(0);
  p.spec.purpose = s.ColumnText(1);
  StatusOr<ProjectScope> scope = ProjectScope::Parse(s.ColumnText(2));
  if (!scope.ok()) return DataLossError("projects: stored scope of " + std::string(id) + " does not parse");
  p.spec.scope = *scope;
  p.scope_version = s.ColumnInt64(3);
  ASSIGN_OR_RETURN(p.spec.thresholds, Thresholds::FromJson(s.ColumnText(4)));
  p.spec.start = FromMicros(s.ColumnInt64(5));
  p.spec.end = FromMicros(s.ColumnInt64(6));
  ASSIGN_OR_RETURN(p.state, ParseState(s.ColumnText(7)));
  p.wrapped_pseudonym_key = s.ColumnBlob(8);
  p.created_by = s.ColumnText(9);
  p.created_at = FromMicros(s.ColumnInt64(10));
  if (!s.ColumnIsNull(11)) p.ended_at = FromMicros(s.ColumnInt64(11));
  ASSIGN_OR_RETURN(p.spec.client_networks, ParseNetworksJson(id, s.ColumnText(12)));
  p.spec.airlock_rules_json = s.ColumnText(13);
  ASSIGN_OR_RETURN(p.spec.members, Strings(db, "SELECT user FROM project_member WHERE project = ?1 ORDER BY user", id));
  ASSIGN_OR_RETURN(p.approvers, Strings(db,
                                        "SELECT approver FROM project_approval WHERE project = ?1 AND "
                                        "scope_version = ?2 ORDER BY approved_at_us",
                                        id, p.scope_version));
  return p;
}

StatusOr<std::vector<std::string>> ProjectIds(catalog::Database& db) {
  ASSIGN_OR_RETURN(Statement s, db.Prepare("SELECT id FROM project ORDER BY id"));
  std::vector<std::string> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back(s.ColumnText(0));
  }
  return out;
}

}  // namespace hdhub::projects::internal

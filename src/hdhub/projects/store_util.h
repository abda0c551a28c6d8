// Row-level helpers of ProjectStore over its SQLite tables. Callers hold the
// store's mutex and, for changes, a write transaction. Internal.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/catalog/sqlite.h"
#include "hdhub/projects/project_store.h"

namespace hdhub::projects::internal {

Status InsertProject(catalog::Database& db, const ProjectSpec& spec, ByteSpan wrapped_key, std::string_view created_by,
                     TimePoint now);
Status ReplaceMembers(catalog::Database& db, std::string_view id, const std::vector<std::string>& members);
Status InsertApproval(catalog::Database& db, std::string_view id, int64_t scope_version, std::string_view approver,
                      TimePoint now);
Status SetState(catalog::Database& db, std::string_view id, ProjectState state, std::optional<TimePoint> ended_at);
// A change: scope, client networks and airlock rules, back to draft.
Status UpdateScope(catalog::Database& db, std::string_view id, const ProjectScope& scope,
                   const std::vector<Network>& client_networks, std::string_view airlock_rules_json, int64_t version);
// NotFound for an unknown project; DataLoss when a stored field does not parse.
StatusOr<ProjectRecord> LoadProject(catalog::Database& db, std::string_view id);
StatusOr<std::vector<std::string>> ProjectIds(catalog::Database& db);

}  // namespace hdhub::projects::internal

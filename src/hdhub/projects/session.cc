#include "hdhub/projects/session.h"

#include <algorithm>
#include <filesystem>

#include "hdhub/audit/recorder.h"
#include "hdhub/directory/policy.h"
#include "hdhub/projects/workspace_builder.h"
#include "hdhub/sql/logged_query.h"
#include "hdhub/sql/private_temp_file_system.h"

namespace hdhub::projects {
namespace {

namespace fs = std::filesystem;
using directory::Role;

// Why `who` may not query project `id` now, or OK: the policy (a researcher
// member), then the window. An unknown project and one that is not theirs
// get the same answer; `event` (audited) says which it was.
Status CheckAccess(ProjectStore& projects, const directory::Principal& who, std::string_view id, TimePoint now,
                   audit::Event& event) {
  StatusOr<ProjectRecord> found = projects.GetForHub(id);
  if (IsNotFound(found.status())) {
    event.details["reason"] = "unknown-project";
    return UnknownOrNotYoursError(id);
  }
  RETURN_IF_ERROR(found.status());
  const ProjectRecord& p = *found;
  bool member = std::find(p.spec.members.begin(), p.spec.members.end(), who.user) != p.spec.members.end();
  if (!directory::Authorize(who, directory::Operation::kWorkspaceQuery, {.member = member}, Role::kResearcher).ok()) {
    event.details["reason"] = member ? "not-a-researcher" : "not-a-member";
    return UnknownOrNotYoursError(id);
  }
  switch (p.PhaseAt(now)) {
    case Phase::kActive:
      return OkStatus();
    case Phase::kNotStarted:
      return FailedPreconditionError("project " + p.spec.id + " opens on " + FormatRfc3339(p.spec.start));
    case Phase::kEnded:
    case Phase::kExpired:
      return FailedPreconditionError("project " + p.spec.id + " ended on " + FormatRfc3339(p.spec.end) +
                                     "; its workspace is no longer available");
    case Phase::kClosed:
      return FailedPreconditionError("project " + p.spec.id + " was closed");
    case Phase::kDraft:
      return FailedPreconditionError("project " + p.spec.id + " is not approved yet");
  }
  return FailedPreconditionError("project " + p.spec.id + " is not open");
}

}  // namespace

StatusOr<std::unique_ptr<ProjectSession>> ProjectSession::Open(SessionDeps deps, const directory::Principal& who,
                                                               std::string_view id, SessionLimits limits,
                                                               CredentialCheck recheck_credentials) {
  std::unique_ptr<ProjectSession> s(new ProjectSession());
  s->deps_ = deps;
  s->who_ = who;
  s->recheck_credentials_ = std::move(recheck_credentials);
  s->actor_ = who.AsActor(Role::kResearcher);
  s->project_ = std::string(id);
  s->limits_ = limits;
  audit::Event e{.actor = s->actor_.id, .role = s->actor_.role, .action = "project.access", .project = s->project_};
  StatusOr<WorkspaceRecord> workspace = [&]() -> StatusOr<WorkspaceRecord> {
    RETURN_IF_ERROR(CheckAccess(*deps.projects, who, id, deps.clock->Now(), e));
    return deps.projects->LatestReadyWorkspace(id);
  }();
  if (!workspace.ok()) return audit::Record(*deps.log, e, workspace.status());
  const WorkspaceRecord& ws = *workspace;
  ASSIGN_OR_RETURN(SecretBytes dek, deps.keys->UnwrapKey(ws.wrapped_dek, WorkspaceKeyContext(id, ws.build)));
  ASSIGN_OR_RETURN(s->spill_dir_, sql::MakePrivateTempDir(deps.temp_root, "session"));
  ASSIGN_OR_RETURN(s->db_, sql::Database::Open(deps.sealed, {.threads = limits.threads,
                                                             .memory_limit = limits.memory_limit,
                                                             .private_temp_dir = s->spill_dir_,
                                                             .max_temp_size = limits.max_temp_size}));
  const std::string prefix = WorkspacePrefix(id, ws.build);
  // Objects the store records: one the host lost or damaged is DataLoss
  // naming the project and workspace.
  sql::GrantInfo recorded{.label = "project " + s->project_ + " workspace " + std::to_string(ws.build)};
  for (const WorkspaceObject& o : ws.objects) recorded.recorded.push_back(o.logical_name);
  RETURN_IF_ERROR(s->db_->keys().Grant(prefix, std::move(dek), sql::Access::kRead, std::move(recorded)));
  for (const WorkspaceObject& o : ws.objects) {
    RETURN_IF_ERROR(s->db_->Execute("CREATE VIEW " + sql::QuoteIdentifier(o.table) + " AS SELECT * FROM " +
                                    sql::QuoteLiteral("hdhub://" + o.logical_name)));
    s->tables_.push_back(o.table);
  }
  RETURN_IF_ERROR(s->db_->LockDown({.allowed_prefix = "hdhub://" + prefix}));
  e.objects["workspace"] = std::to_string(ws.build);
  RETURN_IF_ERROR(deps.log->Append(e).status());
  return s;
}

ProjectSession::~ProjectSession() {
  db_.reset();  // closes DuckDB before its spill directory goes
  std::error_code ec;
  if (!spill_dir_.empty()) fs::remove_all(spill_dir_, ec);
}

Status ProjectSession::Recheck() {
  audit::Event e{.actor = actor_.id, .role = actor_.role, .action = "project.access", .project = project_};
  Status allowed = [&]() -> Status {
    if (recheck_credentials_) RETURN_IF_ERROR(recheck_credentials_());
    return CheckAccess(*deps_.projects, who_, project_, deps_.clock->Now(), e);
  }();
  if (allowed.ok()) return OkStatus();
  e.details["when"] = "statement";
  return audit::Record(*deps_.log, std::move(e), allowed);
}

StatusOr<std::vector<std::string>> ProjectSession::Statements(std::string_view sql) {
  return sql::LoggedStatements(*deps_.log, actor_, *db_, sql, project_);
}

StatusOr<std::unique_ptr<sql::QueryStream>> ProjectSession::Stream(std::string_view sql) {
  RETURN_IF_ERROR(Recheck());
  return sql::StartLoggedQuery(
      *deps_.log, actor_, *db_, sql, project_,
      sql::QueryLimits{.max_rows = limits_.max_rows, .max_bytes = limits_.max_bytes, .timeout = limits_.timeout});
}

StatusOr<sql::QueryResult> ProjectSession::Query(std::string_view sql) {
  ASSIGN_OR_RETURN(std::unique_ptr<sql::QueryStream> stream, Stream(sql));
  return sql::Collect(*stream);
}

}  // namespace hdhub::projects

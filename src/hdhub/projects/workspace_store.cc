// ProjectStore's workspace records and key destruction.
#include "hdhub/projects/project_store.h"
#include "hdhub/projects/store_util.h"

namespace hdhub::projects {
namespace {

using catalog::Statement;
using catalog::Transaction;

StatusOr<WorkspaceState> ParseWorkspaceState(const std::string& s) {
  for (WorkspaceState w :
       {WorkspaceState::kBuilding, WorkspaceState::kReady, WorkspaceState::kDiscarded, WorkspaceState::kShredded}) {
    if (WorkspaceStateName(w) == s) return w;
  }
  return DataLossError("projects: unknown workspace state '" + s + "'");
}

Status SetWorkspaceState(catalog::Database& db, std::string_view project, int64_t build, WorkspaceState from,
                         WorkspaceState to) {
  ASSIGN_OR_RETURN(Statement s, db.Prepare("UPDATE workspace SET state = ?4 WHERE project = ?1 AND build = ?2 "
                                           "AND state = ?3"));
  RETURN_IF_ERROR(s.BindText(1, project));
  RETURN_IF_ERROR(s.BindInt64(2, build));
  RETURN_IF_ERROR(s.BindText(3, WorkspaceStateName(from)));
  RETURN_IF_ERROR(s.BindText(4, WorkspaceStateName(to)));
  RETURN_IF_ERROR(s.Run());
  if (db.Changes() != 1) {
    return FailedPreconditionError("workspace " + std::to_string(build) + " of " + std::string(project) + " is not " +
                                   std::string(WorkspaceStateName(from)));
  }
  return OkStatus();
}

StatusOr<std::vector<WorkspaceObject>> ObjectsOf(catalog::Database& db, std::string_view project, int64_t build) {
  ASSIGN_OR_RETURN(Statement s, db.Prepare("SELECT table_name, logical_name, object_name, rows, ciphertext_size, "
                                           "ciphertext_sha256 FROM workspace_object WHERE project = ?1 AND build = ?2 "
                                           "ORDER BY table_name"));
  RETURN_IF_ERROR(s.BindText(1, project));
  RETURN_IF_ERROR(s.BindInt64(2, build));
  std::vector<WorkspaceObject> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back({s.ColumnText(0), s.ColumnText(1), s.ColumnText(2), uint64_t(s.ColumnInt64(3)),
                   uint64_t(s.ColumnInt64(4)), s.ColumnText(5)});
  }
  return out;
}

}  // namespace

std::string_view WorkspaceStateName(WorkspaceState state) {
  switch (state) {
    case WorkspaceState::kBuilding:
      return "building";
    case WorkspaceState::kReady:
      return "ready";
    case WorkspaceState::kDiscarded:
      return "discarded";
    case WorkspaceState::kShredded:
      return "shredded";
  }
  return "building";
}

StatusOr<int64_t> ProjectStore::NextWorkspaceBuild(std::string_view project) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Statement s, db_->Prepare("SELECT coalesce(max(build), 0) + 1 FROM workspace WHERE project = ?1"));
  RETURN_IF_ERROR(s.BindText(1, project));
  ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return InternalError("projects: no next build number");
  return s.ColumnInt64(0);
}

Status ProjectStore::BeginWorkspace(std::string_view project, int64_t build, ByteSpan wrapped_dek,
                                    std::string_view built_by) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Statement s, db_->Prepare("INSERT INTO workspace (project, build, state, wrapped_dek, built_by, "
                                             "built_at_us) VALUES (?1, ?2, 'building', ?3, ?4, ?5)"));
  RETURN_IF_ERROR(s.BindText(1, project));
  RETURN_IF_ERROR(s.BindInt64(2, build));
  RETURN_IF_ERROR(s.BindBlob(3, wrapped_dek));
  RETURN_IF_ERROR(s.BindText(4, built_by));
  RETURN_IF_ERROR(s.BindInt64(5, ToMicros(clock_->Now())));
  return s.Run();
}

Status ProjectStore::AddWorkspaceObject(std::string_view project, int64_t build, const WorkspaceObject& o) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Statement s, db_->Prepare("INSERT INTO workspace_object (project, build, table_name, logical_name, "
                                             "object_name, rows, ciphertext_size, ciphertext_sha256) VALUES "
                                             "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
  RETURN_IF_ERROR(s.BindText(1, project));
  RETURN_IF_ERROR(s.BindInt64(2, build));
  RETURN_IF_ERROR(s.BindText(3, o.table));
  RETURN_IF_ERROR(s.BindText(4, o.logical_name));
  RETURN_IF_ERROR(s.BindText(5, o.object_name));
  RETURN_IF_ERROR(s.BindInt64(6, int64_t(o.rows)));
  RETURN_IF_ERROR(s.BindInt64(7, int64_t(o.ciphertext_size)));
  RETURN_IF_ERROR(s.BindText(8, o.ciphertext_sha256));
  return s.Run();
}

Status ProjectStore::FinishWorkspace(std::string_view project, int64_t build, std::string_view provenance_json) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db_.get(), Transaction::Mode::kWrite));
  ASSIGN_OR_RETURN(Statement s, db_->Prepare("UPDATE workspace SET provenance_json = ?3 WHERE project = ?1 AND "
                                             "build = ?2"));
  RETURN_IF_ERROR(s.BindText(1, project));
  RETURN_IF_ERROR(s.BindInt64(2, build));
  RETURN_IF_ERROR(s.BindText(3, provenance_json));
  RETURN_IF_ERROR(s.Run());
  RETURN_IF_ERROR(SetWorkspaceState(*db_, project, build, WorkspaceState::kBuilding, WorkspaceState::kReady));
  return txn.Commit();
}

Status ProjectStore::DiscardWorkspace(std::string_view project, int64_t build) {
  std::lock_guard lock(mu_);
  return SetWorkspaceState(*db_, project, build, WorkspaceState::kBuilding, WorkspaceState::kDiscarded);
}

Status ProjectStore::ShredWorkspace(std::string_view project, int64_t build) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Statement s, db_->Prepare("UPDATE workspace SET wrapped_dek = X'', state = 'shredded' "
                                             "WHERE project = ?1 AND build = ?2"));
  RETURN_IF_ERROR(s.BindText(1, project));
  RETURN_IF_ERROR(s.BindInt64(2, build));
  RETURN_IF_ERROR(s.Run());
  if (db_->Changes() != 1)
    return NotFoundError("no workspace " + std::to_string(build) + " of " + std::string(project));
  return OkStatus();
}

StatusOr<std::vector<WorkspaceRecord>> ProjectStore::Workspaces(std::string_view project) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Statement s, db_->Prepare("SELECT build, state, wrapped_dek, provenance_json, built_by, "
                                             "built_at_us FROM workspace WHERE project = ?1 ORDER BY build"));
  RETURN_IF_ERROR(s.BindText(1, project));
  std::vector<WorkspaceRecord> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    WorkspaceRecord w{.project = std::string(project), .build = s.ColumnInt64(0)};
    ASSIGN_OR_RETURN(w.state, ParseWorkspaceState(s.ColumnText(1)));
    w.wrapped_dek = s.ColumnBlob(2);
    w.provenance_json = s.ColumnText(3);
    w.built_by = s.ColumnText(4);
    w.built_at = FromMicros(s.ColumnInt64(5));
    ASSIGN_OR_RETURN(w.objects, ObjectsOf(*db_, project, w.build));
    out.push_back(std::move(w));
  }
  return out;
}

StatusOr<WorkspaceRecord> ProjectStore::LatestReadyWorkspace(std::string_view project) {
  ASSIGN_OR_RETURN(std::vector<WorkspaceRecord> all, Workspaces(project));
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    if (it->state == WorkspaceState::kReady) return std::move(*it);
  }
  return NotFoundError("project " + std::string(project) + " has no workspace ready; an operator builds it first");
}

Status ProjectStore::DestroyKeys(std::string_view project, ProjectState final_state) {
  std::lock_guard lock(mu_);
  {
    ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db_.get(), Transaction::Mode::kWrite));
    ASSIGN_OR_RETURN(Statement w, db_->Prepare("UPDATE workspace SET wrapped_dek = X'', state = 'shredded' "
                                               "WHERE project = ?1"));
    RETURN_IF_ERROR(w.BindText(1, project));
    RETURN_IF_ERROR(w.Run());
    ASSIGN_OR_RETURN(Statement p, db_->Prepare("UPDATE project SET wrapped_pseudonym_key = X'', state = ?2, "
                                               "ended_at_us = coalesce(ended_at_us, ?3) WHERE id = ?1"));
    RETURN_IF_ERROR(p.BindText(1, project));
    RETURN_IF_ERROR(p.BindText(2, ProjectStateName(final_state)));
    RETURN_IF_ERROR(p.BindInt64(3, ToMicros(clock_->Now())));
    RETURN_IF_ERROR(p.Run());
    if (db_->Changes() != 1) return NotFoundError("no project '" + std::string(project) + "'");
    RETURN_IF_ERROR(txn.Commit());
  }
  // Old page images in the WAL still hold the wrapped keys until checkpointed.
  Status truncated = db_->CheckpointAndTruncateWal();
  return truncated.ok() || truncated.code() == StatusCode::kUnavailable ? OkStatus() : truncated;
}

StatusOr<size_t> ProjectStore::RewrapKeys(const RewrapFn& rewrap) {
  std::lock_guard lock(mu_);
  size_t count = 0;
  {
    ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db_.get(), Transaction::Mode::kWrite));
    struct Key {
      std::string project;
      int64_t build;  // 0: the project's K_project
      Bytes wrapped;
    };
    std::vector<Key> keys;
    ASSIGN_OR_RETURN(
        Statement select,
        db_->Prepare("SELECT id, 0, wrapped_pseudonym_key FROM project WHERE length(wrapped_pseudonym_key) > 0 "
                     "UNION ALL SELECT project, build, wrapped_dek FROM workspace "
                     "WHERE length(wrapped_dek) > 0 ORDER BY 1, 2"));
    while (true) {
      ASSIGN_OR_RETURN(bool has_row, select.Step());
      if (!has_row) break;
      keys.push_back({select.ColumnText(0), select.ColumnInt64(1), select.ColumnBlob(2)});
    }
    // The triggers that forbid replacing a wrapped key stand everywhere but
    // in this transaction.
    auto rewrap_all = [&]() -> Status {
      ASSIGN_OR_RETURN(Statement project, db_->Prepare("UPDATE project SET wrapped_pseudonym_key = ?2 WHERE id = ?1"));
      ASSIGN_OR_RETURN(Statement workspace,
                       db_->Prepare("UPDATE workspace SET wrapped_dek = ?3 WHERE project = ?1 AND build = ?2"));
      for (const Key& k : keys) {
        const bool is_project = k.build == 0;
        ASSIGN_OR_RETURN(
            Bytes rewrapped,
            rewrap(is_project ? PseudonymKeyContext(k.project) : WorkspaceKeyContext(k.project, k.build), k.wrapped));
        if (rewrapped.empty()) return InternalError("a rewrapped project key is empty");
        Statement& update = is_project ? project : workspace;
        RETURN_IF_ERROR(update.Reset());
        RETURN_IF_ERROR(update.BindText(1, k.project));
        if (is_project) {
          RETURN_IF_ERROR(update.BindBlob(2, rewrapped));
        } else {
          RETURN_IF_ERROR(update.BindInt64(2, k.build));
          RETURN_IF_ERROR(update.BindBlob(3, rewrapped));
        }
        RETURN_IF_ERROR(update.Run());
        ++count;
      }
      return OkStatus();
    };
    RETURN_IF_ERROR(catalog::WithTriggersSuspended(
        db_.get(), {"project_key_never_replaced", "workspace_key_never_replaced"}, rewrap_all));
    RETURN_IF_ERROR(txn.Commit());
  }
  // Old page images in the WAL still hold the keys wrapped by the old KEK.
  Status truncated = db_->CheckpointAndTruncateWal();
  if (!truncated.ok() && truncated.code() != StatusCode::kUnavailable) return truncated;
  return count;
}

}  // namespace hdhub::projects

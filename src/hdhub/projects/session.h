// ProjectSession: a project member's SQL over the project's workspace
// (DESIGN §5): one DuckDB instance whose hdhub:// file system holds only
// that workspace's key and prefix, locked down (no local file, no other
// project, no catalog, no extension, no setting), with memory, threads,
// result rows, bytes and time per query limited; results stream
// (sql/query_stream.h). Every query is audited (text hash, rows, duration,
// outcome) with the project.
//
// Opening checks, in this order, each refusal audited (project.access,
// denied): the project exists, the principal acts as a researcher and is a
// member (one answer, "unknown or not yours", for all three); the client's
// address is in the project's client networks (the same answer; "local",
// the hub's own terminal, counts as 127.0.0.1); the project is
// approved and now is within its window; a workspace is ready. Before every
// statement the session checks again, each refusal audited the same way
// (with details.when = "statement"): the caller's credentials (its own
// check, e.g. the token authenticated again), then membership and the phase
// as the project store holds them now, at the clock's now, and the client
// networks. So a session held open across the end date, a member removed, a
// network taken off the project, or a revoked token stops at the next
// statement.
//
// Opt-outs take effect at the next statement, without a rebuild: before
// each statement the session reads the opt-out register (ingest/opt_out.h)
// and, when someone is opted out now who was not when the workspace was
// built, hides their rows from every table: person tables through their
// pseudonym (re-keyed to the project's P3 by a private instance that holds
// the project key; the session's own instance never does), detail tables
// through the keys of their parent's rows (the parent table, or its hidden
// key table, workspace_builder.h). The views named after the tables are the
// only way to the rows: SqlGuard refuses a statement that names a path, a
// file-reading table function or a hidden table.
//
// Ownership: borrows the stores, which must outlive it; streams it returns
// must be destroyed before it. Thread-safety: one query at a time (a
// stream's Cancel() from any thread).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "hdhub/audit/audit_log.h"
#include "hdhub/catalog/catalog.h"
#include "hdhub/common/clock.h"
#include "hdhub/directory/role.h"
#include "hdhub/ingest/opt_out.h"
#include "hdhub/keys/key_store.h"
#include "hdhub/projects/project_store.h"
#include "hdhub/projects/sql_guard.h"
#include "hdhub/projects/table_profiles.h"
#include "hdhub/sql/database.h"
#include "hdhub/storage/sealed_store.h"

namespace duckdb {
class PreparedStatement;
class Value;
}  // namespace duckdb

namespace hdhub::projects {

struct SessionLimits {
  int threads = 2;
  std::string memory_limit = "2GB";
  std::string max_temp_size = "16GB";
  uint64_t max_rows = 100000;
  uint64_t max_bytes = uint64_t{256} << 20;  // cells' bytes per result (query_stream.h)
  std::chrono::milliseconds timeout{std::chrono::minutes(5)};
};

struct SessionDeps {
  ProjectStore* projects;
  keys::KeyStore* keys;
  storage::SealedStore* sealed;
  audit::AuditLog* log;
  Clock* clock;
  std::string temp_root;  // private directory for spill files (mode 0700)
  catalog::Catalog* catalog = nullptr;  // the opt-out register; required
};

class ProjectSession {
 public:
  // Says whether the caller's credentials still hold: OK, or the refusal
  // (e.g. Unauthenticated for a revoked token, PermissionDenied for a
  // disabled user).
  using CredentialCheck = std::function<Status()>;

  // PermissionDenied (not a member, not acting as researcher, or no such
  // project: one answer, UnknownOrNotYoursError, for all three), or
  // FailedPrecondition (not approved, before or after its window, shredded),
  // or NotFound (no workspace ready); all audited. `recheck_credentials`
  // (none when empty) runs before every statement. `client_address` is an
  // IP address, or "local" (the hub's terminal: 127.0.0.1); one outside the
  // project's client networks gets UnknownOrNotYoursError (audited with
  // details.reason "client-network" and details.client).
  static StatusOr<std::unique_ptr<ProjectSession>> Open(SessionDeps deps, const directory::Principal& who,
                                                        std::string_view project, SessionLimits limits = {},
                                                        CredentialCheck recheck_credentials = nullptr,
                                                        std::string client_address = "local");
  ~ProjectSession();

  // The workspace's tables, as views named after them.
  const std::vector<std::string>& tables() const { return tables_; }
  // Runs SQL as a stream under the limits, once the checks above pass (their
  // refusal otherwise); logs query.run when the stream ends. The sandbox's
  // refusals are PermissionDenied (logged as denied), a runaway query
  // DeadlineExceeded, too large a result ResourceExhausted.
  StatusOr<std::unique_ptr<sql::QueryStream>> Stream(std::string_view sql);
  // One statement with its parameters ($1, $2, …), as Stream.
  StatusOr<std::unique_ptr<sql::QueryStream>> Stream(std::string_view sql,
                                                     const std::vector<duckdb::Value>& parameters);
  // One statement prepared, never run, to describe its columns and
  // parameters (the PG wire's Parse and Describe), after the same checks as
  // Stream (a refusal is audited as query.run); running it goes through
  // Stream, which checks again.
  StatusOr<std::unique_ptr<duckdb::PreparedStatement>> Prepare(std::string_view sql);
  // A statement of the PG wire's catalog layer (pgwire/catalog.h: the
  // workspace's table and column names and types, never a row), which runs
  // outside this session's instance: the per-statement checks (a refusal
  // audited and returned), then logged as query.run with details.reads =
  // "catalog".
  Status RecordCatalogRead(std::string_view sql);
  // Stream, collected.
  StatusOr<sql::QueryResult> Query(std::string_view sql);
  // The statements of `sql`, each to be run by Stream or Query in turn (so
  // that each is checked and audited on its own). InvalidArgument when the
  // text does not parse; PermissionDenied, before any statement runs, when
  // one of them is refused by the sandbox; either logged as query.run.
  StatusOr<std::vector<std::string>> Statements(std::string_view sql);

 private:
  ProjectSession() = default;
  // The per-statement checks; a refusal is audited and returned.
  Status Recheck();
  // The limits of one query.
  sql::QueryLimits PerQueryLimits() const;
  // Recheck, then the opt-outs brought up to date and the sandbox's check
  // of `sql`; a refusal is audited and returned.
  Status CheckStatement(std::string_view sql);
  // Reads the opt-out register; when it changed, hides the people opted out
  // since the build (the views are made again).
  Status RefreshOptOuts();
  // The P3 pseudonyms of the people opted out now but not at the build.
  StatusOr<std::vector<std::string>> NewlyOptedOut(const ingest::OptOutRegister& now);
  // (Re)creates the view of every workspace table, filtered when `filtered`.
  Status MakeViews(bool filtered);
  // read_parquet('<the object of `table`>'), or empty when there is none.
  std::string ObjectSql(std::string_view table) const;
  // The WHERE clause hiding the rows of a detail table whose parent rows
  // belong to someone opted out since the build (a temp table of their keys).
  StatusOr<std::string> DetailFilter(const TableProfile& detail);
  // A refused or failed statement, logged as query.run.
  Status RefuseStatement(std::string_view sql, const Status& why);

  SessionDeps deps_;
  directory::Principal who_;
  CredentialCheck recheck_credentials_;
  audit::Actor actor_;
  std::string project_;
  std::string client_address_;
  SessionLimits limits_;
  std::string spill_dir_;
  std::vector<std::string> tables_;
  WorkspaceRecord workspace_;
  Bytes wrapped_pseudonym_key_;
  nlohmann::json built_opt_outs_;  // the opt-out lists the build applied
  nlohmann::json seen_opt_outs_;   // the register at the last refresh
  std::unique_ptr<SqlGuard> guard_;
  std::unique_ptr<sql::Database> db_;
};

}  // namespace hdhub::projects

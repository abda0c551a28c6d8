// WorkspaceBuilder: materialises a project's extract (DESIGN §3, §6) from the
// latest committed dataset versions, as sealed Parquet under the project's
// own prefix and data key:
//
//   - only the scope's tables and columns (plus each table's person
//     pseudonym and the keys that join it to its parent), only its years of
//     care, only its population (filters on IR_BEN_R);
//   - everyone the opt-out register excludes (ingest/opt_out.h) removed,
//     from every table: detail tables (ER_PHA_F, T_MCOaaB, T_MCOaaD) keep
//     only the rows of kept parent rows; for a detail table whose parent is
//     not in the scope, the parent's person and keys are written too, as
//     the hidden table HiddenKeysTable(parent), so that a session can hide
//     the rows of people who opt out later (session.h);
//   - pseudonyms re-keyed with the project's key (P3 = HMAC(K_project, P2))
//     and every record identifier (ingest/column_rules.h) re-keyed too, so
//     that two projects share no identifier and cannot link rows; rows in
//     an order of their own (extract_sql.h);
//   - the reference tables the scope names (nomenclatures ingested with
//     --reference: no person, no record) copied whole, nothing re-keyed;
//   - the data dictionary hdhub_columns (data_dictionary.h): every column of
//     every table written, with its label and description;
//   - provenance recorded (dataset versions, the opt-out lists applied,
//     scope digest and version), so the same extract can be rebuilt.
// The build runs in a locked-down DuckDB instance that spills, encrypted, to
// a private directory. A failed build leaves a discarded workspace and no
// object; a newer build retires the previous one (its key destroyed).
//
// Ownership: borrows everything. Thread-safety: one build at a time.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hdhub/audit/audit_log.h"
#include "hdhub/catalog/catalog.h"
#include "hdhub/common/clock.h"
#include "hdhub/directory/role.h"
#include "hdhub/keys/key_store.h"
#include "hdhub/projects/project_store.h"
#include "hdhub/sql/database.h"
#include "hdhub/storage/sealed_store.h"

namespace hdhub::projects {

struct ExtractContext;

struct BuildResult {
  int64_t build = 0;
  std::map<std::string, uint64_t> rows;  // per table
  std::string provenance_json;
};

struct BuilderDeps {
  ProjectStore* projects;
  catalog::Catalog* catalog;
  keys::KeyStore* keys;
  storage::SealedStore* sealed;
  audit::AuditLog* log;
  Clock* clock;
  std::string temp_root;  // private directory for spill files (mode 0700)
  int threads = 0;
  std::string memory_limit;
  ProgressFn progress;  // each table's copy, when set (common/progress.h)
};

// Where a workspace's objects live: "projects/<id>/ws<build>/".
std::string WorkspacePrefix(std::string_view project, int64_t build);
// Tables no session shows nor lets a statement read start with this: the
// hidden key tables below, a session's own temporary tables.
inline constexpr std::string_view kHiddenTablePrefix = "hdhub_private_";
// A detail table's parent's person and keys: "hdhub_private_keys_<parent>".
std::string HiddenKeysTable(std::string_view parent);
bool IsHiddenTable(std::string_view table);

class WorkspaceBuilder {
 public:
  explicit WorkspaceBuilder(BuilderDeps deps) : d_(std::move(deps)) {}

  // PermissionDenied unless `who` acts as operator or steward (audited);
  // FailedPrecondition unless the project is approved and its window has not
  // ended; InvalidArgument for a scope table without a profile that is not a
  // reference table, or a column the dataset does not have; NotFound for a
  // scope table never ingested.
  StatusOr<BuildResult> Build(const directory::Principal& who, directory::Role as, std::string_view project);

 private:
  struct Plan;
  StatusOr<Plan> Prepare(const ProjectRecord& project);
  StatusOr<BuildResult> Write(const ProjectRecord& project, Plan& plan, const audit::Actor& actor);
  // A locked-down instance reading the plan's dataset versions (views
  // src_<TABLE>, temp tables excluded and population) and writing under the
  // build's prefix with `dek`; `versions` gets the versions read.
  StatusOr<std::unique_ptr<sql::Database>> OpenBuildDatabase(const ProjectRecord& project, const Plan& plan,
                                                             const std::string& spill_dir,
                                                             const crypto::HmacSha256* k_project, int64_t build,
                                                             SecretBytes dek, nlohmann::json* versions);
  Status CopyTables(const ProjectRecord& project, const Plan& plan, sql::Database& db, BuildResult* result);
  Status CopyHiddenParents(const ProjectRecord& project, const Plan& plan, sql::Database& db, const ExtractContext& ctx,
                           BuildResult* result);
  // Records the objects, logs workspace.build, then makes the workspace ready.
  Status Record(const ProjectRecord& project, const Plan& plan, const audit::Actor& actor,
                const std::vector<storage::SealedObjectInfo>& written, BuildResult* result);
  Status Retire(std::string_view project, int64_t keep_build);

  BuilderDeps d_;
};

}  // namespace hdhub::projects

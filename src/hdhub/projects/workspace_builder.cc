#include "hdhub/projects/workspace_builder.h"

#include <nlohmann/json.hpp>

#include "hdhub/audit/recorder.h"
#include "hdhub/directory/policy.h"
#include "hdhub/ingest/csv_ingest.h"
#include "hdhub/ingest/opt_out.h"
#include "hdhub/projects/data_dictionary.h"
#include "hdhub/projects/extract_sql.h"
#include "hdhub/projects/table_profiles.h"
#include "hdhub/sql/database.h"
#include "hdhub/sql/functions.h"
#include "hdhub/sql/private_temp_file_system.h"

namespace hdhub::projects {
namespace {

using directory::Role;

constexpr std::string_view kOptOutView = "opt_out_";
constexpr std::string_view kHiddenKeysPrefix = "hdhub_private_keys_";

struct Source {
  std::string table;
  catalog::VersionWithObjects version;
};

// The columns of a view, or of a SELECT's result.
StatusOr<std::vector<Column>> Describe(sql::Database& db, const std::string& view) {
  ASSIGN_OR_RETURN(sql::QueryResult r, db.Query("DESCRIBE " + view));
  std::vector<Column> out;
  for (const auto& row : r.rows) out.push_back({row.at(0).value_or(""), row.at(1).value_or("")});
  return out;
}

// Writes `select` as the workspace object "<name>.parquet"; its rows.
StatusOr<uint64_t> CopyTo(sql::Database& db, const std::string& select, const std::string& name) {
  ASSIGN_OR_RETURN(sql::QueryResult copied,
                   db.Query("COPY (" + select + ") TO " + sql::QuoteLiteral("hdhub://" + name + ".parquet") +
                            " (FORMAT parquet, COMPRESSION zstd)"));
  return std::stoull(copied.rows.at(0).at(0).value_or("0"));
}

}  // namespace

std::string WorkspacePrefix(std::string_view project, int64_t build) {
  return "projects/" + std::string(project) + "/ws" + std::to_string(build) + "/";
}

std::string HiddenKeysTable(std::string_view parent) { return std::string(kHiddenKeysPrefix) + std::string(parent); }

bool IsHiddenTable(std::string_view table) { return table.starts_with(kHiddenTablePrefix); }

struct WorkspaceBuilder::Plan {
  std::vector<std::string> outputs;     // scope tables with a profile, parents first
  std::vector<std::string> references;  // scope tables that are reference tables (copied whole)
  std::vector<Source> sources;          // everything read: outputs, parents, IR_BEN_R, references
  ingest::OptOutRegister opt_outs;      // the lists of OPT_OUT and OPT_OUT_WITHDRAWAL
  bool population = false;
  bool exclusions = false;
};

StatusOr<WorkspaceBuilder::Plan> WorkspaceBuilder::Prepare(const ProjectRecord& p) {
  Plan plan;
  std::vector<std::string> needed;
  auto need = [&needed](std::string_view t) {
    if (std::find(needed.begin(), needed.end(), t) == needed.end()) needed.emplace_back(t);
  };
  for (std::string_view table : ProfiledTables()) {
    if (!p.spec.scope.tables.contains(std::string(table))) continue;
    const TableProfile* profile = ProfileFor(table);
    plan.outputs.emplace_back(table);
    need(table);
    if (!profile->parent.empty()) need(profile->parent);
  }
  plan.population = !p.spec.scope.population.empty();
  if (plan.population) need("IR_BEN_R");
  for (const auto& [table, columns] : p.spec.scope.tables) {
    if (ProfileFor(table) != nullptr) continue;
    need(table);
    plan.references.push_back(table);
  }
  for (const std::string& table : needed) {
    StatusOr<catalog::VersionWithObjects> v = d_.catalog->LatestCommittedVersion(table);
    if (!v.ok()) return v.status().WithContext("the scope needs " + table);
    bool reference = std::find(plan.references.begin(), plan.references.end(), table) != plan.references.end();
    if (reference && (table.starts_with(kHdhubTablePrefix) || !ingest::IsReferenceVersion(v->version))) {
      return InvalidArgumentError("scope: table " + table +
                                  " cannot enter a workspace (no workspace profile, and not a reference table)");
    }
    plan.sources.push_back({table, *std::move(v)});
  }
  ASSIGN_OR_RETURN(plan.opt_outs, ingest::OptOutRegister::Read(*d_.catalog));
  plan.exclusions = !plan.opt_outs.lists().empty();
  return plan;
}

StatusOr<BuildResult> WorkspaceBuilder::Build(const directory::Principal& who, Role as, std::string_view id) {
  audit::Actor actor = who.AsActor(as);
  audit::Event refused{.actor = actor.id, .role = actor.role, .action = "workspace.build", .project = std::string(id)};
  Status allowed = directory::Authorize(who, directory::Operation::kWorkspaceBuild, {}, as).status();
  if (!allowed.ok()) return audit::Record(*d_.log, std::move(refused), allowed);
  ASSIGN_OR_RETURN(ProjectRecord p, d_.projects->GetForHub(id));
  Phase phase = p.PhaseAt(d_.clock->Now());
  if (phase != Phase::kActive && phase != Phase::kNotStarted) {
    return audit::Record(*d_.log, std::move(refused),
                         FailedPreconditionError("project " + std::string(id) + " is " + std::string(PhaseName(phase)) +
                                                 "; a workspace is built for an approved project within its window"));
  }
  StatusOr<BuildResult> result = [&]() -> StatusOr<BuildResult> {
    ASSIGN_OR_RETURN(Plan plan, Prepare(p));
    ASSIGN_OR_RETURN(BuildResult written, Write(p, plan, actor));
    RETURN_IF_ERROR(Retire(id, written.build));
    return written;
  }();
  if (!result.ok()) return audit::Record(*d_.log, std::move(refused), result.status());
  return result;
}

StatusOr<std::unique_ptr<sql::Database>> WorkspaceBuilder::OpenBuildDatabase(const ProjectRecord& p, const Plan& plan,
                                                                             const std::string& spill_dir,
                                                                             const crypto::HmacSha256* k_project,
                                                                             int64_t build, SecretBytes dek,
                                                                             nlohmann::json* versions) {
  ASSIGN_OR_RETURN(std::unique_ptr<sql::Database> db, sql::Database::Open(d_.sealed, {.threads = d_.threads,
                                                                                      .memory_limit = d_.memory_limit,
                                                                                      .private_temp_dir = spill_dir}));
  RETURN_IF_ERROR(sql::RegisterStageThree(*db, k_project));
  for (const Source& s : plan.sources) {
    RETURN_IF_ERROR(ingest::MountVersion(*db, *d_.keys, s.table, s.version, SourceView(s.table)));
    (*versions)[s.table] = s.version.version.version;
  }
  RETURN_IF_ERROR(plan.opt_outs.Mount(*db, *d_.keys, kOptOutView));
  RETURN_IF_ERROR(db->keys().Grant(WorkspacePrefix(p.spec.id, build), std::move(dek), sql::Access::kReadWrite));
  RETURN_IF_ERROR(db->LockDown({.allowed_prefix = "hdhub://", .refuse_statements = false}));
  if (plan.exclusions) {
    RETURN_IF_ERROR(db->Execute("CREATE TEMP TABLE excluded AS " + plan.opt_outs.ExcludedSelect(kOptOutView)));
  }
  if (plan.population) RETURN_IF_ERROR(db->Execute(PopulationSql(p.spec.scope.population, plan.exclusions)));
  return db;
}

Status WorkspaceBuilder::CopyTables(const ProjectRecord& p, const Plan& plan, sql::Database& db, BuildResult* result) {
  ExtractContext ctx{.scope = &p.spec.scope, .has_population = plan.population, .has_exclusions = plan.exclusions};
  // The line numbers of the line-keyed tables, from their owner's lines.
  std::vector<std::string_view> owners;
  for (const std::string& table : plan.outputs) {
    const TableProfile* profile = ProfileFor(table);
    if (profile->line_key.empty()) continue;
    std::string_view owner = profile->person.empty() ? profile->parent : profile->table;
    if (std::find(owners.begin(), owners.end(), owner) == owners.end()) owners.push_back(owner);
  }
  if (owners.size() > 1) return InternalError("workspace build: more than one line-key owner");
  if (!owners.empty()) {
    ASSIGN_OR_RETURN(std::vector<Column> columns, Describe(db, SourceView(owners[0])));
    RETURN_IF_ERROR(db.Execute(LineKeySql(*ProfileFor(owners[0]), columns, ctx)));
  }
  // Each table's columns as written, with its dataset's schema: the data dictionary.
  std::vector<DictionaryTable> dictionary;
  auto schema_of = [&plan](const std::string& table) {
    for (const Source& s : plan.sources) {
      if (s.table == table) return s.version.version.schema_json;
    }
    return std::string("{}");
  };
  auto copy = [&](const std::string& table, const std::string& select) -> Status {
    ASSIGN_OR_RETURN(std::vector<Column> written, Describe(db, select));
    dictionary.push_back({table, std::move(written), schema_of(table)});
    if (d_.progress) db.SetProgress(d_.progress, "build " + p.spec.id + ": " + table);
    ASSIGN_OR_RETURN(result->rows[table], CopyTo(db, select, WorkspacePrefix(p.spec.id, result->build) + table));
    return OkStatus();
  };
  for (const std::string& table : plan.outputs) {
    ASSIGN_OR_RETURN(std::vector<Column> columns, Describe(db, SourceView(table)));
    ASSIGN_OR_RETURN(std::string select,
                     ExtractSelect(*ProfileFor(table), columns, p.spec.scope.tables.at(table), ctx));
    RETURN_IF_ERROR(copy(table, select));
  }
  for (const std::string& table : plan.references) {
    ASSIGN_OR_RETURN(std::vector<Column> columns, Describe(db, SourceView(table)));
    ASSIGN_OR_RETURN(std::string select, ReferenceSelect(table, columns, p.spec.scope.tables.at(table)));
    RETURN_IF_ERROR(copy(table, select));
  }
  const std::string dictionary_table(kColumnsTable);
  ASSIGN_OR_RETURN(
      result->rows[dictionary_table],
      CopyTo(db, DictionarySelect(dictionary), WorkspacePrefix(p.spec.id, result->build) + dictionary_table));
  return CopyHiddenParents(p, plan, db, ctx, result);
}

Status WorkspaceBuilder::CopyHiddenParents(const ProjectRecord& p, const Plan& plan, sql::Database& db,
                                           const ExtractContext& ctx, BuildResult* result) {
  // A detail table whose parent is not in the scope: the parent's person and
  // keys, unreadable by the project (session.h), so that a session can hide
  // the rows of someone opted out after the build.
  std::vector<std::string> parents;
  for (const std::string& table : plan.outputs) {
    std::string parent(ProfileFor(table)->parent);
    if (parent.empty() || std::find(plan.outputs.begin(), plan.outputs.end(), parent) != plan.outputs.end()) continue;
    if (std::find(parents.begin(), parents.end(), parent) == parents.end()) parents.push_back(parent);
  }
  for (const std::string& parent : parents) {
    ASSIGN_OR_RETURN(std::vector<Column> columns, Describe(db, SourceView(parent)));
    ASSIGN_OR_RETURN(std::string select, ExtractSelect(*ProfileFor(parent), columns, {}, ctx));
    const std::string name = HiddenKeysTable(parent);
    ASSIGN_OR_RETURN(result->rows[name], CopyTo(db, select, WorkspacePrefix(p.spec.id, result->build) + name));
  }
  return OkStatus();
}

Status WorkspaceBuilder::Record(const ProjectRecord& p, const Plan& plan, const audit::Actor& actor,
                                const std::vector<storage::SealedObjectInfo>& written, BuildResult* result) {
  const std::string prefix = WorkspacePrefix(p.spec.id, result->build);
  for (const storage::SealedObjectInfo& o : written) {
    std::string table = o.logical_name.substr(prefix.size());
    table = table.substr(0, table.rfind(".parquet"));
    RETURN_IF_ERROR(d_.projects->AddWorkspaceObject(p.spec.id, result->build,
                                                    {table, o.logical_name, o.object_name, result->rows[table],
                                                     o.ciphertext_size, HexEncode(o.ciphertext_sha256)}));
  }
  audit::Event e{.actor = actor.id, .role = actor.role, .action = "workspace.build", .project = p.spec.id};
  e.objects["workspace"] = std::to_string(result->build);
  e.details["tables"] = result->rows.size();
  e.details["scope_version"] = p.scope_version;
  e.details["opt_out_applied"] = plan.exclusions;
  e.details["opt_out_lists"] = plan.opt_outs.lists().size();  // which: provenance_json
  RETURN_IF_ERROR(d_.log->Append(e).status());  // before the workspace becomes readable
  return d_.projects->FinishWorkspace(p.spec.id, result->build, result->provenance_json);
}

StatusOr<BuildResult> WorkspaceBuilder::Write(const ProjectRecord& p, Plan& plan, const audit::Actor& actor) {
  const std::string& id = p.spec.id;
  BuildResult result;
  ASSIGN_OR_RETURN(SecretBytes k_project_bytes, d_.keys->UnwrapKey(p.wrapped_pseudonym_key, PseudonymKeyContext(id)));
  ASSIGN_OR_RETURN(std::unique_ptr<crypto::HmacSha256> k_project, crypto::HmacSha256::Create(k_project_bytes));
  ASSIGN_OR_RETURN(result.build, d_.projects->NextWorkspaceBuild(id));
  ASSIGN_OR_RETURN(SecretBytes dek, keys::NewDataKey());
  ASSIGN_OR_RETURN(Bytes wrapped, d_.keys->WrapKey(dek, WorkspaceKeyContext(id, result.build)));
  RETURN_IF_ERROR(d_.projects->BeginWorkspace(id, result.build, wrapped, actor.id));

  std::vector<storage::SealedObjectInfo> written;
  Status built = [&]() -> Status {
    ASSIGN_OR_RETURN(std::string spill, sql::MakePrivateTempDir(d_.temp_root, "build"));
    nlohmann::json versions = nlohmann::json::object();
    ASSIGN_OR_RETURN(std::unique_ptr<sql::Database> db,
                     OpenBuildDatabase(p, plan, spill, k_project.get(), result.build, std::move(dek), &versions));
    db->keys().SetCommitListener([&written](const storage::SealedObjectInfo& o) { written.push_back(o); });
    RETURN_IF_ERROR(CopyTables(p, plan, *db, &result));
    result.provenance_json = nlohmann::json{
        {"scope_version", p.scope_version},
        {"scope_sha256", p.spec.scope.Digest()},
        {"datasets", versions},
        {"opt_out", plan.opt_outs.Provenance()},
        {"rows", result.rows}}.dump();
    return Record(p, plan, actor, written, &result);
  }();
  if (!built.ok()) {
    for (const storage::SealedObjectInfo& o : written) d_.sealed->Delete(o.logical_name).IgnoreError();
    d_.projects->DiscardWorkspace(id, result.build).IgnoreError();
    return built;  // logged by Build
  }
  return result;
}

Status WorkspaceBuilder::Retire(std::string_view project, int64_t keep_build) {
  ASSIGN_OR_RETURN(std::vector<WorkspaceRecord> all, d_.projects->Workspaces(project));
  for (const WorkspaceRecord& w : all) {
    if (w.build == keep_build || w.state == WorkspaceState::kShredded) continue;
    for (const WorkspaceObject& o : w.objects) {
      Status s = d_.sealed->Delete(o.logical_name);
      if (!s.ok() && !IsNotFound(s)) return s;
    }
    RETURN_IF_ERROR(d_.projects->ShredWorkspace(project, w.build));
  }
  return OkStatus();
}

}  // namespace hdhub::projects

#include "hdhub/projects/session.h"

#include <algorithm>
#include <filesystem>

#include "duckdb.hpp"
#include "hdhub/audit/recorder.h"
#include "hdhub/directory/policy.h"
#include "hdhub/projects/table_profiles.h"
#include "hdhub/projects/workspace_builder.h"
#include "hdhub/sql/functions.h"
#include "hdhub/sql/logged_query.h"
#include "hdhub/sql/private_temp_file_system.h"

namespace hdhub::projects {
namespace {

namespace fs = std::filesystem;
using directory::Role;

// The session's temp table of the P3 pseudonyms opted out since the build.
constexpr char kOptedOut[] = "hdhub_private_opted_out";

// Why `who` may not query project `id` now, or OK: the policy (a researcher
// member), then the window. An unknown project and one that is not theirs
// get the same answer; `event` (audited) says which it was.
// Whether `client_address` ("local": 127.0.0.1) is in the project's client
// networks; an address that does not parse is not.
bool ClientAllowed(const ProjectRecord& p, std::string_view client_address) {
  StatusOr<IpAddress> address = ParseIpAddress(client_address == "local" ? "127.0.0.1" : client_address);
  return address.ok() && InNetworks(p.spec.client_networks, *address);
}

Status CheckAccess(ProjectStore& projects, const directory::Principal& who, std::string_view id,
                   std::string_view client_address, TimePoint now, audit::Event& event) {
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
  if (!ClientAllowed(p, client_address)) {
    event.details["reason"] = "client-network";
    // Only a text that parses as an address (hex digits, dots, colons) is logged.
    event.details["client"] =
        ParseIpAddress(client_address).ok() ? std::string(client_address.substr(0, 64)) : "not-an-address";
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

// The opt-out lists a build applied; a workspace built before the register
// records OPT_OUT's latest version only.
nlohmann::json BuiltOptOuts(const std::string& provenance_json) {
  nlohmann::json provenance = nlohmann::json::parse(provenance_json, nullptr, false);
  if (!provenance.is_object()) return nlohmann::json::object();
  if (provenance.contains("opt_out")) return provenance["opt_out"];
  const std::string opt_out(ingest::kOptOutDataset);
  nlohmann::json datasets = provenance.value("datasets", nlohmann::json::object());
  if (!datasets.contains(opt_out)) return nlohmann::json::object();
  return {{opt_out, nlohmann::json::array({datasets[opt_out]})}};
}

}  // namespace

StatusOr<std::unique_ptr<ProjectSession>> ProjectSession::Open(SessionDeps deps, const directory::Principal& who,
                                                               std::string_view id, SessionLimits limits,
                                                               CredentialCheck recheck_credentials,
                                                               std::string client_address) {
  if (deps.catalog == nullptr) return InternalError("a project session needs the catalog (the opt-out register)");
  std::unique_ptr<ProjectSession> s(new ProjectSession());
  s->deps_ = deps;
  s->who_ = who;
  s->recheck_credentials_ = std::move(recheck_credentials);
  s->actor_ = who.AsActor(Role::kResearcher);
  s->project_ = std::string(id);
  s->client_address_ = std::move(client_address);
  s->limits_ = limits;
  audit::Event e{.actor = s->actor_.id, .role = s->actor_.role, .action = "project.access", .project = s->project_};
  StatusOr<WorkspaceRecord> workspace = [&]() -> StatusOr<WorkspaceRecord> {
    RETURN_IF_ERROR(CheckAccess(*deps.projects, who, id, s->client_address_, deps.clock->Now(), e));
    ASSIGN_OR_RETURN(ProjectRecord p, deps.projects->GetForHub(id));
    s->wrapped_pseudonym_key_ = p.wrapped_pseudonym_key;
    return deps.projects->LatestReadyWorkspace(id);
  }();
  if (!workspace.ok()) return audit::Record(*deps.log, e, workspace.status());
  s->workspace_ = *std::move(workspace);
  const WorkspaceRecord& ws = s->workspace_;
  s->built_opt_outs_ = BuiltOptOuts(ws.provenance_json);
  ASSIGN_OR_RETURN(SecretBytes dek, deps.keys->UnwrapKey(ws.wrapped_dek, WorkspaceKeyContext(id, ws.build)));
  ASSIGN_OR_RETURN(s->spill_dir_, sql::MakePrivateTempDir(deps.temp_root, "session"));
  ASSIGN_OR_RETURN(s->db_, sql::Database::Open(deps.sealed, {.threads = limits.threads,
                                                             .memory_limit = limits.memory_limit,
                                                             .private_temp_dir = s->spill_dir_,
                                                             .max_temp_size = limits.max_temp_size}));
  ASSIGN_OR_RETURN(s->guard_, SqlGuard::Create(deps.sealed));
  const std::string prefix = WorkspacePrefix(id, ws.build);
  // Objects the store records: one the host lost or damaged is DataLoss
  // naming the project and workspace.
  sql::GrantInfo recorded{.label = "project " + s->project_ + " workspace " + std::to_string(ws.build)};
  for (const WorkspaceObject& o : ws.objects) recorded.recorded.push_back(o.logical_name);
  RETURN_IF_ERROR(s->db_->keys().Grant(prefix, std::move(dek), sql::Access::kRead, std::move(recorded)));
  for (const WorkspaceObject& o : ws.objects) {
    if (!IsHiddenTable(o.table)) s->tables_.push_back(o.table);
  }
  RETURN_IF_ERROR(s->MakeViews(false));
  RETURN_IF_ERROR(s->db_->LockDown({.allowed_prefix = "hdhub://" + prefix}));
  RETURN_IF_ERROR(s->RefreshOptOuts());
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
    return CheckAccess(*deps_.projects, who_, project_, client_address_, deps_.clock->Now(), e);
  }();
  if (allowed.ok()) return OkStatus();
  e.details["when"] = "statement";
  return audit::Record(*deps_.log, std::move(e), allowed);
}

StatusOr<std::vector<std::string>> ProjectSession::Statements(std::string_view sql) {
  return sql::LoggedStatements(*deps_.log, actor_, *db_, sql, project_);
}

StatusOr<std::unique_ptr<sql::QueryStream>> ProjectSession::Stream(std::string_view sql) { return Stream(sql, {}); }

StatusOr<std::unique_ptr<sql::QueryStream>> ProjectSession::Stream(std::string_view sql,
                                                                   const std::vector<duckdb::Value>& parameters) {
  RETURN_IF_ERROR(CheckStatement(sql));
  return sql::StartLoggedQuery(*deps_.log, actor_, *db_, sql, parameters, project_, PerQueryLimits());
}

sql::QueryLimits ProjectSession::PerQueryLimits() const {
  return {.max_rows = limits_.max_rows, .max_bytes = limits_.max_bytes, .timeout = limits_.timeout};
}

StatusOr<std::unique_ptr<duckdb::PreparedStatement>> ProjectSession::Prepare(std::string_view sql) {
  RETURN_IF_ERROR(CheckStatement(sql));
  StatusOr<std::unique_ptr<duckdb::PreparedStatement>> prepared = db_->Prepare(sql);
  if (!prepared.ok()) return RefuseStatement(sql, prepared.status());
  return prepared;
}

Status ProjectSession::CheckStatement(std::string_view sql) {
  RETURN_IF_ERROR(Recheck());
  if (Status refreshed = RefreshOptOuts(); !refreshed.ok()) return RefuseStatement(sql, refreshed);
  if (Status allowed = guard_->Check(sql); !allowed.ok()) return RefuseStatement(sql, allowed);
  return OkStatus();
}

Status ProjectSession::RecordCatalogRead(std::string_view sql) {
  RETURN_IF_ERROR(Recheck());
  audit::Event e{.actor = actor_.id,
                 .role = actor_.role,
                 .action = "query.run",
                 .project = project_,
                 .free_text = std::string(sql)};
  e.details["reads"] = "catalog";
  return audit::Record(*deps_.log, std::move(e), OkStatus());
}

Status ProjectSession::RefuseStatement(std::string_view sql, const Status& why) {
  audit::Event e{.actor = actor_.id,
                 .role = actor_.role,
                 .action = "query.run",
                 .project = project_,
                 .free_text = std::string(sql)};
  return audit::Record(*deps_.log, std::move(e), why);
}

Status ProjectSession::RefreshOptOuts() {
  ASSIGN_OR_RETURN(ingest::OptOutRegister now, ingest::OptOutRegister::Read(*deps_.catalog));
  nlohmann::json seen = now.Provenance();
  if (seen == seen_opt_outs_) return OkStatus();
  std::vector<std::string> newly;
  if (seen != built_opt_outs_) {  // else: exactly the lists the build applied
    ASSIGN_OR_RETURN(newly, NewlyOptedOut(now));
  }
  std::string values;
  for (const std::string& p : newly) values += (values.empty() ? "" : ", ") + sql::QuoteLiteral(p);
  RETURN_IF_ERROR(db_->Execute("CREATE OR REPLACE TEMP TABLE " + std::string(kOptedOut) + " AS SELECT unnest([" +
                               values + "]::UUID[]) AS p"));
  RETURN_IF_ERROR(MakeViews(!newly.empty()));
  seen_opt_outs_ = std::move(seen);
  return OkStatus();
}

StatusOr<std::vector<std::string>> ProjectSession::NewlyOptedOut(const ingest::OptOutRegister& now) {
  std::vector<std::string> out;
  if (now.lists().empty()) return out;
  // A private instance: the catalog's opt-out lists and the project key,
  // never in the researcher's instance.
  ASSIGN_OR_RETURN(std::unique_ptr<sql::Database> hub, sql::Database::Open(deps_.sealed, {.threads = 1}));
  ASSIGN_OR_RETURN(SecretBytes k_bytes, deps_.keys->UnwrapKey(wrapped_pseudonym_key_, PseudonymKeyContext(project_)));
  ASSIGN_OR_RETURN(std::unique_ptr<crypto::HmacSha256> k_project, crypto::HmacSha256::Create(k_bytes));
  RETURN_IF_ERROR(sql::RegisterStageThree(*hub, k_project.get()));
  RETURN_IF_ERROR(now.Mount(*hub, *deps_.keys, "opt_out_"));
  auto built = [this](const ingest::OptOutList& l) { return ingest::OptOutRegister::Names(built_opt_outs_, l); };
  ASSIGN_OR_RETURN(sql::QueryResult r,
                   hub->Query("SELECT DISTINCT hdhub_p3(p)::VARCHAR FROM (" + now.ExcludedSelect("opt_out_") +
                              " EXCEPT " + now.ExcludedSelect("opt_out_", built) + ")"));
  for (const auto& row : r.rows) {
    if (row.at(0)) out.push_back(*row.at(0));
  }
  return out;
}

std::string ProjectSession::ObjectSql(std::string_view table) const {
  for (const WorkspaceObject& o : workspace_.objects) {
    if (o.table == table) return "read_parquet(" + sql::QuoteLiteral("hdhub://" + o.logical_name) + ")";
  }
  return "";
}

StatusOr<std::string> ProjectSession::DetailFilter(const TableProfile& detail) {
  // The keys of the parent rows of the people opted out since the build, from
  // the parent table or, outside the scope, its hidden key table.
  std::string parent = ObjectSql(detail.parent);
  if (parent.empty()) parent = ObjectSql(HiddenKeysTable(detail.parent));
  if (parent.empty()) return InternalError("workspace table " + std::string(detail.table) + " has no parent keys");
  std::vector<std::string_view> keys = detail.parent_keys;
  if (!detail.line_key.empty()) keys = {detail.line_key};
  std::string on, columns;
  for (std::string_view k : keys) {
    columns += (columns.empty() ? "" : ", ") + sql::QuoteIdentifier(k);
    on += (on.empty() ? "" : " AND ") + ("g." + sql::QuoteIdentifier(k)) + " = t." + sql::QuoteIdentifier(k);
  }
  const std::string gone = std::string(kHiddenTablePrefix) + "gone_" + std::string(detail.parent);
  RETURN_IF_ERROR(db_->Execute("CREATE OR REPLACE TEMP TABLE " + gone + " AS SELECT DISTINCT " + columns + " FROM " +
                               parent + " WHERE " + sql::QuoteIdentifier(ProfileFor(detail.parent)->person) +
                               " IN (SELECT p FROM " + kOptedOut + ")"));
  return " WHERE NOT EXISTS (SELECT 1 FROM " + gone + " g WHERE " + on + ")";
}

Status ProjectSession::MakeViews(bool filtered) {
  for (const WorkspaceObject& o : workspace_.objects) {
    if (IsHiddenTable(o.table)) continue;
    const TableProfile* profile = ProfileFor(o.table);
    std::string where;
    if (filtered && profile != nullptr && !profile->person.empty()) {
      where = " WHERE t." + sql::QuoteIdentifier(profile->person) + " NOT IN (SELECT p FROM " + kOptedOut + ")";
    } else if (filtered && profile != nullptr && !profile->parent.empty()) {
      ASSIGN_OR_RETURN(where, DetailFilter(*profile));
    }
    RETURN_IF_ERROR(db_->Execute("CREATE OR REPLACE VIEW " + sql::QuoteIdentifier(o.table) + " AS SELECT * FROM " +
                                 ObjectSql(o.table) + " t" + where));
  }
  return OkStatus();
}

StatusOr<sql::QueryResult> ProjectSession::Query(std::string_view sql) {
  ASSIGN_OR_RETURN(std::unique_ptr<sql::QueryStream> stream, Stream(sql));
  return sql::Collect(*stream);
}

}  // namespace hdhub::projects

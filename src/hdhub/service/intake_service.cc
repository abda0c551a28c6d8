// Service: intake, the catalog and queries.
#include "hdhub/audit/recorder.h"
#include "hdhub/service/service.h"
#include "hdhub/sql/logged_query.h"

namespace hdhub::service {

using directory::Operation;
using directory::Role;

StatusOr<ingest::IngestResult> Service::Ingest(const RequestContext& ctx, const ingest::IngestRequest& request) {
  audit::Event event{.action = "ingest.run"};
  event.objects["dataset"] = request.dataset;
  ASSIGN_OR_RETURN(audit::Actor actor, Gate(ctx, Operation::kIngest, event));
  RETURN_IF_ERROR(CheckCurrentPlacement(actor, event.action));
  std::unique_ptr<keys::KeyStore> keys = hub_->KeysFor(actor);
  ASSIGN_OR_RETURN(FileLock writing, hub_->HoldHostWrites());  // a host check waits for the ingest
  return hub_->Ingester(actor, keys.get()).Ingest(request);  // logs ingest.run itself
}

StatusOr<hub::HostCheckReport> Service::CheckHost(const RequestContext& ctx, const hub::HostCheckOptions& options) {
  audit::Event event{.action = "host.check"};
  RETURN_IF_ERROR(Gate(ctx, Operation::kHostCheck, event).status());
  StatusOr<hub::HostCheckReport> report = hub::CheckHost(*hub_, options);
  if (report.ok()) {
    event.details["dry_run"] = options.dry_run;
    event.details["objects_verified"] = report->objects_verified;
    event.details["damaged"] = report->damaged.size();
    event.details["unfinished_discarded"] = report->unfinished.size();
    event.details["leftovers"] = report->leftovers;
    event.details["unknown"] = report->unknown;
    event.details["unknown_removed"] = report->unknown_removed;
    event.details["temp_folders_removed"] = report->temp_folders_removed.size();
  }
  RETURN_IF_ERROR(audit::Record(hub_->audit(), std::move(event), report.status()));
  return report;
}

StatusOr<std::vector<CatalogLine>> Service::ListCatalog(const RequestContext& ctx, bool include_unfinished) {
  audit::Event event{.action = "catalog.read"};
  RETURN_IF_ERROR(Gate(ctx, Operation::kCatalogRead, event).status());
  std::vector<CatalogLine> lines;
  Status listed = [&]() -> Status {
    ASSIGN_OR_RETURN(std::vector<catalog::DatasetRecord> datasets, hub_->catalog().ListDatasets());
    for (const catalog::DatasetRecord& d : datasets) {
      ASSIGN_OR_RETURN(std::vector<catalog::VersionRecord> versions, hub_->catalog().ListVersions(d.name));
      for (const catalog::VersionRecord& v : versions) {
        bool finished = v.state == catalog::VersionState::kCommitted || v.state == catalog::VersionState::kShredded;
        if (!finished && !include_unfinished) continue;
        ASSIGN_OR_RETURN(catalog::VersionWithObjects full, hub_->catalog().GetVersion(d.name, v.version));
        lines.push_back({v, full.objects.size()});
      }
    }
    return OkStatus();
  }();
  event.details["versions"] = lines.size();
  RETURN_IF_ERROR(audit::Record(hub_->audit(), std::move(event), listed));
  return lines;
}

StatusOr<catalog::VersionWithObjects> Service::ShowVersion(const RequestContext& ctx, const std::string& dataset,
                                                           int64_t version) {
  audit::Event event{.action = "catalog.read"};
  event.objects["dataset"] = dataset;
  RETURN_IF_ERROR(Gate(ctx, Operation::kCatalogRead, event).status());
  StatusOr<catalog::VersionWithObjects> v =
      version > 0 ? hub_->catalog().GetVersion(dataset, version) : hub_->catalog().LatestCommittedVersion(dataset);
  if (v.ok()) event.details["version"] = v->version.version;
  RETURN_IF_ERROR(audit::Record(hub_->audit(), std::move(event), v.status()));
  return v;
}

namespace {

// Runs `statements` one after the other with `run`, handing each result to
// `sink` before the next starts; the first error stops them.
Status RunEach(const std::vector<std::string>& statements,
               const std::function<StatusOr<sql::QueryResult>(const std::string&)>& run, const ResultSink& sink) {
  if (statements.empty()) return InvalidArgumentError("no SQL statement to run");
  const size_t n = statements.size();
  for (size_t i = 0; i < n; ++i) {
    StatusOr<sql::QueryResult> result = run(statements[i]);
    if (!result.ok() && n > 1) {
      return result.status().WithContext("statement " + std::to_string(i + 1) + " of " + std::to_string(n));
    }
    if (!result.ok()) return result.status();
    if (sink) RETURN_IF_ERROR(sink(StatementResult{.index = i, .count = n, .result = *std::move(result)}));
  }
  return OkStatus();
}

}  // namespace

Status Service::QueryCatalog(const RequestContext& ctx, const std::string& sql_text, const sql::QueryLimits& limits,
                             const ResultSink& sink, ProgressFn progress) {
  audit::Event event{.action = "query.run"};
  ASSIGN_OR_RETURN(audit::Actor actor, Gate(ctx, Operation::kCatalogQuery, event));
  std::unique_ptr<keys::KeyStore> keys = hub_->KeysFor(actor);
  ASSIGN_OR_RETURN(std::unique_ptr<sql::Database> db, hub_->OpenCatalogDatabase(*keys));
  if (progress) db->SetProgress(std::move(progress), "query");
  ASSIGN_OR_RETURN(std::vector<std::string> statements,
                   sql::LoggedStatements(hub_->audit(), actor, *db, sql_text, std::nullopt));
  auto run = [&](const std::string& statement) {
    return sql::RunLoggedQuery(hub_->audit(), actor, *db, statement, std::nullopt, limits);
  };
  return RunEach(statements, run, sink);
}

StatusOr<Service::OpenedSession> Service::OpenProjectSession(const RequestContext& ctx, const std::string& project,
                                                             const projects::SessionLimits& limits) {
  // The session asks the policy (membership, window) and logs project.access.
  const Role role = ActingRole(ctx, Operation::kWorkspaceQuery, {.member = true});
  OpenedSession opened{.keys = hub_->KeysFor(ActorFor(ctx, role)), .session = nullptr};
  ASSIGN_OR_RETURN(projects::SessionDeps deps, hub_->SessionDependencies(opened.keys.get()));
  // Before each statement the session asks again whether the account is
  // still active and a researcher, and its token still valid (a disabled
  // account or a revoked token stops at once).
  ASSIGN_OR_RETURN(opened.session, projects::ProjectSession::Open(deps, ctx.principal(), project, limits,
                                                                  CredentialCheckFor(ctx), ctx.client_address()));
  return opened;
}

Status Service::QueryProject(const RequestContext& ctx, const std::string& project, const std::string& sql_text,
                             const projects::SessionLimits& limits, const ResultSink& sink) {
  ASSIGN_OR_RETURN(OpenedSession opened, OpenProjectSession(ctx, project, limits));
  projects::ProjectSession& session = *opened.session;
  ASSIGN_OR_RETURN(std::vector<std::string> statements, session.Statements(sql_text));
  auto run = [&session](const std::string& statement) { return session.Query(statement); };
  return RunEach(statements, run, sink);
}

}  // namespace hdhub::service

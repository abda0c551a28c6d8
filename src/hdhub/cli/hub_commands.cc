// hdhub init | ingest | query | catalog: the operator's commands on a hub.
#include <cstdlib>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "hdhub/cli/commands.h"
#include "hdhub/cli/output.h"
#include "hdhub/ingest/csv_ingest.h"
#include "hdhub/ingest/opt_out.h"
#include "hdhub/keys/passphrase.h"

namespace hdhub::cli {

namespace {

constexpr char kOperatorPasswordPrompt[] = "password for ";

// The account's credentials from the environment (or a password prompt).
StatusOr<service::Credentials> CredentialsFromEnvironment(const GlobalOptions& opts) {
  service::Credentials credentials;
  if (const char* token = std::getenv(kTokenEnv); token != nullptr && *token != '\0') {
    credentials.token = SecretBytes(AsBytes(token));
    return credentials;
  }
  if (opts.user.empty()) {
    return UnauthenticatedError(std::string("no account: set ") + kTokenEnv + " to an API token, or " + kUserEnv +
                                " (or --user) to your user name, the password from " + kPasswordEnv +
                                " or typed; the hub passphrase alone grants nothing");
  }
  credentials.user = opts.user;
  ASSIGN_OR_RETURN(credentials.password,
                   keys::ReadPassphrase(kPasswordEnv, std::string(kOperatorPasswordPrompt) + opts.user + ": "));
  return credentials;
}

}  // namespace

StatusOr<Session> OpenSession(const GlobalOptions& opts, Clock* clock, std::optional<directory::Role> as) {
  ASSIGN_OR_RETURN(service::Credentials credentials, CredentialsFromEnvironment(opts));
  ASSIGN_OR_RETURN(SecretBytes passphrase, keys::ReadPassphrase(kPassphraseEnv, "hub passphrase: "));
  ASSIGN_OR_RETURN(std::unique_ptr<service::Service> svc,
                   service::Service::Open(*opts.backends, opts.hub_dir, passphrase, clock));
  ASSIGN_OR_RETURN(service::RequestContext ctx, svc->Authenticate(credentials, "local", as));
  return Session{std::move(svc), std::move(ctx)};
}

namespace {

void AddInit(CLI::App& app, const GlobalOptions& opts, int* exit_code) {
  auto* cmd =
      app.add_subcommand("init", "create a hub (state directory, key file, catalog, host) and its first operator");
  auto host = std::make_shared<std::string>();
  auto name = std::make_shared<std::string>();
  cmd->add_option("--host", *host, "host URI (default: file://<hub>/host)");
  cmd->add_option("--operator", *name, "the first operator's user name (default: --user, $HDHUB_USER)");
  cmd->callback(Run(opts, exit_code, [&opts, host, name]() -> Status {
    if (name->empty()) *name = opts.user;
    if (name->empty()) {
      return InvalidArgumentError(std::string("name the first operator: --operator NAME (or set ") + kUserEnv + ")");
    }
    ASSIGN_OR_RETURN(SecretBytes passphrase, keys::ReadNewPassphrase(kPassphraseEnv, "new hub passphrase: "));
    ASSIGN_OR_RETURN(SecretBytes password,
                     keys::ReadNewPassphrase(kPasswordEnv, "password for the first operator " + *name + ": "));
    RETURN_IF_ERROR(service::Service::Init(*opts.backends, opts.hub_dir, passphrase, {.host_uri = *host},
                                           {*name, std::move(password)}));
    if (opts.json) {
      std::cout << nlohmann::json{{"hub", opts.hub_dir}, {"operator", *name}}.dump() << "\n";
    } else {
      std::cout << "hub created in " << opts.hub_dir << "; first operator: " << *name << "\n";
    }
    return OkStatus();
  }));
}

void PrintIngest(const ingest::IngestResult& r, bool json) {
  if (json) {
    std::cout << nlohmann::json{{"dataset", r.dataset},
                                {"version", r.version},
                                {"rows", r.rows},
                                {"already_ingested", r.already_ingested},
                                {"report", r.report.ToJson()}}
                     .dump()
              << "\n";
    return;
  }
  if (r.already_ingested) {
    std::cout << r.dataset << ": this file was already ingested as version " << r.version << " (" << r.rows
              << " rows); nothing done\n";
    return;
  }
  std::cout << r.dataset << " v" << r.version << ": " << r.rows << " rows sealed";
  if (r.report.rows_rejected > 0) std::cout << ", " << r.report.rows_rejected << " rows rejected";
  std::cout << "\n";
  if (!r.report.issues.empty()) std::cout << "  refused values: " << r.report.IssuesText() << "\n";
}

void AddIngest(CLI::App& app, const GlobalOptions& opts, int* exit_code) {
  auto* cmd =
      app.add_subcommand("ingest", "validate, pseudonymize (stage 2) and seal a CSV extract as a new dataset version");
  auto req = std::make_shared<ingest::IngestRequest>();
  auto policy = std::make_shared<std::string>("fail");
  auto opt_out = std::make_shared<bool>(false);
  auto withdrawal = std::make_shared<bool>(false);
  auto* dataset = cmd->add_option("--dataset", req->dataset, "dataset name, e.g. ER_PRS_F");
  auto* schema =
      cmd->add_option("--schema", req->schema_path, "Table Schema JSON of the extract")->check(CLI::ExistingFile);
  auto* opt_out_flag =
      cmd->add_flag("--opt-out", *opt_out,
                    "the file is a pseudonymized opt-out list: a new version of OPT_OUT (lists accumulate)")
          ->excludes(dataset)
          ->excludes(schema);
  cmd->add_flag("--opt-out-withdrawal", *withdrawal,
                "the file lists people who take their opt-out back (same format): a new version of "
                "OPT_OUT_WITHDRAWAL, the only way out of the opt-out register")
      ->excludes(dataset)
      ->excludes(schema)
      ->excludes(opt_out_flag);
  cmd->add_option("--on-invalid", *policy,
                  "a value its schema refuses: fail (the whole file, default), reject-row, set-null");
  cmd->add_option("--nomenclatures", req->nomenclatures_dir,
                  "directory of nomenclature CSVs (default: <schema dir>/../nomenclatures)");
  cmd->add_option("csv", req->csv_path, "the CSV file")->required()->check(CLI::ExistingFile);
  cmd->callback(Run(opts, exit_code, [&opts, req, policy, opt_out, withdrawal]() -> Status {
    ASSIGN_OR_RETURN(req->on_invalid, ingest::ParsePolicy(*policy));
    if (*opt_out || *withdrawal) {
      req->dataset = std::string(*withdrawal ? ingest::kOptOutWithdrawalDataset : ingest::kOptOutDataset);
      req->schema_text = std::string(ingest::kOptOutSchemaJson);
    } else if (req->dataset.empty() || req->schema_path.empty()) {
      return InvalidArgumentError("--dataset and --schema are required (or --opt-out, --opt-out-withdrawal)");
    }
    SystemClock clock;
    ASSIGN_OR_RETURN(Session s, OpenSession(opts, &clock));
    ASSIGN_OR_RETURN(ingest::IngestResult r, s.service->Ingest(s.ctx, *req));
    PrintIngest(r, opts.json);
    return OkStatus();
  }));
}

void AddQuery(CLI::App& app, const GlobalOptions& opts, int* exit_code) {
  auto* cmd = app.add_subcommand(
      "query", "run SQL: an operator over the catalog's datasets, or a researcher (with --project) in a workspace");
  auto sql_text = std::make_shared<std::string>();
  auto project = std::make_shared<std::string>();
  auto timeout = std::make_shared<int>(0);
  cmd->add_option("--project", *project, "a project's workspace, as one of its researchers");
  cmd->add_option("--timeout", *timeout, "with --project: cancel the query after this many seconds (at most 300)")
      ->check(CLI::Range(1, 300));
  cmd->add_option("sql", *sql_text, "the SQL; each dataset (or workspace table) is a view named after it")->required();
  cmd->callback(OnSession(
      opts, exit_code, [&opts, sql_text, project, timeout](service::Service& svc, const service::RequestContext& ctx) {
        StatusOr<sql::QueryResult> result = [&]() -> StatusOr<sql::QueryResult> {
          if (project->empty()) return svc.QueryCatalog(ctx, *sql_text);
          projects::SessionLimits limits;
          if (*timeout > 0)
            limits.timeout = std::min<std::chrono::milliseconds>(limits.timeout, std::chrono::seconds(*timeout));
          return svc.QueryProject(ctx, *project, *sql_text, limits);
        }();
        if (!result.ok()) return result.status();
        PrintResult(*result, opts.json);
        return OkStatus();
      }));
}

void AddCatalogShow(CLI::App& catalog, const GlobalOptions& opts, int* exit_code) {
  auto* show = catalog.add_subcommand("show", "one dataset version: state, rows, objects and its ingest report");
  auto dataset = std::make_shared<std::string>();
  auto version = std::make_shared<int64_t>(0);
  show->add_option("dataset", *dataset, "dataset name")->required();
  show->add_option("--version", *version, "version number (default: the latest committed)");
  show->callback(OnSession(
      opts, exit_code, [&opts, dataset, version](service::Service& svc, const service::RequestContext& ctx) -> Status {
        ASSIGN_OR_RETURN(catalog::VersionWithObjects v, svc.ShowVersion(ctx, *dataset, *version));
        nlohmann::json objects = nlohmann::json::array();
        for (const catalog::ObjectRecord& o : v.objects) {
          objects.push_back({{"logical_name", o.logical_name},
                             {"object_name", o.object_name},
                             {"ciphertext_bytes", o.ciphertext_size},
                             {"ciphertext_sha256", o.ciphertext_sha256}});
        }
        nlohmann::json out = {{"dataset", v.version.dataset},
                              {"version", v.version.version},
                              {"state", std::string(catalog::VersionStateName(v.version.state))},
                              {"rows", v.version.row_count ? nlohmann::json(*v.version.row_count) : nlohmann::json()},
                              {"created", FormatRfc3339(v.version.created_at)},
                              {"source_sha256", v.version.source_digest},
                              {"objects", objects},
                              {"report", nlohmann::json::parse(v.version.report_json, nullptr, false)}};
        std::cout << (opts.json ? out.dump() : out.dump(2)) << "\n";
        return OkStatus();
      }));
}

void AddCatalog(CLI::App& app, const GlobalOptions& opts, int* exit_code) {
  auto* cmd = app.add_subcommand("catalog", "list datasets and their versions");
  cmd->require_subcommand(1);
  AddCatalogShow(*cmd, opts, exit_code);
  auto* list = cmd->add_subcommand("list", "every dataset with its committed (and shredded) versions");
  auto all = std::make_shared<bool>(false);
  list->add_flag("--all", *all, "also pending and discarded versions (failed or interrupted ingests)");
  list->callback(
      OnSession(opts, exit_code, [&opts, all](service::Service& svc, const service::RequestContext& ctx) -> Status {
        ASSIGN_OR_RETURN(std::vector<service::CatalogLine> lines, svc.ListCatalog(ctx, *all));
        sql::QueryResult table;
        table.column_names = {"dataset", "version", "state", "rows", "objects", "created"};
        table.column_types = {"VARCHAR", "BIGINT", "VARCHAR", "BIGINT", "BIGINT", "VARCHAR"};
        for (const service::CatalogLine& line : lines) {
          const catalog::VersionRecord& v = line.version;
          table.rows.push_back({v.dataset, std::to_string(v.version), std::string(catalog::VersionStateName(v.state)),
                                v.row_count ? std::optional(std::to_string(*v.row_count)) : std::nullopt,
                                std::to_string(line.objects), FormatRfc3339(v.created_at)});
        }
        PrintResult(table, opts.json);
        return OkStatus();
      }));
}

}  // namespace

void AddHubCommands(CLI::App& app, const GlobalOptions& opts, int* exit_code) {
  AddInit(app, opts, exit_code);
  AddIngest(app, opts, exit_code);
  AddQuery(app, opts, exit_code);
  AddCatalog(app, opts, exit_code);
}

}  // namespace hdhub::cli

// hdhub init | ingest | query | catalog: the operator's commands on a hub.
#include <pwd.h>
#include <unistd.h>

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "hdhub/cli/commands.h"
#include "hdhub/cli/output.h"
#include "hdhub/hub/hub.h"
#include "hdhub/ingest/csv_ingest.h"
#include "hdhub/ingest/opt_out.h"
#include "hdhub/keys/passphrase.h"

namespace hdhub::cli {
namespace {

constexpr char kPassphraseEnv[] = "HDHUB_PASSPHRASE";

}  // namespace

audit::Actor OperatorActor() {
  // The operator at the command line is whoever runs it on the hub's machine
  // and knows the passphrase; the directory's users come with tokens.
  const passwd* pw = ::getpwuid(::geteuid());
  std::string login = pw != nullptr ? pw->pw_name : "uid" + std::to_string(::geteuid());
  return audit::Actor{"os:" + login, "operator"};
}

StatusOr<std::unique_ptr<hub::Hub>> OpenHub(const GlobalOptions& opts, Clock* clock) {
  ASSIGN_OR_RETURN(SecretBytes passphrase, keys::ReadPassphrase(kPassphraseEnv, "hub passphrase: "));
  return hub::Hub::Open(opts.hub_dir, passphrase, clock, OperatorActor());
}

std::optional<SecretBytes> TokenFromEnvironment() {
  const char* value = std::getenv(kTokenEnv);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return SecretBytes(AsBytes(value));
}

namespace {

void AddInit(CLI::App& app, const GlobalOptions& opts, int* exit_code) {
  auto* cmd = app.add_subcommand("init", "create a hub: state directory, key file, catalog, host");
  auto host = std::make_shared<std::string>();
  cmd->add_option("--host", *host, "host URI (default: file://<hub>/host)");
  cmd->callback(Run(exit_code, [&opts, host]() -> Status {
    ASSIGN_OR_RETURN(SecretBytes passphrase, keys::ReadPassphrase(kPassphraseEnv, "new hub passphrase: "));
    RETURN_IF_ERROR(hub::Hub::Init(opts.hub_dir, passphrase, {.host_uri = *host}, OperatorActor()));
    if (!opts.json) std::cout << "hub created in " << opts.hub_dir << "\n";
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
  auto* dataset = cmd->add_option("--dataset", req->dataset, "dataset name, e.g. ER_PRS_F");
  auto* schema =
      cmd->add_option("--schema", req->schema_path, "Table Schema JSON of the extract")->check(CLI::ExistingFile);
  cmd->add_flag("--opt-out", *opt_out, "the file is a pseudonymized opt-out list: a new version of OPT_OUT")
      ->excludes(dataset)
      ->excludes(schema);
  cmd->add_option("--on-invalid", *policy,
                  "a value its schema refuses: fail (the whole file, default), reject-row, set-null");
  cmd->add_option("--nomenclatures", req->nomenclatures_dir,
                  "directory of nomenclature CSVs (default: <schema dir>/../nomenclatures)");
  cmd->add_option("csv", req->csv_path, "the CSV file")->required();
  cmd->callback(Run(exit_code, [&opts, req, policy, opt_out]() -> Status {
    ASSIGN_OR_RETURN(req->on_invalid, ingest::ParsePolicy(*policy));
    if (*opt_out) {
      req->dataset = std::string(ingest::kOptOutDataset);
      req->schema_text = std::string(ingest::kOptOutSchemaJson);
    } else if (req->dataset.empty() || req->schema_path.empty()) {
      return InvalidArgumentError("--dataset and --schema are required (or --opt-out)");
    }
    SystemClock clock;
    ASSIGN_OR_RETURN(std::unique_ptr<hub::Hub> hub, OpenHub(opts, &clock));
    ASSIGN_OR_RETURN(ingest::IngestResult r, hub->Ingester().Ingest(*req));
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
  cmd->add_option("--project", *project, "a project's workspace, as the researcher of $HDHUB_TOKEN");
  cmd->add_option("--timeout", *timeout, "with --project: cancel the query after this many seconds (at most 300)")
      ->check(CLI::Range(1, 300));
  cmd->add_option("sql", *sql_text, "the SQL; each dataset (or workspace table) is a view named after it")->required();
  cmd->callback(Run(exit_code, [&opts, sql_text, project, timeout]() -> Status {
    if (!project->empty()) return RunProjectQuery(opts, *project, *sql_text, std::chrono::seconds(*timeout));
    SystemClock clock;
    ASSIGN_OR_RETURN(std::unique_ptr<hub::Hub> hub, OpenHub(opts, &clock));
    ASSIGN_OR_RETURN(std::unique_ptr<sql::Database> db, hub->OpenOperatorDatabase());
    ASSIGN_OR_RETURN(sql::QueryResult result, hub->RunLoggedQuery(*db, *sql_text));
    PrintResult(result, opts.json);
    return OkStatus();
  }));
}

void AddCatalogShow(CLI::App& catalog, const GlobalOptions& opts, int* exit_code) {
  auto* show = catalog.add_subcommand("show", "one dataset version: state, rows, objects and its ingest report");
  auto dataset = std::make_shared<std::string>();
  auto version = std::make_shared<int64_t>(0);
  show->add_option("dataset", *dataset, "dataset name")->required();
  show->add_option("--version", *version, "version number (default: the latest committed)");
  show->callback(Run(exit_code, [&opts, dataset, version]() -> Status {
    SystemClock clock;
    ASSIGN_OR_RETURN(std::unique_ptr<hub::Hub> hub, OpenHub(opts, &clock));
    ASSIGN_OR_RETURN(catalog::VersionWithObjects v, *version > 0 ? hub->catalog().GetVersion(*dataset, *version)
                                                                 : hub->catalog().LatestCommittedVersion(*dataset));
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
  list->callback(Run(exit_code, [&opts, all]() -> Status {
    SystemClock clock;
    ASSIGN_OR_RETURN(std::unique_ptr<hub::Hub> hub, OpenHub(opts, &clock));
    ASSIGN_OR_RETURN(std::vector<catalog::DatasetRecord> datasets, hub->catalog().ListDatasets());
    sql::QueryResult table;
    table.column_names = {"dataset", "version", "state", "rows", "objects", "created"};
    table.column_types = {"VARCHAR", "BIGINT", "VARCHAR", "BIGINT", "BIGINT", "VARCHAR"};
    for (const catalog::DatasetRecord& d : datasets) {
      ASSIGN_OR_RETURN(std::vector<catalog::VersionRecord> versions, hub->catalog().ListVersions(d.name));
      for (const catalog::VersionRecord& v : versions) {
        bool visible = v.state == catalog::VersionState::kCommitted || v.state == catalog::VersionState::kShredded;
        if (!visible && !*all) continue;
        ASSIGN_OR_RETURN(catalog::VersionWithObjects full, hub->catalog().GetVersion(d.name, v.version));
        table.rows.push_back({d.name, std::to_string(v.version), std::string(catalog::VersionStateName(v.state)),
                              v.row_count ? std::optional(std::to_string(*v.row_count)) : std::nullopt,
                              std::to_string(full.objects.size()), FormatRfc3339(v.created_at)});
      }
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

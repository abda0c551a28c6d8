// hdhub init | ingest | query | catalog: the operator's commands on a hub.
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "hdhub/cli/commands.h"
#include "hdhub/cli/output.h"
#include "hdhub/hub/hub.h"
#include "hdhub/ingest/csv_ingest.h"
#include "hdhub/keys/passphrase.h"

namespace hdhub::cli {
namespace {

constexpr char kPassphraseEnv[] = "HDHUB_PASSPHRASE";

StatusOr<std::unique_ptr<hub::Hub>> OpenHub(const GlobalOptions& opts, Clock* clock) {
  ASSIGN_OR_RETURN(SecretBytes passphrase, keys::ReadPassphrase(kPassphraseEnv, "hub passphrase: "));
  return hub::Hub::Open(opts.hub_dir, passphrase, clock);
}

// Runs `body` and turns its Status into the command's exit code.
template <typename F>
std::function<void()> Run(int* exit_code, F body) {
  return [exit_code, body]() {
    Status s = body();
    *exit_code = s.ok() ? kExitOk : ReportError(s);
  };
}

void AddInit(CLI::App& app, const GlobalOptions& opts, int* exit_code) {
  auto* cmd = app.add_subcommand("init", "create a hub: state directory, key file, catalog, host");
  auto host = std::make_shared<std::string>();
  cmd->add_option("--host", *host, "host URI (default: file://<hub>/host)");
  cmd->callback(Run(exit_code, [&opts, host]() -> Status {
    ASSIGN_OR_RETURN(SecretBytes passphrase, keys::ReadPassphrase(kPassphraseEnv, "new hub passphrase: "));
    RETURN_IF_ERROR(hub::Hub::Init(opts.hub_dir, passphrase, {.host_uri = *host}));
    if (!opts.json) std::cout << "hub created in " << opts.hub_dir << "\n";
    return OkStatus();
  }));
}

void AddIngest(CLI::App& app, const GlobalOptions& opts, int* exit_code) {
  auto* cmd = app.add_subcommand("ingest", "seal a CSV extract as a new dataset version");
  auto req = std::make_shared<ingest::IngestRequest>();
  cmd->add_option("--dataset", req->dataset, "dataset name, e.g. ER_PRS_F")->required();
  cmd->add_option("--schema", req->schema_path, "Table Schema JSON of the extract")->required()->check(CLI::ExistingFile);
  cmd->add_option("csv", req->csv_path, "the CSV file")->required();
  cmd->callback(Run(exit_code, [&opts, req]() -> Status {
    SystemClock clock;
    ASSIGN_OR_RETURN(std::unique_ptr<hub::Hub> hub, OpenHub(opts, &clock));
    ingest::CsvIngester ingester(&hub->keys(), &hub->sealed(), &hub->catalog());
    ASSIGN_OR_RETURN(ingest::IngestResult r, ingester.Ingest(*req));
    if (opts.json) {
      std::cout << nlohmann::json{{"dataset", r.dataset}, {"version", r.version}, {"rows", r.rows},
                                  {"already_ingested", r.already_ingested}}.dump()
                << "\n";
    } else if (r.already_ingested) {
      std::cout << r.dataset << ": this file was already ingested as version " << r.version << " (" << r.rows
                << " rows); nothing done\n";
    } else {
      std::cout << r.dataset << " v" << r.version << ": " << r.rows << " rows sealed\n";
    }
    return OkStatus();
  }));
}

void AddQuery(CLI::App& app, const GlobalOptions& opts, int* exit_code) {
  auto* cmd = app.add_subcommand("query", "run SQL over the catalog's datasets (latest versions)");
  auto sql_text = std::make_shared<std::string>();
  cmd->add_option("sql", *sql_text, "the SQL; each dataset is a view named after it")->required();
  cmd->callback(Run(exit_code, [&opts, sql_text]() -> Status {
    SystemClock clock;
    ASSIGN_OR_RETURN(std::unique_ptr<hub::Hub> hub, OpenHub(opts, &clock));
    ASSIGN_OR_RETURN(std::unique_ptr<sql::Database> db, hub->OpenOperatorDatabase());
    ASSIGN_OR_RETURN(sql::QueryResult result, db->Query(*sql_text));
    if (opts.json) PrintJson(result, std::cout);
    else PrintTable(result, std::cout);
    return OkStatus();
  }));
}

void AddCatalog(CLI::App& app, const GlobalOptions& opts, int* exit_code) {
  auto* cmd = app.add_subcommand("catalog", "list datasets and their versions");
  cmd->require_subcommand(1);
  auto* list = cmd->add_subcommand("list", "every dataset with its versions");
  list->callback(Run(exit_code, [&opts]() -> Status {
    SystemClock clock;
    ASSIGN_OR_RETURN(std::unique_ptr<hub::Hub> hub, OpenHub(opts, &clock));
    ASSIGN_OR_RETURN(std::vector<catalog::DatasetRecord> datasets, hub->catalog().ListDatasets());
    sql::QueryResult table;
    table.column_names = {"dataset", "version", "state", "rows", "objects", "created"};
    table.column_types = {"VARCHAR", "BIGINT", "VARCHAR", "BIGINT", "BIGINT", "VARCHAR"};
    for (const catalog::DatasetRecord& d : datasets) {
      ASSIGN_OR_RETURN(std::vector<catalog::VersionRecord> versions, hub->catalog().ListVersions(d.name));
      for (const catalog::VersionRecord& v : versions) {
        ASSIGN_OR_RETURN(catalog::VersionWithObjects full, hub->catalog().GetVersion(d.name, v.version));
        table.rows.push_back({d.name, std::to_string(v.version), std::string(catalog::VersionStateName(v.state)),
                              v.row_count ? std::optional(std::to_string(*v.row_count)) : std::nullopt,
                              std::to_string(full.objects.size()), FormatRfc3339(v.created_at)});
      }
    }
    if (opts.json) PrintJson(table, std::cout);
    else PrintTable(table, std::cout);
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

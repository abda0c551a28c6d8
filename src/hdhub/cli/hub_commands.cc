// hdhub init | ingest | query | catalog | check: the operator's commands on a hub.
#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>

#include "hdhub/cli/commands.h"
#include "hdhub/cli/output.h"
#include "hdhub/cli/progress.h"
#include "hdhub/cli/remote.h"
#include "hdhub/common/file.h"
#include "hdhub/hosts/host_json.h"
#include "hdhub/ingest/csv_ingest.h"
#include "hdhub/ingest/opt_out.h"
#include "hdhub/ingest/table_schema.h"
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

Status OnlyOnTheHub(const GlobalOptions& opts) {
  return InvalidArgumentError("this command runs only on the hub machine, not through a server (" + opts.server +
                              "): unset HDHUB_SERVER (or drop --server) and run it where the hub is");
}

StatusOr<Session> OpenSession(const GlobalOptions& opts, Clock* clock, std::optional<directory::Role> as,
                              const hub::OpenOptions& open_options, SecretBytes* passphrase_out,
                              const SecretBytes* passphrase_in) {
  if (!opts.server.empty()) return OnlyOnTheHub(opts);
  ASSIGN_OR_RETURN(service::Credentials credentials, CredentialsFromEnvironment(opts));
  SecretBytes passphrase;
  if (passphrase_in != nullptr) {
    passphrase = passphrase_in->Clone();
  } else {
    ASSIGN_OR_RETURN(passphrase, keys::ReadPassphrase(kPassphraseEnv, "hub passphrase: "));
  }
  hub::OpenOptions options = open_options;
  options.account = credentials.user;  // named in the record of a wrong passphrase
  ASSIGN_OR_RETURN(std::unique_ptr<service::Service> svc,
                   service::Service::Open(*opts.backends, opts.hub_dir, passphrase, clock, {}, options));
  ASSIGN_OR_RETURN(service::RequestContext ctx, svc->Authenticate(credentials, "local", as));
  if (passphrase_out != nullptr) *passphrase_out = std::move(passphrase);
  return Session{std::move(svc), std::move(ctx)};
}

namespace {

void AddInit(CLI::App& app, const GlobalOptions& opts, int* exit_code) {
  auto* cmd =
      app.add_subcommand("init",
                         "create a hub (state directory, key file, catalog, host) and its first operator; the hub "
                         "passphrase from $HDHUB_PASSPHRASE and the operator's password from $HDHUB_PASSWORD, "
                         "or each typed twice");
  auto host = std::make_shared<std::string>();
  auto name = std::make_shared<std::string>();
  auto host_file = std::make_shared<std::string>();
  auto keys_uri = std::make_shared<std::string>();
  cmd->add_option("--keys", *keys_uri,
                  "the key store holding the KEK (default: a new key file, state/hub.key, locked by the hub "
                  "passphrase); an HSM: pkcs11:token=LABEL;object=KEK-LABEL?module-path=/PATH/TO/MODULE.so, "
                  "unlocked by the token's user PIN in $HDHUB_PASSPHRASE (docs/formats/pkcs11-key-store.md)");
  cmd->add_option("--host", *host,
                  "host URI: an absolute file:///PATH (default: the directory host/ in the hub), or "
                  "s3://BUCKET/PREFIX?endpoint=URL with HDHUB_S3_ACCESS_KEY_ID and HDHUB_S3_SECRET_ACCESS_KEY set "
                  "(docs/hosts.md)");
  cmd->add_option("--host-file", *host_file,
                  "the host's declaration, JSON (docs/hosts.md); default: a file: or memory: host is \"local\"");
  cmd->add_option("--operator", *name, "the first operator's user name (default: --user, $HDHUB_USER)");
  auto contributions = std::make_shared<std::vector<std::string>>();
  cmd->add_option("--stage2-contribution", *contributions,
                  "a custodian's contribution to the stage-2 pseudonym key ('hdhub keys contribution'); give two, "
                  "from two organisations, or none for a key the hub makes alone")
      ->check(CLI::ExistingFile);
  auto escrow = std::make_shared<std::string>();
  cmd->add_option("--stage2-escrow", *escrow,
                  "rebuilding a lost hub: the escrow record its custodians kept ('hdhub keys custodians'); with "
                  "the two contributions of the pair it names, it remakes that hub's stage-2 key, and so its "
                  "pseudonyms")
      ->check(CLI::ExistingFile);
  cmd->callback(Run(opts, exit_code, [&opts, host, name, host_file, keys_uri, contributions, escrow]() -> Status {
    if (!opts.server.empty()) return OnlyOnTheHub(opts);
    hub::InitOptions init{.host_uri = *host, .keys_uri = *keys_uri};
    if (!host_file->empty()) {
      ASSIGN_OR_RETURN(std::string text, ReadFile(*host_file));
      nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
      if (j.is_discarded()) return InvalidArgumentError(*host_file + " is not JSON");
      ASSIGN_OR_RETURN(init.host, hosts::HostSpecFromJson(j));
    }
    if (name->empty()) *name = opts.user;
    if (name->empty()) {
      return InvalidArgumentError(std::string("name the first operator: --operator NAME (or set ") + kUserEnv + ")");
    }
    if (!contributions->empty() && contributions->size() != 2) {
      return InvalidArgumentError("--stage2-contribution: give two custodians' contributions, or none (got " +
                                  std::to_string(contributions->size()) + ")");
    }
    for (const std::string& file : *contributions) {
      ASSIGN_OR_RETURN(keys::CustodianContribution c, keys::CustodianContribution::Read(file));
      init.stage2_contributions.push_back(std::move(c));
    }
    if (!escrow->empty()) {
      if (contributions->empty()) {
        return InvalidArgumentError(
            "--stage2-escrow needs the two contributions of the pair it names "
            "(--stage2-contribution, twice)");
      }
      ASSIGN_OR_RETURN(init.stage2_escrow, keys::Stage2Escrow::Read(*escrow));
    }
    // A new key file's passphrase is chosen now (typed twice); an existing
    // store's secret (an HSM's PIN) is typed once.
    ASSIGN_OR_RETURN(SecretBytes passphrase, keys_uri->empty()
                                                 ? keys::ReadNewPassphrase(kPassphraseEnv, "new hub passphrase: ")
                                                 : keys::ReadPassphrase(kPassphraseEnv, "key store PIN: "));
    ASSIGN_OR_RETURN(SecretBytes password,
                     keys::ReadNewPassphrase(kPasswordEnv, "password for the first operator " + *name + ": "));
    RETURN_IF_ERROR(
        service::Service::Init(*opts.backends, opts.hub_dir, passphrase, init, {*name, std::move(password)}));
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
  cmd->add_flag("--allow-empty", req->allow_empty,
                "a file with no row to store becomes the current, empty version (else it is refused)");
  cmd->add_flag("--new-schema-version", req->new_schema_version,
                "the schema changes with this version (else a schema other than the current version's is refused)");
  cmd->add_option("--nomenclatures", req->nomenclatures_dir,
                  "directory of nomenclature CSVs (default: <schema dir>/../nomenclatures)")
      ->check(CLI::ExistingDirectory);
  cmd->add_flag("--reference", req->reference,
                "a reference table (a nomenclature: codes and labels, no person, e.g. IR_PHA_R): stored as it "
                "comes, readable whole by the projects whose scope names it")
      ->excludes(opt_out_flag);
  auto delimiter = std::make_shared<std::string>(",");
  cmd->add_option("--delimiter", *delimiter,
                  "the CSV's field separator, one character (default ','; the SNDS nomenclatures use ';')")
      ->check([](const std::string& d) { return d.size() == 1 ? std::string() : "one character"; });
  cmd->add_option("csv", req->csv_path, "the CSV file")->required()->check(CLI::ExistingFile);
  cmd->callback(Run(opts, exit_code, [&opts, req, policy, opt_out, withdrawal, delimiter]() -> Status {
    ASSIGN_OR_RETURN(req->on_invalid, ingest::ParsePolicy(*policy));
    req->delimiter = delimiter->at(0);
    if (*opt_out || *withdrawal) {
      req->dataset = std::string(*withdrawal ? ingest::kOptOutWithdrawalDataset : ingest::kOptOutDataset);
      req->schema_text = std::string(ingest::kOptOutSchemaJson);
    } else if (req->dataset.empty() || req->schema_path.empty()) {
      return InvalidArgumentError("--dataset and --schema are required (or --opt-out, --opt-out-withdrawal)");
    }
    SystemClock clock;
    ASSIGN_OR_RETURN(Session s, OpenSession(opts, &clock));
    StatusOr<ingest::IngestResult> ingested = [&] {
      TerminalProgress progress(opts);  // its line is cleared before the result prints
      req->progress = progress.fn();
      return s.service->Ingest(s.ctx, *req);
    }();
    ASSIGN_OR_RETURN(ingest::IngestResult r, std::move(ingested));
    PrintIngest(r, opts.json);
    return OkStatus();
  }));
}

struct QueryArgs {
  std::string sql, file, project;
  int timeout = 0;
};

// The SQL of `hdhub query`: its argument, the file --file names, or standard
// input (--file - or the argument -). InvalidArgument (exit 2) for both or
// neither, or a file that cannot be read.
StatusOr<std::string> QueryText(const QueryArgs& a) {
  if (!a.sql.empty() && !a.file.empty()) {
    return InvalidArgumentError("give the SQL as an argument or with --file, not both");
  }
  if (a.sql.empty() && a.file.empty()) {
    return InvalidArgumentError("no SQL: give it as an argument, with --file FILE, or on standard input (--file -)");
  }
  if (a.sql == "-" || a.file == "-") {
    std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    if (std::cin.bad()) return InvalidArgumentError("--file -: standard input could not be read");
    return text;
  }
  if (a.file.empty()) return a.sql;
  StatusOr<std::string> text = ReadFile(a.file);
  if (!text.ok()) return InvalidArgumentError("--file: " + std::string(text.status().message()));
  return text;
}

void AddQuery(CLI::App& app, const GlobalOptions& opts, int* exit_code) {
  auto* cmd = app.add_subcommand("query",
                                 "run SQL: staff (operator, steward) over the catalog's datasets, or a researcher "
                                 "(with --project) in a workspace");
  auto a = std::make_shared<QueryArgs>();
  cmd->add_option("--project", a->project, "a project's workspace, as one of its researchers");
  cmd->add_option("--timeout", a->timeout, "cancel each statement after this many seconds (at most 300)")
      ->check(CLI::Range(1, 300));
  cmd->add_option("--file", a->file, "read the SQL from this file ('-': standard input)");
  cmd->add_option("sql", a->sql,
                  "the SQL ('-': standard input); each dataset (or workspace table) is a view named after it. "
                  "Several statements run in turn, each result shown");
  cmd->callback(Run(opts, exit_code, [&opts, a]() -> Status {
    // The SQL is read before the hub is opened: a missing file changes nothing.
    ASSIGN_OR_RETURN(std::string sql_text, QueryText(*a));
    if (!opts.server.empty()) {
      ASSIGN_OR_RETURN(RemoteClient client, RemoteClient::Open(opts));
      return RemoteQuery(client, opts, a->project, sql_text, a->timeout);
    }
    SystemClock clock;
    ASSIGN_OR_RETURN(Session s, OpenSession(opts, &clock));
    TerminalProgress progress(opts);
    auto print = [&opts, &progress](const service::StatementResult& r) {
      progress.Clear();  // the progress line goes before a result prints
      PrintStatementResult(r.result, r.index, r.count, opts.json);
      return OkStatus();
    };
    const std::chrono::milliseconds timeout = std::chrono::seconds(a->timeout);
    if (a->project.empty()) {
      return s.service->QueryCatalog(s.ctx, sql_text, {.timeout = timeout}, print, progress.fn());
    }
    projects::SessionLimits limits;
    if (a->timeout > 0) limits.timeout = std::min(limits.timeout, timeout);
    return s.service->QueryProject(s.ctx, a->project, sql_text, limits, print);
  }));
}

// "withdrawn" for a version shredded by a withdrawal (or its dataset's
// removal), else its state as stored.
std::string StateShown(const catalog::VersionRecord& v) {
  return v.withdrawal ? "withdrawn" : std::string(catalog::VersionStateName(v.state));
}

// The data dictionary of a version: each column of its schema with its
// type, label, description and nomenclature (null when the schema has none),
// and whether the hub stores it (its ingest report lists those it dropped).
nlohmann::json ColumnsOf(const catalog::VersionRecord& v) {
  nlohmann::json columns = nlohmann::json::array();
  StatusOr<ingest::TableSchema> schema = ingest::TableSchema::Parse(v.schema_json, v.dataset);
  if (!schema.ok()) return columns;
  const nlohmann::json report = nlohmann::json::parse(v.report_json, nullptr, false);
  const nlohmann::json dropped =
      report.is_object() ? report.value("dropped", nlohmann::json::array()) : nlohmann::json();
  auto text = [](const std::string& s) { return s.empty() ? nlohmann::json() : nlohmann::json(s); };
  for (const ingest::Field& f : schema->fields) {
    const bool stored = !dropped.is_array() || std::find(dropped.begin(), dropped.end(), f.name) == dropped.end();
    columns.push_back({{"name", f.name},
                       {"stored", stored},
                       {"type", f.type},
                       {"label", text(f.Label())},
                       {"description", text(f.description)},
                       {"nomenclature", text(f.Nomenclature())}});
  }
  return columns;
}

void AddCatalogShow(CLI::App& catalog, const GlobalOptions& opts, int* exit_code) {
  auto* show = catalog.add_subcommand(
      "show",
      "one dataset version: state, rows, its columns (type, label, description), objects and ingest report (JSON)");
  auto dataset = std::make_shared<std::string>();
  auto version = std::make_shared<int64_t>(0);
  show->add_option("dataset", *dataset, "dataset name")->required();
  show->add_option("--version", *version, "version number (default: the latest committed)");
  show->callback(LocalOrRemote(
      opts, exit_code,
      OnSession(opts, exit_code,
                [&opts, dataset, version](service::Service& svc, const service::RequestContext& ctx) -> Status {
                  ASSIGN_OR_RETURN(catalog::VersionWithObjects v, svc.ShowVersion(ctx, *dataset, *version));
                  nlohmann::json objects = nlohmann::json::array();
                  for (const catalog::ObjectRecord& o : v.objects) {
                    objects.push_back({{"logical_name", o.logical_name},
                                       {"object_name", o.object_name},
                                       {"ciphertext_bytes", o.ciphertext_size},
                                       {"ciphertext_sha256", o.ciphertext_sha256}});
                  }
                  nlohmann::json out = {
                      {"dataset", v.version.dataset},
                      {"version", v.version.version},
                      {"state", std::string(catalog::VersionStateName(v.version.state))},
                      {"rows", v.version.row_count ? nlohmann::json(*v.version.row_count) : nlohmann::json()},
                      {"created", FormatRfc3339(v.version.created_at)},
                      {"source_sha256", v.version.source_digest},
                      {"reference", ingest::IsReferenceVersion(v.version)},
                      {"columns", ColumnsOf(v.version)},
                      {"objects", objects},
                      {"report", nlohmann::json::parse(v.version.report_json, nullptr, false)}};
                  if (const std::optional<catalog::Withdrawal>& w = v.version.withdrawal) {
                    out["state"] = StateShown(v.version);
                    out["withdrawn"] = {{"at", FormatRfc3339(w->at)}, {"by", w->by}, {"reason", w->reason}};
                  }
                  std::cout << (opts.json ? out.dump() : out.dump(2)) << "\n";
                  return OkStatus();
                }),
      [&opts, dataset, version](RemoteClient& client) -> Status {
        std::string path = "/catalog/" + UrlEncode(*dataset);
        if (*version > 0) path += "?version=" + std::to_string(*version);
        ASSIGN_OR_RETURN(nlohmann::json out, client.Call("GET", path));
        std::cout << (opts.json ? out.dump() : out.dump(2)) << "\n";
        return OkStatus();
      }));
}

void AddCatalog(CLI::App& app, const GlobalOptions& opts, int* exit_code) {
  auto* cmd = app.add_subcommand("catalog", "list datasets and their versions; withdraw or remove a mistake");
  cmd->require_subcommand(1);
  AddCatalogShow(*cmd, opts, exit_code);
  AddCatalogChanges(*cmd, opts, exit_code);
  auto* list = cmd->add_subcommand("list", "every dataset with its committed (and withdrawn or shredded) versions");
  auto all = std::make_shared<bool>(false);
  list->add_flag("--all", *all, "also pending and discarded versions (failed or interrupted ingests)");
  auto print_list = [&opts](sql::QueryResult table) {
    table.column_names = {"dataset", "version", "state", "rows", "objects", "created"};
    table.column_types = {"VARCHAR", "BIGINT", "VARCHAR", "BIGINT", "BIGINT", "VARCHAR"};
    PrintResult(table, opts.json);
  };
  list->callback(LocalOrRemote(
      opts, exit_code,
      OnSession(opts, exit_code,
                [all, print_list](service::Service& svc, const service::RequestContext& ctx) -> Status {
                  ASSIGN_OR_RETURN(std::vector<service::CatalogLine> lines, svc.ListCatalog(ctx, *all));
                  sql::QueryResult table;
                  for (const service::CatalogLine& line : lines) {
                    const catalog::VersionRecord& v = line.version;
                    table.rows.push_back({v.dataset, std::to_string(v.version), StateShown(v),
                                          v.row_count ? std::optional(std::to_string(*v.row_count)) : std::nullopt,
                                          std::to_string(line.objects), FormatRfc3339(v.created_at)});
                  }
                  print_list(std::move(table));
                  return OkStatus();
                }),
      [all, print_list](RemoteClient& client) -> Status {
        ASSIGN_OR_RETURN(nlohmann::json lines, client.ListAll("/catalog", *all ? "unfinished=1" : ""));
        sql::QueryResult table;
        auto number = [](const nlohmann::json& v, const char* key) -> std::optional<std::string> {
          auto it = v.find(key);
          if (it == v.end() || !it->is_number_integer()) return std::nullopt;
          return it->dump();
        };
        for (const nlohmann::json& v : lines) {
          table.rows.push_back({JsonText(v, "dataset"), number(v, "version"), JsonText(v, "state"), number(v, "rows"),
                                number(v, "objects"), JsonText(v, "created")});
        }
        print_list(std::move(table));
        return OkStatus();
      }));
}

void PrintHostCheck(const hub::HostCheckReport& r, const hub::HostCheckOptions& options, bool json) {
  if (json) {
    std::cout << hub::HostCheckJson(r, options).dump() << "\n";
    return;
  }
  const char* removed = options.dry_run ? "found (dry run, kept)" : "removed";
  std::cout << "verified: " << r.objects_verified << " recorded objects, " << r.damaged.size() << " damaged\n";
  for (const std::string& line : r.damaged) std::cout << "  damaged: " << line << "\n";
  for (const std::string& what : r.unfinished) {
    std::cout << "unfinished: " << what << (options.dry_run ? " (dry run, kept)" : " discarded") << "\n";
  }
  std::cout << "leftover objects " << removed << ": " << r.leftovers << " (" << r.leftover_bytes << " bytes)\n";
  std::cout << "temporary folders of dead processes " << removed << ": " << r.temp_folders_removed.size() << "\n";
  if (r.unknown > 0) {
    std::cout << "unknown objects (nothing in this hub's records explains them): " << r.unknown << " ("
              << r.unknown_bytes << " bytes), "
              << (r.unknown_removed ? "removed" : "kept: rerun with --remove-unknown to remove them") << "\n";
  }
}

void AddCheck(CLI::App& app, const GlobalOptions& opts, int* exit_code) {
  auto* cmd = app.add_subcommand(
      "check", "verify every object on the host against the records; remove what dead processes left (operators)");
  auto options = std::make_shared<hub::HostCheckOptions>();
  cmd->add_flag("--dry-run", options->dry_run, "report only; change nothing");
  cmd->add_flag("--remove-unknown", options->remove_unknown,
                "also remove host objects nothing in this hub explains (never on a host shared with another hub)");
  cmd->callback(
      OnSession(opts, exit_code, [&opts, options](service::Service& svc, const service::RequestContext& ctx) -> Status {
        ASSIGN_OR_RETURN(hub::HostCheckReport report, svc.CheckHost(ctx, *options));
        PrintHostCheck(report, *options, opts.json);
        if (report.damaged.empty()) return OkStatus();
        return DataLossError(std::to_string(report.damaged.size()) +
                             " recorded object(s) missing or altered on the host; first: " + report.damaged.front());
      }));
}

}  // namespace

void AddHubCommands(CLI::App& app, const GlobalOptions& opts, int* exit_code) {
  AddInit(app, opts, exit_code);
  AddIngest(app, opts, exit_code);
  AddQuery(app, opts, exit_code);
  AddCatalog(app, opts, exit_code);
  AddCheck(app, opts, exit_code);
}

}  // namespace hdhub::cli

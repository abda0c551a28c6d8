// The commands a data source runs on its own premises, without a hub:
//   hdhub nir check [NIR…]         validate NIRs (arguments or stdin lines)
//   hdhub source-key init --key F  create the source's stage-1 key file
//   hdhub pseudonymize …           stage 1: identities out, P1 pseudonyms in
#include <pwd.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hdhub/audit/hub_log.h"
#include "hdhub/audit/recorder.h"
#include "hdhub/cli/commands.h"
#include "hdhub/cli/progress.h"
#include "hdhub/crypto/hash.h"
#include "hdhub/hub/audit_key.h"
#include "hdhub/ingest/opt_out.h"
#include "hdhub/ingest/pseudonymize.h"
#include "hdhub/keys/key_file_key_store.h"
#include "hdhub/keys/passphrase.h"
#include "hdhub/pseudo/nir.h"

namespace hdhub::cli {
namespace {

// "os:<login>": who ran a command at the source, for the source's own log.
std::string SourceLogin() {
  const passwd* pw = ::getpwuid(::geteuid());
  return "os:" + (pw != nullptr ? std::string(pw->pw_name) : "uid" + std::to_string(::geteuid()));
}

constexpr char kSourcePassphraseEnv[] = "HDHUB_SOURCE_PASSPHRASE";

// The source's own tamper-evident log, in <source_dir>/state/audit/, its
// checkpoints signed with a key wrapped by the source's key store (the same
// file format as a hub's, docs/formats/audit-log.md §4). A source made before
// the key was wrapped holds it in clear: it is wrapped on first use.
StatusOr<std::unique_ptr<audit::FileAuditLog>> OpenSourceAuditLog(keys::KeyStore& store, const std::string& source_dir,
                                                                  const Clock* clock) {
  std::unique_ptr<audit::Ed25519Signer> signer;
  StatusOr<hub::LoadedAuditKey> loaded = hub::LoadAuditKey(store, source_dir, /*wrapped_only=*/false);
  if (loaded.ok()) {
    signer = std::move(loaded->signer);
    if (loaded->in_clear) RETURN_IF_ERROR(hub::WriteWrappedAuditKey(store, source_dir, *signer));
  } else if (IsNotFound(loaded.status())) {
    ASSIGN_OR_RETURN(signer, hub::NewAuditSigner());
    RETURN_IF_ERROR(MakeDirs(source_dir + "/state", 0700));
    RETURN_IF_ERROR(hub::WriteWrappedAuditKey(store, source_dir, *signer));
  } else {
    return loaded.status();
  }
  return audit::FileAuditLog::Open(audit::HubAuditDir(source_dir), clock, std::move(signer),
                                   {.lock_wait = std::chrono::seconds(60)});
}

void AddNirCheck(CLI::App& app, const GlobalOptions& opts, int* exit_code) {
  auto* nir = app.add_subcommand("nir", "the French NIR (social security number)");
  nir->require_subcommand(1);
  auto* check = nir->add_subcommand("check", "validate NIRs given as arguments, or one per line on standard input");
  auto nirs = std::make_shared<std::vector<std::string>>();
  check->add_option("nir", *nirs, "NIRs (15 characters); none: read standard input");
  check->callback([&opts, nirs, exit_code]() {
    bool all_valid = true;
    nlohmann::json results = nlohmann::json::array();
    auto one = [&](std::string_view value) {
      pseudo::NirError e = pseudo::CheckNir(value);
      all_valid = all_valid && e == pseudo::NirError::kOk;
      std::string line = e == pseudo::NirError::kOk ? "valid" : "invalid: " + std::string(pseudo::NirErrorReason(e));
      if (opts.json)
        results.push_back(line);
      else
        std::cout << line << "\n";
    };
    if (nirs->empty()) {
      for (std::string line; std::getline(std::cin, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        one(line);
      }
    }
    for (const std::string& n : *nirs) one(n);
    if (opts.json) std::cout << results.dump() << "\n";
    *exit_code = all_valid ? kExitOk : kExitCheckFailed;
  });
}

void AddSourceKey(CLI::App& app, const GlobalOptions& opts, int* exit_code) {
  auto* source_key = app.add_subcommand("source-key", "the data source's own stage-1 pseudonymization key");
  source_key->require_subcommand(1);
  auto* init = source_key->add_subcommand("init", "create a key file protected by a passphrase (Argon2id)");
  auto path = std::make_shared<std::string>();
  init->add_option("--key", *path, "the key file to create (never overwritten)")->required();
  init->callback(Run(opts, exit_code, [&opts, path]() -> Status {
    ASSIGN_OR_RETURN(SecretBytes passphrase,
                     keys::ReadNewPassphrase(kSourcePassphraseEnv, "new source key passphrase: "));
    RETURN_IF_ERROR(keys::KeyFileKeyStore::CreateKeyFile(*path, passphrase));
    if (opts.json) std::cout << nlohmann::json{{"key", *path}}.dump() << "\n";
    std::cerr << "source key created in " << *path << "; keep it (and its passphrase) at the source only\n";
    return OkStatus();
  }));
}

void PrintPseudonymized(const ingest::PseudonymizeResult& r, bool json) {
  if (json) {
    std::cout << nlohmann::json{{"identities_given", r.identities_given}, {"report", r.report.ToJson()}}.dump() << "\n";
    return;
  }
  std::cout << r.report.rows_stored << " rows written, " << r.report.rows_rejected << " rejected, of "
            << r.report.rows_read << " read"
            << (r.identities_given     ? ""
                : r.has_person_columns ? " (SNDS pseudonyms passed through)"
                                       : " (no person column: checked and copied)")
            << "\n";
  for (const ingest::FieldIssue& i : r.report.issues) {
    std::cout << "  rejected: field " << i.field << ", " << i.reason << ": " << i.count << " row"
              << (i.count == 1 ? "" : "s") << ", first at line " << i.first_line << "\n";
  }
}

void AddPseudonymize(CLI::App& app, const GlobalOptions& opts, int* exit_code) {
  auto* cmd = app.add_subcommand("pseudonymize", "at the source: replace identities by stage-1 pseudonyms");
  auto req = std::make_shared<ingest::PseudonymizeRequest>();
  auto key = std::make_shared<std::string>();
  auto opt_out = std::make_shared<bool>(false);
  cmd->add_option("--key", *key, "the source's key file (hdhub source-key init)")->required()->check(CLI::ExistingFile);
  auto* schema = cmd->add_option("--schema", req->schema_path, "Table Schema JSON of the extract's table")
                     ->check(CLI::ExistingFile);
  cmd->add_flag("--opt-out", *opt_out, "the extract is an opt-out list (NIR,NAI_DTE,SEX_COD)")->excludes(schema);
  cmd->add_option("--out", req->output_path, "the transfer file to write (must not exist)")->required();
  cmd->add_flag("--strict", req->strict, "fail the whole file when any row is refused");
  cmd->add_option("extract", req->input_path, "the source extract (CSV)")->required()->check(CLI::ExistingFile);
  cmd->callback(Run(opts, exit_code, [&opts, req, key, opt_out]() -> Status {
    if (*opt_out) req->schema_text = std::string(ingest::kOptOutSchemaJson);
    if (req->schema_path.empty() && req->schema_text.empty()) {
      return InvalidArgumentError("--schema or --opt-out is required");
    }
    ASSIGN_OR_RETURN(SecretBytes passphrase, keys::ReadPassphrase(kSourcePassphraseEnv, "source key passphrase: "));
    ASSIGN_OR_RETURN(auto store, keys::KeyFileKeyStore::Open(*key, passphrase));
    // The source keeps its own tamper-evident log beside its key.
    SystemClock clock;
    std::string source_dir = std::filesystem::absolute(*key).parent_path().string();
    ASSIGN_OR_RETURN(auto log, OpenSourceAuditLog(*store, source_dir, &clock));
    ASSIGN_OR_RETURN(auto k_source, store->HmacFor(ingest::kStageOnePurpose));
    // Spills (encrypted) beside the output, on the source's own disk.
    std::string out_dir = std::filesystem::absolute(req->output_path).parent_path().string();
    ingest::Pseudonymizer pseudonymizer(k_source.get(), 0, out_dir);
    StatusOr<ingest::PseudonymizeResult> r = [&] {
      TerminalProgress progress(opts);  // its line is cleared before the result prints
      req->progress = progress.fn();
      return pseudonymizer.Run(*req);
    }();
    // At the source there are no hub accounts: the source's log names the
    // login that ran the command on the source's own machine.
    audit::Event e{.actor = SourceLogin(), .role = "source", .action = "pseudonymize.run"};
    e.objects["extract_path_sha256"] = HexEncode(crypto::Sha256(AsBytes(req->input_path))).substr(0, 32);
    if (r.ok()) {
      e.details["rows_read"] = r->report.rows_read;
      e.details["rows_written"] = r->report.rows_stored;
      e.details["rows_rejected"] = r->report.rows_rejected;
      e.details["identities_given"] = r->identities_given;
    }
    RETURN_IF_ERROR(audit::Record(*log, std::move(e), r.status()));
    PrintPseudonymized(*r, opts.json);
    return OkStatus();
  }));
}

}  // namespace

void AddSourceCommands(CLI::App& app, const GlobalOptions& opts, int* exit_code) {
  AddNirCheck(app, opts, exit_code);
  AddSourceKey(app, opts, exit_code);
  AddPseudonymize(app, opts, exit_code);
}

}  // namespace hdhub::cli

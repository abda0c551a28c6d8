// hdhub restore: a hub rebuilt on an empty machine from the sealed backup of
// its state on its host and its key store (docs/formats/state-backup.md),
// then confirmed by an operator of the restored directory (event
// hub.restore). --verify-only is a recovery drill: the backup is read and
// checked in a scratch directory that is removed, nothing is published.
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hdhub/audit/ed25519.h"
#include "hdhub/cli/commands.h"
#include "hdhub/hub/state_backup.h"
#include "hdhub/keys/passphrase.h"

namespace hdhub::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct RestoreArgs {
  std::string host;
  std::string keys;
  bool verify_only = false;
  std::vector<std::string> witness_keys;
  std::vector<std::string> witness_checkpoints;
};

// --witness-key K --witness-checkpoint F, in pairs, in order; the files'
// paths made absolute.
StatusOr<std::vector<hub::WitnessConfig>> Witnesses(const RestoreArgs& a) {
  if (a.witness_keys.size() != a.witness_checkpoints.size()) {
    return InvalidArgumentError("give each --witness-key with its --witness-checkpoint (" +
                                std::to_string(a.witness_keys.size()) + " keys, " +
                                std::to_string(a.witness_checkpoints.size()) + " checkpoints)");
  }
  std::vector<hub::WitnessConfig> out;
  for (size_t i = 0; i < a.witness_keys.size(); ++i) {
    // Checked before the backup is read: a usage error, not damage.
    StatusOr<std::unique_ptr<audit::Ed25519Verifier>> key = audit::Ed25519Verifier::FromVerifierKey(a.witness_keys[i]);
    if (!key.ok()) {
      return InvalidArgumentError("--witness-key " + std::to_string(i + 1) + " is not a verifier key (" +
                                  std::string(key.status().message()) + ")");
    }
    std::error_code ec;
    const fs::path file = fs::absolute(a.witness_checkpoints[i]).lexically_normal();
    if (!fs::is_regular_file(file, ec)) {
      return InvalidArgumentError("--witness-checkpoint " + file.string() + " is not a file");
    }
    out.push_back({a.witness_keys[i], file.string()});
  }
  return out;
}

json ReportJson(const hub::RestoreReport& r, bool verified_only) {
  return json{{"host", r.host},
              {"keys", r.keys},
              {"log_entries", r.log_entries},
              {"checkpoint_size", r.checkpoint_size},
              {"chunks", r.chunks},
              {"catalog_bytes", r.catalog_bytes},
              {"log_origin", r.log_origin},
              {"witnesses", r.witnesses},
              {"verify_only", verified_only}};
}

// Removes what the restore wrote, after a refusal: hub.json first, so that
// what may stay behind is never taken for a hub.
void RemoveRestored(const fs::path& dir) {
  std::error_code ec;
  fs::remove(dir / "hub.json", ec);
  fs::remove_all(dir / "state", ec);
}

}  // namespace

void AddRestoreCommand(CLI::App& app, const GlobalOptions& opts, int* exit_code) {
  auto a = std::make_shared<RestoreArgs>();
  auto* cmd = app.add_subcommand(
      "restore",
      "rebuild a lost hub in an empty --hub directory from the sealed backup of its state on its host and its key "
      "store; then an operator of the restored hub ($HDHUB_USER, $HDHUB_PASSWORD) confirms it and the whole audit "
      "log is verified. The key file's passphrase or the HSM's PIN from $HDHUB_PASSPHRASE or typed");
  cmd->add_option("--host", a->host,
                  "the lost hub's host: file:///PATH or s3://BUCKET/PREFIX?endpoint=URL (with HDHUB_S3_ACCESS_KEY_ID "
                  "and HDHUB_S3_SECRET_ACCESS_KEY)")
      ->required();
  cmd->add_option("--keys", a->keys,
                  "its key store: keyfile:/PATH (an escrowed copy of state/hub.key, copied into the new hub) or "
                  "pkcs11:…")
      ->required();
  cmd->add_option("--witness-key", a->witness_keys,
                  "a witness's verifier key (hdhub audit keygen); with --witness-checkpoint, the restored log must "
                  "cover what that witness last cosigned, and the restored hub.json keeps the witness. Repeatable");
  cmd->add_option("--witness-checkpoint", a->witness_checkpoints,
                  "the file holding that witness's latest cosigned checkpoint of the lost hub's log (hdhub audit "
                  "witness --out), in the order of the --witness-key options");
  cmd->add_flag("--verify-only", a->verify_only,
                "a recovery drill: read and check the whole backup in a scratch directory, removed afterwards; "
                "writes no hub and publishes nothing (the lost hub may still be running)");
  cmd->callback(Run(opts, exit_code, [&opts, a]() -> Status {
    if (!opts.server.empty()) return OnlyOnTheHub(opts);
    ASSIGN_OR_RETURN(std::vector<hub::WitnessConfig> witnesses, Witnesses(*a));
    ASSIGN_OR_RETURN(SecretBytes passphrase, keys::ReadPassphrase(kPassphraseEnv, "key store passphrase or PIN: "));
    const fs::path dir = a->verify_only ? fs::temp_directory_path() : fs::path(opts.hub_dir);
    ASSIGN_OR_RETURN(hub::RestoreReport report, hub::RestoreHubFiles(*opts.backends, dir, passphrase,
                                                                     {.host_uri = a->host,
                                                                      .keys_uri = a->keys,
                                                                      .verify_only = a->verify_only,
                                                                      .witnesses = std::move(witnesses)}));
    if (a->verify_only) {
      if (opts.json) {
        std::cout << ReportJson(report, true).dump() << "\n";
      } else {
        std::cout << "the backup on " << a->host << " restores: " << report.log_entries << " audit entries in "
                  << report.chunks << " chunks, verified against the host's signed checkpoint ("
                  << report.checkpoint_size << " entries); catalog " << report.catalog_bytes << " bytes\n";
      }
      return OkStatus();
    }
    // Confirmed by an operator of the restored directory, or removed.
    Status confirmed = [&]() -> Status {
      SystemClock clock;
      ASSIGN_OR_RETURN(Session s, OpenSession(opts, &clock, std::nullopt, {}, nullptr, &passphrase));
      return s.service->ConfirmRestore(s.ctx, report).status();
    }();
    if (!confirmed.ok()) {
      RemoveRestored(dir);
      return Status(confirmed.code(),
                    std::string(confirmed.message()) + " (the restored files were removed from " + opts.hub_dir + ")");
    }
    if (opts.json) {
      std::cout << ReportJson(report, false).dump() << "\n";
    } else {
      std::cout << "restored the hub in " << opts.hub_dir << " from " << report.host << ": " << report.log_entries
                << " audit entries, verified against the host's signed checkpoint; catalog " << report.catalog_bytes
                << " bytes; key store " << report.keys << "\n";
    }
    return OkStatus();
  }));
}

}  // namespace hdhub::cli

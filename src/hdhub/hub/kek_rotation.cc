// KEK rotation (hub.h, Hub::RotateKek; docs/formats/kek-rotation.md): every
// wrapped key moves from the current KEK to a new one, resumable through
// state/kek-rotation, without touching a ciphertext, a pseudonym or an
// object name.
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "hdhub/common/file.h"
#include "hdhub/hub/audit_key.h"
#include "hdhub/hub/hub.h"
#include "hdhub/hub/hub_config.h"
#include "hdhub/hub/pending_request.h"
#include "hdhub/hub/state_backup.h"
#include "hdhub/ingest/csv_ingest.h"
#include "hdhub/keys/key_file.h"
#include "hdhub/keys/key_file_key_store.h"
#include "hdhub/keys/key_ring.h"
#include "hdhub/keys/rotating_key_store.h"

namespace hdhub::hub {

namespace fs = std::filesystem;

namespace {

constexpr char kJournalName[] = "kek-rotation";
constexpr char kRequestName[] = "kek-rotation-request";
constexpr std::string_view kKeyFileScheme = "keyfile:";
constexpr mode_t kRecordMode = 0600;

std::string JournalPath(const fs::path& dir) { return (dir / "state" / kJournalName).string(); }
std::string RequestPath(const fs::path& dir) { return (dir / "state" / kRequestName).string(); }

std::string_view PhaseName(KekRotationJournal::Phase p) {
  return p == KekRotationJournal::Phase::kRewrap ? "rewrap" : "switch";
}

Status WriteJournal(const fs::path& dir, const KekRotationJournal& j) {
  nlohmann::json out{{"format", 1},
                     {"phase", PhaseName(j.phase)},
                     {"from", HubRelativeUri(j.from, dir)},
                     {"to", HubRelativeUri(j.to, dir)}};
  if (j.destroying) out["destroying"] = true;
  return WriteFileAtomically(JournalPath(dir), AsBytes(out.dump() + "\n"), kRecordMode);
}

// A key file's path from its URI, or empty for another store.
std::string KeyFilePath(std::string_view uri) {
  return uri.starts_with(kKeyFileScheme) ? std::string(uri.substr(kKeyFileScheme.size())) : std::string();
}

// state/hub-<n>.key, the first n >= 2 not taken.
std::string NewKeyFilePath(const fs::path& dir) {
  for (int n = 2;; ++n) {
    fs::path p = dir / "state" / ("hub-" + std::to_string(n) + ".key");
    std::error_code ec;
    if (!fs::exists(p, ec)) return p.string();
  }
}

// Fails unless `next` and `current` are two different KEKs: a probe key
// wrapped by `next` must not unwrap under `current` (DataLoss); any other
// error stops the caller, which cannot tell.
Status CheckDistinctKeks(keys::KeyStore& next, keys::KeyStore& current, std::string_view next_name,
                         std::string_view current_name) {
  ASSIGN_OR_RETURN(SecretBytes probe, keys::NewDataKey());
  ASSIGN_OR_RETURN(Bytes wrapped, next.WrapKey(probe, "kek-rotation/probe"));
  StatusOr<SecretBytes> unwrapped = current.UnwrapKey(wrapped, "kek-rotation/probe");
  if (unwrapped.ok()) {
    return InvalidArgumentError("the new KEK " + std::string(next_name) + " is the current one under another name (" +
                                std::string(current_name) + ")");
  }
  if (unwrapped.status().code() != StatusCode::kDataLoss) {
    return Status(unwrapped.status().code(), "cannot tell the KEKs " + std::string(next_name) + " and " +
                                                 std::string(current_name) +
                                                 " apart: " + std::string(unwrapped.status().message()));
  }
  return OkStatus();
}

// A key file URI whose file does not exist (yet).
bool MissingKeyFile(std::string_view uri) {
  const std::string path = KeyFilePath(uri);
  std::error_code ec;
  return !path.empty() && !fs::exists(path, ec);
}

}  // namespace

StatusOr<std::optional<KekRotationJournal>> ReadKekRotationJournal(const fs::path& dir) {
  StatusOr<std::string> text = ReadFile(JournalPath(dir));
  if (IsNotFound(text.status())) return std::optional<KekRotationJournal>();
  RETURN_IF_ERROR(text.status());
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  auto text_of = [&](const char* key) -> std::string {
    return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
  };
  const std::string phase = text_of("phase");
  KekRotationJournal out;
  out.from = ResolveHubUri(text_of("from"), dir);
  out.to = ResolveHubUri(text_of("to"), dir);
  if (!j.is_object() || j.value("format", 0) != 1 || (phase != "rewrap" && phase != "switch") || out.from.empty() ||
      out.to.empty()) {
    return DataLossError(JournalPath(dir) + " is malformed: restore it from a backup of state/");
  }
  out.phase = phase == "rewrap" ? KekRotationJournal::Phase::kRewrap : KekRotationJournal::Phase::kSwitch;
  out.destroying = j.value("destroying", false) == true;
  return std::optional<KekRotationJournal>(std::move(out));
}

StatusOr<std::unique_ptr<keys::KeyStore>> OpenKekUnderRotation(const keys::KeyStoreRegistry& stores,
                                                               const KekRotationJournal& journal) {
  // Stopped before the new key file was made: nothing is under it yet.
  if (journal.phase == KekRotationJournal::Phase::kRewrap && MissingKeyFile(journal.to)) {
    return stores.Open(journal.from);
  }
  ASSIGN_OR_RETURN(std::unique_ptr<keys::KeyStore> next, stores.Open(journal.to));
  // Once switching, every key is under the new KEK (checked before the
  // journal said so), and the old one may already be destroyed.
  if (journal.phase == KekRotationJournal::Phase::kSwitch) return next;
  ASSIGN_OR_RETURN(std::unique_ptr<keys::KeyStore> previous, stores.Open(journal.from));
  return std::unique_ptr<keys::KeyStore>(
      std::make_unique<keys::RotatingKeyStore>(std::move(next), std::move(previous)));
}

StatusOr<std::optional<KekRotationRequest>> Hub::PendingKekRotation() const {
  ASSIGN_OR_RETURN(std::optional<PendingRequest> pending, ReadPendingRequest(RequestPath(dir_), "to"));
  if (!pending) return std::optional<KekRotationRequest>();
  return std::optional<KekRotationRequest>(KekRotationRequest{pending->requested_by, pending->what});
}

Status Hub::RequestKekRotation(const KekRotationRequest& request) {
  return WritePendingRequest(RequestPath(dir_), "to", {request.requested_by, request.to});
}

Status Hub::CancelKekRotationRequest() { return RemovePendingRequest(RequestPath(dir_)); }

Status Hub::CheckKekRotationTarget(const std::string& to_uri) const {
  if (rotation_) return OkStatus();
  if (to_uri.empty()) {
    if (!KeyFilePath(key_store_uri_).empty()) return OkStatus();
    return InvalidArgumentError("name the new KEK with --to: a " + key_store_uri_.substr(0, key_store_uri_.find(':')) +
                                " key store's new key is made with its own tools");
  }
  if (ResolveHubUri(to_uri, dir_) == key_store_uri_) return InvalidArgumentError("the new KEK is the current one");
  return OkStatus();
}

Status Hub::DestroyOldKek(const keys::KeyStoreRegistry& stores, KekRotationJournal& journal) {
  const std::string from = HubRelativeUri(journal.from, dir_);
  const std::string old_file = KeyFilePath(journal.from);
  if (!old_file.empty()) {
    // By its path, never opened: a destruction stopped midway leaves a file
    // of random bytes, which no store opens but this removes.
    std::error_code ec;
    const std::string new_file = KeyFilePath(journal.to);
    if (!new_file.empty() && fs::equivalent(old_file, new_file, ec)) {
      return FailedPreconditionError("the old key file " + from + " is the new one under another path: not destroyed");
    }
    return keys::KeyFileKeyStore::DestroyKeyFile(old_file);
  }
  StatusOr<std::unique_ptr<keys::KeyStore>> old = stores.Open(journal.from);
  if (!old.ok()) {
    // Gone: destroyed by this rotation before it was stopped, if it had
    // begun to; otherwise out of reach (a token unplugged), and kept.
    if (IsNotFound(old.status()) && journal.destroying) return OkStatus();
    return Status(old.status().code(),
                  "the old KEK " + from + " cannot be opened to destroy it: " + std::string(old.status().message()));
  }
  // Checked again just before: the old name must not reach the live KEK
  // (a label reused, a journal written before the check at the start).
  ASSIGN_OR_RETURN(std::unique_ptr<keys::KeyStore> next, stores.Open(journal.to));
  RETURN_IF_ERROR(CheckDistinctKeks(*next, **old, HubRelativeUri(journal.to, dir_), from));
  if (!journal.destroying) {
    journal.destroying = true;
    RETURN_IF_ERROR(WriteJournal(dir_, journal));
  }
  return (*old)->DestroyKek();
}

StatusOr<KekRotation> Hub::RotateKek(const Backends& backends, const SecretBytes& unlock, const std::string& to_uri,
                                     const std::vector<KeyRewrapStep>& more_keys,
                                     const std::function<Status(std::string_view step)>& after_step_for_test) {
  if (!exclusive_) {
    return FailedPreconditionError("rotating the KEK needs the hub to itself: open it exclusively");
  }
  if (!backends.key_stores) return FailedPreconditionError("no key store backend is registered");
  const keys::KeyStoreRegistry stores = backends.key_stores(unlock);
  auto step = [&](std::string_view name) { return after_step_for_test ? after_step_for_test(name) : OkStatus(); };
  KekRotation result;
  KekRotationJournal journal;
  if (rotation_) {
    journal = *rotation_;
    result.resumed = true;
    if (!to_uri.empty() && ResolveHubUri(to_uri, dir_) != journal.to) {
      return FailedPreconditionError("a rotation to another KEK is under way: finish it first (without --to)");
    }
  } else {
    RETURN_IF_ERROR(CheckKekRotationTarget(to_uri));
    journal.from = key_store_uri_;
    journal.to = to_uri.empty() ? std::string(kKeyFileScheme) + NewKeyFilePath(dir_) : ResolveHubUri(to_uri, dir_);
    // An existing store must open now; a new key file is made once the
    // journal names it (below), so that a rotation stopped at any point
    // leaves no key file the hub does not know of.
    if (!MissingKeyFile(journal.to)) {
      ASSIGN_OR_RETURN(std::unique_ptr<keys::KeyStore> next, stores.Open(journal.to));
      ASSIGN_OR_RETURN(std::unique_ptr<keys::KeyStore> current, stores.Open(journal.from));
      // Two names of one key (another URI of the same HSM object, a copy of
      // the key file): the rotation would change nothing, and destroying the
      // "old" KEK would destroy the only one.
      RETURN_IF_ERROR(
          CheckDistinctKeks(*next, *current, HubRelativeUri(journal.to, dir_), HubRelativeUri(journal.from, dir_)));
    }
    journal.phase = KekRotationJournal::Phase::kRewrap;
    RETURN_IF_ERROR(WriteJournal(dir_, journal));
    rotation_ = journal;
  }
  result.from = HubRelativeUri(journal.from, dir_);
  result.to = HubRelativeUri(journal.to, dir_);

  if (journal.phase == KekRotationJournal::Phase::kRewrap) {
    if (MissingKeyFile(journal.to)) {
      // Sealed by the same secret with the same Argon2id parameters as the
      // current key file (or the defaults).
      keys::KeyFileParams params;
      const std::string from_file = KeyFilePath(journal.from);
      if (!from_file.empty()) {
        ASSIGN_OR_RETURN(std::string old_file, ReadFile(from_file));
        ASSIGN_OR_RETURN(keys::KeyFileHeader header, keys::ParseKeyFileHeader(AsBytes(old_file), from_file));
        params = header.params;
      }
      RETURN_IF_ERROR(keys::KeyFileKeyStore::CreateKeyFile(KeyFilePath(journal.to), unlock, params));
    }
    ASSIGN_OR_RETURN(std::unique_ptr<keys::KeyStore> opened, OpenKekUnderRotation(stores, journal));
    auto& both = static_cast<keys::RotatingKeyStore&>(*opened);
    keys::KeyStore& next = both.next();
    // Each key: unwrapped under either KEK, wrapped by the new one, and
    // checked to unwrap under the new one alone before it is written.
    auto rewrap = [&](std::string_view context, ByteSpan wrapped) -> StatusOr<Bytes> {
      ASSIGN_OR_RETURN(SecretBytes key, both.UnwrapKey(wrapped, context));
      ASSIGN_OR_RETURN(Bytes rewrapped, next.WrapKey(key, context));
      ASSIGN_OR_RETURN(SecretBytes check, next.UnwrapKey(rewrapped, context));
      if (!check.Equals(key)) return InternalError("a rewrapped key does not unwrap to itself");
      return rewrapped;
    };
    const std::string ring_path = (state_dir() / keys::kKeyRingFileName).string();
    ASSIGN_OR_RETURN(keys::KeyRing ring, keys::KeyRing::Read(both, ring_path));
    RETURN_IF_ERROR(ring.Write(next, ring_path));
    RETURN_IF_ERROR(keys::KeyRing::Read(next, ring_path).status());
    result.keys_rewrapped += ring.keys().size();
    RETURN_IF_ERROR(step("key-ring"));
    ASSIGN_OR_RETURN(LoadedAuditKey audit_key, LoadAuditKey(both, dir_.string(), /*wrapped_only=*/true));
    RETURN_IF_ERROR(WriteWrappedAuditKey(next, dir_.string(), *audit_key.signer));
    RETURN_IF_ERROR(LoadAuditKey(next, dir_.string(), /*wrapped_only=*/true).status());
    result.keys_rewrapped += 1;
    RETURN_IF_ERROR(step("audit-key"));
    ASSIGN_OR_RETURN(size_t data_keys,
                     catalog_->RewrapDataKeys([&](std::string_view dataset, int64_t version, ByteSpan wrapped) {
                       return rewrap(ingest::DataKeyContext(dataset, version), wrapped);
                     }));
    result.keys_rewrapped += data_keys;
    RETURN_IF_ERROR(step("catalog"));
    ASSIGN_OR_RETURN(size_t project_keys, projects_->RewrapKeys(rewrap));
    result.keys_rewrapped += project_keys;
    RETURN_IF_ERROR(step("projects"));
    for (const KeyRewrapStep& more : more_keys) {
      ASSIGN_OR_RETURN(size_t n, more.run(rewrap));
      result.keys_rewrapped += n;
      RETURN_IF_ERROR(step(more.name));
    }
    // The state backup's root on the host (state_backup.h) holds the ring
    // and the signing key as just rewritten, under a root key the new KEK
    // wraps: the backup restores with the new KEK before the old one goes.
    RETURN_IF_ERROR(RewrapStateRoot(dir_, host_uri_, *host_, next));
    RETURN_IF_ERROR(step("state-root"));
    journal.phase = KekRotationJournal::Phase::kSwitch;
    RETURN_IF_ERROR(WriteJournal(dir_, journal));
    rotation_ = journal;
  }

  // hub.json names the new KEK; then the old one is destroyed.
  ASSIGN_OR_RETURN(Config config, ReadConfig(dir_));
  if (config.keys != journal.to) {
    config.keys = journal.to;
    RETURN_IF_ERROR(WriteConfigAtomically(dir_, config));
  }
  key_store_uri_ = journal.to;
  RETURN_IF_ERROR(step("switch"));
  RETURN_IF_ERROR(DestroyOldKek(stores, journal));
  result.old_destroyed = true;
  RETURN_IF_ERROR(step("destroyed"));
  std::error_code ec;
  fs::remove(JournalPath(dir_), ec);
  if (ec) return InternalError("cannot remove " + JournalPath(dir_) + ": " + ec.message());
  RETURN_IF_ERROR(SyncDir(state_dir().string()));
  rotation_.reset();
  return result;
}

}  // namespace hdhub::hub

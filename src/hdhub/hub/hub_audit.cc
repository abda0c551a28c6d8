// Hub: the audit log's side of opening a hub (checks before any write, the
// wrapped signing key), publishing checkpoints to the host, and recovering a
// host checkpoint the host lost.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <sstream>

#include "hdhub/audit/checkpoint.h"
#include "hdhub/audit/file_audit_log.h"
#include "hdhub/audit/hub_log.h"
#include "hdhub/common/file.h"
#include "hdhub/common/file_lock.h"
#include "hdhub/hub/audit_key.h"
#include "hdhub/hub/hub.h"
#include "hdhub/hub/state_backup.h"

namespace hdhub::hub {
namespace {

namespace fs = std::filesystem;
constexpr std::chrono::seconds kBusyWait{60};
constexpr mode_t kRecordMode = 0600;
constexpr char kRecoveryRequestFile[] = "/recovery-request";
constexpr char kFailedUnlocksFile[] = "/failed-unlocks";
constexpr size_t kMaxSourceLength = 128;

// An account name or a source as recorded: itself when it is one, else "unknown".
std::string Recordable(const std::string& text, bool is_account) {
  if (is_account) return directory::Directory::IsValidUserName(text) ? text : std::string(directory::kUnknownActor);
  const bool ok = !text.empty() && text.size() <= kMaxSourceLength &&
                  text.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:@/-") ==
                      std::string::npos;
  return ok ? text : std::string(directory::kUnknownActor);
}

// One "auth.unlock" event per recorded line; a line that does not parse is
// counted in the last event instead.
std::vector<audit::Event> UnlockEvents(const std::string& text) {
  std::vector<audit::Event> events;
  std::istringstream lines(text);
  std::string line;
  int64_t unreadable = 0;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string time, account, source, extra;
    if (!(fields >> time >> account >> source) || (fields >> extra) || !ParseRfc3339(time).ok() ||
        Recordable(account, true) != account || Recordable(source, false) != source) {
      ++unreadable;
      continue;
    }
    audit::Event e{.actor = account, .role = std::string(directory::kNoRoleName), .action = "auth.unlock"};
    e.outcome = audit::Outcome::kDenied;
    e.details = {{"reason", "wrong_passphrase"}, {"source", source}, {"attempted_at", time}};
    events.push_back(std::move(e));
  }
  if (unreadable > 0) {
    audit::Event e{.actor = HubActor().id, .role = HubActor().role, .action = "auth.unlock"};
    e.outcome = audit::Outcome::kError;
    e.details = {{"reason", "unreadable_record"}, {"records", unreadable}};
    events.push_back(std::move(e));
  }
  return events;
}

// Nothing of a log is there yet: a new hub, whose key is made at its first open.
bool NoLogYet(const std::string& hub_dir) {
  const std::string dir = audit::HubAuditDir(hub_dir);
  std::error_code ec;
  if (fs::exists(dir + "/" + std::string(audit::kAuditCheckpointFile), ec) ||
      fs::exists(PublishedCheckpointPath(hub_dir), ec)) {
    return false;
  }
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().filename().string().starts_with("seg-")) return false;
  }
  return true;
}

}  // namespace

HostCheckpointSource Hub::HostCheckpoint(storage::SealedStore& sealed) const {
  return HostCheckpointSource{&sealed, &checkpoint_key_, kCheckpointObjectName};
}

Status Hub::CheckAuditLog(const Config& config, const OpenOptions& options) {
  const std::string hub_dir = dir_.string();
  StatusOr<LoadedAuditKey> loaded = LoadAuditKey(*raw_keys_, hub_dir, config.audit_key_wrapped);
  if (loaded.ok()) {
    signer_ = std::move(loaded->signer);
    key_to_write_ = loaded->in_clear ? KeyToWrite::kWrapClear : KeyToWrite::kNone;
  } else if (IsNotFound(loaded.status()) && NoLogYet(hub_dir)) {
    ASSIGN_OR_RETURN(signer_, NewAuditSigner());
    key_to_write_ = KeyToWrite::kNew;
  } else if (IsNotFound(loaded.status())) {
    return DataLossError(AuditKeyPath(hub_dir) + " is missing although the hub has an audit log: restore it");
  } else {
    return loaded.status();
  }
  verifier_key_ = signer_->VerifierKey();
  ASSIGN_OR_RETURN(auto verifier, audit::Ed25519Verifier::FromVerifierKey(verifier_key_));
  // The host read through names derived without logging: nothing may be
  // appended yet.
  ASSIGN_OR_RETURN(std::unique_ptr<crypto::HmacSha256> names, raw_keys_->HmacFor(kObjectNamesPurpose));
  storage::SealedStore probe(host_.get(), std::move(names));
  ASSIGN_OR_RETURN(OpenCheckResult checked, CheckAuditLogBeforeOpen(hub_dir, *verifier, HostCheckpoint(probe),
                                                                    options.recover_host_checkpoint, config.witnesses));
  witnesses_ = config.witnesses;
  host_needs_recovery_ = checked.host_needs_recovery;
  return OkStatus();
}

Status Hub::OpenAuditLog(const Config& config, const OpenOptions& open_options) {
  const std::string hub_dir = dir_.string();
  // A new key is written before the log signs anything with it.
  if (key_to_write_ == KeyToWrite::kNew) {
    RETURN_IF_ERROR(MakeDirs(state_dir().string(), 0700));
    RETURN_IF_ERROR(WriteWrappedAuditKey(*raw_keys_, hub_dir, *signer_));
  }
  audit::FileAuditLogOptions options;
  options.lock_wait = kBusyWait;
  options.checkpoint_interval = open_options.audit_checkpoint_interval;
  options.publish_checkpoint = [this](std::string_view checkpoint) { return PublishCheckpoint(checkpoint); };
  std::unique_ptr<audit::Ed25519Signer> signer = std::move(signer_);
  const audit::Ed25519Signer& kept = *signer;
  ASSIGN_OR_RETURN(
      audit_, audit::FileAuditLog::Open(audit::HubAuditDir(hub_dir), clock_, std::move(signer), std::move(options)));
  if (key_to_write_ != KeyToWrite::kWrapClear) return OkStatus();
  // An older hub's clear key: logged, wrapped, and hub.json told so that a
  // clear key is refused from now on.
  audit::Event e{.actor = HubActor().id, .role = HubActor().role, .action = "audit.key_wrap"};
  e.details["key_store"] = raw_keys_->Describe().substr(0, raw_keys_->Describe().find(':'));
  RETURN_IF_ERROR(audit_->Append(e).status());
  RETURN_IF_ERROR(WriteWrappedAuditKey(*raw_keys_, hub_dir, kept));
  Config wrapped = config;
  wrapped.audit_key_wrapped = true;
  return WriteConfigAtomically(dir_, wrapped);
}

Status Hub::PublishCheckpoint(std::string_view checkpoint) {
  // Called by the log after each durable group, from the log's opening on
  // (Open makes sealed_ first, with an unaudited names key). Held back
  // while the host's checkpoint awaits a two-operator recovery.
  if (sealed_ == nullptr || host_needs_recovery_) return OkStatus();
  // The state first: the host never holds a checkpoint its backup lacks.
  const size_t text_end = checkpoint.find("\n\n");
  ASSIGN_OR_RETURN(audit::Checkpoint parsed, audit::ParseCheckpointText(checkpoint.substr(
                                                 0, text_end == std::string_view::npos ? 0 : text_end + 1)));
  RETURN_IF_ERROR(BackUpState(dir_, host_uri_, *sealed_, *raw_keys_, backup_key_, parsed.size, state_cipher_));
  RETURN_IF_ERROR(sealed_->Put(kCheckpointObjectName, checkpoint_key_, AsBytes(checkpoint)).status());
  return WriteFileAtomically(PublishedCheckpointPath(dir_.string()), AsBytes(checkpoint), kRecordMode);
}

StatusOr<audit::VerifyReport> Hub::VerifyAudit() {
  ASSIGN_OR_RETURN(auto verifier, audit::Ed25519Verifier::FromVerifierKey(verifier_key_));
  StatusOr<audit::VerifyReport> report = audit::VerifyLogDirectory(audit::HubAuditDir(dir_.string()), *verifier);
  // A checkpoint whose signature does not hold is damage to the log too.
  if (report.status().code() == StatusCode::kUnauthenticated) return DataLossError(report.status().message());
  RETURN_IF_ERROR(report.status());
  RETURN_IF_ERROR(
      CheckAuditLogBeforeOpen(dir_.string(), *verifier, HostCheckpoint(*sealed_), false, witnesses_).status());
  return report;
}

StatusOr<std::string> Hub::AuditCheckpoint() const {
  return ReadFile(audit::HubAuditDir(dir_.string()) + "/" + std::string(audit::kAuditCheckpointFile));
}

StatusOr<std::string> Hub::AuditVerifierKey() const { return verifier_key_; }

Status Hub::RecordFailedUnlock(const fs::path& dir, Clock* clock, const OpenOptions& options) {
  // Never the passphrase: when, which account was named, from where.
  const std::string line = FormatRfc3339(clock->Now()) + " " + Recordable(options.account, true) + " " +
                           Recordable(options.source, false) + "\n";
  const std::string path = audit::HubAuditDir(dir.string()) + kFailedUnlocksFile;
  // The lock keeps a record from being lost while another process folds the file.
  ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(path + ".lock", kBusyWait, "the failed-unlock record"));
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, kRecordMode);
  if (fd < 0) return ErrnoToStatus(errno, "open " + path);
  Status s = OkStatus();
  if (::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size()))
    s = ErrnoToStatus(errno, "write " + path);
  if (s.ok() && ::fsync(fd) != 0) s = ErrnoToStatus(errno, "fsync " + path);
  ::close(fd);
  return s;
}

Status Hub::FoldFailedUnlocks() {
  const std::string path = audit::HubAuditDir(dir_.string()) + kFailedUnlocksFile;
  std::error_code exists_ec;
  if (!fs::exists(path, exists_ec)) return OkStatus();
  ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(path + ".lock", kBusyWait, "the failed-unlock record"));
  StatusOr<std::string> text = ReadFile(path);
  if (IsNotFound(text.status())) return OkStatus();
  RETURN_IF_ERROR(text.status());
  std::vector<audit::Event> events = UnlockEvents(*text);
  if (!events.empty()) RETURN_IF_ERROR(audit_->AppendBatch(events).status());
  // Signed now: the record goes. (A crash before this line logs them twice.)
  std::error_code ec;
  fs::remove(path, ec);
  if (ec) return InternalError("cannot remove " + path + ": " + ec.message());
  return OkStatus();
}

StatusOr<std::optional<std::string>> Hub::CheckpointRecoveryRequest() const {
  StatusOr<std::string> text = ReadFile(audit::HubAuditDir(dir_.string()) + kRecoveryRequestFile);
  if (IsNotFound(text.status())) return std::optional<std::string>();
  RETURN_IF_ERROR(text.status());
  const std::string name = text->substr(0, text->find('\n'));
  if (!directory::Directory::IsValidUserName(name)) {
    return DataLossError(audit::HubAuditDir(dir_.string()) + kRecoveryRequestFile + " is malformed");
  }
  return std::optional<std::string>(name);
}

Status Hub::RequestCheckpointRecovery(const std::string& operator_name) {
  return WriteFileAtomically(audit::HubAuditDir(dir_.string()) + kRecoveryRequestFile, AsBytes(operator_name + "\n"),
                             kRecordMode);
}

Status Hub::ResumeCheckpointPublication() {
  host_needs_recovery_ = false;
  std::error_code ec;
  fs::remove(audit::HubAuditDir(dir_.string()) + kRecoveryRequestFile, ec);
  if (ec) return InternalError("cannot remove the recovery request: " + ec.message());
  return OkStatus();
}

}  // namespace hdhub::hub

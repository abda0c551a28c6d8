#include "hdhub/hub/hub.h"

#include <sys/stat.h>

#include "hdhub/audit/checkpoint.h"
#include "hdhub/audit/hub_log.h"
#include "hdhub/common/file.h"
#include "hdhub/hub/audited_key_store.h"
#include "hdhub/hub/host_migration.h"
#include "hdhub/hub/hub_config.h"
#include "hdhub/hub/state_backup.h"
#include "hdhub/ingest/csv_ingest.h"
#include "hdhub/keys/key_file_key_store.h"
#include "hdhub/keys/passphrase_strength.h"
#include "hdhub/sql/private_temp_file_system.h"

namespace hdhub::hub {
namespace {

namespace fs = std::filesystem;
constexpr char kKeyFileName[] = "hub.key";
constexpr char kCatalogName[] = "catalog.db";
constexpr std::chrono::seconds kBusyWait{60};

// "file", "s3", "pkcs11", …: what kind of host or key store, for the log (a
// URI may hold a path).
std::string HostKind(const std::string& uri) { return uri.substr(0, uri.find(':')); }

// state/open.lock, held by every open hub: shared, or exclusive for a KEK
// rotation, which must have the hub to itself.
StatusOr<FileLock> LockOpen(const fs::path& dir, bool exclusive) {
  const std::string path = (dir / "state" / "open.lock").string();
  if (!exclusive) return FileLock::AcquireShared(path, kBusyWait, "the hub (a KEK rotation holds it)");
  StatusOr<FileLock> lock = FileLock::Acquire(path, std::chrono::milliseconds(0), "the hub");
  if (lock.status().code() == StatusCode::kFailedPrecondition) {
    return FailedPreconditionError(
        "the hub is open in another process (hdhub serve, or a running command): stop it, then retry");
  }
  return lock;
}

}  // namespace

audit::Actor HubActor() { return audit::Actor{"hub", "system"}; }

namespace {

// Everything Init checks before it writes anything.
Status CheckInitInputs(const fs::path& dir, const SecretBytes& passphrase, const InitOptions& options,
                       const FirstOperator& first) {
  if (fs::exists(dir / kConfigName)) return AlreadyExistsError(dir.string() + " already holds a hub");
  // A new key file's passphrase is all that guards its KEK; an HSM guards its
  // own (PIN retry limits), so its PIN is not held to the passphrase rules.
  if (options.keys_uri.empty()) RETURN_IF_ERROR(keys::CheckPassphraseStrength(passphrase));
  // A lost hub's stage-2 key: the contributions must be the escrow's pair.
  if (options.stage2_escrow) RETURN_IF_ERROR(options.stage2_escrow->Recover(options.stage2_contributions).status());
  if (!directory::Directory::IsValidUserName(first.name)) {
    return InvalidArgumentError("the first operator's name must be a lower-case letter, then up to 63 of [a-z0-9._-]");
  }
  const size_t min_length = directory::DirectoryOptions{}.min_password_length;
  if (first.password.size() < min_length) {
    return InvalidArgumentError("the first operator's password needs at least " + std::to_string(min_length) +
                                " bytes");
  }
  return OkStatus();
}

// Writes the hub's files and registers its host (by `first`); the caller
// removes them if a later step fails. Returns the host as registered.
StatusOr<hosts::HostSpec> CreateHubFiles(const Backends& backends, const fs::path& dir, const SecretBytes& passphrase,
                                         const InitOptions& options, const std::string& first) {
  std::error_code ec;
  fs::create_directories(dir / "state", ec);
  if (ec) return InternalError("cannot create " + (dir / "state").string() + ": " + ec.message());
  ::chmod((dir / "state").c_str(), 0700);
  fs::path abs = fs::absolute(dir).lexically_normal();
  Config config{options.host_uri.empty() ? "file://" + (abs / "host").string() : options.host_uri,
                options.keys_uri.empty() ? "keyfile:" + (abs / "state" / kKeyFileName).string() : options.keys_uri,
                /*audit_key_wrapped=*/true};
  // Check the host and an existing key store before anything is written, so
  // a bad URI or a wrong PIN leaves no hub.
  RETURN_IF_ERROR(backends.hosts.Open(config.host).status());
  if (!options.keys_uri.empty()) RETURN_IF_ERROR(backends.key_stores(passphrase).Open(config.keys).status());
  SystemClock clock;
  ASSIGN_OR_RETURN(hosts::HostSpec host, InitialHostSpec(options, HubRelativeUri(config.host, abs), clock.Now()));
  if (options.keys_uri.empty()) {
    keys::KeyFileParams key_params;
    if (options.fast_key_derivation_for_test) key_params = keys::KeyFileParams::InsecureLowCostForTest();
    RETURN_IF_ERROR(
        keys::KeyFileKeyStore::CreateKeyFile((abs / "state" / kKeyFileName).string(), passphrase, key_params));
  }
  // The purpose keys: random, stage 2 from the custodians' contributions if
  // given, wrapped by the new KEK.
  ASSIGN_OR_RETURN(std::unique_ptr<keys::KeyStore> kek, backends.key_stores(passphrase).Open(config.keys));
  // With an escrow record, the contributions remake a lost hub's key
  // through it rather than making a new one.
  const bool escrowed = options.stage2_escrow.has_value();
  static const std::vector<keys::CustodianContribution> kNone;
  const std::vector<keys::CustodianContribution>& contributions = escrowed ? kNone : options.stage2_contributions;
  StatusOr<keys::KeyRing> ring = options.derived_purpose_keys_for_test
                                     ? keys::KeyRing::FromDerived(*kek, HubPurposes())
                                     : keys::KeyRing::New(HubPurposes(), ingest::kStageTwoPurpose, contributions);
  RETURN_IF_ERROR(ring.status());
  if (escrowed) {
    ASSIGN_OR_RETURN(SecretBytes key, options.stage2_escrow->Recover(options.stage2_contributions));
    RETURN_IF_ERROR(ring->Replace({ingest::kStageTwoPurpose, options.stage2_escrow->origin, std::move(key)}));
  }
  if (!options.derived_purpose_keys_for_test) {
    RETURN_IF_ERROR(ring->Write(*kek, (abs / "state" / keys::kKeyRingFileName).string()));
    config.purpose_keys_in_ring = true;
  }
  // The local databases are encrypted from their first byte.
  keys::KeyRingKeyStore ring_keys(nullptr, *std::move(ring));
  ASSIGN_OR_RETURN(std::unique_ptr<crypto::HmacSha256> checkpoint_hmac, ring_keys.HmacFor(kCheckpointSealPurpose));
  ASSIGN_OR_RETURN(std::shared_ptr<catalog::SqliteCipher> cipher, LocalStateCipher(*checkpoint_hmac));
  RETURN_IF_ERROR(catalog::Catalog::Open((abs / "state" / kCatalogName).string(), &clock, cipher).status());
  ASSIGN_OR_RETURN(auto registry, hosts::HostRegistry::Open((abs / "state" / kCatalogName).string(), cipher));
  RETURN_IF_ERROR(registry->Add(host, first, clock.Now()));
  // hub.json last: until it exists, the directory is not a hub.
  RETURN_IF_ERROR(WriteConfigAtomically(dir, config));
  return host;
}

}  // namespace

Status Hub::Init(const Backends& backends, const fs::path& dir, const SecretBytes& passphrase,
                 const InitOptions& options, const FirstOperator& first) {
  RETURN_IF_ERROR(CheckInitInputs(dir, passphrase, options, first));
  const bool had_state = fs::exists(dir / "state");
  Status status = [&]() -> Status {
    ASSIGN_OR_RETURN(hosts::HostSpec host, CreateHubFiles(backends, dir, passphrase, options, first.name));
    SystemClock clock;
    directory::DirectoryOptions directory_options;
    if (options.fast_key_derivation_for_test) directory_options = directory::DirectoryOptions::InsecureLowCostForTest();
    ASSIGN_OR_RETURN(std::unique_ptr<Hub> hub, Open(backends, dir, passphrase, &clock, directory_options));
    RETURN_IF_ERROR(hub->directory().CreateFirstOperator(first.name, first.password));
    audit::Event e{.actor = first.name, .role = "operator", .action = "hub.init"};
    e.objects["host"] = HostKind(options.host_uri.empty() ? "file:" : options.host_uri);
    e.details["key_store"] = HostKind(options.keys_uri.empty() ? "keyfile:" : options.keys_uri);
    // Fingerprints name the contributions without revealing them.
    e.details["stage2_key"] = options.stage2_escrow                  ? "escrow"
                              : options.stage2_contributions.empty() ? keys::kOriginRandom
                                                                     : "custodians";
    for (const keys::CustodianContribution& c : options.stage2_contributions) {
      e.details["stage2_custodians"].push_back(c.fingerprint);
    }
    RETURN_IF_ERROR(hub->audit().Append(e).status());
    ASSIGN_OR_RETURN(hosts::PlacementDecision decision, hub->CurrentPlacement(clock.Now()));
    return hub->audit().Append(HostRegisteredEvent(audit::Actor{first.name, "operator"}, host, decision)).status();
  }();
  if (!status.ok() && !had_state) {
    // Nothing half-made stays: without hub.json and state/ the directory is no hub.
    std::error_code ec;
    fs::remove(dir / kConfigName, ec);
    fs::remove_all(dir / "state", ec);
  }
  return status;
}

StatusOr<std::unique_ptr<Hub>> Hub::Open(const Backends& backends, const fs::path& dir, const SecretBytes& passphrase,
                                         Clock* clock, const directory::DirectoryOptions& directory_options,
                                         const OpenOptions& open_options) {
  ASSIGN_OR_RETURN(Config config, ReadConfig(dir));
  std::unique_ptr<Hub> hub(new Hub());
  hub->dir_ = dir;
  hub->clock_ = clock;
  hub->key_store_uri_ = config.keys;
  if (!backends.key_stores) return FailedPreconditionError("no key store backend is registered");
  ASSIGN_OR_RETURN(hub->open_lock_, LockOpen(dir, open_options.exclusive));
  hub->exclusive_ = open_options.exclusive;
  ASSIGN_OR_RETURN(hub->rotation_, ReadKekRotationJournal(dir));
  if (hub->rotation_ && !hub->exclusive_) {
    return FailedPreconditionError(
        "a KEK rotation is under way (state/kek-rotation): an operator finishes it with 'hdhub keys rotate'");
  }
  ASSIGN_OR_RETURN(std::optional<HostMigrationJournal> migration, ReadHostMigrationJournal(dir));
  if (migration && migration->phase == HostMigrationJournal::Phase::kSwitch && !open_options.host_migration) {
    return FailedPreconditionError("the hub is switching to host " + migration->to_name +
                                   " (state/host-migration): an operator finishes it with 'hdhub host migrate --to " +
                                   migration->to_name + "'");
  }
  // Read again under the lock: a KEK rotation or a host migration that held
  // the hub exclusively may have changed it while this open waited.
  ASSIGN_OR_RETURN(config, ReadConfig(dir));
  hub->key_store_uri_ = config.keys;
  StatusOr<std::unique_ptr<keys::KeyStore>> keys =
      hub->rotation_ ? OpenKekUnderRotation(backends.key_stores(passphrase), *hub->rotation_)
                     : backends.key_stores(passphrase).Open(config.keys);
  if (keys.status().code() == StatusCode::kPermissionDenied) {
    Status recorded = RecordFailedUnlock(dir, clock, open_options);
    if (!recorded.ok()) {
      return PermissionDeniedError(std::string(keys.status().message()) +
                                   "; the attempt could not be recorded: " + std::string(recorded.message()));
    }
  }
  ASSIGN_OR_RETURN(std::unique_ptr<keys::KeyStore> kek, std::move(keys));
  RETURN_IF_ERROR(hub->OpenKeyRing(config, std::move(kek)));
  // Derived before the log opens: the publish hook seals with it, and a key
  // use logged from inside the log's own append would wait on itself.
  ASSIGN_OR_RETURN(auto checkpoint_hmac, hub->raw_keys_->HmacFor(kCheckpointSealPurpose));
  hub->checkpoint_key_ = CheckpointSealingKey(*checkpoint_hmac);
  hub->backup_key_ = StateBackupKey(*checkpoint_hmac);
  ASSIGN_OR_RETURN(hub->state_cipher_, LocalStateCipher(*checkpoint_hmac));
  ASSIGN_OR_RETURN(hub->host_, backends.hosts.Open(config.host));
  hub->host_uri_ = HubRelativeUri(config.host, hub->dir_);  // the backup's host, before any publication
  {
    // The publish hook seals from the log's first append on, at open too
    // (so the host's checkpoint and backup never lag an entry made here):
    // its names key comes unaudited, like the checkpoint key. The audited
    // derivation below replaces it once the log is open.
    ASSIGN_OR_RETURN(std::unique_ptr<crypto::HmacSha256> names, hub->raw_keys_->HmacFor(kObjectNamesPurpose));
    hub->sealed_ = std::make_unique<storage::SealedStore>(hub->host_.get(), std::move(names));
  }
  // Nothing is written before every check of the log has passed.
  RETURN_IF_ERROR(hub->CheckAuditLog(config, open_options));
  RETURN_IF_ERROR(hub->OpenAuditLog(config, open_options));
  if (hub->ring_to_write_ != RingToWrite::kNone) RETURN_IF_ERROR(hub->WriteMigratedKeyRing());
  hub->hub_keys_ = hub->KeysFor(HubActor());
  ASSIGN_OR_RETURN(std::unique_ptr<crypto::HmacSha256> names, hub->hub_keys_->HmacFor(kObjectNamesPurpose));
  hub->sealed_ = std::make_unique<storage::SealedStore>(hub->host_.get(), std::move(names));
  RETURN_IF_ERROR(hub->FoldFailedUnlocks());
  ASSIGN_OR_RETURN(hub->catalog_,
                   catalog::Catalog::Open((hub->state_dir() / kCatalogName).string(), clock, hub->state_cipher_));
  ASSIGN_OR_RETURN(hub->directory_, directory::Directory::Open(hub->database_path(), clock, hub->audit_.get(),
                                                               directory_options, hub->state_cipher_));
  Hub* self = hub.get();
  ASSIGN_OR_RETURN(hub->projects_, projects::ProjectStore::Open(
                                       hub->database_path(), clock, hub->audit_.get(),
                                       [self](const audit::Actor& a) { return self->KeysFor(a); }, hub->state_cipher_));
  RETURN_IF_ERROR(hub->OpenHosts(config));
  // Leftovers of processes killed earlier go once the hub is known sound.
  ASSIGN_OR_RETURN(std::vector<std::string> removed, hub->RemoveAbandonedScratch());
  if (!removed.empty()) {
    audit::Event e{.actor = HubActor().id, .role = HubActor().role, .action = "hub.cleanup"};
    e.details["temp_folders_removed"] = removed.size();
    RETURN_IF_ERROR(hub->audit_->Append(e).status());
  }
  ASSIGN_OR_RETURN(hub->scratch_, ScratchArea::Create((hub->state_dir() / "tmp").string()));
  return hub;
}

std::vector<std::string> HubPurposes() {
  return {kObjectNamesPurpose, kCheckpointSealPurpose, ingest::kStageTwoPurpose, kScramMockPurpose};
}

Status Hub::OpenKeyRing(const Config& config, std::unique_ptr<keys::KeyStore> kek) {
  const std::string path = (state_dir() / keys::kKeyRingFileName).string();
  StatusOr<keys::KeyRing> ring = NotFoundError("");
  std::error_code ec;
  // A ring on disk is the hub's keys even when hub.json does not say so yet
  // (a migration that stopped before rewriting hub.json, or hub.json rewritten).
  const bool ring_on_disk = fs::exists(path, ec);
  if (config.purpose_keys_in_ring || ring_on_disk) {
    ring = keys::KeyRing::Read(*kek, path);
    if (IsNotFound(ring.status())) {
      return DataLossError(path +
                           " is missing: the hub's purpose keys (object names, pseudonyms) are in it; "
                           "restore it from a backup of state/");
    }
    RETURN_IF_ERROR(ring.status());
    for (const std::string& purpose : HubPurposes()) {
      if (ring->Find(purpose) == nullptr) return DataLossError(path + " lacks the key for " + purpose);
    }
    ring_to_write_ = config.purpose_keys_in_ring ? RingToWrite::kNone : RingToWrite::kConfigOnly;
  } else {
    // A hub made before the ring: its derived keys, unchanged, written once
    // every check of the log has passed (WriteMigratedKeyRing).
    ring = keys::KeyRing::FromDerived(*kek, HubPurposes());
    if (!ring.ok()) {
      return FailedPreconditionError(
          "hub.json names no key ring and the key store cannot give the derived keys of "
          "an older hub: " +
          std::string(ring.status().message()));
    }
    ring_to_write_ = RingToWrite::kDerived;
  }
  auto store = std::make_unique<keys::KeyRingKeyStore>(std::move(kek), *std::move(ring));
  ring_store_ = store.get();
  raw_keys_ = std::move(store);
  return OkStatus();
}

Status Hub::WriteMigratedKeyRing() {
  if (ring_to_write_ == RingToWrite::kDerived) {
    audit::Event e{.actor = HubActor().id, .role = HubActor().role, .action = "keys.ring_migrate"};
    e.details["purposes"] = HubPurposes();
    e.details["origin"] = keys::kOriginKekDerived;
    RETURN_IF_ERROR(audit_->Append(e).status());
    RETURN_IF_ERROR(ring_store_->ring().Write(*ring_store_->base(), (state_dir() / keys::kKeyRingFileName).string()));
  }
  // Re-read: opening the log may have rewritten hub.json (audit_key).
  ASSIGN_OR_RETURN(Config config, ReadConfig(dir_));
  config.purpose_keys_in_ring = true;
  RETURN_IF_ERROR(WriteConfigAtomically(dir_, config));
  ring_to_write_ = RingToWrite::kNone;
  return OkStatus();
}

Status Hub::ChangePassphrase(const SecretBytes& old_passphrase, const SecretBytes& new_passphrase) {
  constexpr std::string_view kScheme = "keyfile:";
  if (!key_store_uri_.starts_with(kScheme)) {
    return UnimplementedError("this hub's key store has no passphrase to change");
  }
  RETURN_IF_ERROR(keys::CheckPassphraseStrength(new_passphrase));
  return keys::KeyFileKeyStore::ChangePassphrase(key_store_uri_.substr(kScheme.size()), old_passphrase, new_passphrase);
}

std::unique_ptr<keys::KeyStore> Hub::KeysFor(const audit::Actor& actor) {
  return std::make_unique<AuditedKeyStore>(raw_keys_.get(), audit_.get(), actor);
}

Hub::~Hub() {
  // A checkpoint held back by an interval is published while the host and
  // the sealing store the hook uses still exist (they go before the log).
  if (audit_ != nullptr) audit_->Flush().IgnoreError();
}

StatusOr<std::unique_ptr<sql::Database>> Hub::OpenCatalogDatabase(keys::KeyStore& keys,
                                                                  const sql::DatabaseOptions& options) {
  sql::DatabaseOptions with_spill = options;
  if (with_spill.private_temp_dir.empty()) {
    // Big catalog queries spill, encrypted, to a directory of their own.
    ASSIGN_OR_RETURN(with_spill.private_temp_dir, sql::MakePrivateTempDir(scratch_->path(), "operator"));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<sql::Database> db, sql::Database::Open(sealed_.get(), with_spill));
  ASSIGN_OR_RETURN(std::vector<catalog::DatasetRecord> datasets, catalog_->ListDatasets());
  for (const catalog::DatasetRecord& d : datasets) {
    StatusOr<catalog::VersionWithObjects> latest = catalog_->LatestCommittedVersion(d.name);
    if (IsNotFound(latest.status())) {
      // A listed dataset without a current version (every one withdrawn, or
      // none committed yet): reading it says so, rather than "no such table".
      // The error is in the filter, which every read evaluates (count(*) too).
      RETURN_IF_ERROR(db->Execute("CREATE VIEW " + sql::QuoteIdentifier(d.name) +
                                  " AS SELECT NULL AS unavailable WHERE error('dataset " + d.name +
                                  " has no current version: none committed, or every one withdrawn " +
                                  "(hdhub catalog list)') IS NULL"));
      continue;
    }
    if (!latest.ok()) return latest.status();
    RETURN_IF_ERROR(ingest::MountVersion(*db, keys, d.name, *latest, sql::QuoteIdentifier(d.name)));
  }
  RETURN_IF_ERROR(db->LockDown());
  return db;
}

StatusOr<std::string> Hub::PrivateTempRoot() { return scratch_->path(); }

StatusOr<FileLock> Hub::HoldHostWrites() { return FileLock::AcquireShared(host_lock_path(), kBusyWait, "the host"); }

std::string Hub::CheckpointObjectName() const { return sealed_->ObjectNameFor(kCheckpointObjectName); }

StatusOr<std::vector<std::string>> Hub::RemoveAbandonedScratch() {
  return ScratchArea::RemoveAbandoned((state_dir() / "tmp").string());
}

StatusOr<projects::BuilderDeps> Hub::BuilderDependencies(keys::KeyStore* keys) {
  ASSIGN_OR_RETURN(std::string tmp, PrivateTempRoot());
  return projects::BuilderDeps{projects_.get(), catalog_.get(), keys, sealed_.get(), audit_.get(), clock_, tmp};
}

StatusOr<projects::SessionDeps> Hub::SessionDependencies(keys::KeyStore* keys) {
  ASSIGN_OR_RETURN(std::string tmp, PrivateTempRoot());
  return projects::SessionDeps{projects_.get(), keys, sealed_.get(), audit_.get(), clock_, tmp, catalog_.get()};
}

ingest::CsvIngester Hub::Ingester(const audit::Actor& actor, keys::KeyStore* keys, int threads) {
  return ingest::CsvIngester(
      keys, sealed_.get(), catalog_.get(), audit_.get(), actor,
      {.lock_path = (state_dir() / "ingest.lock").string(), .threads = threads, .temp_root = scratch_->path()});
}

}  // namespace hdhub::hub

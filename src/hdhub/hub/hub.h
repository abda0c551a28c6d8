// Hub: the composition root and the runtime every request shares. Opens, from
// a hub directory, the audit log, the key store, the host (a BlobStore chosen
// by URI), the sealed store on top of it, the catalog, the directory and the
// projects. It holds no per-request state: who acts is an argument (KeysFor
// gives a request its own audited view of the key store). The passphrase
// only unlocks the key store; it makes nobody an operator (accounts do, see
// directory/policy.h). Nothing else in hdhub opens a backend by itself; no
// singletons.
//
// Each signed audit checkpoint is also published, sealed, to the host
// ("audit/checkpoint"), and recorded in state/audit/published; just before,
// the hub's own state is backed up, sealed, on the host (state_backup.h), so
// that `hdhub restore` can rebuild the hub from the host and the key store. Open() checks
// the log against its local checkpoint, the host's and the one it last
// published before it writes anything (audit_open_check.h): a refused open
// changes nothing. The log's signing key is kept wrapped by the key store
// (audit_key.h).
//
// A hub directory holds:
//   hub.json         {"format": 2, "host": "<blob store URI>", "keys": "<key store URI>"},
//                    paths relative to the hub directory (hub_config.h)
//   state/           the hub's own trusted state (mode 0700): hub.key, catalog.db,
//                    audit/ and audit_signing.key (wrapped); tmp/ holds one scratch area
//                    per open hub (common/scratch_area.h): Open() removes those
//                    of dead processes (event hub.cleanup), never a live one's
//   host/            the embedded default host (file://), seen as untrusted
// Format of hub.json: docs/formats/hub-directory.md.
//
// Ownership: a Hub owns every backend it opened; objects it hands out borrow
// from it. Thread-safety: every method may be called from several threads;
// everything is opened in Open(), nothing lazily.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/audit/audit_log.h"
#include "hdhub/audit/ed25519.h"
#include "hdhub/audit/log_verifier.h"
#include "hdhub/catalog/catalog.h"
#include "hdhub/common/clock.h"
#include "hdhub/common/file_lock.h"
#include "hdhub/common/scratch_area.h"
#include "hdhub/common/secret_bytes.h"
#include "hdhub/common/status.h"
#include "hdhub/directory/directory.h"
#include "hdhub/hosts/host_registry.h"
#include "hdhub/hub/audit_open_check.h"
#include "hdhub/hub/backends.h"
#include "hdhub/hub/hub_config.h"
#include "hdhub/ingest/csv_ingest.h"
#include "hdhub/keys/key_ring.h"
#include "hdhub/keys/key_store.h"
#include "hdhub/keys/stage2_escrow.h"
#include "hdhub/projects/project_store.h"
#include "hdhub/projects/session.h"
#include "hdhub/projects/workspace_builder.h"
#include "hdhub/sql/database.h"
#include "hdhub/storage/blob_store.h"
#include "hdhub/storage/sealed_store.h"

namespace hdhub::hub {

struct InitOptions {
  std::string host_uri;  // empty: file://<hub dir>/host
  // The host as the operator declares it (its uri is host_uri's); none: a
  // file: or memory: host is registered as "local" (hosts/host.h), any other
  // is refused. Either way Init checks it against the default sovereignty
  // policy before anything is written.
  std::optional<hosts::HostSpec> host;
  // The key store's URI: empty for a new key file, state/hub.key, locked by
  // the passphrase Init is given; or an existing store, e.g. a KEK in an HSM
  // ("pkcs11:token=…;object=…?module-path=…", docs/formats/pkcs11-key-store.md),
  // which Init's secret unlocks (the token's user PIN) and whose strength is
  // then the HSM's business. Init opens it before writing anything.
  std::string keys_uri;
  bool fast_key_derivation_for_test = false;  // cheap Argon2id parameters
  // Two custodians' contributions to the stage-2 pseudonym key, or none (the
  // key is then random, made by the hub alone; the key ring says which).
  std::vector<keys::CustodianContribution> stage2_contributions;
  // With the contributions of the pair it names: the stage-2 key of a lost
  // hub, remade from the escrow record its custodians kept (its origin too).
  std::optional<keys::Stage2Escrow> stage2_escrow;
  bool derived_purpose_keys_for_test = false;  // a hub as made before the key ring
};

// The purposes of the hub's key ring (keys/key_ring.h): the HMAC that names
// objects on the host, the one whose output seals the host's audit
// checkpoint, stage-2 pseudonyms (ingest::kStageTwoPurpose) and the PG
// wire's mock SCRAM salts.
inline constexpr char kObjectNamesPurpose[] = "object-names";
inline constexpr char kCheckpointSealPurpose[] = "audit-checkpoint";
inline constexpr char kScramMockPurpose[] = "pgwire/scram-mock";
std::vector<std::string> HubPurposes();

struct OpenOptions {
  // Open although the host's audit checkpoint is missing or older than the
  // one this hub published (every other check still applies), holding back
  // publication until two operators approve (Service::RecoverCheckpoint).
  bool recover_host_checkpoint = false;
  // Who tries to open (the account name given, empty if none or a token) and
  // from where: a wrong passphrase is recorded under these in
  // state/audit/failed-unlocks, and folded into the log at the next open.
  std::string account;
  std::string source = "local";
  // 0: the audit log signs and publishes a checkpoint after each group of
  // events (a command's). A server's many statements: at most this often
  // (audit::FileAuditLogOptions::checkpoint_interval); entries stay durable
  // before each call returns, and closing the hub publishes what waits.
  std::chrono::milliseconds audit_checkpoint_interval{0};
  // Every open holds state/open.lock: shared, or with `exclusive` alone (no
  // other process has the hub open; a KEK rotation needs that). An exclusive
  // open that finds the hub open elsewhere is FailedPrecondition at once.
  bool exclusive = false;
  // The open of `hdhub host migrate`, the one allowed while a migration is
  // switching hosts (state/host-migration in phase "switch",
  // host_migration.h): every other open is then refused until it finishes.
  bool host_migration = false;
};

// A KEK rotation under way (state/kek-rotation, kek_rotation.cc): from the
// key store `from` to `to` (URIs with absolute paths). kRewrap: keys are
// moving, each unwraps under either KEK; kSwitch: every key is under `to`,
// hub.json and the old KEK's destruction remain; `destroying`: that
// destruction has begun (so an old KEK no longer found was destroyed, not
// merely out of reach).
struct KekRotationJournal {
  enum class Phase { kRewrap, kSwitch };
  Phase phase = Phase::kRewrap;
  std::string from;
  std::string to;
  bool destroying = false;
};
// The journal in `dir`, if a rotation is under way. DataLoss when malformed.
StatusOr<std::optional<KekRotationJournal>> ReadKekRotationJournal(const std::filesystem::path& dir);
// The key store of a hub whose rotation is under way (keys::RotatingKeyStore
// while rewrapping, the new KEK alone once switching).
StatusOr<std::unique_ptr<keys::KeyStore>> OpenKekUnderRotation(const keys::KeyStoreRegistry& stores,
                                                               const KekRotationJournal& journal);

// The first operator's request to put the stage-2 key in escrow with a new
// pair of custodians (state/custodians-request): the pair's fingerprints.
struct CustodiansRequest {
  std::string requested_by;
  std::string custodians;  // "<fingerprint>+<fingerprint>"
};

// The first operator's request to rotate (state/kek-rotation-request); `to`
// as given (empty: a new key file).
struct KekRotationRequest {
  std::string requested_by;
  std::string to;
};

// What a rotation did; URIs hub-relative, as hub.json writes them.
struct KekRotation {
  std::string from;
  std::string to;
  size_t keys_rewrapped = 0;
  bool resumed = false;        // a rotation stopped earlier, finished now
  bool old_destroyed = false;  // the old KEK destroyed (KeyStore::DestroyKek): true once rotated
};

// The hub's first account, created by Init.
struct FirstOperator {
  std::string name;
  SecretBytes password;
};

// A component's wrapped keys under a KEK rotation: `run` replaces each by
// what the rewrap function makes of it (the key unwrapped under the old or
// the new KEK by its context, wrapped by the new one, checked), in one
// transaction, and says how many; `name` is its step.
using KeyRewrapFn = std::function<StatusOr<Bytes>(std::string_view context, ByteSpan wrapped)>;
struct KeyRewrapStep {
  std::string name;
  std::function<StatusOr<size_t>(const KeyRewrapFn& rewrap)> run;
};

class Hub {
 public:
  // Creates a new hub directory with its first operator account and logs
  // hub.init by that operator. AlreadyExists when it already holds a hub;
  // InvalidArgument for a weak passphrase (keys::CheckPassphraseStrength), a
  // malformed operator name or a short password, before anything is written.
  static Status Init(const Backends& backends, const std::filesystem::path& dir, const SecretBytes& passphrase,
                     const InitOptions& options, const FirstOperator& first_operator);
  // Opens an existing hub, its host and key store through `backends` (which
  // need not outlive the call). NotFound when `dir` holds no hub; PermissionDenied
  // for a wrong passphrase (recorded in state/audit/failed-unlocks, never the
  // passphrase, and logged at the next open); DataLoss when the audit log is damaged, older
  // than a checkpoint it published, or when the host's checkpoint is missing
  // or older than the one published (audit_open_check.h): nothing is then
  // written; FailedPrecondition when another hdhub process keeps the hub busy
  // for longer than a minute.
  static StatusOr<std::unique_ptr<Hub>> Open(const Backends& backends, const std::filesystem::path& dir,
                                             const SecretBytes& passphrase, Clock* clock,
                                             const directory::DirectoryOptions& directory_options = {},
                                             const OpenOptions& open_options = {});
  ~Hub();

  // The key store as `actor` uses it: every wrap, unwrap and derivation is
  // logged under that actor. A view: it borrows the hub's key store.
  std::unique_ptr<keys::KeyStore> KeysFor(const audit::Actor& actor);
  audit::AuditLog& audit() { return *audit_; }
  // Everything Open() checks of the log, again and in full: every entry
  // against the local signed checkpoint (audit::VerifyLogDirectory), and the
  // log against the checkpoint published on the host and the record of what
  // was published (a missing or older host checkpoint fails it even in a hub
  // opened for recovery). DataLoss naming the first problem.
  StatusOr<audit::VerifyReport> VerifyAudit();
  // Opened with recover_host_checkpoint and the host's checkpoint is missing
  // or older than the one published: checkpoints are not published until
  // ResumeCheckpointPublication.
  bool HostCheckpointNeedsRecovery() const { return host_needs_recovery_; }
  // The operator who asked to republish the host's checkpoint, if one did
  // (state/audit/recovery-request), and recording that request.
  StatusOr<std::optional<std::string>> CheckpointRecoveryRequest() const;
  Status RequestCheckpointRecovery(const std::string& operator_name);
  // Publishes checkpoints again (from the next append on) and forgets the request.
  Status ResumeCheckpointPublication();
  // The latest signed checkpoint (a signed note), and the log's verifier key.
  StatusOr<std::string> AuditCheckpoint() const;
  StatusOr<std::string> AuditVerifierKey() const;
  // The witnesses of hub.json (paths absolute), as checked at open.
  const std::vector<WitnessConfig>& AuditWitnesses() const { return witnesses_; }
  // KEK rotation (kek_rotation.cc, docs/formats/kek-rotation.md), in a hub
  // opened exclusively: a new KEK (`to_uri`; empty: a new key file
  // state/hub-<n>.key sealed by `unlock` with the current file's Argon2id
  // parameters), every wrapped key (key ring, audit signing key, dataset,
  // project and workspace keys) rewrapped and checked under it, hub.json
  // switched, the old key file overwritten and removed, in steps a journal
  // makes resumable: a rotation stopped anywhere is finished by calling this
  // again (`to_uri` empty or the same). No ciphertext, pseudonym or object
  // name changes. The hub must be closed afterwards. FailedPrecondition when
  // not opened exclusively; InvalidArgument for a `to_uri` equal to the
  // current store, or missing for a store that is not a key file.
  // `more_keys`: the wrapped keys of components above the hub (the
  // airlock's), each a step of its own after "projects", rewrapped the same
  // way. `after_step_for_test` runs after each step ("key-ring",
  // "audit-key", "catalog", "projects", each of `more_keys`, "switch"); its
  // error stops the rotation there.
  StatusOr<KekRotation> RotateKek(const Backends& backends, const SecretBytes& unlock, const std::string& to_uri,
                                  const std::vector<KeyRewrapStep>& more_keys = {},
                                  const std::function<Status(std::string_view step)>& after_step_for_test = nullptr);
  bool KekRotationUnderWay() const { return rotation_.has_value(); }
  // InvalidArgument when RotateKek would refuse `to_uri` as its target.
  Status CheckKekRotationTarget(const std::string& to_uri) const;
  // The pending first approval of a rotation, and recording or dropping it.
  StatusOr<std::optional<KekRotationRequest>> PendingKekRotation() const;
  Status RequestKekRotation(const KekRotationRequest& request);
  Status CancelKekRotationRequest();
  // The stage-2 key in escrow with a new pair of custodians (docs/formats/
  // key-ring.md, "A new pair of custodians"): the record for `pair`, and
  // keeping it as state/stage2-escrow (replacing the previous pair's). The
  // key and every pseudonym stay as they are. InvalidArgument unless `pair`
  // is two different contributions.
  StatusOr<keys::Stage2Escrow> MakeStageTwoEscrow(const std::vector<keys::CustodianContribution>& pair) const;
  Status KeepStageTwoEscrow(const keys::Stage2Escrow& escrow);
  // state/stage2-escrow, if a pair was ever given one; the pair of the
  // stage-2 key's origin otherwise ("custodians:<pair>"), or none.
  StatusOr<std::string> StageTwoCustodians() const;
  // The pending first approval of a new pair (its fingerprints and who asked),
  // and recording or dropping it (state/custodians-request).
  StatusOr<std::optional<CustodiansRequest>> PendingCustodiansRequest() const;
  Status RequestCustodians(const CustodiansRequest& request);
  Status CancelCustodiansRequest();
  // The key store's URI, hub-relative as in hub.json.
  std::string key_store_uri() const { return HubRelativeUri(key_store_uri_, dir_); }
  // Re-seals the key store under `new_passphrase` (key file only): nothing
  // wrapped changes. InvalidArgument for a weak new passphrase;
  // PermissionDenied for a wrong old one; Unimplemented for other key stores.
  Status ChangePassphrase(const SecretBytes& old_passphrase, const SecretBytes& new_passphrase);
  storage::BlobStore& host() { return *host_; }
  bool opened_exclusively() const { return exclusive_; }
  // Makes the host at `to_uri` the hub's (host migration, host_migration.h):
  // hub.json names it (atomically), and host() and sealed() are the new
  // host's from now on. The old ones stay alive, unused, until the hub
  // closes, so nothing handed out earlier dangles. FailedPrecondition when
  // the hub is not opened exclusively; errors as opening the host and
  // WriteConfigAtomically (hub.json then unchanged).
  Status SwitchHost(const Backends& backends, const std::string& to_uri);
  storage::SealedStore& sealed() { return *sealed_; }
  catalog::Catalog& catalog() { return *catalog_; }
  Clock& clock() { return *clock_; }
  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path state_dir() const { return dir_ / "state"; }
  // The hub's embedded database (catalog.db): the catalog's tables, and the
  // directory's and projects' beside them (each opens its own connection).
  std::string database_path() const { return (state_dir() / "catalog.db").string(); }

  // A DuckDB instance over the catalog: one view per dataset over its latest
  // committed version (its data key unwrapped with `keys`, granted
  // read-only), then locked down so SQL reaches nothing else.
  StatusOr<std::unique_ptr<sql::Database>> OpenCatalogDatabase(keys::KeyStore& keys,
                                                               const sql::DatabaseOptions& options = {});

  // The host registry and the sovereignty policy (docs/hosts.md), sharing
  // the hub's database.
  hosts::HostRegistry& hosts() { return *hosts_; }
  // The cipher of state/catalog.db, for tools and tests that open it
  // themselves (catalog::Database::Open); it outlives the hub if kept.
  const std::shared_ptr<catalog::SqliteCipher>& state_cipher() const { return state_cipher_; }
  // The hub's host as registry and hub.json name it (hub-relative for a
  // path inside the hub directory).
  const std::string& host_uri() const { return host_uri_; }
  // Whether the hub's host may hold health data at `now` under the policy
  // in force, with its evidence (hub_hosts.cc). FailedPrecondition when the
  // host is not in the registry.
  StatusOr<hosts::PlacementDecision> CurrentPlacement(TimePoint now);

  // The directory and the projects, sharing the hub's database, audit log and key store.
  directory::Directory& directory() { return *directory_; }
  projects::ProjectStore& projects() { return *projects_; }
  // This open hub's private directory for spill files (mode 0700), under
  // state/tmp, removed when the hub closes (or, after a crash, by the next
  // Open or `hdhub check`).
  StatusOr<std::string> PrivateTempRoot();
  // Held shared by every ingest and workspace build while it writes to the
  // host, taken exclusively by the host check (host_check.h), so that the
  // check never takes a live writer's objects for leftovers.
  // FailedPrecondition when a check keeps it busy for more than a minute.
  StatusOr<FileLock> HoldHostWrites();
  std::string host_lock_path() const { return (state_dir() / "host.lock").string(); }
  // The host's name for the published audit checkpoint.
  std::string CheckpointObjectName() const;
  // Removes the scratch areas under state/tmp whose process is gone; returns
  // their names. Used by Open and by the host check.
  StatusOr<std::vector<std::string>> RemoveAbandonedScratch();
  // Workspace builds and project sessions wired to this hub, using `keys`
  // (a KeysFor view, which must outlive them).
  StatusOr<projects::BuilderDeps> BuilderDependencies(keys::KeyStore* keys);
  StatusOr<projects::SessionDeps> SessionDependencies(keys::KeyStore* keys);

  // An ingester acting as `actor` with `keys`, taking the hub's ingest lock.
  ingest::CsvIngester Ingester(const audit::Actor& actor, keys::KeyStore* keys, int threads = 0);

 private:
  Hub() = default;
  // hub_audit.cc: loads the signing key and runs every check of the log,
  // writing nothing; then opens the log (and writes a new or migrated key).
  Status CheckAuditLog(const Config& config, const OpenOptions& options);
  Status OpenAuditLog(const Config& config, const OpenOptions& open_options);
  // The purpose keys: state/keyring, or an older hub's derived keys (then
  // ring_to_write_); puts the ring in front of `kek` as raw_keys_.
  // DataLoss when hub.json names a ring and state/keyring is missing or damaged.
  Status OpenKeyRing(const Config& config, std::unique_ptr<keys::KeyStore> kek);
  // The rotation's last step (kek_rotation.cc): the old KEK destroyed, a key
  // file by its path, another store once checked not to be the new KEK.
  Status DestroyOldKek(const keys::KeyStoreRegistry& stores, KekRotationJournal& journal);
  // An older hub's derived keys, written into state/keyring once its log is open.
  Status WriteMigratedKeyRing();
  // Appends a failed unlock to state/audit/failed-unlocks (no key: the log
  // cannot be signed), and folds that file into the log once it is open.
  static Status RecordFailedUnlock(const std::filesystem::path& dir, Clock* clock, const OpenOptions& options);
  Status FoldFailedUnlocks();
  Status PublishCheckpoint(std::string_view checkpoint);
  // hub_hosts.cc: opens the registry; registers the host of a hub made
  // before the registry as "local" (file:, memory:), logged as host.register.
  Status OpenHosts(const Config& config);
  HostCheckpointSource HostCheckpoint(storage::SealedStore& sealed) const;

  std::optional<FileLock> open_lock_;  // first member: released last
  bool exclusive_ = false;
  std::optional<KekRotationJournal> rotation_;
  std::filesystem::path dir_;
  Clock* clock_ = nullptr;
  std::string key_store_uri_;
  SecretBytes checkpoint_key_;  // seals audit/checkpoint on the host
  SecretBytes backup_key_;      // seals the state backup on the host (state_backup.h)
  // Encrypts state/catalog.db (catalog, directory, projects, hosts) on disk.
  std::shared_ptr<catalog::SqliteCipher> state_cipher_;
  std::unique_ptr<audit::Ed25519Signer> signer_;  // until the log takes it
  enum class KeyToWrite { kNone, kNew, kWrapClear } key_to_write_ = KeyToWrite::kNone;
  // kDerived: an older hub's derived keys, to be written into state/keyring;
  // kConfigOnly: the ring is on disk, hub.json does not say so yet.
  enum class RingToWrite { kNone, kDerived, kConfigOnly } ring_to_write_ = RingToWrite::kNone;
  std::string verifier_key_;
  std::vector<WitnessConfig> witnesses_;  // from hub.json, checked at open and by VerifyAudit
  std::atomic<bool> host_needs_recovery_{false};
  std::unique_ptr<audit::AuditLog> audit_;
  std::unique_ptr<keys::KeyStore> raw_keys_;  // used only through KeysFor views
  keys::KeyRingKeyStore* ring_store_ = nullptr;  // raw_keys_ itself
  std::unique_ptr<keys::KeyStore> hub_keys_;  // the hub's own uses at open (actor "hub")
  std::unique_ptr<storage::BlobStore> host_;
  std::unique_ptr<storage::SealedStore> sealed_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<directory::Directory> directory_;
  std::unique_ptr<projects::ProjectStore> projects_;
  std::unique_ptr<hosts::HostRegistry> hosts_;
  std::string host_uri_;
  // Hosts this open hub left by SwitchHost, kept until it closes.
  std::vector<std::unique_ptr<storage::BlobStore>> retired_hosts_;
  std::vector<std::unique_ptr<storage::SealedStore>> retired_sealed_;  // destroyed before their hosts
  std::unique_ptr<ScratchArea> scratch_;  // last member: removed first
};

// The actor of what the hub does by itself (opening, publishing checkpoints).
audit::Actor HubActor();

// hub_hosts.cc: the registry entry for a hub's host `uri` (hub-relative)
// from `options`, checked against the default sovereignty policy at `now`:
// InvalidArgument for a bad declaration or an undeclared remote host;
// FailedPrecondition naming the failed criteria when the policy refuses it.
StatusOr<hosts::HostSpec> InitialHostSpec(const InitOptions& options, const std::string& uri, TimePoint now);
// The audit event of a host registered (host.register) by `actor`.
audit::Event HostRegisteredEvent(const audit::Actor& actor, const hosts::HostSpec& spec,
                                 const hosts::PlacementDecision& decision);

}  // namespace hdhub::hub

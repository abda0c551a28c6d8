// The hub's own state, backed up sealed on its host as it changes, and a hub
// rebuilt from that backup on an empty machine (docs/formats/state-backup.md).
//
// Each time the audit log publishes a signed checkpoint (every group of
// events, hub.cc's publish hook, under the log's exclusive lock), BackUpState
// first brings the host's backup up to that checkpoint: the log's new records
// as one sealed chunk (trailing chunks merged, so a log of n records is
// O(log n) objects of at most 64 MiB), the catalog database (catalog,
// directory, projects, host registry) as a sealed copy when it changed, the
// key ring and the audit signing key in the root object (sealed under a key
// the key store wraps), and a sealed manifest naming them with their
// SHA-256. The host therefore never holds a checkpoint the backup does not
// cover. state/backup records what the host holds, so each backup sends only
// what is new; after a host switch the first backup sends everything.
//
// RestoreHubFiles reads that backup with nothing but the host and the key
// store and writes a hub directory that opens like the original: every
// record's hash, the chunks' and catalog's SHA-256 against the sealed
// manifest, and the log against the host's signed checkpoint are checked
// before anything is kept.
//
// Thread-safety: BackUpState runs under the audit log's lock; the readers
// read files that are only ever replaced atomically.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "hdhub/catalog/sqlite_cipher.h"
#include "hdhub/common/secret_bytes.h"
#include "hdhub/common/status.h"
#include "hdhub/crypto/hash.h"
#include "hdhub/hub/backends.h"
#include "hdhub/hub/hub_config.h"
#include "hdhub/keys/key_store.h"
#include "hdhub/storage/sealed_store.h"

namespace hdhub::hub {

// The host's name of the root object, which holds the key ring and the
// audit signing key sealed under a root key wrapped by the key store: they
// unlock the rest, so no key of the ring can name or seal it. A fixed name,
// shaped like every other (o/<2 hex>/<64 hex>).
std::string StateRootObjectName();
// The logical name of the sealed manifest.
inline constexpr char kStateManifestName[] = "state/manifest";
// state/backup: what the host holds of the backup (JSON, mode 0600).
inline constexpr char kStateBackupRecord[] = "backup";

// The key that seals the backup's objects, from the key ring's
// audit-checkpoint key (as the checkpoint's own sealing key is), so that a
// KEK rotation leaves the backup readable.
SecretBytes StateBackupKey(const crypto::HmacSha256& checkpoint_purpose_key);
// The key that seals the host's copy of the audit checkpoint
// (hub-directory.md, "audit/checkpoint"), from the same ring key.
SecretBytes CheckpointSealingKey(const crypto::HmacSha256& checkpoint_purpose_key);
// The cipher of the hub's local databases (state/catalog.db and its WAL;
// docs/formats/local-state.md), keyed by
//   HMAC-SHA256(k, "local state data key v1") || HMAC-SHA256(k, "local state tweak key v1")
// with k the same ring key: a KEK rotation leaves it unchanged.
StatusOr<std::shared_ptr<catalog::SqliteCipher>> LocalStateCipher(const crypto::HmacSha256& checkpoint_purpose_key);

// Brings the backup on `host_uri` (the hub's host, as hub.json names it)
// up to the first `log_size` entries of the hub's audit log and the
// catalog database as it is now. Errors as the host's, and DataLoss when the
// local log no longer holds what state/backup says was backed up.
// `kek` wraps the root's key (unaudited: this runs inside the log's append).
// `cipher` opens the local catalog database.
Status BackUpState(const std::filesystem::path& hub_dir, const std::string& host_uri, storage::SealedStore& sealed,
                   keys::KeyStore& kek, const SecretBytes& key, uint64_t log_size,
                   std::shared_ptr<const catalog::SqliteCipher> cipher);

// Rewrites the backup's root on `host` under a root key wrapped by `kek`
// (a KEK rotation's new KEK, once the ring and the signing key are
// rewrapped), and records it in state/backup. Nothing when the hub has not
// backed up on `host_uri` yet (its first backup writes the root).
Status RewrapStateRoot(const std::filesystem::path& hub_dir, const std::string& host_uri, storage::BlobStore& host,
                       keys::KeyStore& kek);

// The host's names of every object the backup may hold (its record's
// objects, and those a backup under way has announced or not yet removed):
// what the host check must not take for unknown. Empty when the record
// names another host or there is none yet.
StatusOr<std::vector<std::string>> StateBackupObjectNames(const std::filesystem::path& hub_dir,
                                                          const std::string& host_uri);

struct RestoreOptions {
  std::string host_uri;  // the lost hub's host (absolute, or as its hub.json named it)
  std::string keys_uri;  // its key store: keyfile:/PATH (copied into state/) or pkcs11:…
  // Only check that the backup would restore (into a scratch directory,
  // removed afterwards): nothing is published to the host.
  bool verify_only = false;
  // Witnesses whose latest cosigned checkpoint of the lost hub's log the
  // backup must cover (paths absolute): the one defence against a host that
  // rolls back the backup and the checkpoint together. Written into the
  // restored hub.json, so every later open checks them too.
  std::vector<WitnessConfig> witnesses;
};

struct RestoreReport {
  std::string host;              // as hub.json now names it
  std::string keys;              // likewise
  uint64_t log_entries = 0;      // audit entries restored
  uint64_t checkpoint_size = 0;  // entries the host's signed checkpoint covers
  uint64_t catalog_bytes = 0;
  uint64_t chunks = 0;
  std::string log_origin;  // the log's key name, hdhub/<16 hex>
  uint64_t witnesses = 0;  // witnesses whose cosigned checkpoint the restored log covers
};

// Rebuilds the hub directory `dir` (which must hold no hub) from the backup
// on `options.host_uri`, unlocked by `passphrase` (a key file's passphrase,
// an HSM's PIN). hub.json is written last; on any error nothing is left
// behind. NotFound when the host holds no backup; DataLoss when an object is
// missing, damaged or disagrees with the manifest or the host's checkpoint;
// PermissionDenied for a wrong passphrase; AlreadyExists when `dir` holds a
// hub or a state/ directory. The caller then opens the hub (every check of
// an open applies) and logs the restore.
StatusOr<RestoreReport> RestoreHubFiles(const Backends& backends, const std::filesystem::path& dir,
                                        const SecretBytes& passphrase, const RestoreOptions& options);

}  // namespace hdhub::hub

// Hub: the composition root. Opens, from a hub directory, the key store, the
// host (a BlobStore chosen by URI), the sealed store on top of it and the
// catalog, and hands them to the code that acts. Nothing else in hdhub opens
// a backend by itself; no singletons.
//
// A hub directory holds:
//   hub.json         {"format": 1, "host": "<blob store URI>", "keys": "<key store URI>"}
//   state/           the hub's own trusted state (mode 0700): hub.key, catalog.db, audit/
//   host/            the embedded default host (file://), seen as untrusted
// Format of hub.json: docs/formats/hub-directory.md.
//
// Ownership: a Hub owns every backend it opened; objects it hands out borrow
// from it. Thread-safety: the accessors may be used from several threads as
// far as each backend allows (see their headers).
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "hdhub/catalog/catalog.h"
#include "hdhub/common/clock.h"
#include "hdhub/common/secret_bytes.h"
#include "hdhub/common/status.h"
#include "hdhub/keys/key_store.h"
#include "hdhub/sql/database.h"
#include "hdhub/storage/blob_store.h"
#include "hdhub/storage/sealed_store.h"

namespace hdhub::hub {

struct InitOptions {
  std::string host_uri;  // empty: file://<hub dir>/host
  bool fast_key_derivation_for_test = false;  // cheap Argon2id parameters
};

class Hub {
 public:
  // Creates a new hub directory. AlreadyExists when it already holds a hub.
  static Status Init(const std::filesystem::path& dir, const SecretBytes& passphrase, const InitOptions& options);
  // Opens an existing hub. NotFound when `dir` holds no hub; PermissionDenied
  // for a wrong passphrase.
  static StatusOr<std::unique_ptr<Hub>> Open(const std::filesystem::path& dir, const SecretBytes& passphrase,
                                             Clock* clock);
  ~Hub();

  keys::KeyStore& keys() { return *keys_; }
  storage::BlobStore& host() { return *host_; }
  storage::SealedStore& sealed() { return *sealed_; }
  catalog::Catalog& catalog() { return *catalog_; }
  Clock& clock() { return *clock_; }
  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path state_dir() const { return dir_ / "state"; }

  // A DuckDB instance for the operator: one view per dataset over its latest
  // committed version (its data key granted read-only), then locked down so
  // SQL reaches nothing else.
  StatusOr<std::unique_ptr<sql::Database>> OpenOperatorDatabase(const sql::DatabaseOptions& options = {});

 private:
  Hub() = default;
  std::filesystem::path dir_;
  Clock* clock_ = nullptr;
  std::unique_ptr<keys::KeyStore> keys_;
  std::unique_ptr<storage::BlobStore> host_;
  std::unique_ptr<storage::SealedStore> sealed_;
  std::unique_ptr<catalog::Catalog> catalog_;
};

// The registries of backends hdhub knows, built here rather than by static
// registration: file:, memory: hosts; keyfile:, memory: key stores.
storage::BlobStoreRegistry DefaultBlobStores();

}  // namespace hdhub::hub

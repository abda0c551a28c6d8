// Hub: the composition root. Opens, from a hub directory, the audit log, the
// key store (wrapped so that every key use is audited), the host (a BlobStore
// chosen by URI), the sealed store on top of it and the catalog, and hands
// them to the code that acts, on behalf of one actor. Nothing else in hdhub
// opens a backend by itself; no singletons.
//
// Each signed audit checkpoint is also published, sealed, to the host
// ("audit/checkpoint"); Open() refuses a hub whose local log is shorter than
// the checkpoint found there (its state was rolled back).
//
// A hub directory holds:
//   hub.json         {"format": 1, "host": "<blob store URI>", "keys": "<key store URI>"}
//   state/           the hub's own trusted state (mode 0700): hub.key, catalog.db,
//                    audit/ and audit_signing.key
//   host/            the embedded default host (file://), seen as untrusted
// Format of hub.json: docs/formats/hub-directory.md.
//
// Ownership: a Hub owns every backend it opened; objects it hands out borrow
// from it. Thread-safety: the accessors may be used from several threads as
// far as each backend allows (see their headers).
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "hdhub/audit/audit_log.h"
#include "hdhub/catalog/catalog.h"
#include "hdhub/common/clock.h"
#include "hdhub/common/secret_bytes.h"
#include "hdhub/common/status.h"
#include "hdhub/directory/directory.h"
#include "hdhub/ingest/csv_ingest.h"
#include "hdhub/projects/project_store.h"
#include "hdhub/projects/session.h"
#include "hdhub/projects/workspace_builder.h"
#include "hdhub/keys/key_store.h"
#include "hdhub/sql/database.h"
#include "hdhub/storage/blob_store.h"
#include "hdhub/storage/sealed_store.h"

namespace hdhub::hub {

struct InitOptions {
  std::string host_uri;                       // empty: file://<hub dir>/host
  bool fast_key_derivation_for_test = false;  // cheap Argon2id parameters
};

class Hub {
 public:
  // Creates a new hub directory and logs hub.init by `actor`. AlreadyExists
  // when it already holds a hub.
  static Status Init(const std::filesystem::path& dir, const SecretBytes& passphrase, const InitOptions& options,
                     const audit::Actor& actor);
  // Opens an existing hub for `actor`. NotFound when `dir` holds no hub;
  // PermissionDenied for a wrong passphrase; DataLoss when the audit log is
  // damaged or older than the host's checkpoint; FailedPrecondition when
  // another hdhub process keeps the hub busy for longer than a minute.
  static StatusOr<std::unique_ptr<Hub>> Open(const std::filesystem::path& dir, const SecretBytes& passphrase,
                                             Clock* clock, const audit::Actor& actor);
  ~Hub();

  // The key store, audited: every wrap, unwrap and derivation is logged.
  keys::KeyStore& keys() { return *keys_; }
  audit::AuditLog& audit() { return *audit_; }
  const audit::Actor& actor() const { return actor_; }
  storage::BlobStore& host() { return *host_; }
  storage::SealedStore& sealed() { return *sealed_; }
  catalog::Catalog& catalog() { return *catalog_; }
  Clock& clock() { return *clock_; }
  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path state_dir() const { return dir_ / "state"; }
  // The hub's embedded database (catalog.db): the catalog's tables, and the
  // directory's and projects' beside them (each opens its own connection).
  std::string database_path() const { return (state_dir() / "catalog.db").string(); }

  // A DuckDB instance for the operator: one view per dataset over its latest
  // committed version (its data key granted read-only), then locked down so
  // SQL reaches nothing else.
  StatusOr<std::unique_ptr<sql::Database>> OpenOperatorDatabase(const sql::DatabaseOptions& options = {});

  // From now on, act (and log key uses) as `actor`: the user a command
  // authenticated after opening the hub.
  void set_actor(const audit::Actor& actor) { actor_ = actor; }

  // The directory and the projects, opened on first use, sharing the hub's
  // database, audit log and key store.
  StatusOr<directory::Directory*> directory();
  StatusOr<projects::ProjectStore*> projects();
  // A private directory for spill files (state/tmp, mode 0700).
  StatusOr<std::string> PrivateTempRoot();
  // Workspace builds and project sessions wired to this hub.
  StatusOr<projects::BuilderDeps> BuilderDependencies();
  StatusOr<projects::SessionDeps> SessionDependencies();

  // An ingester acting as this hub's actor, taking the hub's ingest lock.
  ingest::CsvIngester Ingester(int threads = 0);

  // Runs `sql` in `db` and logs query.run (text hash, rows, duration,
  // outcome; denied for a refused access). The query fails when its event
  // cannot be logged.
  StatusOr<sql::QueryResult> RunLoggedQuery(sql::Database& db, std::string_view sql,
                                            const std::optional<std::string>& project = std::nullopt);

 private:
  Hub() = default;
  Status OpenAuditLog();
  Status CheckHostCheckpoint();
  Status PublishCheckpoint(std::string_view checkpoint);

  std::filesystem::path dir_;
  Clock* clock_ = nullptr;
  audit::Actor actor_;
  SecretBytes checkpoint_key_;  // seals audit/checkpoint on the host
  std::unique_ptr<audit::AuditLog> audit_;
  std::unique_ptr<keys::KeyStore> keys_;
  std::unique_ptr<storage::BlobStore> host_;
  std::unique_ptr<storage::SealedStore> sealed_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<directory::Directory> directory_;
  std::unique_ptr<projects::ProjectStore> projects_;
};

// The registries of backends hdhub knows, built here rather than by static
// registration: file:, memory: hosts; keyfile:, memory: key stores.
storage::BlobStoreRegistry DefaultBlobStores();

}  // namespace hdhub::hub

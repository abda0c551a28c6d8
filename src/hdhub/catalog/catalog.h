// Catalog: the hub's record of datasets and their immutable versions, kept in
// the embedded transactional store <hub state dir>/catalog.db (SQLite, see
// sqlite.h). Tables and invariants are specified in docs/formats/catalog.md.
//
// A version's life: BeginVersion() -> pending; AddObject() while pending;
// then CommitVersion() -> committed, or DiscardVersion() -> discarded.
// DestroyWrappedKey() crypto-shreds any version -> shredded. Committed,
// discarded and shredded versions never change again (SQLite triggers refuse
// it too, whatever the client). Version numbers are 1, 2, 3... per dataset and
// are never reused, discarded ones included.
//
// A committed version ingested by mistake is withdrawn (WithdrawVersion):
// shredded, with a record of who withdrew it, when and why; the newest
// committed version left is current again. A dataset made by mistake is
// removed (RemoveDataset): every version shredded, the dataset hidden from
// ListDatasets, a tombstone kept; its name may be created again, and its
// version numbers then continue after the removed ones.
//
// The catalog stores wrapped data keys as opaque bytes; it never sees a key
// in clear and needs no crypto.
//
// Ownership: the Catalog owns its SQLite connection; the Clock is borrowed and
// must outlive it. Thread-safety: every method may be called from several
// threads (calls are serialized on one connection). Several Catalog objects,
// in one or several processes, may open the same file: readers see the last
// committed state while a writer works; writers take turns (Unavailable after
// the busy timeout).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/catalog/sqlite.h"
#include "hdhub/common/bytes.h"
#include "hdhub/common/clock.h"
#include "hdhub/common/status.h"

namespace hdhub::catalog {

enum class VersionState { kPending, kCommitted, kDiscarded, kShredded };
// "pending", "committed", "discarded", "shredded": as stored in catalog.db.
std::string_view VersionStateName(VersionState state);

// One sealed object of a version. Mirrors storage::SealedObjectInfo with the
// digest as lower-case hex, so the catalog does not depend on storage.
struct ObjectRecord {
  std::string logical_name;  // e.g. "datasets/ER_PRS_F/v3/part-0.parquet"
  std::string object_name;   // the opaque name on the host
  uint64_t plaintext_size = 0;
  uint64_t ciphertext_size = 0;
  std::string ciphertext_sha256;  // 64 lower-case hex digits
};

struct DatasetRecord {
  std::string name;
  TimePoint created_at;                 // of the name's latest creation
  std::optional<TimePoint> removed_at;  // while removed (Listing::kWithRemoved only)
};

// Who withdrew a version (or removed its dataset), when and why.
struct Withdrawal {
  TimePoint at;
  std::string by;      // the account
  std::string reason;  // 1 to 500 characters, no control character
};

struct VersionRecord {
  std::string dataset;
  int64_t version = 0;
  VersionState state = VersionState::kPending;
  std::string schema_json;            // Table Schema JSON the data follows
  std::optional<uint64_t> row_count;  // set by CommitVersion
  Bytes wrapped_dek;                  // empty once shredded
  std::string source_digest;          // SHA-256 hex of the ingested input
  TimePoint created_at;
  std::optional<TimePoint> committed_at;
  std::string report_json = "{}";  // what the ingest found, set by CommitVersion
  std::optional<Withdrawal> withdrawal;  // set when withdrawn (then shredded)
};

struct VersionWithObjects {
  VersionRecord version;
  std::vector<ObjectRecord> objects;  // ordered by logical name
};

class Catalog {
 public:
  // Opens or creates the catalog at `path` (its directory must exist) and
  // brings its schema up to date. `clock` stamps created_at/committed_at.
  // NotFound when the directory is missing; DataLoss when the file is not a
  // catalog; FailedPrecondition when it was written by a newer hdhub.
  // `cipher`: the hub's state is encrypted on disk (sqlite_cipher.h).
  static StatusOr<std::unique_ptr<Catalog>> Open(const std::string& path, Clock* clock,
                                                 std::shared_ptr<const SqliteCipher> cipher = nullptr);

  // Datasets are named like SNDS tables: [A-Za-z0-9_]{1,64}, e.g. ER_PRS_F.
  static bool IsValidDatasetName(std::string_view name);

  // Creates an empty dataset, or lists a removed one again (its removed
  // versions stay shredded). InvalidArgument for a bad name; AlreadyExists
  // when a listed dataset of that name exists (callers that only need it to
  // exist treat AlreadyExists as success).
  Status CreateDataset(std::string_view name);
  // Every dataset, ordered by name: the listed ones, or removed ones too.
  enum class Listing { kListed, kWithRemoved };
  StatusOr<std::vector<DatasetRecord>> ListDatasets(Listing listing = Listing::kListed);

  // Starts version max(version)+1 of `dataset` in state pending and returns
  // its number. `schema_json` must be a JSON object, `source_digest` 64
  // lower-case hex digits, `wrapped_dek` non-empty (InvalidArgument
  // otherwise). NotFound when the dataset does not exist or was removed.
  StatusOr<int64_t> BeginVersion(std::string_view dataset, std::string_view schema_json, std::string_view source_digest,
                                 ByteSpan wrapped_dek);
  // The same, with the wrapped data key made by `wrap` for the version number
  // the catalog assigns (inside the transaction that assigns it), so that a
  // key can be bound to its version. `wrap`'s errors abort the call.
  using WrapForVersion = std::function<StatusOr<Bytes>(int64_t version)>;
  StatusOr<int64_t> BeginVersion(std::string_view dataset, std::string_view schema_json, std::string_view source_digest,
                                 const WrapForVersion& wrap);
  // A source digest for a version begun before its input was hashed; it is
  // replaced at commit (CommitVersion's `source_digest`).
  static constexpr std::string_view kDigestNotYetKnown =
      "0000000000000000000000000000000000000000000000000000000000000000";

  // Records one object of a pending version. InvalidArgument for an empty
  // name, a bad digest or a size above 2^63-1; NotFound for an unknown
  // version; FailedPrecondition when the version is not pending;
  // AlreadyExists when the version already has that logical name.
  Status AddObject(std::string_view dataset, int64_t version, const ObjectRecord& object);

  // pending -> committed, recording `row_count`, the ingest's report (a JSON
  // object, InvalidArgument otherwise) and the commit time. NotFound for an
  // unknown version; FailedPrecondition from any other state.
  // `source_digest`, when given (64 lower-case hex digits), replaces the one
  // given at BeginVersion.
  Status CommitVersion(std::string_view dataset, int64_t version, uint64_t row_count,
                       std::string_view report_json = "{}",
                       std::optional<std::string_view> source_digest = std::nullopt);
  // pending -> discarded (its objects are recorded for cleanup, never read).
  // NotFound for an unknown version; FailedPrecondition from any other state.
  Status DiscardVersion(std::string_view dataset, int64_t version);

  // Crypto-shredding: overwrites the version's wrapped data key with an empty
  // blob and moves it to shredded, from any state. Every object sealed under
  // that key becomes unreadable for good. Idempotent: OK when already
  // shredded. NotFound for an unknown version.
  Status DestroyWrappedKey(std::string_view dataset, int64_t version);

  // A KEK rotation (hub/kek_rotation.h): replaces the wrapped data key of
  // every version that has one (any state but shredded) by what `rewrap`
  // returns for it, in one transaction; `rewrap`'s error rolls back every
  // change. Returns how many keys it rewrapped.
  using RewrapFn = std::function<StatusOr<Bytes>(std::string_view dataset, int64_t version, ByteSpan wrapped)>;
  StatusOr<size_t> RewrapDataKeys(const RewrapFn& rewrap);

  // Withdraws committed `version` of `dataset`: in one transaction, destroys
  // its wrapped data key (shredded, as DestroyWrappedKey) and records
  // Withdrawal{now, by, reason}. Its objects are the caller's to delete (a
  // shredded version's objects are leftovers to `hdhub check`).
  // InvalidArgument for an empty `by` or a bad reason (ValidateReason);
  // NotFound for an unknown version or a removed dataset; FailedPrecondition
  // when the version is not committed (already withdrawn, pending...).
  Status WithdrawVersion(std::string_view dataset, int64_t version, std::string_view by, std::string_view reason);
  // Removes `dataset`: in one transaction, shreds every version not yet
  // shredded (each with a Withdrawal record), hides the dataset from
  // ListDatasets and records the removal (who, when, why, last version).
  // Returns the versions it shredded. InvalidArgument as WithdrawVersion;
  // NotFound when no listed dataset has that name.
  StatusOr<std::vector<int64_t>> RemoveDataset(std::string_view dataset, std::string_view by, std::string_view reason);
  // OK for a withdrawal or removal reason: 1 to 500 characters, no control
  // character (it is printed and logged); InvalidArgument saying which.
  static Status ValidateReason(std::string_view reason);

  // The committed version with the highest number, with its objects.
  // NotFound when the dataset does not exist or has no committed version.
  StatusOr<VersionWithObjects> LatestCommittedVersion(std::string_view dataset);
  // One version in any state, with its objects. NotFound when absent.
  StatusOr<VersionWithObjects> GetVersion(std::string_view dataset, int64_t version);
  // Every version of `dataset` in any state, by increasing number (without
  // objects). NotFound when the dataset does not exist.
  StatusOr<std::vector<VersionRecord>> ListVersions(std::string_view dataset);
  // The newest committed version of `dataset` ingested from an input with
  // this SHA-256, so re-ingesting the same file can be detected. NotFound
  // when there is none (pending, discarded and shredded ones do not count).
  StatusOr<VersionRecord> FindVersionBySourceDigest(std::string_view dataset, std::string_view source_digest);
  // Every pending version of every dataset, with its objects: what a crashed
  // ingest left behind. Cleanup deletes those objects, then DiscardVersion().
  StatusOr<std::vector<VersionWithObjects>> ListPendingVersions();

  // The catalog's own connection, for tests (e.g. reading schema_version).
  // Other components keeping tables in catalog.db open their own Database on
  // the same path. Not to be used concurrently with this Catalog's methods.
  Database* database_for_test() { return db_.get(); }

  Catalog(std::unique_ptr<Database> db, Clock* clock) : db_(std::move(db)), clock_(clock) {}

 private:
  StatusOr<VersionState> StateOf(std::string_view dataset, int64_t version);
  Status Transition(std::string_view dataset, int64_t version, VersionState to, std::optional<uint64_t> row_count,
                    std::string_view report_json, std::optional<std::string_view> source_digest = std::nullopt);
  StatusOr<std::vector<ObjectRecord>> ObjectsOf(std::string_view dataset, int64_t version);
  StatusOr<VersionWithObjects> WithObjects(VersionRecord record);
  Status CheckDatasetExists(std::string_view dataset, Listing listing);
  // Inside a write transaction: empties the wrapped key, state shredded.
  Status ShredInTransaction(std::string_view dataset, int64_t version);
  Status RecordWithdrawal(std::string_view dataset, int64_t version, std::string_view by, std::string_view reason);
  // Truncates the WAL after a key was destroyed, so no old page holds it.
  void ForgetOldPages();

  std::mutex mu_;
  std::unique_ptr<Database> db_;
  Clock* clock_;
};

}  // namespace hdhub::catalog

// BlobStore: the seam to the hosting provider, which is untrusted. It stores
// opaque, already-sealed objects under opaque names; it never sees a key.
//
// Backends are chosen by URI in main() through a BlobStoreRegistry:
//   file:///path    the embedded default: a local directory, atomic writes
//                   (temporary file, fsync, rename, fsync of the directory)
//   memory:         in-process, for tests
//   s3://bucket/... an S3 host (hdhub/s3/s3_blob_store.h, its own library)
// Decorators add fault injection, metrics and retries.
// One conformance suite (blob_store_conformance.h) runs against every backend.
//
// Object names: 1..512 characters of [a-z0-9._/-], not starting or ending with
// '/', no "//", and no component starting with '.' (so no "." or "..", and
// backends may keep bookkeeping such as file://'s ".tmp/" beside objects).
// Anything else is InvalidArgument.
//
// Ownership: a store must outlive the readers and writers it hands out.
// Thread-safety: every BlobStore method may be called from several threads at
// once, and so may BlobReader::ReadAt (DuckDB reads one file from many
// threads). A BlobWriter is used by one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/common/bytes.h"
#include "hdhub/common/status.h"
#include "hdhub/crypto/hash.h"

namespace hdhub::storage {

struct ObjectInfo {
  std::string name;
  uint64_t size = 0;
};

// Random access to one object as it was when opened: after an overwrite or a
// delete of the name, a reader returns the bytes it opened or an error (a
// remote backend may detect the change), never a mix of old and new.
class BlobReader {
 public:
  virtual ~BlobReader() = default;
  virtual uint64_t size() const = 0;
  // Reads exactly out.size() bytes at `offset` (an empty read at size() is OK).
  // OutOfRange when the range goes past the end; Unavailable when the host
  // cannot be reached. Safe to call from several threads at once.
  virtual Status ReadAt(uint64_t offset, MutableByteSpan out) = 0;

  // Hands the bytes [offset, offset + length) to `sink` in order, in pieces
  // of any size (each valid only during its call), and stops at the first
  // error: the read's, or the sink's, returned as it is. OutOfRange as
  // ReadAt. A copy reads an object this way: the default calls ReadAt
  // kStreamChunk at a time; a backend that can send the range in one answer
  // (s3://: one GET, instead of one ranged GET per chunk) overrides it.
  using Sink = std::function<Status(ByteSpan piece)>;
  virtual Status ReadStream(uint64_t offset, uint64_t length, const Sink& sink);
  static constexpr uint64_t kStreamChunk = 8 * 1024 * 1024;

  // The whole object's MD5 as its host reports it (32 lower-case hex digits:
  // an S3 ETag of a single-part upload), or "" when the host does not say.
  // A copy passes it on for the new host to check what it receives; hdhub
  // itself never trusts it in place of a hash it computes.
  virtual std::string content_md5() const { return {}; }
};

// A new object built by appends. Nothing is visible under the name until
// Commit() returns OK; a writer destroyed without Commit() leaves no trace
// (and an existing object of that name unchanged).
class BlobWriter {
 public:
  virtual ~BlobWriter() = default;
  // After a failed Append the writer is unusable: Commit() then returns
  // FailedPrecondition rather than publish an object with a hole in it.
  virtual Status Append(ByteSpan data) = 0;
  virtual uint64_t bytes_written() const = 0;
  // Publishes the object atomically. In WriteMode::kIfAbsent, AlreadyExists
  // when an object of that name exists (and nothing changes). The writer cannot
  // be used after Commit() (FailedPrecondition), whatever it returned.
  virtual Status Commit() = 0;
};

enum class WriteMode { kOverwrite, kIfAbsent };

class BlobStore {
 public:
  virtual ~BlobStore() = default;

  // Atomically creates or replaces `name` (kIfAbsent: AlreadyExists if present).
  virtual Status Put(std::string_view name, ByteSpan data,
                     WriteMode mode = WriteMode::kOverwrite) = 0;
  virtual StatusOr<std::unique_ptr<BlobWriter>> NewWriter(
      std::string_view name, WriteMode mode = WriteMode::kOverwrite) = 0;

  // Copies all of `source` into `name` (created or replaced), for an object
  // whose SHA-256 the caller has on record: the bytes are hashed as they go
  // and nothing is published unless they hash to `sha256` (DataLoss naming
  // `name`, which stays as it was). A backend whose host can check the hash
  // as well asks it to (s3://: one PUT whose SigV4 payload hash is `sha256`,
  // which the host verifies before it stores anything). The default: a
  // writer fed by the source's ReadStream.
  virtual Status PutFrom(std::string_view name, BlobReader& source, const crypto::Digest& sha256);

  // NotFound when absent. Every method taking a name returns InvalidArgument
  // for a name that breaks the rules above.
  virtual StatusOr<Bytes> Get(std::string_view name) = 0;
  // NotFound when absent; OutOfRange when offset + length > size (a zero-length
  // range at the end is OK and empty).
  virtual StatusOr<Bytes> GetRange(std::string_view name, uint64_t offset, uint64_t length) = 0;
  virtual StatusOr<std::unique_ptr<BlobReader>> OpenReader(std::string_view name) = 0;
  virtual StatusOr<ObjectInfo> Stat(std::string_view name) = 0;

  // Every object whose name starts with `prefix` (plain string prefix: "a/b"
  // matches "a/b", "a/bc" and "a/b/c"), sorted by name. "" lists everything.
  virtual StatusOr<std::vector<ObjectInfo>> List(std::string_view prefix) = 0;

  // NotFound when absent.
  virtual Status Delete(std::string_view name) = 0;

  // Discards what writers that never committed left behind and the host
  // still keeps (an S3 host's incomplete multipart uploads, which cost
  // storage and hold ciphertext although no object shows them), and returns
  // how many. Only when no writer of this store is live in any process (a
  // resumed host migration, a purge). Backends that keep nothing: 0.
  virtual StatusOr<uint64_t> AbortUnfinishedWrites() { return uint64_t{0}; }

  // "file:///srv/hub" or "memory:"; for logs.
  virtual std::string Describe() const = 0;
};

// InvalidArgument unless `name` follows the rules above.
Status ValidateObjectName(std::string_view name);

// The DataLoss a PutFrom returns when the copied bytes do not hash to the
// digest on record (so that every backend words it alike).
Status CopyHashMismatch(std::string_view name);

// OutOfRange unless [offset, offset + length) lies within an object of `size`
// bytes (overflow-safe); for backends, so that every one words it alike.
Status CheckReadRange(std::string_view name, uint64_t offset, uint64_t length, uint64_t size);

class BlobStoreRegistry {
 public:
  using Factory = std::function<StatusOr<std::unique_ptr<BlobStore>>(std::string_view rest)>;
  // Replaces any factory already registered for `scheme` ("file", "memory").
  void Register(std::string scheme, Factory factory);
  // Opens "scheme:rest" by calling the scheme's factory with `rest` ("///srv/hub"
  // for "file:///srv/hub", "" for "memory:"). InvalidArgument for a URI without
  // a scheme or with an unknown scheme (the message names the scheme).
  StatusOr<std::unique_ptr<BlobStore>> Open(std::string_view uri) const;

 private:
  std::map<std::string, Factory, std::less<>> factories_;
};

// Registers the backends built into hdhub: "memory" and "file".
void RegisterBuiltinBlobStores(BlobStoreRegistry& registry);

}  // namespace hdhub::storage

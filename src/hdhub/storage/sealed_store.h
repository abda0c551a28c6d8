// SealedStore: what the hub writes to a host. It maps logical names
// ("datasets/ER_PRS_F/v3/part-0.parquet") to opaque object names
// ("o/5f/5f3c…", an HMAC of the logical name under a hub key, so the host learns
// no table, dataset or project name) and seals every byte with the sealed-object
// format (crypto/streaming_aead.h), the logical name as associated data: an
// object copied or swapped to another name fails to decrypt.
//
// The caller supplies the data key of each object (from the catalog, unwrapped
// by the KeyStore); the SealedStore never persists a key.
//
// Ownership: the SealedStore borrows its BlobStore (which must outlive it and
// every reader and writer it hands out) and owns the names HMAC.
// Thread-safety: methods may be called from several threads; readers and
// writers are used by one thread at a time, except SealedReader::ReadAt which
// is safe to call concurrently.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "hdhub/common/bytes.h"
#include "hdhub/common/secret_bytes.h"
#include "hdhub/common/status.h"
#include "hdhub/crypto/hash.h"
#include "hdhub/crypto/streaming_aead.h"
#include "hdhub/storage/blob_store.h"

namespace hdhub::storage {

// What a committed sealed object is: recorded in the catalog so that a host
// that tampers with or rolls back an object is caught.
struct SealedObjectInfo {
  std::string logical_name;
  std::string object_name;
  uint64_t plaintext_size = 0;
  uint64_t ciphertext_size = 0;
  crypto::Digest ciphertext_sha256{};
};

// Seals plaintext as it is appended and streams the ciphertext to the host,
// holding at most about one segment in memory. Destroyed without Commit(), it
// leaves nothing on the host (and an older object of that name unchanged).
class SealedWriter {
 public:
  virtual ~SealedWriter() = default;
  // Errors of the BlobWriter; after one, the writer is unusable and Commit()
  // returns FailedPrecondition.
  virtual Status Append(ByteSpan plaintext) = 0;
  virtual uint64_t plaintext_written() const = 0;
  // Seals the last segment and publishes the object atomically; returns what
  // the catalog records. AlreadyExists under WriteMode::kIfAbsent when the
  // object exists. The writer cannot be used afterwards.
  virtual StatusOr<SealedObjectInfo> Commit() = 0;
};

// Random access to the plaintext of one sealed object. Each ReadAt fetches the
// ciphertext of the segments it covers in one ranged read and authenticates
// every segment before returning its bytes; the last two partially read
// segments stay decrypted in memory (a parquet footer is read in several small
// reads). Holds the open BlobReader, which must not outlive its BlobStore.
class SealedReader {
 public:
  virtual ~SealedReader() = default;
  virtual uint64_t size() const = 0;  // plaintext bytes
  // Reads plaintext [offset, offset + out.size()), decrypting only the segments
  // that cover it. OutOfRange past the end; DataLoss on any integrity failure
  // (then `out` is zeroed, never left with unauthenticated bytes). Truncation is
  // caught when the (new) last segment is read; Get() always reads it.
  virtual Status ReadAt(uint64_t offset, MutableByteSpan out) = 0;
};

class SealedStore {
 public:
  // `names` keys the logical→object name mapping (KeyStore::HmacFor("object-names")).
  SealedStore(BlobStore* store, std::unique_ptr<crypto::HmacSha256> names,
              uint32_t segment_size = crypto::kDefaultSegmentSize);

  // Opaque, deterministic object name for a logical name:
  // "o/" + first 2 hex digits + "/" + hex(HMAC-SHA256(names key, logical name)).
  std::string ObjectNameFor(std::string_view logical_name) const;

  // A writer sealing into a BlobWriter for ObjectNameFor(logical_name); nothing
  // is visible until Commit(). InvalidArgument for an empty name or a data key
  // that is not 32 bytes; errors of the BlobStore otherwise.
  StatusOr<std::unique_ptr<SealedWriter>> NewWriter(std::string_view logical_name,
                                                    const SecretBytes& data_key,
                                                    WriteMode mode = WriteMode::kOverwrite);
  // Reads the header and authenticates the last segment, so that an object
  // truncated or extended to any length, or swapped, fails here. NotFound
  // when absent; DataLoss when the header or the last segment fails.
  StatusOr<std::unique_ptr<SealedReader>> OpenReader(std::string_view logical_name,
                                                     const SecretBytes& data_key);

  StatusOr<SealedObjectInfo> Put(std::string_view logical_name, const SecretBytes& data_key,
                                 ByteSpan plaintext, WriteMode mode = WriteMode::kOverwrite);
  // Decrypts every segment. NotFound when absent; DataLoss on any integrity
  // failure, truncation included.
  StatusOr<Bytes> Get(std::string_view logical_name, const SecretBytes& data_key);
  Status Delete(std::string_view logical_name);
  // Plaintext size, from the object's size alone (no decryption, one Stat),
  // assuming the object was sealed with this store's segment size (a reader's
  // size() reads the header instead). NotFound when absent; DataLoss when the
  // size cannot be a sealed object's.
  StatusOr<uint64_t> PlaintextSize(std::string_view logical_name);

  BlobStore* blob_store() const { return store_; }

 private:
  BlobStore* store_;
  std::unique_ptr<crypto::HmacSha256> names_;
  uint32_t segment_size_;
};

}  // namespace hdhub::storage

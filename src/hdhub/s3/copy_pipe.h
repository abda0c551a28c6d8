// CopyPipe: a source object's bytes for one streamed PUT, read by a thread of
// its own with the source's ReadStream (one GET when the source is on S3),
// hashed as they come and handed to the PUT through a bounded ring buffer.
// The last byte is handed over only once all of them hash to the SHA-256 on
// record; otherwise Read fails (storage::CopyHashMismatch) and the PUT stops
// short, so the host keeps nothing. Copies per byte: one into the ring, one
// out of it into the PUT's send buffer. Each side wakes the other only when
// it waits, and the reader waits for a batch (kWakeBytes, or what is left),
// not for each of the GET's 16 KiB pieces: a wake-up per piece cost as much
// CPU as hashing them.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "hdhub/common/bytes.h"
#include "hdhub/common/status.h"
#include "hdhub/crypto/hash.h"
#include "hdhub/storage/blob_store.h"

namespace hdhub::s3 {

class CopyPipe {
 public:
  // Starts reading `source` (of at least one byte) at once. `name` is the
  // target's, for the mismatch error.
  CopyPipe(storage::BlobReader& source, const crypto::Digest& sha256, std::string name,
           size_t capacity = kDefaultCapacity);
  // Stops the reading thread (its stream fails) and waits for it.
  ~CopyPipe();
  CopyPipe(const CopyPipe&) = delete;
  CopyPipe& operator=(const CopyPipe&) = delete;

  // Fills `out` with the next bytes, waiting for at least one; 0 once all
  // were read. The source's error, or the mismatch, once it is known.
  StatusOr<size_t> Read(MutableByteSpan out);

  static constexpr size_t kDefaultCapacity = 8 * 1024 * 1024;
  static constexpr size_t kWakeBytes = 256 * 1024;

 private:
  void Produce(storage::BlobReader& source, const crypto::Digest& sha256);
  Status Push(ByteSpan piece);
  uint64_t ReadableLocked() const;  // bytes Read may hand over now (mu_ held)

  const uint64_t size_;
  const std::string name_;
  Bytes ring_;
  std::mutex mu_;
  std::condition_variable readable_cv_;  // the reader waits on it
  std::condition_variable writable_cv_;  // the producer waits on it
  uint64_t written_ = 0;   // bytes into the ring so far (guarded by mu_)
  uint64_t read_ = 0;      // bytes out of it so far (guarded by mu_)
  bool finished_ = false;  // the producer is done: status_ says how (guarded by mu_)
  Status status_;          // guarded by mu_
  bool closed_ = false;    // the reader is gone (guarded by mu_)
  uint64_t reader_wants_ = 0;      // the reader waits for this many readable bytes, 0: not waiting (mu_)
  bool producer_waiting_ = false;  // the producer waits for room (guarded by mu_)
  std::thread producer_;
};

}  // namespace hdhub::s3

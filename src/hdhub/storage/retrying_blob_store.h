// RetryingBlobStore: a BlobStore decorator (a BlobStoreWrapper) that retries
// what a remote host fails transiently: every call that returns Unavailable
// (an s3:// backend maps HTTP 5xx, 429, SlowDown, connection resets and
// timeouts to it) is tried again after an exponential backoff with full
// jitter (a random wait in [0, min(max_backoff, initial_backoff * 2^n)]),
// within a bound on attempts and on total time. Other codes (NotFound,
// PermissionDenied, AlreadyExists, ...) are returned at once.
//
// Only idempotent operations are retried, and the ones whose first attempt
// may have taken effect unseen are made so:
//   - Get, GetRange, Stat, List, OpenReader and ReadAt: repeated as they are.
//   - Put (kOverwrite): writing the same bytes again is harmless.
//   - Put (kIfAbsent): when an earlier attempt failed ambiguously
//     (Unavailable: the host may have stored the object before the answer
//     was lost) and a later one finds the name taken, the object is read back
//     and compared with the bytes being written: equal means it is this write
//     (sealed objects never repeat), so Put returns OK rather than report
//     AlreadyExists for its own earlier write; different means someone else's
//     object, and AlreadyExists stands.
//   - Delete: NotFound after an ambiguous attempt means that attempt deleted it.
//   - Writers: a kIfAbsent writer buffers its object and commits it with the
//     Put above; a kOverwrite writer buffers up to `stream_threshold` bytes
//     (committed with a retried Put), and past that streams into the wrapped
//     store's writer, whose Append and Commit are not repeated here (the s3://
//     writer retries each multipart request itself).
//
// Ownership: as BlobStoreWrapper. Readers and writers it hands out refer back
// to the decorator, which must outlive them.
// Thread-safety: as BlobStore.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string_view>

#include "hdhub/storage/blob_store.h"
#include "hdhub/storage/blob_store_wrapper.h"

namespace hdhub::storage {

struct RetryOptions {
  int max_attempts = 6;  // 1 means no retry
  std::chrono::milliseconds initial_backoff{100};
  std::chrono::milliseconds max_backoff{10'000};
  // No new attempt starts once this much time has passed since the first.
  std::chrono::milliseconds max_total{60'000};
  // How to wait; tests pass one that records the waits and returns at once.
  std::function<void(std::chrono::milliseconds)> sleep;
  // Where the jitter comes from: a number in [0, bound]. Default: a
  // std::mt19937_64 seeded from std::random_device.
  std::function<uint64_t(uint64_t bound)> jitter;
};

// Whether `status` is worth another attempt (Unavailable).
bool IsTransient(const Status& status);

// Calls `attempt` until it returns something other than a transient error, or
// the options' bounds are reached; then returns its last result. The last
// error's message gains "(after N attempts)" when there were several.
// `attempt` receives its number, from 1. Thread-safe when `options` is.
class Retrier {
 public:
  explicit Retrier(RetryOptions options);
  Status Run(const std::function<Status(int attempt)>& attempt) const;

 private:
  std::chrono::milliseconds Backoff(int failures) const;
  RetryOptions options_;
  mutable std::mutex mu_;
  mutable std::mt19937_64 random_;  // guarded by mu_
};

class RetryingBlobStore : public BlobStoreWrapper {
 public:
  static constexpr uint64_t kDefaultStreamThreshold = 16 * 1024 * 1024;

  RetryingBlobStore(BlobStore* base, RetryOptions options, uint64_t stream_threshold = kDefaultStreamThreshold);
  RetryingBlobStore(std::unique_ptr<BlobStore> base, RetryOptions options,
                    uint64_t stream_threshold = kDefaultStreamThreshold);

  Status Put(std::string_view name, ByteSpan data, WriteMode mode = WriteMode::kOverwrite) override;
  StatusOr<std::unique_ptr<BlobWriter>> NewWriter(std::string_view name,
                                                  WriteMode mode = WriteMode::kOverwrite) override;
  // Retried whole (the source is read again from its start): publishing the
  // same bytes twice is harmless.
  Status PutFrom(std::string_view name, BlobReader& source, const crypto::Digest& sha256) override;
  StatusOr<Bytes> Get(std::string_view name) override;
  StatusOr<Bytes> GetRange(std::string_view name, uint64_t offset, uint64_t length) override;
  StatusOr<std::unique_ptr<BlobReader>> OpenReader(std::string_view name) override;
  StatusOr<ObjectInfo> Stat(std::string_view name) override;
  StatusOr<std::vector<ObjectInfo>> List(std::string_view prefix) override;
  Status Delete(std::string_view name) override;

  const Retrier& retrier() const { return retrier_; }
  // The base store's NewWriter, retried; for writers that stream.
  StatusOr<std::unique_ptr<BlobWriter>> NewBaseWriter(std::string_view name, WriteMode mode);

 private:
  template <typename T>
  StatusOr<T> Retry(const std::function<StatusOr<T>()>& call);

  Retrier retrier_;
  const uint64_t stream_threshold_;
};

}  // namespace hdhub::storage

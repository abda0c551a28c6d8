// FaultInjectingBlobStore: a BlobStore decorator (a BlobStoreWrapper, in the
// manner of LevelDB's EnvWrapper) that forwards every call to another store
// and, on request,
// fails chosen operations, cuts writes short, or flips bits in what reads
// return. Tests use it to prove that upper layers turn host failures into the
// right Status (Unavailable, DataLoss, ...) and that a crash mid-write leaves
// no partial object. It also counts calls per operation.
//
// With no fault configured it behaves exactly like the wrapped store (it runs
// the conformance suite).
//
// Ownership: wraps a store it borrows (which must outlive it) or owns. Readers
// and writers it hands out wrap the base store's and refer back to the
// decorator, which must outlive them.
// Thread-safety: as BlobStore; faults may be configured while other threads
// use the store.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>

#include "hdhub/storage/blob_operation.h"
#include "hdhub/storage/blob_store.h"
#include "hdhub/storage/blob_store_wrapper.h"

namespace hdhub::storage {

class FaultInjectingBlobStore : public BlobStoreWrapper {
 public:
  using BlobStoreWrapper::BlobStoreWrapper;

  // The next `count` calls of `op` return `status` without reaching the base
  // store. Calls add up: FailNext(kGet, a, 1); FailNext(kGet, b, 1) fails the
  // next Get with a, the one after with b.
  void FailNext(BlobOperation op, Status status, int count = 1);
  // Every writer stops after `limit` bytes of its object: the Append crossing
  // the limit forwards only the bytes up to it and returns `status`, as a
  // process dying mid-write would leave things. The writer is then unusable.
  void FailAppendsAfter(uint64_t limit, Status status);
  // Flips bit `bit` (0..7) of the byte at object offset `offset` in whatever
  // Get, GetRange and ReadAt return, for every object: a host that corrupts.
  void FlipBitOnRead(uint64_t offset, int bit = 0);
  // Removes every configured fault (counters are kept).
  void ClearFaults();

  // Calls of `op` so far, failed ones included.
  uint64_t calls(BlobOperation op) const;

  Status Put(std::string_view name, ByteSpan data, WriteMode mode = WriteMode::kOverwrite) override;
  StatusOr<std::unique_ptr<BlobWriter>> NewWriter(std::string_view name,
                                                  WriteMode mode = WriteMode::kOverwrite) override;
  // Through this store's own writer, so that its faults apply.
  Status PutFrom(std::string_view name, BlobReader& source, const crypto::Digest& sha256) override {
    return BlobStore::PutFrom(name, source, sha256);
  }
  StatusOr<Bytes> Get(std::string_view name) override;
  StatusOr<Bytes> GetRange(std::string_view name, uint64_t offset, uint64_t length) override;
  StatusOr<std::unique_ptr<BlobReader>> OpenReader(std::string_view name) override;
  StatusOr<ObjectInfo> Stat(std::string_view name) override;
  StatusOr<std::vector<ObjectInfo>> List(std::string_view prefix) override;
  Status Delete(std::string_view name) override;
  std::string Describe() const override { return "faults(" + BlobStoreWrapper::Describe() + ")"; }

  // For the wrapped readers and writers.
  // Counts a call of `op` and returns the failure queued for it, if any.
  Status Intercept(BlobOperation op);
  // How many of `size` bytes appended at `offset` may go through, and the
  // status to return when not all may.
  std::pair<uint64_t, Status> AppendAllowance(uint64_t offset, uint64_t size) const;
  // Applies FlipBitOnRead to `data`, read at object offset `offset`.
  void CorruptRead(uint64_t offset, MutableByteSpan data) const;

 private:
  struct BitFlip {
    uint64_t offset;
    uint8_t mask;
  };

  std::array<std::atomic<uint64_t>, kBlobOperationCount> calls_{};

  mutable std::mutex mu_;
  std::array<std::deque<Status>, kBlobOperationCount> queued_failures_;  // guarded by mu_
  std::optional<std::pair<uint64_t, Status>> append_limit_;              // guarded by mu_
  std::optional<BitFlip> bit_flip_;                                      // guarded by mu_
};

}  // namespace hdhub::storage

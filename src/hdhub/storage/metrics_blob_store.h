// MetricsBlobStore: a BlobStore decorator (a BlobStoreWrapper) that counts calls, failures and
// bytes moved, per operation, for export by the hub's metrics endpoint and for
// tests that check how much an upper layer reads (e.g. that a SealedReader
// fetches only the segments it needs). It changes no behaviour.
//
// Ownership: borrows or owns the wrapped store; readers and writers it hands
// out refer back to it, so it must outlive them.
// Thread-safety: as BlobStore; counters are atomics and Snapshot() may run at
// any time (its fields are each exact, not a consistent cut across fields).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>

#include "hdhub/storage/blob_operation.h"
#include "hdhub/storage/blob_store.h"
#include "hdhub/storage/blob_store_wrapper.h"

namespace hdhub::storage {

struct BlobStoreMetrics {
  std::array<uint64_t, kBlobOperationCount> calls{};
  std::array<uint64_t, kBlobOperationCount> errors{};
  uint64_t bytes_read = 0;     // returned by Get, GetRange and ReadAt
  uint64_t bytes_written = 0;  // accepted by Put and Append (committed or not)

  uint64_t calls_of(BlobOperation op) const { return calls[BlobOperationIndex(op)]; }
  uint64_t errors_of(BlobOperation op) const { return errors[BlobOperationIndex(op)]; }
};

class MetricsBlobStore : public BlobStoreWrapper {
 public:
  using BlobStoreWrapper::BlobStoreWrapper;

  BlobStoreMetrics Snapshot() const;

  Status Put(std::string_view name, ByteSpan data, WriteMode mode = WriteMode::kOverwrite) override;
  StatusOr<std::unique_ptr<BlobWriter>> NewWriter(std::string_view name,
                                                  WriteMode mode = WriteMode::kOverwrite) override;
  // Counted as a Put of the source's size.
  Status PutFrom(std::string_view name, BlobReader& source, const crypto::Digest& sha256) override;
  StatusOr<Bytes> Get(std::string_view name) override;
  StatusOr<Bytes> GetRange(std::string_view name, uint64_t offset, uint64_t length) override;
  StatusOr<std::unique_ptr<BlobReader>> OpenReader(std::string_view name) override;
  StatusOr<ObjectInfo> Stat(std::string_view name) override;
  StatusOr<std::vector<ObjectInfo>> List(std::string_view prefix) override;
  Status Delete(std::string_view name) override;

  // For the wrapped readers and writers: records one call of `op` that ended
  // with `status` and moved `bytes` (read or written by the operation).
  void Record(BlobOperation op, const Status& status, uint64_t bytes = 0);

 private:
  std::array<std::atomic<uint64_t>, kBlobOperationCount> calls_{};
  std::array<std::atomic<uint64_t>, kBlobOperationCount> errors_{};
  std::atomic<uint64_t> bytes_read_{0};
  std::atomic<uint64_t> bytes_written_{0};
};

}  // namespace hdhub::storage

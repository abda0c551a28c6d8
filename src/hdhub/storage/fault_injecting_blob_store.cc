#include "hdhub/storage/fault_injecting_blob_store.h"

#include <utility>

namespace hdhub::storage {
namespace {

size_t Index(BlobOperation op) { return BlobOperationIndex(op); }

class FaultInjectingReader : public BlobReaderWrapper {
 public:
  FaultInjectingReader(FaultInjectingBlobStore* faults, std::unique_ptr<BlobReader> base)
      : BlobReaderWrapper(std::move(base)), faults_(faults) {}

  Status ReadAt(uint64_t offset, MutableByteSpan out) override {
    RETURN_IF_ERROR(faults_->Intercept(BlobOperation::kReadAt));
    RETURN_IF_ERROR(BlobReaderWrapper::ReadAt(offset, out));
    faults_->CorruptRead(offset, out);
    return OkStatus();
  }

 private:
  FaultInjectingBlobStore* const faults_;
};

class FaultInjectingWriter : public BlobWriterWrapper {
 public:
  FaultInjectingWriter(FaultInjectingBlobStore* faults, std::unique_ptr<BlobWriter> base)
      : BlobWriterWrapper(std::move(base)), faults_(faults) {}

  Status Append(ByteSpan data) override {
    if (!usable_) return FailedPreconditionError("writer is finished or failed");
    Status status = AppendAllowed(data);
    if (!status.ok()) usable_ = false;
    return status;
  }

  Status Commit() override {
    if (!usable_) return FailedPreconditionError("writer is finished or failed");
    usable_ = false;
    RETURN_IF_ERROR(faults_->Intercept(BlobOperation::kCommit));
    return BlobWriterWrapper::Commit();
  }

 private:
  Status AppendAllowed(ByteSpan data) {
    RETURN_IF_ERROR(faults_->Intercept(BlobOperation::kAppend));
    auto [allowed, failure] = faults_->AppendAllowance(bytes_written(), data.size());
    RETURN_IF_ERROR(BlobWriterWrapper::Append(data.first(allowed)));
    return failure;
  }

  FaultInjectingBlobStore* const faults_;
  bool usable_ = true;
};

}  // namespace

void FaultInjectingBlobStore::FailNext(BlobOperation op, Status status, int count) {
  std::lock_guard lock(mu_);
  for (int i = 0; i < count; ++i) queued_failures_[Index(op)].push_back(status);
}

void FaultInjectingBlobStore::FailAppendsAfter(uint64_t limit, Status status) {
  std::lock_guard lock(mu_);
  append_limit_.emplace(limit, std::move(status));
}

void FaultInjectingBlobStore::FlipBitOnRead(uint64_t offset, int bit) {
  std::lock_guard lock(mu_);
  bit_flip_ = BitFlip{offset, static_cast<uint8_t>(1u << (bit & 7))};
}

void FaultInjectingBlobStore::ClearFaults() {
  std::lock_guard lock(mu_);
  for (auto& queue : queued_failures_) queue.clear();
  append_limit_.reset();
  bit_flip_.reset();
}

uint64_t FaultInjectingBlobStore::calls(BlobOperation op) const {
  return calls_[Index(op)].load(std::memory_order_relaxed);
}

Status FaultInjectingBlobStore::Intercept(BlobOperation op) {
  calls_[Index(op)].fetch_add(1, std::memory_order_relaxed);
  std::lock_guard lock(mu_);
  auto& queue = queued_failures_[Index(op)];
  if (queue.empty()) return OkStatus();
  Status failure = std::move(queue.front());
  queue.pop_front();
  return failure;
}

std::pair<uint64_t, Status> FaultInjectingBlobStore::AppendAllowance(uint64_t offset,
                                                                     uint64_t size) const {
  std::lock_guard lock(mu_);
  if (!append_limit_.has_value() || offset + size <= append_limit_->first) {
    return {size, OkStatus()};
  }
  uint64_t allowed = offset >= append_limit_->first ? 0 : append_limit_->first - offset;
  return {allowed, append_limit_->second};
}

void FaultInjectingBlobStore::CorruptRead(uint64_t offset, MutableByteSpan data) const {
  std::lock_guard lock(mu_);
  if (!bit_flip_.has_value()) return;
  if (bit_flip_->offset < offset || bit_flip_->offset - offset >= data.size()) return;
  data[bit_flip_->offset - offset] ^= bit_flip_->mask;
}

Status FaultInjectingBlobStore::Put(std::string_view name, ByteSpan data, WriteMode mode) {
  RETURN_IF_ERROR(Intercept(BlobOperation::kPut));
  return BlobStoreWrapper::Put(name, data, mode);
}

StatusOr<std::unique_ptr<BlobWriter>> FaultInjectingBlobStore::NewWriter(std::string_view name,
                                                                         WriteMode mode) {
  RETURN_IF_ERROR(Intercept(BlobOperation::kNewWriter));
  ASSIGN_OR_RETURN(std::unique_ptr<BlobWriter> base, BlobStoreWrapper::NewWriter(name, mode));
  return std::unique_ptr<BlobWriter>(std::make_unique<FaultInjectingWriter>(this, std::move(base)));
}

StatusOr<Bytes> FaultInjectingBlobStore::Get(std::string_view name) {
  RETURN_IF_ERROR(Intercept(BlobOperation::kGet));
  ASSIGN_OR_RETURN(Bytes data, BlobStoreWrapper::Get(name));
  CorruptRead(0, data);
  return data;
}

StatusOr<Bytes> FaultInjectingBlobStore::GetRange(std::string_view name, uint64_t offset,
                                                  uint64_t length) {
  RETURN_IF_ERROR(Intercept(BlobOperation::kGetRange));
  ASSIGN_OR_RETURN(Bytes data, BlobStoreWrapper::GetRange(name, offset, length));
  CorruptRead(offset, data);
  return data;
}

StatusOr<std::unique_ptr<BlobReader>> FaultInjectingBlobStore::OpenReader(std::string_view name) {
  RETURN_IF_ERROR(Intercept(BlobOperation::kOpenReader));
  ASSIGN_OR_RETURN(std::unique_ptr<BlobReader> base, BlobStoreWrapper::OpenReader(name));
  return std::unique_ptr<BlobReader>(std::make_unique<FaultInjectingReader>(this, std::move(base)));
}

StatusOr<ObjectInfo> FaultInjectingBlobStore::Stat(std::string_view name) {
  RETURN_IF_ERROR(Intercept(BlobOperation::kStat));
  return BlobStoreWrapper::Stat(name);
}

StatusOr<std::vector<ObjectInfo>> FaultInjectingBlobStore::List(std::string_view prefix) {
  RETURN_IF_ERROR(Intercept(BlobOperation::kList));
  return BlobStoreWrapper::List(prefix);
}

Status FaultInjectingBlobStore::Delete(std::string_view name) {
  RETURN_IF_ERROR(Intercept(BlobOperation::kDelete));
  return BlobStoreWrapper::Delete(name);
}

}  // namespace hdhub::storage

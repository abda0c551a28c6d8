#include "hdhub/storage/metrics_blob_store.h"

#include <utility>

namespace hdhub::storage {
namespace {

bool IsRead(BlobOperation op) {
  return op == BlobOperation::kGet || op == BlobOperation::kGetRange ||
         op == BlobOperation::kReadAt;
}

bool IsWrite(BlobOperation op) { return op == BlobOperation::kPut || op == BlobOperation::kAppend; }

class MetricsReader : public BlobReaderWrapper {
 public:
  MetricsReader(MetricsBlobStore* metrics, std::unique_ptr<BlobReader> base)
      : BlobReaderWrapper(std::move(base)), metrics_(metrics) {}

  Status ReadAt(uint64_t offset, MutableByteSpan out) override {
    Status status = BlobReaderWrapper::ReadAt(offset, out);
    metrics_->Record(BlobOperation::kReadAt, status, out.size());
    return status;
  }

 private:
  MetricsBlobStore* const metrics_;
};

class MetricsWriter : public BlobWriterWrapper {
 public:
  MetricsWriter(MetricsBlobStore* metrics, std::unique_ptr<BlobWriter> base)
      : BlobWriterWrapper(std::move(base)), metrics_(metrics) {}

  Status Append(ByteSpan data) override {
    Status status = BlobWriterWrapper::Append(data);
    metrics_->Record(BlobOperation::kAppend, status, data.size());
    return status;
  }

  Status Commit() override {
    Status status = BlobWriterWrapper::Commit();
    metrics_->Record(BlobOperation::kCommit, status);
    return status;
  }

 private:
  MetricsBlobStore* const metrics_;
};

}  // namespace

void MetricsBlobStore::Record(BlobOperation op, const Status& status, uint64_t bytes) {
  size_t index = BlobOperationIndex(op);
  calls_[index].fetch_add(1, std::memory_order_relaxed);
  if (!status.ok()) {
    errors_[index].fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (IsRead(op)) bytes_read_.fetch_add(bytes, std::memory_order_relaxed);
  if (IsWrite(op)) bytes_written_.fetch_add(bytes, std::memory_order_relaxed);
}

BlobStoreMetrics MetricsBlobStore::Snapshot() const {
  BlobStoreMetrics metrics;
  for (size_t i = 0; i < kBlobOperationCount; ++i) {
    metrics.calls[i] = calls_[i].load(std::memory_order_relaxed);
    metrics.errors[i] = errors_[i].load(std::memory_order_relaxed);
  }
  metrics.bytes_read = bytes_read_.load(std::memory_order_relaxed);
  metrics.bytes_written = bytes_written_.load(std::memory_order_relaxed);
  return metrics;
}

Status MetricsBlobStore::Put(std::string_view name, ByteSpan data, WriteMode mode) {
  Status status = BlobStoreWrapper::Put(name, data, mode);
  Record(BlobOperation::kPut, status, data.size());
  return status;
}

Status MetricsBlobStore::PutFrom(std::string_view name, BlobReader& source, const crypto::Digest& sha256) {
  Status status = BlobStoreWrapper::PutFrom(name, source, sha256);
  Record(BlobOperation::kPut, status, source.size());
  return status;
}

StatusOr<std::unique_ptr<BlobWriter>> MetricsBlobStore::NewWriter(std::string_view name,
                                                                  WriteMode mode) {
  auto writer = BlobStoreWrapper::NewWriter(name, mode);
  Record(BlobOperation::kNewWriter, writer.status());
  if (!writer.ok()) return writer.status();
  return std::unique_ptr<BlobWriter>(
      std::make_unique<MetricsWriter>(this, std::move(writer).value()));
}

StatusOr<Bytes> MetricsBlobStore::Get(std::string_view name) {
  auto data = BlobStoreWrapper::Get(name);
  Record(BlobOperation::kGet, data.status(), data.ok() ? data->size() : 0);
  return data;
}

StatusOr<Bytes> MetricsBlobStore::GetRange(std::string_view name, uint64_t offset,
                                           uint64_t length) {
  auto data = BlobStoreWrapper::GetRange(name, offset, length);
  Record(BlobOperation::kGetRange, data.status(), data.ok() ? data->size() : 0);
  return data;
}

StatusOr<std::unique_ptr<BlobReader>> MetricsBlobStore::OpenReader(std::string_view name) {
  auto reader = BlobStoreWrapper::OpenReader(name);
  Record(BlobOperation::kOpenReader, reader.status());
  if (!reader.ok()) return reader.status();
  return std::unique_ptr<BlobReader>(
      std::make_unique<MetricsReader>(this, std::move(reader).value()));
}

StatusOr<ObjectInfo> MetricsBlobStore::Stat(std::string_view name) {
  auto info = BlobStoreWrapper::Stat(name);
  Record(BlobOperation::kStat, info.status());
  return info;
}

StatusOr<std::vector<ObjectInfo>> MetricsBlobStore::List(std::string_view prefix) {
  auto objects = BlobStoreWrapper::List(prefix);
  Record(BlobOperation::kList, objects.status());
  return objects;
}

Status MetricsBlobStore::Delete(std::string_view name) {
  Status status = BlobStoreWrapper::Delete(name);
  Record(BlobOperation::kDelete, status);
  return status;
}

}  // namespace hdhub::storage

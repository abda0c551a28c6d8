#include "hdhub/storage/retrying_blob_store.h"

#include <algorithm>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "hdhub/storage/checked_blob_writer.h"

namespace hdhub::storage {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

Status WithAttempts(const Status& status, int attempts) {
  if (status.ok() || attempts <= 1) return status;
  return Status(status.code(), std::string(status.message()) + " (after " + std::to_string(attempts) + " attempts)");
}

// Reads through a reader with ReadAt retried, and streams resumed: a stream
// cut by a retryable error goes on from the first byte the sink did not take,
// so the sink sees each byte once. The sink's own errors are never retried.
class RetryingReader : public BlobReaderWrapper {
 public:
  RetryingReader(const Retrier* retrier, std::unique_ptr<BlobReader> base)
      : BlobReaderWrapper(std::move(base)), retrier_(retrier) {}

  Status ReadAt(uint64_t offset, MutableByteSpan out) override {
    return retrier_->Run([&](int) { return BlobReaderWrapper::ReadAt(offset, out); });
  }

  Status ReadStream(uint64_t offset, uint64_t length, const Sink& sink) override {
    uint64_t taken = 0;
    Status sink_error;
    // Not retryable, whatever the sink's code: the stream stops there.
    const Status refused = AbortedError("the sink refused the stream");
    Status status = retrier_->Run([&](int) {
      Status read = base().ReadStream(offset + taken, length - taken, [&](ByteSpan piece) {
        sink_error = sink(piece);
        if (sink_error.ok()) taken += piece.size();
        return sink_error.ok() ? OkStatus() : refused;
      });
      return sink_error.ok() ? read : refused;
    });
    return sink_error.ok() ? status : sink_error;
  }

 private:
  const Retrier* const retrier_;
};

// Buffers the object and commits it with the store's retried Put; a
// kOverwrite writer switches to streaming into the base store's writer once
// the buffer passes the threshold.
class RetryingWriter : public CheckedBlobWriter {
 public:
  RetryingWriter(RetryingBlobStore* store, std::string name, WriteMode mode, uint64_t stream_threshold)
      : CheckedBlobWriter(std::move(name)), store_(store), mode_(mode), stream_threshold_(stream_threshold) {}

 private:
  Status DoAppend(ByteSpan data) override {
    if (streaming_ != nullptr) return streaming_->Append(data);
    buffer_.insert(buffer_.end(), data.begin(), data.end());
    if (mode_ == WriteMode::kIfAbsent || buffer_.size() <= stream_threshold_) return OkStatus();
    ASSIGN_OR_RETURN(streaming_, store_->NewBaseWriter(name(), mode_));
    Status status = streaming_->Append(buffer_);
    Bytes().swap(buffer_);
    return status;
  }

  Status DoCommit() override {
    if (streaming_ != nullptr) return streaming_->Commit();
    return store_->Put(name(), buffer_, mode_);
  }

  RetryingBlobStore* const store_;
  const WriteMode mode_;
  const uint64_t stream_threshold_;
  Bytes buffer_;
  std::unique_ptr<BlobWriter> streaming_;
};

}  // namespace

bool IsTransient(const Status& status) { return status.code() == StatusCode::kUnavailable; }

Retrier::Retrier(RetryOptions options) : options_(std::move(options)), random_(std::random_device()()) {
  if (!options_.sleep) options_.sleep = [](milliseconds wait) { std::this_thread::sleep_for(wait); };
  options_.max_attempts = std::max(options_.max_attempts, 1);
}

milliseconds Retrier::Backoff(int failures) const {
  // min(max_backoff, initial * 2^(failures - 1)), without overflowing the shift.
  int64_t cap = options_.max_backoff.count();
  int64_t ceiling = options_.initial_backoff.count();
  for (int i = 1; i < failures && ceiling < cap; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, cap);
  if (ceiling <= 0) return milliseconds(0);
  auto bound = static_cast<uint64_t>(ceiling);
  if (options_.jitter) return milliseconds(std::min(options_.jitter(bound), bound));
  std::lock_guard<std::mutex> lock(mu_);
  return milliseconds(std::uniform_int_distribution<uint64_t>(0, bound)(random_));
}

Status Retrier::Run(const std::function<Status(int attempt)>& attempt) const {
  const auto start = steady_clock::now();
  milliseconds slept(0);
  for (int n = 1;; ++n) {
    Status status = attempt(n);
    if (!IsTransient(status) || n >= options_.max_attempts) return WithAttempts(status, n);
    milliseconds wait = Backoff(n);
    auto elapsed = std::max(std::chrono::duration_cast<milliseconds>(steady_clock::now() - start), slept);
    if (elapsed + wait >= options_.max_total) return WithAttempts(status, n);
    options_.sleep(wait);
    slept += wait;
  }
}

RetryingBlobStore::RetryingBlobStore(BlobStore* base, RetryOptions options, uint64_t stream_threshold)
    : BlobStoreWrapper(base), retrier_(std::move(options)), stream_threshold_(stream_threshold) {}

RetryingBlobStore::RetryingBlobStore(std::unique_ptr<BlobStore> base, RetryOptions options, uint64_t stream_threshold)
    : BlobStoreWrapper(std::move(base)), retrier_(std::move(options)), stream_threshold_(stream_threshold) {}

template <typename T>
StatusOr<T> RetryingBlobStore::Retry(const std::function<StatusOr<T>()>& call) {
  std::optional<StatusOr<T>> result;
  Status last = retrier_.Run([&](int) {
    result.emplace(call());
    return result->status();
  });
  if (!last.ok()) return last;
  return std::move(*result);
}

Status RetryingBlobStore::Put(std::string_view name, ByteSpan data, WriteMode mode) {
  bool ambiguous = false;
  Status status = retrier_.Run([&](int) {
    Status put = BlobStoreWrapper::Put(name, data, mode);
    if (put.code() == StatusCode::kAlreadyExists && ambiguous) {
      // Our own earlier attempt may have created it: compare the bytes.
      StatusOr<Bytes> stored = BlobStoreWrapper::Get(name);
      if (!stored.ok()) return IsTransient(stored.status()) ? stored.status() : put;
      if (stored->size() == data.size() && std::equal(stored->begin(), stored->end(), data.begin())) {
        return OkStatus();
      }
    }
    if (IsTransient(put)) ambiguous = true;
    return put;
  });
  return status;
}

StatusOr<std::unique_ptr<BlobWriter>> RetryingBlobStore::NewWriter(std::string_view name, WriteMode mode) {
  RETURN_IF_ERROR(ValidateObjectName(name));
  return std::unique_ptr<BlobWriter>(
      std::make_unique<RetryingWriter>(this, std::string(name), mode, stream_threshold_));
}

StatusOr<std::unique_ptr<BlobWriter>> RetryingBlobStore::NewBaseWriter(std::string_view name, WriteMode mode) {
  return Retry<std::unique_ptr<BlobWriter>>([&] { return BlobStoreWrapper::NewWriter(name, mode); });
}

Status RetryingBlobStore::PutFrom(std::string_view name, BlobReader& source, const crypto::Digest& sha256) {
  return retrier_.Run([&](int) { return BlobStoreWrapper::PutFrom(name, source, sha256); });
}

StatusOr<Bytes> RetryingBlobStore::Get(std::string_view name) {
  return Retry<Bytes>([&] { return BlobStoreWrapper::Get(name); });
}

StatusOr<Bytes> RetryingBlobStore::GetRange(std::string_view name, uint64_t offset, uint64_t length) {
  return Retry<Bytes>([&] { return BlobStoreWrapper::GetRange(name, offset, length); });
}

StatusOr<std::unique_ptr<BlobReader>> RetryingBlobStore::OpenReader(std::string_view name) {
  ASSIGN_OR_RETURN(auto reader, Retry<std::unique_ptr<BlobReader>>([&] { return BlobStoreWrapper::OpenReader(name); }));
  return std::unique_ptr<BlobReader>(std::make_unique<RetryingReader>(&retrier_, std::move(reader)));
}

StatusOr<ObjectInfo> RetryingBlobStore::Stat(std::string_view name) {
  return Retry<ObjectInfo>([&] { return BlobStoreWrapper::Stat(name); });
}

StatusOr<std::vector<ObjectInfo>> RetryingBlobStore::List(std::string_view prefix) {
  return Retry<std::vector<ObjectInfo>>([&] { return BlobStoreWrapper::List(prefix); });
}

Status RetryingBlobStore::Delete(std::string_view name) {
  bool ambiguous = false;
  return retrier_.Run([&](int) {
    Status status = BlobStoreWrapper::Delete(name);
    if (status.code() == StatusCode::kNotFound && ambiguous) return OkStatus();
    if (IsTransient(status)) ambiguous = true;
    return status;
  });
}

}  // namespace hdhub::storage

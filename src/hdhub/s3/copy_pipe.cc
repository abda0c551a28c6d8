#include "hdhub/s3/copy_pipe.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace hdhub::s3 {

CopyPipe::CopyPipe(storage::BlobReader& source, const crypto::Digest& sha256, std::string name, size_t capacity)
    : size_(source.size()), name_(std::move(name)), ring_(std::max<size_t>(capacity, 1)) {
  producer_ = std::thread([this, &source, sha256] { Produce(source, sha256); });
}

CopyPipe::~CopyPipe() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  writable_cv_.notify_all();
  producer_.join();
}

void CopyPipe::Produce(storage::BlobReader& source, const crypto::Digest& sha256) {
  crypto::Sha256Hasher hasher;
  Status status = source.ReadStream(0, size_, [&](ByteSpan piece) {
    hasher.Update(piece);
    return Push(piece);
  });
  std::lock_guard lock(mu_);
  if (status.ok() && written_ != size_) status = InternalError("s3: the copy of '" + name_ + "' ended early");
  if (status.ok() && hasher.Finish() != sha256) status = storage::CopyHashMismatch(name_);
  status_ = std::move(status);
  finished_ = true;
  readable_cv_.notify_all();
}

// The last byte waits for the verdict on all of them.
uint64_t CopyPipe::ReadableLocked() const {
  return (finished_ && status_.ok() ? written_ : std::min(written_, size_ > 0 ? size_ - 1 : 0)) - read_;
}

// The single producer writes into free space the reader cannot touch, so the
// copy runs unlocked; only the counters are guarded.
Status CopyPipe::Push(ByteSpan piece) {
  const size_t capacity = ring_.size();
  while (!piece.empty()) {
    uint64_t at = 0;
    size_t n = 0;
    {
      std::unique_lock lock(mu_);
      producer_waiting_ = true;
      writable_cv_.wait(lock, [&] { return closed_ || written_ - read_ < capacity; });
      producer_waiting_ = false;
      if (closed_) return AbortedError("s3: the PUT of '" + name_ + "' stopped");
      at = written_;
      n = std::min({piece.size(), size_t(capacity - (written_ - read_)), size_t(capacity - at % capacity)});
    }
    std::memcpy(ring_.data() + at % capacity, piece.data(), n);
    bool wake = false;
    {
      std::lock_guard lock(mu_);
      written_ += n;
      wake = reader_wants_ > 0 && ReadableLocked() >= reader_wants_;
    }
    if (wake) readable_cv_.notify_one();
    piece = piece.subspan(n);
  }
  return OkStatus();
}

StatusOr<size_t> CopyPipe::Read(MutableByteSpan out) {
  const size_t capacity = ring_.size();
  uint64_t at = 0;
  size_t n = 0;
  {
    std::unique_lock lock(mu_);
    // A batch, or what is left before the held-back last byte: at most half
    // the ring, so that a full ring always wakes the reader.
    const uint64_t before_last = size_ > 0 ? size_ - 1 - std::min(read_, size_ - 1) : 0;
    reader_wants_ = std::max<uint64_t>(1, std::min<uint64_t>({kWakeBytes, capacity / 2, out.size(), before_last}));
    readable_cv_.wait(lock, [&] { return finished_ || ReadableLocked() >= reader_wants_; });
    reader_wants_ = 0;
    if (finished_ && !status_.ok()) return status_;
    if (read_ == size_ || out.empty()) return size_t{0};
    at = read_;
    n = std::min({out.size(), size_t(ReadableLocked()), size_t(capacity - at % capacity)});
  }
  std::memcpy(out.data(), ring_.data() + at % capacity, n);
  bool wake = false;
  {
    std::lock_guard lock(mu_);
    read_ += n;
    wake = producer_waiting_;
  }
  if (wake) writable_cv_.notify_one();
  return n;
}

}  // namespace hdhub::s3

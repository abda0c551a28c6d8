// CheckedBlobWriter: a BlobWriter base that enforces the writer rules of
// blob_store.h in one place: after a failed Append, and after Commit whatever
// it returned, Append and Commit are FailedPrecondition. A writer derives from
// it and implements DoAppend and DoCommit; bytes_written counts the bytes of
// successful appends.
//
// Thread-safety: as BlobWriter (one thread at a time).
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "hdhub/storage/blob_store.h"

namespace hdhub::storage {

class CheckedBlobWriter : public BlobWriter {
 public:
  explicit CheckedBlobWriter(std::string name) : name_(std::move(name)) {}

  Status Append(ByteSpan data) final {
    if (!usable_) return Finished();
    Status status = DoAppend(data);
    if (status.ok()) {
      written_ += data.size();
    } else {
      usable_ = false;
    }
    return status;
  }
  uint64_t bytes_written() const final { return written_; }
  Status Commit() final {
    if (!usable_) return Finished();
    usable_ = false;
    return DoCommit();
  }

 protected:
  // Called with bytes_written() not yet counting `data`.
  virtual Status DoAppend(ByteSpan data) = 0;
  virtual Status DoCommit() = 0;
  const std::string& name() const { return name_; }

 private:
  Status Finished() const { return FailedPreconditionError("writer for " + name_ + " is finished or failed"); }

  const std::string name_;
  uint64_t written_ = 0;
  bool usable_ = true;
};

}  // namespace hdhub::storage

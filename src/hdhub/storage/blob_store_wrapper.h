// BlobStoreWrapper: a BlobStore that forwards every call to another store, in
// the manner of LevelDB's EnvWrapper. A decorator (fault injection, metrics,
// later retries) derives from it and overrides only what it changes, calling
// BlobStoreWrapper::<Method> to reach the wrapped store. BlobReaderWrapper and
// BlobWriterWrapper do the same for the readers and writers it hands out.
//
// Ownership: a BlobStoreWrapper borrows the wrapped store (which must outlive
// it) or owns it; a reader or writer wrapper owns the wrapped one.
// Thread-safety: that of the wrapped objects (see blob_store.h).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hdhub/storage/blob_store.h"

namespace hdhub::storage {

class BlobStoreWrapper : public BlobStore {
 public:
  explicit BlobStoreWrapper(BlobStore* base) : base_(base) {}
  explicit BlobStoreWrapper(std::unique_ptr<BlobStore> base) : owned_base_(std::move(base)), base_(owned_base_.get()) {}
  BlobStoreWrapper(const BlobStoreWrapper&) = delete;
  BlobStoreWrapper& operator=(const BlobStoreWrapper&) = delete;

  // The wrapped store.
  BlobStore* base() const { return base_; }

  Status Put(std::string_view name, ByteSpan data, WriteMode mode = WriteMode::kOverwrite) override {
    return base_->Put(name, data, mode);
  }
  StatusOr<std::unique_ptr<BlobWriter>> NewWriter(std::string_view name,
                                                  WriteMode mode = WriteMode::kOverwrite) override {
    return base_->NewWriter(name, mode);
  }
  Status PutFrom(std::string_view name, BlobReader& source, const crypto::Digest& sha256) override {
    return base_->PutFrom(name, source, sha256);
  }
  StatusOr<Bytes> Get(std::string_view name) override { return base_->Get(name); }
  StatusOr<Bytes> GetRange(std::string_view name, uint64_t offset, uint64_t length) override {
    return base_->GetRange(name, offset, length);
  }
  StatusOr<std::unique_ptr<BlobReader>> OpenReader(std::string_view name) override { return base_->OpenReader(name); }
  StatusOr<ObjectInfo> Stat(std::string_view name) override { return base_->Stat(name); }
  StatusOr<std::vector<ObjectInfo>> List(std::string_view prefix) override { return base_->List(prefix); }
  Status Delete(std::string_view name) override { return base_->Delete(name); }
  StatusOr<uint64_t> AbortUnfinishedWrites() override { return base_->AbortUnfinishedWrites(); }
  std::string Describe() const override { return base_->Describe(); }

 private:
  std::unique_ptr<BlobStore> owned_base_;
  BlobStore* const base_;
};

class BlobReaderWrapper : public BlobReader {
 public:
  explicit BlobReaderWrapper(std::unique_ptr<BlobReader> base) : base_(std::move(base)) {}

  uint64_t size() const override { return base_->size(); }
  Status ReadAt(uint64_t offset, MutableByteSpan out) override { return base_->ReadAt(offset, out); }
  std::string content_md5() const override { return base_->content_md5(); }
  // ReadStream is not forwarded: the default goes through this wrapper's
  // ReadAt, so a decorator that changes ReadAt alone also changes streams. A
  // decorator that keeps the wrapped reader's stream calls base().ReadStream.

 protected:
  BlobReader& base() const { return *base_; }

 private:
  const std::unique_ptr<BlobReader> base_;
};

class BlobWriterWrapper : public BlobWriter {
 public:
  explicit BlobWriterWrapper(std::unique_ptr<BlobWriter> base) : base_(std::move(base)) {}

  Status Append(ByteSpan data) override { return base_->Append(data); }
  uint64_t bytes_written() const override { return base_->bytes_written(); }
  Status Commit() override { return base_->Commit(); }

 private:
  const std::unique_ptr<BlobWriter> base_;
};

}  // namespace hdhub::storage

#include "hdhub/storage/memory_blob_store.h"

#include <utility>

namespace hdhub::storage {
namespace {

Status MissingObject(std::string_view name) {
  return NotFoundError("object '" + std::string(name) + "' does not exist");
}

class MemoryBlobReader : public BlobReader {
 public:
  MemoryBlobReader(std::string name, std::shared_ptr<const Bytes> content)
      : name_(std::move(name)), content_(std::move(content)) {}

  uint64_t size() const override { return content_->size(); }

  Status ReadAt(uint64_t offset, MutableByteSpan out) override {
    RETURN_IF_ERROR(CheckReadRange(name_, offset, out.size(), content_->size()));
    std::copy_n(content_->begin() + static_cast<ptrdiff_t>(offset), out.size(), out.begin());
    return OkStatus();
  }

 private:
  const std::string name_;
  const std::shared_ptr<const Bytes> content_;
};

class MemoryBlobWriter : public BlobWriter {
 public:
  MemoryBlobWriter(MemoryBlobStore* store, std::string name, WriteMode mode)
      : store_(store), name_(std::move(name)), mode_(mode) {}

  Status Append(ByteSpan data) override {
    if (done_) return FailedPreconditionError("writer for '" + name_ + "' already committed");
    buffer_.insert(buffer_.end(), data.begin(), data.end());
    bytes_written_ += data.size();
    return OkStatus();
  }

  // Kept after Commit() moves the buffer into the store.
  uint64_t bytes_written() const override { return bytes_written_; }

  Status Commit() override {
    if (done_) return FailedPreconditionError("writer for '" + name_ + "' already committed");
    done_ = true;
    return store_->Publish(name_, std::move(buffer_), mode_);
  }

 private:
  MemoryBlobStore* const store_;
  const std::string name_;
  const WriteMode mode_;
  Bytes buffer_;
  uint64_t bytes_written_ = 0;
  bool done_ = false;
};

}  // namespace

StatusOr<std::unique_ptr<BlobStore>> MemoryBlobStore::FromUri(std::string_view rest) {
  if (!rest.empty()) return InvalidArgumentError("memory: blob store URI takes no path");
  return std::unique_ptr<BlobStore>(std::make_unique<MemoryBlobStore>());
}

Status MemoryBlobStore::Publish(std::string_view name, Bytes data, WriteMode mode) {
  RETURN_IF_ERROR(ValidateObjectName(name));
  auto content = std::make_shared<const Bytes>(std::move(data));
  std::lock_guard lock(mu_);
  auto it = objects_.find(name);
  if (it == objects_.end()) {
    objects_.emplace(std::string(name), std::move(content));
    return OkStatus();
  }
  if (mode == WriteMode::kIfAbsent) {
    return AlreadyExistsError("object '" + std::string(name) + "' already exists");
  }
  it->second = std::move(content);
  return OkStatus();
}

StatusOr<MemoryBlobStore::Content> MemoryBlobStore::Find(std::string_view name) const {
  RETURN_IF_ERROR(ValidateObjectName(name));
  std::lock_guard lock(mu_);
  auto it = objects_.find(name);
  if (it == objects_.end()) return MissingObject(name);
  return it->second;
}

Status MemoryBlobStore::Put(std::string_view name, ByteSpan data, WriteMode mode) {
  return Publish(name, Bytes(data.begin(), data.end()), mode);
}

StatusOr<std::unique_ptr<BlobWriter>> MemoryBlobStore::NewWriter(std::string_view name,
                                                                 WriteMode mode) {
  RETURN_IF_ERROR(ValidateObjectName(name));
  return std::unique_ptr<BlobWriter>(
      std::make_unique<MemoryBlobWriter>(this, std::string(name), mode));
}

StatusOr<Bytes> MemoryBlobStore::Get(std::string_view name) {
  ASSIGN_OR_RETURN(Content content, Find(name));
  return *content;
}

StatusOr<Bytes> MemoryBlobStore::GetRange(std::string_view name, uint64_t offset, uint64_t length) {
  ASSIGN_OR_RETURN(Content content, Find(name));
  RETURN_IF_ERROR(CheckReadRange(name, offset, length, content->size()));
  auto first = content->begin() + static_cast<ptrdiff_t>(offset);
  return Bytes(first, first + static_cast<ptrdiff_t>(length));
}

StatusOr<std::unique_ptr<BlobReader>> MemoryBlobStore::OpenReader(std::string_view name) {
  ASSIGN_OR_RETURN(Content content, Find(name));
  return std::unique_ptr<BlobReader>(
      std::make_unique<MemoryBlobReader>(std::string(name), std::move(content)));
}

StatusOr<ObjectInfo> MemoryBlobStore::Stat(std::string_view name) {
  ASSIGN_OR_RETURN(Content content, Find(name));
  return ObjectInfo{std::string(name), content->size()};
}

StatusOr<std::vector<ObjectInfo>> MemoryBlobStore::List(std::string_view prefix) {
  std::vector<ObjectInfo> result;
  std::lock_guard lock(mu_);
  for (auto it = objects_.lower_bound(prefix); it != objects_.end(); ++it) {
    if (!it->first.starts_with(prefix)) break;
    result.push_back(ObjectInfo{it->first, it->second->size()});
  }
  return result;
}

Status MemoryBlobStore::Delete(std::string_view name) {
  RETURN_IF_ERROR(ValidateObjectName(name));
  std::lock_guard lock(mu_);
  auto it = objects_.find(name);
  if (it == objects_.end()) return MissingObject(name);
  objects_.erase(it);
  return OkStatus();
}

}  // namespace hdhub::storage

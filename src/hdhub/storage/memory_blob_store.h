// MemoryBlobStore: the `memory:` backend, a BlobStore held in process memory.
// For tests and for the in-memory conformance baseline; nothing survives the
// process.
//
// Objects are immutable byte buffers shared between the map and the readers
// that opened them, so a reader keeps the content it opened even after the
// name is overwritten or deleted. Writers buffer privately and publish on
// Commit().
//
// Ownership: the store must outlive its writers (they publish into it); readers
// own their snapshot and may outlive it.
// Thread-safety: all methods are safe to call concurrently (one mutex guards
// the map; copies of content are made outside it where possible).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "hdhub/storage/blob_store.h"

namespace hdhub::storage {

class MemoryBlobStore : public BlobStore {
 public:
  MemoryBlobStore() = default;
  MemoryBlobStore(const MemoryBlobStore&) = delete;
  MemoryBlobStore& operator=(const MemoryBlobStore&) = delete;

  // Registry factory for "memory:"; InvalidArgument unless `rest` is empty.
  static StatusOr<std::unique_ptr<BlobStore>> FromUri(std::string_view rest);

  Status Put(std::string_view name, ByteSpan data, WriteMode mode = WriteMode::kOverwrite) override;
  StatusOr<std::unique_ptr<BlobWriter>> NewWriter(std::string_view name,
                                                  WriteMode mode = WriteMode::kOverwrite) override;
  StatusOr<Bytes> Get(std::string_view name) override;
  StatusOr<Bytes> GetRange(std::string_view name, uint64_t offset, uint64_t length) override;
  StatusOr<std::unique_ptr<BlobReader>> OpenReader(std::string_view name) override;
  StatusOr<ObjectInfo> Stat(std::string_view name) override;
  StatusOr<std::vector<ObjectInfo>> List(std::string_view prefix) override;
  Status Delete(std::string_view name) override;
  std::string Describe() const override { return "memory:"; }

  // Installs `data` under `name`; called by writers on Commit().
  Status Publish(std::string_view name, Bytes data, WriteMode mode);

 private:
  // Immutable once published: shared by the map and by open readers.
  using Content = std::shared_ptr<const Bytes>;
  StatusOr<Content> Find(std::string_view name) const;

  mutable std::mutex mu_;
  std::map<std::string, Content, std::less<>> objects_;  // guarded by mu_
};

}  // namespace hdhub::storage

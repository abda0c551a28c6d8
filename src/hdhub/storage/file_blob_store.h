// FileBlobStore: the `file://` backend, objects as files under a root
// directory. The embedded default: a hub on one machine, or a host directory
// mounted from the provider.
//
// Layout: object "a/b/c" is the file <root>/a/b/c. Writes go to a unique
// temporary file in <root>/.tmp/ (same filesystem), are fsynced, renamed into
// place (kIfAbsent: renameat2 RENAME_NOREPLACE, or link(2) where the
// filesystem lacks it, so check-and-publish is one atomic step) and the parent
// directory is fsynced. A crash at any point leaves the old or the new object
// under a name, never a partial one; temporary files left by a crash are
// removed by the next Create() (a hub opens its host once, at start).
//
// Every path is resolved one component at a time with O_NOFOLLOW relative to
// the root, so a symbolic link planted in the tree is refused rather than
// followed out of it (FailedPrecondition). Since a file and a directory cannot
// share a path, "a" and "a/b" cannot both be objects here: writing the second
// is FailedPrecondition (the SealedStore's names never collide this way). A
// name component longer than the filesystem's NAME_MAX (255 on ext4) is
// InvalidArgument.
//
// Ownership: the store owns descriptors on the root and on .tmp/; it must
// outlive its writers. Readers own their own descriptor (pread).
// Thread-safety: every method may be called concurrently; ReadAt too.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "hdhub/common/file.h"
#include "hdhub/storage/blob_store.h"

namespace hdhub::storage {

class FileBlobStore : public BlobStore {
 public:
  // Opens the store rooted at `root`, creating the directory (and parents) if
  // missing, and deletes everything in <root>/.tmp/. NotFound /
  // PermissionDenied / Internal from the file system, naming the root.
  static StatusOr<std::unique_ptr<FileBlobStore>> Create(const std::filesystem::path& root);
  // Registry factory for "file:///abs/path": `rest` is "///abs/path".
  // InvalidArgument unless it is "//" followed by an absolute path.
  static StatusOr<std::unique_ptr<BlobStore>> FromUri(std::string_view rest);

  // Use Create(); public only so that make_unique can reach it.
  struct ConstructorToken {
    explicit ConstructorToken() = default;
  };
  FileBlobStore(ConstructorToken, std::filesystem::path root, UniqueFd root_fd, UniqueFd temp_fd);
  FileBlobStore(const FileBlobStore&) = delete;
  FileBlobStore& operator=(const FileBlobStore&) = delete;

  Status Put(std::string_view name, ByteSpan data, WriteMode mode = WriteMode::kOverwrite) override;
  StatusOr<std::unique_ptr<BlobWriter>> NewWriter(std::string_view name,
                                                  WriteMode mode = WriteMode::kOverwrite) override;
  StatusOr<Bytes> Get(std::string_view name) override;
  StatusOr<Bytes> GetRange(std::string_view name, uint64_t offset, uint64_t length) override;
  StatusOr<std::unique_ptr<BlobReader>> OpenReader(std::string_view name) override;
  StatusOr<ObjectInfo> Stat(std::string_view name) override;
  StatusOr<std::vector<ObjectInfo>> List(std::string_view prefix) override;
  Status Delete(std::string_view name) override;
  std::string Describe() const override { return "file://" + root_.string(); }

  const std::filesystem::path& root() const { return root_; }

  // For writers: moves the finished temporary file `temp_name` (in .tmp/) to
  // `name` and makes the rename durable. AlreadyExists under kIfAbsent.
  Status PublishTemp(const std::string& temp_name, std::string_view name, WriteMode mode);
  // For writers: best-effort removal of an abandoned temporary file.
  void RemoveTemp(const std::string& temp_name);

 private:
  // The directory holding object `name`, walked without following links;
  // `create` makes missing directories (durably). Sets *leaf to the last
  // component.
  StatusOr<UniqueFd> OpenParent(std::string_view name, bool create, std::string_view* leaf) const;
  // A read-only descriptor on object `name`, with its size.
  StatusOr<std::pair<UniqueFd, uint64_t>> OpenObject(std::string_view name) const;
  // A new, exclusively created temporary file; sets *temp_name.
  StatusOr<UniqueFd> CreateTemp(std::string* temp_name);
  Status ListDir(int dir_fd, const std::string& dir_name, std::string_view prefix,
                 std::vector<ObjectInfo>* out) const;

  const std::filesystem::path root_;
  const UniqueFd root_fd_;
  const UniqueFd temp_fd_;
  std::atomic<uint64_t> next_temp_id_{0};
};

}  // namespace hdhub::storage

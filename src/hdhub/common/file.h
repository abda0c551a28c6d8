// Local files: the one place where hdhub reads a whole file and publishes one
// atomically (LevelDB's Env spirit, without the virtual file system).
//
// WriteFileAtomically writes a temporary file in the target's folder
// ("<name>.tmp-XXXXXX", created O_EXCL), fsyncs it, renames it over the target
// (or links it, when the target must not exist yet), then fsyncs the folder.
// A reader sees the old file or the new one, never a mix; after a crash the
// old file is intact. On any failure the temporary file is removed and the old
// file is left as it was.
//
// FileOps is the test seam: a test substitutes failing fsync, rename or link.
//
// Ownership: UniqueFd owns one descriptor; TempFileGuard owns removing one path.
// Thread-safety: no shared state; concurrent writers of one path must be
// serialised by the caller (the last rename wins).
#pragma once

#include <sys/types.h>

#include <string>
#include <utility>

#include "hdhub/common/bytes.h"
#include "hdhub/common/status.h"

namespace hdhub {

// A file descriptor closed when the object goes out of scope. Move-only.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd();
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  // Gives up ownership (e.g. to a DIR* that will close it).
  int Release() { return std::exchange(fd_, -1); }
  // Closes now and reports close()'s error (NFS reports write errors there).
  Status Close();

 private:
  int fd_ = -1;
};

// Removes `path` when it goes out of scope, unless Release() was called.
class TempFileGuard {
 public:
  explicit TempFileGuard(std::string path) : path_(std::move(path)) {}
  ~TempFileGuard();
  TempFileGuard(const TempFileGuard&) = delete;
  TempFileGuard& operator=(const TempFileGuard&) = delete;
  const std::string& path() const { return path_; }
  void Release() { path_.clear(); }

 private:
  std::string path_;
};

// The system calls an atomic publish depends on. Tests derive from it and
// fail chosen calls; the defaults are the real calls, errno-mapped.
class FileOps {
 public:
  virtual ~FileOps() = default;
  virtual Status Sync(int fd, const std::string& path);  // fsync
  virtual Status Rename(const std::string& from, const std::string& to);
  virtual Status Link(const std::string& from, const std::string& to);
};

struct WriteOptions {
  // fsync the file and its folder before returning (off: a crash may lose the
  // new file, never tear it).
  bool durable = true;
  // Publish with link(): AlreadyExists, and nothing changes, when `path`
  // exists. Off: rename() replaces it.
  bool if_absent = false;
  // Test seam; nullptr means the real system calls. Not owned.
  FileOps* ops_for_test = nullptr;
};

// The whole content of `path`. NotFound when absent; other errno-mapped codes.
StatusOr<std::string> ReadFile(const std::string& path);

// Writes all of `data` to `fd` (retrying short writes and EINTR); errors name
// `path`.
Status WriteAll(int fd, ByteSpan data, const std::string& path);

// Replaces (or, with if_absent, creates) `path` with `data`, mode exactly
// `mode` (the umask does not apply), as described above. AlreadyExists (with
// if_absent); NotFound when the folder is missing; errno-mapped codes
// otherwise, the old file unchanged and no temporary file left.
Status WriteFileAtomically(const std::string& path, ByteSpan data, mode_t mode, const WriteOptions& options = {});

// Publishes a complete file another writer made at `temp` (in the folder of
// `path`) under `path`, as WriteFileAtomically does after writing. On failure
// `temp` is left for the caller to remove (see TempFileGuard).
Status PublishFile(const std::string& temp, const std::string& path, const WriteOptions& options = {});

// mkdir -p; a folder it creates gets `mode`, an existing one is left alone.
Status MakeDirs(const std::string& path, mode_t mode);

// fsync of a folder ("" is the current one), making created, renamed or
// removed entries durable.
Status SyncDir(const std::string& path);

}  // namespace hdhub

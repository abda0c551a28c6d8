#include "hdhub/common/scratch_area.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>

namespace hdhub {
namespace {

namespace fs = std::filesystem;
constexpr std::string_view kLockSuffix = ".lock";
constexpr int kAttempts = 8;

std::string RandomId() {
  std::random_device device;  // the kernel's generator on Linux
  std::uniform_int_distribution<uint32_t> word;
  char id[17];
  std::snprintf(id, sizeof id, "%08x%08x", word(device), word(device));
  return std::string("a-") + id;
}

Status Errno(const std::string& what) { return InternalError(what + ": " + std::strerror(errno)); }

// Whether `fd` is still the file at `path` (a remover may have unlinked the
// file between our open and our lock).
bool StillNamed(int fd, const std::string& path) {
  struct stat by_fd {};
  struct stat by_path {};
  if (::fstat(fd, &by_fd) != 0 || ::stat(path.c_str(), &by_path) != 0) return false;
  return by_fd.st_dev == by_path.st_dev && by_fd.st_ino == by_path.st_ino;
}

// Removes `folder` (if any), then `lock_path`, while holding the lock.
Status RemoveArea(const fs::path& folder, const fs::path& lock_path) {
  std::error_code ec;
  fs::remove_all(folder, ec);
  if (ec) return InternalError("cannot remove " + folder.string() + ": " + ec.message());
  fs::remove(lock_path, ec);
  if (ec) return InternalError("cannot remove " + lock_path.string() + ": " + ec.message());
  return OkStatus();
}

// Removes the area of `lock_path` if nobody holds its lock; true if removed.
StatusOr<bool> RemoveIfAbandoned(const fs::path& lock_path) {
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0 && errno == ENOENT) return false;  // removed meanwhile
  if (fd < 0) return Errno("cannot open " + lock_path.string());
  bool removed = false;
  Status status = OkStatus();
  if (::flock(fd, LOCK_EX | LOCK_NB) == 0 && StillNamed(fd, lock_path.string())) {
    fs::path folder = lock_path;
    folder.replace_extension();
    status = RemoveArea(folder, lock_path);
    removed = status.ok();
  }
  ::close(fd);
  if (!status.ok()) return status;
  return removed;
}

}  // namespace

StatusOr<std::unique_ptr<ScratchArea>> ScratchArea::Create(const std::string& root) {
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) return InternalError("cannot create " + root + ": " + ec.message());
  fs::permissions(root, fs::perms::owner_all, ec);
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    const fs::path folder = fs::path(root) / RandomId();
    const std::string lock_path = folder.string() + std::string(kLockSuffix);
    int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0 && errno == EEXIST) continue;
    if (fd < 0) return Errno("cannot create " + lock_path);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0 || !StillNamed(fd, lock_path)) {
      ::close(fd);  // a remover took it first: try another id
      continue;
    }
    if (::mkdir(folder.c_str(), 0700) != 0) {
      Status failed = Errno("cannot create " + folder.string());
      ::unlink(lock_path.c_str());
      ::close(fd);
      return failed;
    }
    return std::unique_ptr<ScratchArea>(new ScratchArea(folder.string(), lock_path, fd));
  }
  return InternalError("cannot create a scratch area under " + root);
}

ScratchArea::~ScratchArea() {
  RemoveArea(path_, lock_path_).IgnoreError();
  ::close(fd_);
}

StatusOr<std::vector<std::string>> ScratchArea::RemoveAbandoned(const std::string& root) {
  std::vector<std::string> removed;
  std::error_code ec;
  if (!fs::is_directory(root, ec)) return removed;
  std::vector<fs::path> locks, folders;
  for (const fs::directory_entry& e : fs::directory_iterator(root, ec)) {
    if (e.path().extension() == kLockSuffix && e.is_regular_file()) locks.push_back(e.path());
    if (e.is_directory() && !e.is_symlink()) folders.push_back(e.path());
  }
  if (ec) return InternalError("cannot list " + root + ": " + ec.message());
  for (const fs::path& lock : locks) {
    ASSIGN_OR_RETURN(bool gone, RemoveIfAbandoned(lock));
    fs::path folder = lock;
    folder.replace_extension();
    if (gone && std::find(folders.begin(), folders.end(), folder) != folders.end()) {
      removed.push_back(folder.filename().string());
    }
  }
  for (const fs::path& folder : folders) {
    // A folder is created after its lock file and removed before it: one
    // without a lock file has no owner.
    if (fs::exists(folder.string() + std::string(kLockSuffix), ec) || !fs::exists(folder, ec)) continue;
    fs::remove_all(folder, ec);
    if (ec) return InternalError("cannot remove " + folder.string() + ": " + ec.message());
    removed.push_back(folder.filename().string());
  }
  std::sort(removed.begin(), removed.end());
  return removed;
}

}  // namespace hdhub

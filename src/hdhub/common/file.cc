#include "hdhub/common/file.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <system_error>

#include "hdhub/common/secret_bytes.h"

namespace hdhub {
namespace {

std::string FolderOf(const std::string& path) {
  std::string parent = std::filesystem::path(path).parent_path().string();
  return parent.empty() ? "." : parent;
}

Status SyncFolder(const std::string& folder, FileOps& ops) {
  UniqueFd fd(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoToStatus(errno, "open directory " + folder);
  return ops.Sync(fd.get(), "directory " + folder);
}

// Syncs (when durable) and closes `fd`, the complete file at `temp`, then
// gives it the name `path` and syncs the folder.
Status Publish(UniqueFd fd, const std::string& temp, const std::string& path, const WriteOptions& options) {
  FileOps real;
  FileOps& ops = options.ops_for_test != nullptr ? *options.ops_for_test : real;
  if (options.durable) RETURN_IF_ERROR(ops.Sync(fd.get(), temp));
  RETURN_IF_ERROR(fd.Close());
  if (options.if_absent) {
    RETURN_IF_ERROR(ops.Link(temp, path));
    ::unlink(temp.c_str());  // the file lives on under `path`
  } else {
    RETURN_IF_ERROR(ops.Rename(temp, path));
  }
  return options.durable ? SyncFolder(FolderOf(path), ops) : OkStatus();
}

}  // namespace

UniqueFd::~UniqueFd() { Close().IgnoreError(); }

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    Close().IgnoreError();
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

Status UniqueFd::Close() {
  if (fd_ < 0) return OkStatus();
  const int rc = ::close(std::exchange(fd_, -1));
  return rc == 0 ? OkStatus() : ErrnoToStatus(errno, "close");
}

TempFileGuard::~TempFileGuard() {
  if (!path_.empty()) ::unlink(path_.c_str());
}

Status FileOps::Sync(int fd, const std::string& path) {
  if (::fsync(fd) != 0) return ErrnoToStatus(errno, "fsync " + path);
  return OkStatus();
}

Status FileOps::Rename(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) return ErrnoToStatus(errno, "rename " + from + " to " + to);
  return OkStatus();
}

Status FileOps::Link(const std::string& from, const std::string& to) {
  if (::link(from.c_str(), to.c_str()) == 0) return OkStatus();
  if (errno == EEXIST) return AlreadyExistsError(to + " already exists; it is not replaced");
  return ErrnoToStatus(errno, "link " + from + " to " + to);
}

StatusOr<std::string> ReadFile(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoToStatus(errno, "open " + path);
  std::string out;
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoToStatus(errno, "read " + path);
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  // Key files pass through here: leave no copy on the stack.
  SecureWipe(buf, sizeof(buf));
  return out;
}

Status WriteAll(int fd, ByteSpan data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoToStatus(errno, "write " + path);
    data = data.subspan(static_cast<size_t>(n));
  }
  return OkStatus();
}

Status WriteFileAtomically(const std::string& path, ByteSpan data, mode_t mode, const WriteOptions& options) {
  std::string temp = path + ".tmp-XXXXXX";
  UniqueFd fd(::mkostemp(temp.data(), O_CLOEXEC));  // mode 0600, O_EXCL
  if (!fd.valid()) return ErrnoToStatus(errno, "create a temporary file for " + path);
  TempFileGuard guard(temp);
  // mkostemp's 0600, like open()'s umask, is not what the caller asked for.
  if (::fchmod(fd.get(), mode) != 0) return ErrnoToStatus(errno, "chmod " + temp);
  RETURN_IF_ERROR(WriteAll(fd.get(), data, temp));
  RETURN_IF_ERROR(Publish(std::move(fd), temp, path, options));
  guard.Release();  // the name is gone: never unlink a later writer's file
  return OkStatus();
}

Status PublishFile(const std::string& temp, const std::string& path, const WriteOptions& options) {
  UniqueFd fd(::open(temp.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoToStatus(errno, "open " + temp);
  return Publish(std::move(fd), temp, path, options);
}

Status MakeDirs(const std::string& path, mode_t mode) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return OkStatus();  // keep the owner's mode
  std::filesystem::create_directories(path, ec);
  if (ec) return ErrnoToStatus(ec.value(), "create directory " + path);
  if (::chmod(path.c_str(), mode) != 0) return ErrnoToStatus(errno, "chmod " + path);
  return OkStatus();
}

Status SyncDir(const std::string& path) {
  FileOps real;
  return SyncFolder(path.empty() ? "." : path, real);
}

}  // namespace hdhub

#include "hdhub/audit/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <system_error>

#include "hdhub/common/secret_bytes.h"

namespace hdhub::audit {

namespace {
// Closes a descriptor on every return path.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoToStatus(errno, "write " + path);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return OkStatus();
}
}  // namespace

StatusOr<std::string> ReadWholeFile(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoToStatus(errno, "open " + path);
  std::string out;
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoToStatus(errno, "read " + path);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  // Key files pass through here: leave no copy on the stack.
  SecureWipe(buf, sizeof(buf));
  return out;
}

Status WriteFileAtomically(const std::string& path, std::string_view data, mode_t mode,
                           bool durable) {
  const std::string tmp = path + ".tmp";
  {
    Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
    if (fd.get() < 0) return ErrnoToStatus(errno, "create " + tmp);
    // open() honours the umask; the key files must end up exactly at `mode`.
    if (::fchmod(fd.get(), mode) != 0) return ErrnoToStatus(errno, "chmod " + tmp);
    RETURN_IF_ERROR(WriteAll(fd.get(), data, tmp));
    if (durable && ::fsync(fd.get()) != 0) return ErrnoToStatus(errno, "fsync " + tmp);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) return ErrnoToStatus(errno, "rename to " + path);
  if (durable) RETURN_IF_ERROR(SyncDir(std::filesystem::path(path).parent_path().string()));
  return OkStatus();
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
  Fd fd(::open(path.empty() ? "." : path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoToStatus(errno, "open directory " + path);
  if (::fsync(fd.get()) != 0) return ErrnoToStatus(errno, "fsync directory " + path);
  return OkStatus();
}

}  // namespace hdhub::audit

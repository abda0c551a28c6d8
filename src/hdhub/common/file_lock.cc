#include "hdhub/common/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

namespace hdhub {
namespace {
constexpr std::chrono::milliseconds kPollInterval{20};
constexpr mode_t kLockFileMode = 0600;
}  // namespace

StatusOr<FileLock> FileLock::Acquire(const std::string& path, std::chrono::milliseconds wait, std::string_view what) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, kLockFileMode);
  if (fd < 0) return ErrnoToStatus(errno, "open " + path);
  FileLock lock(fd);
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) return ErrnoToStatus(errno, "lock " + path);
    if (std::chrono::steady_clock::now() >= deadline) {
      return FailedPreconditionError(std::string(what) + " is busy in another hdhub process (lock " + path + ")");
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  return lock;
}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the lock
}

}  // namespace hdhub

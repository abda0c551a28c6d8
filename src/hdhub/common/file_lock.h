// FileLock: an exclusive advisory lock (flock) on a file, held while the
// object lives, released by the kernel if the process dies. Serializes hdhub
// processes that must not overlap (two ingests cleaning each other's pending
// versions). Move-only; thread-compatible.
#pragma once

#include <chrono>
#include <string>

#include "hdhub/common/status.h"

namespace hdhub {

class FileLock {
 public:
  // Creates `path` if needed (mode 0600) and locks it, waiting up to `wait`.
  // FailedPrecondition naming `what` when another process still holds it
  // then; errno-mapped codes for I/O errors.
  static StatusOr<FileLock> Acquire(const std::string& path, std::chrono::milliseconds wait, std::string_view what);

  FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace hdhub

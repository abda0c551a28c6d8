// FileLock: an advisory lock (flock) on a file, held while the object lives,
// released by the kernel if the process dies. Serializes hdhub processes that
// must not overlap (two ingests cleaning each other's pending versions, two
// audit log group commits).
//
// An exclusive holder writes one line into the lock file saying who it is,
// and empties the file when it releases the lock:
//
//   <pid> <since, RFC 3339 UTC, seconds> <command>\n
//   e.g. "1234 2026-12-01T23:50:00Z hdhub ingest\n"
//
// where <command> is the holder's program name and, when it is a plain word
// ([a-z0-9-], at most 32 characters), its first argument (the hdhub
// subcommand); nothing else from the command line, which may hold secrets. A
// process that waits in vain reads that line to name the holder in its error.
// The line is informative only: the lock is the flock, never the content.
//
// Flocks belong to open file descriptions: two FileLocks on one path conflict
// even within one process. Move-only; thread-compatible.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "hdhub/common/status.h"

namespace hdhub {

class FileLock {
 public:
  // Creates `path` if needed (mode 0600), locks it exclusively, waiting up to
  // `wait`, and writes the holder line. FailedPrecondition when another
  // process still holds it then: "<what> is busy: held by pid 1234 (hdhub
  // ingest) since 2026-12-01T23:50:00Z (lock <path>)"; errno-mapped codes for
  // I/O errors.
  static StatusOr<FileLock> Acquire(const std::string& path, std::chrono::milliseconds wait, std::string_view what);
  // Same, but shared: any number of shared holders at once, none while an
  // exclusive holder has it. A shared holder writes no line.
  static StatusOr<FileLock> AcquireShared(const std::string& path, std::chrono::milliseconds wait,
                                          std::string_view what);

  FileLock(FileLock&& other) noexcept : fd_(other.fd_), exclusive_(other.exclusive_) { other.fd_ = -1; }
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

 private:
  FileLock(int fd, bool exclusive) : fd_(fd), exclusive_(exclusive) {}
  static StatusOr<FileLock> Lock(const std::string& path, std::chrono::milliseconds wait, std::string_view what,
                                 bool exclusive);
  void Release();

  int fd_;
  bool exclusive_;
};

}  // namespace hdhub

// ScratchArea: one process's private folder for temporary files (spills of
// DuckDB, ingest scratch), <root>/<id>/ with mode 0700, owned while the object
// lives and removed with it. A process killed with -9 cannot remove its area,
// so ownership is shown by a lock, not a pid: the owner holds an exclusive
// flock on <root>/<id>.lock for the area's whole life, and the kernel drops it
// when the owner dies, however it dies. RemoveAbandoned() then removes every
// area whose lock nobody holds, and never one whose owner still runs (in this
// process or another, in any pid namespace sharing the directory).
//
//   <root>/<id>.lock   created first (O_EXCL) and locked; the owner checks the
//                      path still names the file it locked
//   <root>/<id>/       created only then; removed before its lock file
//
// A folder without a lock file was left by an hdhub that predates areas (or
// by a remover killed between the two removals) and is abandoned too.
//
// Ownership: the object owns its folder and its lock. Move-only; thread-compatible.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "hdhub/common/status.h"

namespace hdhub {

class ScratchArea {
 public:
  // Creates a fresh area under `root` (created, mode 0700, when missing).
  // Internal (with the errno's text) when the file system refuses.
  static StatusOr<std::unique_ptr<ScratchArea>> Create(const std::string& root);
  // Removes the abandoned areas of `root` (folders and lock files) and
  // returns the names of the folders removed, sorted. OK with nothing to do,
  // or when `root` does not exist. Internal when a removal fails.
  static StatusOr<std::vector<std::string>> RemoveAbandoned(const std::string& root);

  ~ScratchArea();
  ScratchArea(const ScratchArea&) = delete;
  ScratchArea& operator=(const ScratchArea&) = delete;

  // The area's folder, an absolute or root-relative path as `root` was given.
  const std::string& path() const { return path_; }

 private:
  ScratchArea(std::string path, std::string lock_path, int fd)
      : path_(std::move(path)), lock_path_(std::move(lock_path)), fd_(fd) {}

  std::string path_;
  std::string lock_path_;
  int fd_;
};

}  // namespace hdhub

// The files of an extract being written: each goes to a hidden temporary in
// the output directory (".synth-<pid>-<name>.tmp", mode 0600: a source
// extract holds raw identifiers) and is renamed to its final name only by
// Commit(), manifest.json last (written atomically, common/file.h). A failed
// or abandoned extract removes its temporaries, so readers never see partial
// files: a directory whose manifest.json is present holds a complete extract.
// Nothing is fsynced: an extract is test data, regenerated after a crash.
//
// Thread-safety: one owner (the writing thread).
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hdhub/common/file.h"
#include "hdhub/common/status.h"
#include "hdhub/synth/columns.h"

namespace hdhub::synth {

class ExtractFiles {
 public:
  // Creates `dir` if needed and opens the temporaries.
  // Errors: the directory cannot be created or written (its errno's code:
  // PermissionDenied, ResourceExhausted, NotFound, …; FailedPrecondition
  // when `dir` exists and is not a directory).
  static StatusOr<std::unique_ptr<ExtractFiles>> Create(const std::string& dir);
  ExtractFiles(const ExtractFiles&) = delete;
  ExtractFiles& operator=(const ExtractFiles&) = delete;

  // Appends to a file. Errors: the write failed (ResourceExhausted when the disk is full).
  Status Append(OutputFile file, std::string_view data);
  // Writes a whole small file (a reference table, its schema) to a temporary
  // of its own, renamed to `name` by Commit() with the others. Errors: as
  // Append's.
  Status AddWholeFile(std::string_view name, std::string_view data);
  // Writes the manifest, closes and renames everything into place.
  Status Commit(std::string_view manifest_json);

  static std::string FileName(OutputFile file);

 private:
  explicit ExtractFiles(std::string dir);
  std::string TempPath(int file) const;

  std::string dir_;
  std::string prefix_;  // ".synth-<pid>-"
  std::array<UniqueFd, kOutputFiles> fds_;
  std::array<std::optional<TempFileGuard>, kOutputFiles> temps_;  // removed unless committed
  // AddWholeFile's: the final name and the temporary (removed unless committed).
  std::vector<std::pair<std::string, std::unique_ptr<TempFileGuard>>> whole_files_;
};

}  // namespace hdhub::synth

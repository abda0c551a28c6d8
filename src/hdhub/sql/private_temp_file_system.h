// PrivateTempFileSystem: DuckDB's spill space for a locked-down instance,
// served under "hdtmp://" from a private local directory. It answers only
// DuckDB's own buffer manager: a call that comes from a query (its opener
// carries a client context, e.g. COPY … TO 'hdtmp://x' or read_text) is
// refused, so SQL can neither write a file there nor read a spilled block
// back. Blocks are encrypted by DuckDB (temp_file_encryption, with
// OpenSslEncryptionUtil), so no plaintext reaches the disk either.
//
// Ownership: DuckDB owns it once registered; it owns its LocalFileSystem and
// its directory, which it removes (with any spilled block) when destroyed. Thread-safety: as the local
// file system (DuckDB's buffer manager calls it from several threads).
#pragma once

#include <string>

#include "duckdb.hpp"
#include "hdhub/common/status.h"

namespace hdhub::sql {

inline constexpr char kPrivateTempScheme[] = "hdtmp://";

// Creates "<root>/<prefix>-<16 random hex>" with mode 0700 (root created as
// needed) for one instance's spill files; the PrivateTempFileSystem given it
// removes it. Internal when it cannot.
StatusOr<std::string> MakePrivateTempDir(const std::string& root, std::string_view prefix);

class PrivateTempFileSystem final : public duckdb::FileSystem {
 public:
  // `directory` must exist and be private to the hub (mode 0700).
  explicit PrivateTempFileSystem(std::string directory);
  ~PrivateTempFileSystem() override;

  std::string GetName() const override { return "PrivateTempFileSystem"; }
  bool CanHandleFile(const std::string& path) override { return path.rfind("hdtmp:", 0) == 0; }

  duckdb::unique_ptr<duckdb::FileHandle> OpenFile(const std::string& path, duckdb::FileOpenFlags flags,
                                                  duckdb::optional_ptr<duckdb::FileOpener> opener) override;
  bool FileExists(const std::string& filename, duckdb::optional_ptr<duckdb::FileOpener> opener) override;
  bool DirectoryExists(const std::string& directory, duckdb::optional_ptr<duckdb::FileOpener> opener) override;
  void CreateDirectory(const std::string& directory, duckdb::optional_ptr<duckdb::FileOpener> opener) override;
  void RemoveDirectory(const std::string& directory, duckdb::optional_ptr<duckdb::FileOpener> opener) override;
  bool ListFiles(const std::string& directory, const std::function<void(const std::string&, bool)>& callback,
                 duckdb::FileOpener* opener) override;
  void MoveFile(const std::string& source, const std::string& target,
                duckdb::optional_ptr<duckdb::FileOpener> opener) override;
  void RemoveFile(const std::string& filename, duckdb::optional_ptr<duckdb::FileOpener> opener) override;
  bool TryRemoveFile(const std::string& filename, duckdb::optional_ptr<duckdb::FileOpener> opener) override;
  duckdb::vector<duckdb::OpenFileInfo> Glob(const std::string& path, duckdb::FileOpener* opener) override;
  std::string PathSeparator(const std::string& path) override { return "/"; }

 private:
  // The local path for `path`, or a PermissionException when `opener` is a
  // query's or the path leaves the directory.
  std::string Local(const std::string& path, duckdb::optional_ptr<duckdb::FileOpener> opener) const;

  std::string directory_;
  duckdb::unique_ptr<duckdb::FileSystem> local_;
};

}  // namespace hdhub::sql

// HdhubFileSystem: a DuckDB FileSystem that serves hdhub://<logical name>
// paths from a SealedStore, so DuckDB scans and writes Parquet (or CSV) sealed
// on the host with no plaintext byte on any disk.
//
//   reads   open the sealed object, then every DuckDB read (footer, column
//           chunks, from several threads at once) decrypts only the segments
//           it covers;
//   writes  are sequential appends into a SealedWriter; the object is published
//           on Close() (which DuckDB calls only on success) and discarded when
//           the handle dies without it, so a failed COPY leaves nothing and a
//           failed overwrite keeps the old object.
//
// What the instance may touch is its KeyRing: a path outside every grant is
// refused (PermissionException) before the host is asked anything. The
// filesystem claims every path starting with "hdhub:" so that a malformed
// "hdhub:/x" never falls through to the local filesystem.
//
// Ownership: DuckDB owns the filesystem once registered; the SealedStore and
// KeyRing it points to are owned by the sql::Database and outlive the DuckDB
// instance. Thread-safety: as DuckDB requires; read handles are shared by
// DuckDB's threads, write handles are used by one thread.
#pragma once

#include <string>

#include "duckdb.hpp"
#include "hdhub/common/status.h"
#include "hdhub/sql/key_ring.h"
#include "hdhub/storage/sealed_store.h"

namespace hdhub::sql {

inline constexpr std::string_view kHdhubScheme = "hdhub://";

// "hdhub://datasets/A/v1/x.parquet" -> "datasets/A/v1/x.parquet".
// InvalidArgument for another scheme, an empty name, "..", "//", a control
// character or a name longer than 1024 bytes.
StatusOr<std::string> LogicalNameFromPath(std::string_view path);

// Throws the DuckDB exception matching `status` (PermissionException,
// IOException, InvalidInputException), prefixed with the canonical code name so
// callers can map it back (see database.cc).
[[noreturn]] void ThrowForStatus(const Status& status);

class HdhubFileSystem final : public duckdb::FileSystem {
 public:
  HdhubFileSystem(storage::SealedStore* store, KeyRing* keys) : store_(store), keys_(keys) {}

  std::string GetName() const override { return "HdhubFileSystem"; }
  bool CanHandleFile(const std::string& path) override;

  duckdb::unique_ptr<duckdb::FileHandle> OpenFile(const std::string& path, duckdb::FileOpenFlags flags,
                                                  duckdb::optional_ptr<duckdb::FileOpener> opener) override;

  void Read(duckdb::FileHandle& handle, void* buffer, int64_t nr_bytes, duckdb::idx_t location) override;
  int64_t Read(duckdb::FileHandle& handle, void* buffer, int64_t nr_bytes) override;
  void Write(duckdb::FileHandle& handle, void* buffer, int64_t nr_bytes, duckdb::idx_t location) override;
  int64_t Write(duckdb::FileHandle& handle, void* buffer, int64_t nr_bytes) override;

  int64_t GetFileSize(duckdb::FileHandle& handle) override;
  duckdb::timestamp_t GetLastModifiedTime(duckdb::FileHandle& handle) override;
  std::string GetVersionTag(duckdb::FileHandle& handle) override;
  duckdb::FileType GetFileType(duckdb::FileHandle& handle) override;
  void Truncate(duckdb::FileHandle& handle, int64_t new_size) override;
  void FileSync(duckdb::FileHandle& handle) override {}

  void Seek(duckdb::FileHandle& handle, duckdb::idx_t location) override;
  void Reset(duckdb::FileHandle& handle) override { Seek(handle, 0); }
  duckdb::idx_t SeekPosition(duckdb::FileHandle& handle) override;
  bool CanSeek() override { return true; }
  bool OnDiskFile(duckdb::FileHandle& handle) override { return false; }

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

 private:
  StatusOr<std::string> Resolve(const std::string& path, Access access, SecretBytes* key) const;
  Status Move(const std::string& source, const std::string& target);

  storage::SealedStore* store_;
  KeyRing* keys_;
};

}  // namespace hdhub::sql

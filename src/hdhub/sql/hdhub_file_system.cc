#include "hdhub/sql/hdhub_file_system.h"

#include <algorithm>
#include <atomic>

#include "hdhub/common/bytes.h"

namespace hdhub::sql {
namespace {

constexpr size_t kMaxLogicalNameSize = 1024;
constexpr size_t kMoveChunkSize = 4 * 1024 * 1024;

class ReadHandle final : public duckdb::FileHandle {
 public:
  ReadHandle(duckdb::FileSystem& fs, const std::string& path, duckdb::FileOpenFlags flags,
             std::unique_ptr<storage::SealedReader> reader, std::string version_tag, std::string label)
      : FileHandle(fs, path, flags),
        reader(std::move(reader)),
        version_tag(std::move(version_tag)),
        label(std::move(label)) {}
  void Close() override {}

  std::unique_ptr<storage::SealedReader> reader;
  std::string version_tag;
  std::string label;  // the grant's (KeyRing::Describe), for errors
  std::atomic<uint64_t> position{0};
};

class WriteHandle final : public duckdb::FileHandle {
 public:
  WriteHandle(duckdb::FileSystem& fs, const std::string& path, duckdb::FileOpenFlags flags,
              std::unique_ptr<storage::SealedWriter> writer, KeyRing* keys)
      : FileHandle(fs, path, flags), writer(std::move(writer)), keys(keys) {}

  // DuckDB closes a handle only when the write succeeded: publish then. A
  // handle destroyed without Close() drops the writer, which leaves nothing.
  void Close() override {
    if (writer == nullptr) return;
    StatusOr<storage::SealedObjectInfo> info = writer->Commit();
    writer.reset();
    if (!info.ok()) ThrowForStatus(info.status().WithContext(path));
    keys->NotifyCommit(*info);
  }

  std::unique_ptr<storage::SealedWriter> writer;
  KeyRing* keys;
};

ReadHandle* AsReader(duckdb::FileHandle& handle) { return dynamic_cast<ReadHandle*>(&handle); }
WriteHandle* AsWriter(duckdb::FileHandle& handle) { return dynamic_cast<WriteHandle*>(&handle); }

ReadHandle& RequireReader(duckdb::FileHandle& handle) {
  ReadHandle* r = AsReader(handle);
  if (r == nullptr) ThrowForStatus(FailedPreconditionError(handle.path + " is open for writing, not reading"));
  return *r;
}

WriteHandle& RequireWriter(duckdb::FileHandle& handle) {
  WriteHandle* w = AsWriter(handle);
  if (w == nullptr || w->writer == nullptr) {
    ThrowForStatus(FailedPreconditionError(handle.path + " is not open for writing"));
  }
  return *w;
}

// `status` of reading `name`, said the way an operator needs it: a recorded
// object the host does not have is lost (DataLoss), not merely absent, and
// the grant's label names the dataset and version (or the workspace).
Status ForObject(const Coverage& coverage, std::string_view name, Status status) {
  if (IsNotFound(status) && coverage.recorded) {
    status = DataLossError("sealed object '" + std::string(name) +
                           "' is recorded but missing on the host (deleted or lost)");
  }
  return coverage.label.empty() ? status : status.WithContext(coverage.label);
}

}  // namespace

StatusOr<std::string> LogicalNameFromPath(std::string_view path) {
  if (!path.starts_with(kHdhubScheme)) {
    return InvalidArgumentError("path '" + std::string(path.substr(0, 64)) + "' is not of the form hdhub://<name>");
  }
  std::string_view name = path.substr(kHdhubScheme.size());
  if (name.empty() || name.size() > kMaxLogicalNameSize) {
    return InvalidArgumentError("path '" + std::string(path.substr(0, 64)) + "' has an empty or oversized name");
  }
  if (name.front() == '/' || name.find("//") != std::string_view::npos) {
    return InvalidArgumentError("path '" + std::string(path) + "' has an empty component");
  }
  for (char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == '\\' || c == '*' || c == '?' || c == '[') {
      return InvalidArgumentError("path '" + std::string(path) + "' has a forbidden character");
    }
  }
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('/', start);
    if (end == std::string_view::npos) end = name.size();
    std::string_view part = name.substr(start, end - start);
    if (part == "." || part == "..")
      return InvalidArgumentError("path '" + std::string(path) + "' has a '.' or '..' component");
    start = end + 1;
  }
  return std::string(name);
}

void ThrowForStatus(const Status& status) {
  std::string message = "hdhub " + status.ToString();
  switch (status.code()) {
    case StatusCode::kPermissionDenied:
    case StatusCode::kUnauthenticated:
      throw duckdb::PermissionException(message);
    case StatusCode::kInvalidArgument:
    case StatusCode::kOutOfRange:
      throw duckdb::InvalidInputException(message);
    default:
      throw duckdb::IOException(message);
  }
}

bool HdhubFileSystem::CanHandleFile(const std::string& path) { return path.starts_with("hdhub:"); }

StatusOr<std::string> HdhubFileSystem::Resolve(const std::string& path, Access access, SecretBytes* key) const {
  ASSIGN_OR_RETURN(std::string name, LogicalNameFromPath(path));
  ASSIGN_OR_RETURN(*key, keys_->KeyFor(name, access));
  return name;
}

duckdb::unique_ptr<duckdb::FileHandle> HdhubFileSystem::OpenFile(const std::string& path, duckdb::FileOpenFlags flags,
                                                                 duckdb::optional_ptr<duckdb::FileOpener> opener) {
  if (flags.OpenForReading() && flags.OpenForWriting()) {
    // Sealed objects are written once, sequentially; positional rewrites (a
    // DuckDB database file, ATTACH) cannot be sealed segment by segment.
    ThrowForStatus(PermissionDeniedError(path + " cannot be opened for reading and writing at once"));
  }
  SecretBytes key;
  if (flags.OpenForWriting()) {
    StatusOr<std::string> name = Resolve(path, Access::kReadWrite, &key);
    if (!name.ok()) ThrowForStatus(name.status());
    auto writer = store_->NewWriter(*name, key);
    if (!writer.ok()) ThrowForStatus(writer.status().WithContext(path));
    return duckdb::make_uniq<WriteHandle>(*this, path, flags, std::move(writer).value(), keys_);
  }
  StatusOr<std::string> name = Resolve(path, Access::kRead, &key);
  if (!name.ok()) ThrowForStatus(name.status());
  const Coverage coverage = keys_->Describe(*name);
  auto reader = store_->OpenReader(*name, key);
  if (!reader.ok()) {
    if (IsNotFound(reader.status()) && !coverage.recorded && flags.ReturnNullIfNotExists()) return nullptr;
    ThrowForStatus(ForObject(coverage, *name, reader.status()));
  }
  // The header's random salt differs for every write: a tag that changes
  // whenever the object does, for DuckDB's cache of decrypted ranges.
  auto salt = store_->blob_store()->GetRange(store_->ObjectNameFor(*name), 9, 32);
  std::string tag = salt.ok() ? HexEncode(*salt) : std::string();
  return duckdb::make_uniq<ReadHandle>(*this, path, flags, std::move(reader).value(), std::move(tag), coverage.label);
}

void HdhubFileSystem::Read(duckdb::FileHandle& handle, void* buffer, int64_t nr_bytes, duckdb::idx_t location) {
  ReadHandle& r = RequireReader(handle);
  if (nr_bytes <= 0) return;
  Status s = r.reader->ReadAt(location, MutableByteSpan(static_cast<uint8_t*>(buffer), size_t(nr_bytes)));
  if (!s.ok()) ThrowForStatus(r.label.empty() ? s : s.WithContext(r.label));
}

int64_t HdhubFileSystem::Read(duckdb::FileHandle& handle, void* buffer, int64_t nr_bytes) {
  ReadHandle& r = RequireReader(handle);
  uint64_t pos = r.position.load();
  uint64_t size = r.reader->size();
  uint64_t n = pos >= size ? 0 : std::min<uint64_t>(uint64_t(std::max<int64_t>(nr_bytes, 0)), size - pos);
  if (n > 0) Read(handle, buffer, int64_t(n), pos);
  r.position = pos + n;
  return int64_t(n);
}

void HdhubFileSystem::Write(duckdb::FileHandle& handle, void* buffer, int64_t nr_bytes, duckdb::idx_t location) {
  WriteHandle& w = RequireWriter(handle);
  if (location != w.writer->plaintext_written()) {
    ThrowForStatus(FailedPreconditionError(handle.path + ": sealed objects are written sequentially"));
  }
  Write(handle, buffer, nr_bytes);
}

int64_t HdhubFileSystem::Write(duckdb::FileHandle& handle, void* buffer, int64_t nr_bytes) {
  WriteHandle& w = RequireWriter(handle);
  if (nr_bytes <= 0) return 0;
  Status s = w.writer->Append(ByteSpan(static_cast<const uint8_t*>(buffer), size_t(nr_bytes)));
  if (!s.ok()) ThrowForStatus(s.WithContext(handle.path));
  return nr_bytes;
}

int64_t HdhubFileSystem::GetFileSize(duckdb::FileHandle& handle) {
  if (ReadHandle* r = AsReader(handle)) return int64_t(r->reader->size());
  WriteHandle& w = RequireWriter(handle);
  return int64_t(w.writer->plaintext_written());
}

duckdb::timestamp_t HdhubFileSystem::GetLastModifiedTime(duckdb::FileHandle& handle) {
  // Objects are immutable once published; the version tag tells versions apart.
  return duckdb::timestamp_t(0);
}

std::string HdhubFileSystem::GetVersionTag(duckdb::FileHandle& handle) {
  if (ReadHandle* r = AsReader(handle)) return r->version_tag;
  return std::string();
}

duckdb::FileType HdhubFileSystem::GetFileType(duckdb::FileHandle& handle) {
  return duckdb::FileType::FILE_TYPE_REGULAR;
}

void HdhubFileSystem::Truncate(duckdb::FileHandle& handle, int64_t new_size) {
  ThrowForStatus(PermissionDeniedError(handle.path + ": sealed objects cannot be truncated"));
}

void HdhubFileSystem::Seek(duckdb::FileHandle& handle, duckdb::idx_t location) {
  ReadHandle& r = RequireReader(handle);
  r.position = location;
}

duckdb::idx_t HdhubFileSystem::SeekPosition(duckdb::FileHandle& handle) {
  if (ReadHandle* r = AsReader(handle)) return r->position.load();
  return RequireWriter(handle).writer->plaintext_written();
}

bool HdhubFileSystem::FileExists(const std::string& filename, duckdb::optional_ptr<duckdb::FileOpener> opener) {
  StatusOr<std::string> name = LogicalNameFromPath(filename);
  if (!name.ok()) return false;
  const Coverage coverage = keys_->Describe(*name);
  if (!coverage.granted) return false;
  // A recorded object "exists": opening it says what happened to it.
  return coverage.recorded || store_->blob_store()->Stat(store_->ObjectNameFor(*name)).ok();
}

bool HdhubFileSystem::DirectoryExists(const std::string& directory, duckdb::optional_ptr<duckdb::FileOpener> opener) {
  // Folders are prefixes of logical names; none is ever listed.
  return false;
}

void HdhubFileSystem::CreateDirectory(const std::string& directory, duckdb::optional_ptr<duckdb::FileOpener> opener) {
  ThrowForStatus(PermissionDeniedError(directory + ": hdhub:// has no directories to create"));
}

void HdhubFileSystem::RemoveDirectory(const std::string& directory, duckdb::optional_ptr<duckdb::FileOpener> opener) {
  ThrowForStatus(PermissionDeniedError(directory + ": hdhub:// has no directories to remove"));
}

bool HdhubFileSystem::ListFiles(const std::string& directory,
                                const std::function<void(const std::string&, bool)>& callback,
                                duckdb::FileOpener* opener) {
  // Object names on the host are opaque: listing is the catalog's job.
  return false;
}

Status HdhubFileSystem::Move(const std::string& source, const std::string& target) {
  SecretBytes source_key, target_key;
  ASSIGN_OR_RETURN(std::string from, Resolve(source, Access::kReadWrite, &source_key));
  ASSIGN_OR_RETURN(std::string to, Resolve(target, Access::kReadWrite, &target_key));
  // The logical name is sealed into every object, so a move re-seals.
  ASSIGN_OR_RETURN(auto reader, store_->OpenReader(from, source_key));
  ASSIGN_OR_RETURN(auto writer, store_->NewWriter(to, target_key));
  Bytes chunk;
  for (uint64_t offset = 0; offset < reader->size(); offset += chunk.size()) {
    chunk.resize(size_t(std::min<uint64_t>(kMoveChunkSize, reader->size() - offset)));
    RETURN_IF_ERROR(reader->ReadAt(offset, chunk));
    RETURN_IF_ERROR(writer->Append(chunk));
  }
  ASSIGN_OR_RETURN(storage::SealedObjectInfo info, writer->Commit());
  keys_->NotifyCommit(info);
  return store_->Delete(from);
}

void HdhubFileSystem::MoveFile(const std::string& source, const std::string& target,
                               duckdb::optional_ptr<duckdb::FileOpener> opener) {
  Status s = Move(source, target);
  if (!s.ok()) ThrowForStatus(s.WithContext("moving " + source + " to " + target));
}

void HdhubFileSystem::RemoveFile(const std::string& filename, duckdb::optional_ptr<duckdb::FileOpener> opener) {
  SecretBytes key;
  StatusOr<std::string> name = Resolve(filename, Access::kReadWrite, &key);
  if (!name.ok()) ThrowForStatus(name.status());
  Status s = store_->Delete(*name);
  if (!s.ok()) ThrowForStatus(s.WithContext(filename));
}

bool HdhubFileSystem::TryRemoveFile(const std::string& filename, duckdb::optional_ptr<duckdb::FileOpener> opener) {
  SecretBytes key;
  StatusOr<std::string> name = Resolve(filename, Access::kReadWrite, &key);
  if (!name.ok()) return false;
  return store_->Delete(*name).ok();
}

duckdb::vector<duckdb::OpenFileInfo> HdhubFileSystem::Glob(const std::string& path, duckdb::FileOpener* opener) {
  // DuckDB globs literal paths too, and retries "<path>/**/*.parquet" when a
  // path does not exist: a pattern matches nothing (names on the host are
  // opaque), a literal path matches itself when it exists. A path outside the
  // session's grants is refused, so the error says why, not "no files found";
  // so is a recorded object the host lost or damaged, once opened (DataLoss).
  duckdb::vector<duckdb::OpenFileInfo> result;
  if (HasGlob(path)) return result;
  StatusOr<std::string> name = LogicalNameFromPath(path);
  if (!name.ok()) ThrowForStatus(name.status());
  if (auto granted = keys_->KeyFor(*name, Access::kRead); !granted.ok()) ThrowForStatus(granted.status());
  const Coverage coverage = keys_->Describe(*name);
  StatusOr<storage::ObjectInfo> found = store_->blob_store()->Stat(store_->ObjectNameFor(*name));
  if (found.ok() || coverage.recorded) {
    result.emplace_back(path);
  } else if (!IsNotFound(found.status())) {
    ThrowForStatus(ForObject(coverage, *name, found.status()));
  }
  return result;
}

}  // namespace hdhub::sql

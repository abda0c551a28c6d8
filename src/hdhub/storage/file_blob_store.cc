#include "hdhub/storage/file_blob_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>

namespace hdhub::storage {
namespace {

constexpr char kTempDirName[] = ".tmp";
// The hub is the only user of its host directory.
constexpr mode_t kDirMode = 0700;
constexpr mode_t kFileMode = 0600;
constexpr int kMaxTempNameAttempts = 100;

std::string Quoted(std::string_view name) { return "object '" + std::string(name) + "'"; }

Status ErrnoFor(int error_number, std::string_view what, std::string_view name) {
  return ErrnoToStatus(error_number, std::string(what) + " " + Quoted(name));
}

Status SymlinkRefused(std::string_view name) {
  return FailedPreconditionError(
      "path of " + Quoted(name) +
      " goes through a symbolic link; the file store never follows links");
}

StatusOr<UniqueFd> Dup(int fd) {
  int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (copy < 0) return ErrnoToStatus(errno, "duplicate a directory descriptor");
  return UniqueFd(copy);
}

// A directory stream of its own: a dup()ed descriptor would share the file
// offset, so concurrent or successive listings would disturb each other.
StatusOr<std::unique_ptr<DIR, int (*)(DIR*)>> OpenDirStream(int dir_fd, std::string_view what) {
  UniqueFd fresh(openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fresh.valid()) return ErrnoToStatus(errno, "open " + std::string(what));
  DIR* dir = fdopendir(fresh.get());
  if (dir == nullptr) return ErrnoToStatus(errno, "list " + std::string(what));
  fresh.Release();  // closedir closes it now
  return std::unique_ptr<DIR, int (*)(DIR*)>(dir, closedir);
}

// Reads exactly out.size() bytes at `offset`, retrying short reads.
Status PreadFull(int fd, uint64_t offset, MutableByteSpan out, std::string_view name) {
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoFor(errno, "read", name);
    // Objects are replaced by rename, never truncated in place: a short file
    // means someone else altered the host directory.
    if (n == 0) return DataLossError(Quoted(name) + " is shorter than when it was opened");
    done += static_cast<size_t>(n);
  }
  return OkStatus();
}

Status WriteFull(int fd, ByteSpan data, std::string_view name) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoFor(errno, "write temporary file of", name);
    done += static_cast<size_t>(n);
  }
  return OkStatus();
}

// Opens (and with `create`, makes) the directory `component` inside `parent`.
StatusOr<UniqueFd> OpenChildDir(int parent, const std::string& component, bool create,
                                std::string_view name) {
  for (;;) {
    int fd = openat(parent, component.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) return UniqueFd(fd);
    int error = errno;
    if (error == ELOOP) return SymlinkRefused(name);
    if (error == ENOTDIR) {
      struct stat st;
      if (fstatat(parent, component.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
          S_ISLNK(st.st_mode)) {
        return SymlinkRefused(name);
      }
      if (!create) return NotFoundError(Quoted(name) + " does not exist");
      return FailedPreconditionError(Quoted(name) + " would lie below another object");
    }
    if (error != ENOENT || !create) return ErrnoFor(error, "open directory of", name);
    if (mkdirat(parent, component.c_str(), kDirMode) != 0) {
      if (errno != EEXIST) return ErrnoFor(errno, "create directory of", name);
      continue;  // Another writer made it first.
    }
    // The new entry must survive a crash before an object is renamed into it.
    if (fsync(parent) != 0) return ErrnoFor(errno, "fsync directory of", name);
  }
}

// Removes every file in .tmp/: a hub opens its host once, so all of them were
// left by an earlier process (crashed writers).
Status RemoveLeftoverTemps(int temp_fd, const std::filesystem::path& root) {
  ASSIGN_OR_RETURN(auto dir, OpenDirStream(temp_fd, (root / kTempDirName).string()));
  std::vector<std::string> names;
  while (dirent* entry = readdir(dir.get())) {
    if (std::string_view(entry->d_name) == "." || std::string_view(entry->d_name) == "..") continue;
    names.emplace_back(entry->d_name);
  }
  for (const std::string& n : names) {
    if (unlinkat(temp_fd, n.c_str(), 0) != 0 && errno != ENOENT) {
      return ErrnoToStatus(errno, "remove leftover temporary file in " + root.string());
    }
  }
  return OkStatus();
}

class FileBlobReader : public BlobReader {
 public:
  FileBlobReader(std::string name, UniqueFd fd, uint64_t size)
      : name_(std::move(name)), fd_(std::move(fd)), size_(size) {}

  uint64_t size() const override { return size_; }

  Status ReadAt(uint64_t offset, MutableByteSpan out) override {
    RETURN_IF_ERROR(CheckReadRange(name_, offset, out.size(), size_));
    return PreadFull(fd_.get(), offset, out, name_);
  }

 private:
  const std::string name_;
  const UniqueFd fd_;
  const uint64_t size_;
};

class FileBlobWriter : public BlobWriter {
 public:
  FileBlobWriter(FileBlobStore* store, std::string name, WriteMode mode, UniqueFd fd,
                 std::string temp_name)
      : store_(store),
        name_(std::move(name)),
        mode_(mode),
        fd_(std::move(fd)),
        temp_name_(std::move(temp_name)) {}

  ~FileBlobWriter() override {
    fd_ = UniqueFd();
    if (!published_) store_->RemoveTemp(temp_name_);
  }

  Status Append(ByteSpan data) override {
    if (!usable_) return FailedPreconditionError("writer for " + Quoted(name_) + " is finished");
    Status status = WriteFull(fd_.get(), data, name_);
    if (!status.ok()) {
      usable_ = false;
      return status;
    }
    bytes_written_ += data.size();
    return OkStatus();
  }

  uint64_t bytes_written() const override { return bytes_written_; }

  Status Commit() override {
    if (!usable_) return FailedPreconditionError("writer for " + Quoted(name_) + " is finished");
    usable_ = false;
    // The data must be on disk before the rename makes it reachable.
    if (fsync(fd_.get()) != 0) return ErrnoFor(errno, "fsync temporary file of", name_);
    fd_ = UniqueFd();
    RETURN_IF_ERROR(store_->PublishTemp(temp_name_, name_, mode_));
    published_ = true;
    return OkStatus();
  }

 private:
  FileBlobStore* const store_;
  const std::string name_;
  const WriteMode mode_;
  UniqueFd fd_;
  const std::string temp_name_;
  uint64_t bytes_written_ = 0;
  bool usable_ = true;
  bool published_ = false;
};

}  // namespace

FileBlobStore::FileBlobStore(ConstructorToken, std::filesystem::path root, UniqueFd root_fd,
                             UniqueFd temp_fd)
    : root_(std::move(root)), root_fd_(std::move(root_fd)), temp_fd_(std::move(temp_fd)) {}

StatusOr<std::unique_ptr<FileBlobStore>> FileBlobStore::Create(const std::filesystem::path& root) {
  std::error_code error;
  std::filesystem::path absolute = std::filesystem::absolute(root, error);
  if (!error) std::filesystem::create_directories(absolute, error);
  if (error) return ErrnoToStatus(error.value(), "create blob store root " + root.string());
  UniqueFd root_fd(open(absolute.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root_fd.valid()) return ErrnoToStatus(errno, "open blob store root " + absolute.string());
  if (mkdirat(root_fd.get(), kTempDirName, kDirMode) != 0 && errno != EEXIST) {
    return ErrnoToStatus(errno, "create " + (absolute / kTempDirName).string());
  }
  UniqueFd temp_fd(
      openat(root_fd.get(), kTempDirName, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!temp_fd.valid()) return ErrnoToStatus(errno, "open " + (absolute / kTempDirName).string());
  RETURN_IF_ERROR(RemoveLeftoverTemps(temp_fd.get(), absolute));
  return std::make_unique<FileBlobStore>(ConstructorToken(), absolute, std::move(root_fd),
                                         std::move(temp_fd));
}

StatusOr<std::unique_ptr<BlobStore>> FileBlobStore::FromUri(std::string_view rest) {
  if (!rest.starts_with("//") || rest.size() < 3 || rest[2] != '/') {
    return InvalidArgumentError("file blob store URI must be file:///absolute/path");
  }
  ASSIGN_OR_RETURN(std::unique_ptr<FileBlobStore> store, Create(std::string(rest.substr(2))));
  return std::unique_ptr<BlobStore>(std::move(store));
}

StatusOr<UniqueFd> FileBlobStore::OpenParent(std::string_view name, bool create,
                                             std::string_view* leaf) const {
  RETURN_IF_ERROR(ValidateObjectName(name));
  ASSIGN_OR_RETURN(UniqueFd dir, Dup(root_fd_.get()));
  size_t start = 0;
  for (size_t slash = name.find('/'); slash != std::string_view::npos;
       slash = name.find('/', start)) {
    std::string component(name.substr(start, slash - start));
    ASSIGN_OR_RETURN(dir, OpenChildDir(dir.get(), component, create, name));
    start = slash + 1;
  }
  *leaf = name.substr(start);
  return dir;
}

StatusOr<std::pair<UniqueFd, uint64_t>> FileBlobStore::OpenObject(std::string_view name) const {
  std::string_view leaf;
  ASSIGN_OR_RETURN(UniqueFd dir, OpenParent(name, /*create=*/false, &leaf));
  // O_NONBLOCK: a FIFO planted under an object's name must not hang the hub.
  UniqueFd file(
      openat(dir.get(), std::string(leaf).c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!file.valid()) {
    if (errno == ELOOP) return SymlinkRefused(name);
    return ErrnoFor(errno, "open", name);
  }
  struct stat st;
  if (fstat(file.get(), &st) != 0) return ErrnoFor(errno, "stat", name);
  if (!S_ISREG(st.st_mode)) return NotFoundError(Quoted(name) + " does not exist");
  return std::make_pair(std::move(file), static_cast<uint64_t>(st.st_size));
}

StatusOr<UniqueFd> FileBlobStore::CreateTemp(std::string* temp_name) {
  for (int attempt = 0; attempt < kMaxTempNameAttempts; ++attempt) {
    *temp_name = std::to_string(getpid()) + "-" + std::to_string(next_temp_id_++);
    UniqueFd fd(openat(temp_fd_.get(), temp_name->c_str(),
                       O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, kFileMode));
    if (fd.valid()) return fd;
    // EEXIST: another store object in this process uses the same root.
    if (errno != EEXIST) return ErrnoToStatus(errno, "create temporary file in " + root_.string());
  }
  return InternalError("no free temporary file name in " + root_.string());
}

void FileBlobStore::RemoveTemp(const std::string& temp_name) {
  // Best effort: a leftover is removed by the next Create() anyway.
  unlinkat(temp_fd_.get(), temp_name.c_str(), 0);
}

Status FileBlobStore::PublishTemp(const std::string& temp_name, std::string_view name,
                                  WriteMode mode) {
  std::string_view leaf_view;
  ASSIGN_OR_RETURN(UniqueFd dir, OpenParent(name, /*create=*/true, &leaf_view));
  std::string leaf(leaf_view);
  unsigned int flags = mode == WriteMode::kIfAbsent ? RENAME_NOREPLACE : 0;
  int result = renameat2(temp_fd_.get(), temp_name.c_str(), dir.get(), leaf.c_str(), flags);
  if (result != 0 && errno == EINVAL && mode == WriteMode::kIfAbsent) {
    // The filesystem lacks RENAME_NOREPLACE; link(2) also fails on an existing
    // name, atomically.
    result = linkat(temp_fd_.get(), temp_name.c_str(), dir.get(), leaf.c_str(), 0);
    if (result == 0) RemoveTemp(temp_name);
  }
  if (result != 0) {
    if (errno == EEXIST) return AlreadyExistsError(Quoted(name) + " already exists");
    if (errno == EISDIR || errno == ENOTEMPTY) {
      return FailedPreconditionError(Quoted(name) + " is a prefix of other objects' names");
    }
    return ErrnoFor(errno, "publish", name);
  }
  if (fsync(dir.get()) != 0) return ErrnoFor(errno, "fsync directory of", name);
  return OkStatus();
}

Status FileBlobStore::Put(std::string_view name, ByteSpan data, WriteMode mode) {
  ASSIGN_OR_RETURN(std::unique_ptr<BlobWriter> writer, NewWriter(name, mode));
  RETURN_IF_ERROR(writer->Append(data));
  return writer->Commit();
}

StatusOr<std::unique_ptr<BlobWriter>> FileBlobStore::NewWriter(std::string_view name,
                                                               WriteMode mode) {
  RETURN_IF_ERROR(ValidateObjectName(name));
  std::string temp_name;
  ASSIGN_OR_RETURN(UniqueFd fd, CreateTemp(&temp_name));
  return std::unique_ptr<BlobWriter>(std::make_unique<FileBlobWriter>(
      this, std::string(name), mode, std::move(fd), std::move(temp_name)));
}

StatusOr<Bytes> FileBlobStore::Get(std::string_view name) {
  ASSIGN_OR_RETURN(auto opened, OpenObject(name));
  Bytes data(opened.second);
  RETURN_IF_ERROR(PreadFull(opened.first.get(), 0, data, name));
  return data;
}

StatusOr<Bytes> FileBlobStore::GetRange(std::string_view name, uint64_t offset, uint64_t length) {
  ASSIGN_OR_RETURN(auto opened, OpenObject(name));
  RETURN_IF_ERROR(CheckReadRange(name, offset, length, opened.second));
  Bytes data(length);
  RETURN_IF_ERROR(PreadFull(opened.first.get(), offset, data, name));
  return data;
}

StatusOr<std::unique_ptr<BlobReader>> FileBlobStore::OpenReader(std::string_view name) {
  ASSIGN_OR_RETURN(auto opened, OpenObject(name));
  return std::unique_ptr<BlobReader>(
      std::make_unique<FileBlobReader>(std::string(name), std::move(opened.first), opened.second));
}

StatusOr<ObjectInfo> FileBlobStore::Stat(std::string_view name) {
  std::string_view leaf;
  ASSIGN_OR_RETURN(UniqueFd dir, OpenParent(name, /*create=*/false, &leaf));
  struct stat st;
  if (fstatat(dir.get(), std::string(leaf).c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    return ErrnoFor(errno, "stat", name);
  }
  if (S_ISLNK(st.st_mode)) return SymlinkRefused(name);
  if (!S_ISREG(st.st_mode)) return NotFoundError(Quoted(name) + " does not exist");
  return ObjectInfo{std::string(name), static_cast<uint64_t>(st.st_size)};
}

Status FileBlobStore::Delete(std::string_view name) {
  std::string_view leaf;
  ASSIGN_OR_RETURN(UniqueFd dir, OpenParent(name, /*create=*/false, &leaf));
  if (unlinkat(dir.get(), std::string(leaf).c_str(), 0) != 0) {
    if (errno == EISDIR) return NotFoundError(Quoted(name) + " does not exist");
    return ErrnoFor(errno, "delete", name);
  }
  if (fsync(dir.get()) != 0) return ErrnoFor(errno, "fsync directory of", name);
  return OkStatus();
}

StatusOr<std::vector<ObjectInfo>> FileBlobStore::List(std::string_view prefix) {
  std::vector<ObjectInfo> objects;
  RETURN_IF_ERROR(ListDir(root_fd_.get(), "", prefix, &objects));
  std::sort(objects.begin(), objects.end(),
            [](const ObjectInfo& a, const ObjectInfo& b) { return a.name < b.name; });
  return objects;
}

Status FileBlobStore::ListDir(int dir_fd, const std::string& dir_name, std::string_view prefix,
                              std::vector<ObjectInfo>* out) const {
  ASSIGN_OR_RETURN(auto stream, OpenDirStream(dir_fd, "blob store directory"));
  DIR* dir = stream.get();
  while (dirent* entry = readdir(dir)) {
    // Skips ".", "..", ".tmp/" and anything else no object name can contain.
    if (entry->d_name[0] == '.') continue;
    std::string child = dir_name.empty() ? entry->d_name : dir_name + "/" + entry->d_name;
    struct stat st;
    if (fstatat(dirfd(dir), entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) continue;  // Deleted while we list.
      return ErrnoToStatus(errno, "stat blob store entry " + child);
    }
    if (S_ISDIR(st.st_mode)) {
      std::string as_dir = child + "/";
      if (!as_dir.starts_with(prefix) && !prefix.starts_with(as_dir)) continue;
      UniqueFd sub(
          openat(dirfd(dir), entry->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!sub.valid() && errno == ENOENT) continue;
      if (!sub.valid()) return ErrnoToStatus(errno, "open blob store directory " + child);
      RETURN_IF_ERROR(ListDir(sub.get(), child, prefix, out));
    } else if (S_ISREG(st.st_mode) && child.starts_with(prefix) && ValidateObjectName(child).ok()) {
      out->push_back(ObjectInfo{child, static_cast<uint64_t>(st.st_size)});
    }
  }
  return OkStatus();
}

}  // namespace hdhub::storage

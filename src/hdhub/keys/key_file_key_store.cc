#include "hdhub/keys/key_file_key_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <string>

#include "hdhub/crypto/random.h"

namespace hdhub::keys {
namespace {

// Anything much larger than a key file is not one; refusing early keeps a
// wrong path (a database, a log) from being read into memory.
constexpr off_t kMaxKeyFileReadSize = 4096;
constexpr mode_t kKeyFileMode = 0600;

class UniqueFd {
 public:
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { Close().IgnoreError(); }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const { return fd_; }
  Status Close() {
    if (fd_ < 0) return OkStatus();
    int rc = ::close(fd_);
    fd_ = -1;
    return rc == 0 ? OkStatus() : ErrnoToStatus(errno, "close");
  }

 private:
  int fd_;
};

// Removes the temporary name on every path: after link() the file lives on
// under its final name, and after a failure nothing is left behind.
class TempFileGuard {
 public:
  explicit TempFileGuard(std::string path) : path_(std::move(path)) {}
  ~TempFileGuard() { ::unlink(path_.c_str()); }
  TempFileGuard(const TempFileGuard&) = delete;
  TempFileGuard& operator=(const TempFileGuard&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

Status WriteAll(int fd, ByteSpan data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoToStatus(errno, "write " + path);
    data = data.subspan(static_cast<size_t>(n));
  }
  return OkStatus();
}

Status FsyncDirectory(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoToStatus(errno, "open directory " + dir);
  if (::fsync(fd.get()) != 0) return ErrnoToStatus(errno, "fsync directory " + dir);
  return fd.Close();
}

enum class Publish { kIfAbsent, kReplace };

// Writes `data` beside `path` and publishes it atomically: readers see the old
// file or the new one, never a mix. kIfAbsent uses link(), which refuses to
// replace an existing name where rename() would silently clobber it.
Status WriteFileAtomically(const std::string& path, ByteSpan data, Publish publish) {
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  std::string dir = parent.empty() ? "." : parent.string();
  std::string tmpl = path + ".tmp-XXXXXX";
  UniqueFd fd(::mkstemp(tmpl.data()));  // mode 0600, O_EXCL
  if (fd.get() < 0) return ErrnoToStatus(errno, "create temporary file for " + path);
  TempFileGuard guard(tmpl);
  if (::fchmod(fd.get(), kKeyFileMode) != 0) return ErrnoToStatus(errno, "chmod " + tmpl);
  RETURN_IF_ERROR(WriteAll(fd.get(), data, tmpl));
  if (::fsync(fd.get()) != 0) return ErrnoToStatus(errno, "fsync " + tmpl);
  RETURN_IF_ERROR(fd.Close());
  if (publish == Publish::kReplace) {
    if (::rename(tmpl.c_str(), path.c_str()) != 0) {
      return ErrnoToStatus(errno, "rename " + tmpl + " to " + path);
    }
  } else if (::link(tmpl.c_str(), path.c_str()) != 0) {
    if (errno == EEXIST) return AlreadyExistsError("key file " + path + " already exists");
    return ErrnoToStatus(errno, "link " + tmpl + " to " + path);
  }
  return FsyncDirectory(dir);
}

StatusOr<Bytes> ReadKeyFileBytes(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoToStatus(errno, "open key file " + path);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return ErrnoToStatus(errno, "stat key file " + path);
  if (!S_ISREG(st.st_mode)) return FailedPreconditionError("key file " + path + " is not a file");
  if ((st.st_mode & 077) != 0) {
    return FailedPreconditionError("key file " + path +
                                   " may be read by group or others; run: chmod 600 " + path);
  }
  if (st.st_size > kMaxKeyFileReadSize) {
    return DataLossError("key file " + path + ": " + std::to_string(st.st_size) +
                         " bytes, a key file is " + std::to_string(kKeyFileSize));
  }
  Bytes data(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::read(fd.get(), data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoToStatus(errno, "read key file " + path);
    if (n == 0) break;  // shrank since fstat: the parser reports the truncation
    done += static_cast<size_t>(n);
  }
  data.resize(done);
  return data;
}

}  // namespace

Status KeyFileKeyStore::CreateKeyFile(const std::string& path, const SecretBytes& passphrase,
                                      const KeyFileParams& params) {
  RETURN_IF_ERROR(ValidateKeyFileParams(params));
  if (passphrase.empty()) return InvalidArgumentError("the passphrase must not be empty");
  // Checked before the costly Argon2id; link() re-checks atomically at the end.
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    return AlreadyExistsError("key file " + path + " already exists; it is never overwritten");
  }
  ASSIGN_OR_RETURN(SecretBytes kek, crypto::RandomSecret(kKekSize));
  ASSIGN_OR_RETURN(Bytes file, SealKeyFile(kek, passphrase, params));
  return WriteFileAtomically(path, file, Publish::kIfAbsent);
}

Status KeyFileKeyStore::ChangePassphrase(const std::string& path, const SecretBytes& old_passphrase,
                                         const SecretBytes& new_passphrase,
                                         const KeyFileParams& params) {
  RETURN_IF_ERROR(ValidateKeyFileParams(params));
  if (new_passphrase.empty()) return InvalidArgumentError("the new passphrase must not be empty");
  ASSIGN_OR_RETURN(Bytes old_file, ReadKeyFileBytes(path));
  ASSIGN_OR_RETURN(SecretBytes kek, OpenKeyFile(old_file, old_passphrase, path));
  ASSIGN_OR_RETURN(Bytes new_file, SealKeyFile(kek, new_passphrase, params));
  return WriteFileAtomically(path, new_file, Publish::kReplace);
}

StatusOr<std::unique_ptr<KeyFileKeyStore>> KeyFileKeyStore::Open(const std::string& path,
                                                                 const SecretBytes& passphrase) {
  ASSIGN_OR_RETURN(Bytes file, ReadKeyFileBytes(path));
  ASSIGN_OR_RETURN(SecretBytes kek, OpenKeyFile(file, passphrase, path));
  ASSIGN_OR_RETURN(std::unique_ptr<KekOperations> ops, KekOperations::Create(std::move(kek)));
  return std::make_unique<KeyFileKeyStore>(path, std::move(ops));
}

StatusOr<Bytes> KeyFileKeyStore::WrapKey(const SecretBytes& data_key, std::string_view context) {
  return ops_->WrapKey(data_key, context);
}

StatusOr<SecretBytes> KeyFileKeyStore::UnwrapKey(ByteSpan wrapped, std::string_view context) {
  return ops_->UnwrapKey(wrapped, context);
}

StatusOr<std::unique_ptr<crypto::HmacSha256>> KeyFileKeyStore::HmacFor(std::string_view purpose) {
  return ops_->HmacFor(purpose);
}

}  // namespace hdhub::keys

#include "hdhub/keys/key_file_key_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <string>

#include "hdhub/common/file.h"
#include "hdhub/crypto/random.h"

namespace hdhub::keys {
namespace {

// Anything much larger than a key file is not one; refusing early keeps a
// wrong path (a database, a log) from being read into memory.
constexpr off_t kMaxKeyFileReadSize = 4096;
constexpr mode_t kKeyFileMode = 0600;

StatusOr<Bytes> ReadKeyFileBytes(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoToStatus(errno, "open key file " + path);
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
  return WriteFileAtomically(path, file, kKeyFileMode, {.if_absent = true});
}

Status KeyFileKeyStore::ChangePassphrase(const std::string& path, const SecretBytes& old_passphrase,
                                         const SecretBytes& new_passphrase,
                                         const KeyFileParams& params) {
  RETURN_IF_ERROR(ValidateKeyFileParams(params));
  if (new_passphrase.empty()) return InvalidArgumentError("the new passphrase must not be empty");
  ASSIGN_OR_RETURN(Bytes old_file, ReadKeyFileBytes(path));
  ASSIGN_OR_RETURN(SecretBytes kek, OpenKeyFile(old_file, old_passphrase, path));
  ASSIGN_OR_RETURN(Bytes new_file, SealKeyFile(kek, new_passphrase, params));
  return WriteFileAtomically(path, new_file, kKeyFileMode);
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

StatusOr<SecretBytes> KeyFileKeyStore::DerivedPurposeKey(std::string_view purpose) {
  return ops_->DerivedPurposeKey(purpose);
}

Status KeyFileKeyStore::DestroyKek() {
  RETURN_IF_ERROR(DestroyKeyFile(path_));
  ops_->Forget();
  return OkStatus();
}

Status KeyFileKeyStore::DestroyKeyFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return errno == ENOENT ? OkStatus() : ErrnoToStatus(errno, "cannot open " + path);
  struct stat st {};
  Status s = ::fstat(fd, &st) == 0 ? OkStatus() : ErrnoToStatus(errno, "cannot stat " + path);
  if (s.ok()) {
    StatusOr<Bytes> noise = crypto::RandomBytes(static_cast<size_t>(st.st_size));
    s = noise.ok() ? WriteAll(fd, *noise, path) : noise.status();
  }
  if (s.ok() && ::fsync(fd) != 0) s = ErrnoToStatus(errno, "cannot sync " + path);
  ::close(fd);
  RETURN_IF_ERROR(s);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return ErrnoToStatus(errno, "cannot remove " + path);
  return SyncDir(std::filesystem::path(path).parent_path().string());
}

}  // namespace hdhub::keys

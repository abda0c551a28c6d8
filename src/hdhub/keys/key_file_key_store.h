// KeyFileKeyStore (`keyfile:<path>`): the embedded default KeyStore. Its KEK
// lives in a file sealed under a passphrase with Argon2id + AES-256-GCM
// (key_file.h, docs/formats/key-file.md); once opened, the KEK is held in
// memory (inside KekOperations) and never written anywhere else.
//
// The file is created once by CreateKeyFile (operator setup), atomically and
// readable by its owner only (0600), and never overwritten with a new KEK:
// losing it loses every wrapped key, so replacing it must be a deliberate
// manual act. ChangePassphrase re-seals the same KEK in place.
//
// Ownership: owns the KEK. Thread-safety: every method may be called from
// several threads at once.
#pragma once

#include <memory>
#include <string>

#include "hdhub/keys/kek_operations.h"
#include "hdhub/keys/key_file.h"
#include "hdhub/keys/key_store.h"

namespace hdhub::keys {

class KeyFileKeyStore final : public KeyStore {
 public:
  // Generates a random KEK and writes it sealed under `passphrase` to `path`
  // (temporary file, fsync, no-clobber link into place, fsync of the
  // directory; mode 0600). AlreadyExists when `path` exists; InvalidArgument
  // for an empty passphrase or bad params; NotFound when the directory is
  // missing; other file-system errors as ErrnoToStatus maps them.
  static Status CreateKeyFile(const std::string& path, const SecretBytes& passphrase,
                              const KeyFileParams& params = {});

  // Re-seals the same KEK under `new_passphrase` (fresh salt and nonce,
  // `params`), replacing the file atomically: a crash leaves the old file or
  // the new one. Every wrapped key stays valid. Errors as Open() for the old
  // file (PermissionDenied for a wrong old passphrase, file unchanged);
  // InvalidArgument for an empty new passphrase or bad params.
  static Status ChangePassphrase(const std::string& path, const SecretBytes& old_passphrase,
                                 const SecretBytes& new_passphrase,
                                 const KeyFileParams& params = {});

  // Reads and opens the key file. NotFound when absent; FailedPrecondition
  // when group or others may read it (fix with chmod 600); DataLoss naming
  // the field for a malformed or truncated file; PermissionDenied for a wrong
  // passphrase or a damaged file.
  static StatusOr<std::unique_ptr<KeyFileKeyStore>> Open(const std::string& path,
                                                         const SecretBytes& passphrase);

  StatusOr<Bytes> WrapKey(const SecretBytes& data_key, std::string_view context) override;
  StatusOr<SecretBytes> UnwrapKey(ByteSpan wrapped, std::string_view context) override;
  StatusOr<std::unique_ptr<crypto::HmacSha256>> HmacFor(std::string_view purpose) override;
  StatusOr<SecretBytes> DerivedPurposeKey(std::string_view purpose) override;
  std::string Describe() const override { return "keyfile:" + path_; }
  // DestroyKeyFile(path) on this store's file; later calls are refused.
  Status DestroyKek() override;
  // Overwrites the key file at `path` with random bytes, durably, then
  // removes it (the sealed KEK is gone from this disk; copies elsewhere are
  // the operator's). Never reads it, so a destruction stopped midway is
  // finished by calling it again. OK when the file is already gone.
  static Status DestroyKeyFile(const std::string& path);

  KeyFileKeyStore(std::string path, std::unique_ptr<KekOperations> ops)
      : path_(std::move(path)), ops_(std::move(ops)) {}

 private:
  std::string path_;
  std::unique_ptr<KekOperations> ops_;
};

}  // namespace hdhub::keys

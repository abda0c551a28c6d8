// Pkcs11KeyStore (`pkcs11:token=…;object=…?module-path=…`): a KeyStore whose
// KEK is an AES-256 key inside an HSM (tested with SoftHSM2), reached through
// the PKCS#11 module named in the URI (pkcs11_uri.h), loaded at run time.
// The KEK never leaves the token: it must be CKA_SENSITIVE and not
// extractable, and Open() refuses it otherwise.
//
// WrapKey builds `data key ‖ zero padding ‖ SHA-256(header ‖ context)` as a
// short-lived session object, wraps it inside the token with
// CKM_AES_KEY_WRAP_PAD (RFC 5649) and destroys the object; UnwrapKey reverses
// this and checks the hash in constant time. The header names the format, the
// KEK's version and label, and carries a random nonce. Byte format:
// docs/formats/pkcs11-key-store.md.
//
// HmacFor is not offered (FailedPrecondition): an HSM does not derive purpose
// keys for hdhub; the hub keeps random purpose keys wrapped by the store.
//
// Ownership: shares the loaded module (Pkcs11Module) with the other stores of
// the process, owns its sessions. The PIN is used once, at Open(), and not
// kept. Thread-safety: every method may be called from several threads at
// once: each call borrows a session of its own from a small pool (a PKCS#11
// session must not be used by two threads at once), opening one when none is
// idle.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "hdhub/keys/key_store.h"
#include "hdhub/keys/pkcs11_module.h"
#include "hdhub/keys/pkcs11_uri.h"

namespace hdhub::keys {

// The KEK version written into wrapped keys. Rotation (later) gives new KEKs
// higher versions; a store refuses blobs of a version other than its own.
inline constexpr uint32_t kPkcs11KekVersion = 1;

class Pkcs11KeyStore final : public KeyStore {
 public:
  // Loads the module, finds the token by label, logs in with `pin`, and finds
  // the KEK by label (and id, when the URI gives one). InvalidArgument for a
  // bad URI; NotFound for a missing module, token or key; PermissionDenied
  // for a wrong or locked PIN; FailedPrecondition when the key is not an
  // AES-256 key that is sensitive, never extractable and allowed to wrap and
  // unwrap, or when several keys carry the label; Unavailable when the token
  // cannot be reached. No message holds the PIN.
  static StatusOr<std::unique_ptr<Pkcs11KeyStore>> Open(const Pkcs11Uri& uri, const SecretBytes& pin);
  // The same from the text after "pkcs11:".
  static StatusOr<std::unique_ptr<Pkcs11KeyStore>> Open(std::string_view uri, const SecretBytes& pin);
  ~Pkcs11KeyStore() override;

  // KeyStore. Unwrap: DataLoss for altered bytes, another context or another
  // KEK (label, version or key); Unavailable when the token cannot be reached.
  StatusOr<Bytes> WrapKey(const SecretBytes& data_key, std::string_view context) override;
  StatusOr<SecretBytes> UnwrapKey(ByteSpan wrapped, std::string_view context) override;
  // Always FailedPrecondition: purpose keys come from the hub's key ring.
  StatusOr<std::unique_ptr<crypto::HmacSha256>> HmacFor(std::string_view purpose) override;
  std::string Describe() const override { return uri_.ToString(); }
  // C_DestroyObject on the KEK, in a read-write session; afterwards WrapKey
  // and UnwrapKey are FailedPrecondition.
  Status DestroyKek() override;

  Pkcs11KeyStore(Pkcs11Uri uri, std::shared_ptr<Pkcs11Module> module, CK_SLOT_ID slot, CK_SESSION_HANDLE login,
                 CK_OBJECT_HANDLE kek);

 private:
  class Lease;
  StatusOr<CK_SESSION_HANDLE> TakeSession();
  void ReturnSession(CK_SESSION_HANDLE session);
  Bytes Header(size_t key_size, ByteSpan nonce) const;
  crypto::Digest Binding(ByteSpan header, std::string_view context) const;
  StatusOr<SecretBytes> UnwrapPayload(CK_SESSION_HANDLE session, ByteSpan ciphertext);
  Status Failure(std::string_view what, CK_RV rv) const;

  const Pkcs11Uri uri_;
  const std::shared_ptr<Pkcs11Module> module_;
  const CK_SLOT_ID slot_;
  const CK_SESSION_HANDLE login_;  // held open for the store's life: it keeps the token logged in
  const CK_OBJECT_HANDLE kek_;
  std::mutex mu_;
  std::vector<CK_SESSION_HANDLE> idle_;  // guarded by mu_
  std::atomic<bool> destroyed_{false};
};

}  // namespace hdhub::keys

// KekOperations: the key operations of a KeyStore whose KEK is held in this
// process (memory: and keyfile:), written once and shared by both stores.
//
//   wrapping key = HKDF-SHA256(KEK, salt = "", info = "hdhub wrap v1", 32)
//   wrapped DEK  = 0x01 ‖ nonce (12) ‖ AES-256-GCM(wrapping key, nonce,
//                    aad = 0x01 ‖ context, DEK) ‖ tag (16)
//   HMAC key     = HKDF-SHA256(KEK, salt = "", info = "hdhub hmac v1 " ‖ purpose, 32)
// (docs/formats/key-file.md, "Wrapped data keys").
//
// The KEK is a private SecretBytes member: nothing returns it, so code that
// holds a KeyStore can use the KEK but never read it.
//
// Ownership: owns the KEK and the derived wrapping cipher.
// Thread-safety: immutable after Create() but for Forget(); every method may
// be called from several threads at once.
#pragma once

#include <atomic>
#include <memory>
#include <string_view>

#include "hdhub/common/bytes.h"
#include "hdhub/common/secret_bytes.h"
#include "hdhub/common/status.h"
#include "hdhub/crypto/aes_gcm.h"
#include "hdhub/crypto/hash.h"

namespace hdhub::keys {

inline constexpr size_t kKekSize = 32;
inline constexpr uint8_t kWrappedKeyVersion = 0x01;

class KekOperations {
 public:
  // Takes the KEK (kKekSize bytes; InvalidArgument otherwise).
  static StatusOr<std::unique_ptr<KekOperations>> Create(SecretBytes kek);

  // See KeyStore::WrapKey / UnwrapKey / HmacFor for the contracts.
  StatusOr<Bytes> WrapKey(const SecretBytes& data_key, std::string_view context) const;
  StatusOr<SecretBytes> UnwrapKey(ByteSpan wrapped, std::string_view context) const;
  StatusOr<std::unique_ptr<crypto::HmacSha256>> HmacFor(std::string_view purpose) const;
  // The HMAC key HmacFor(purpose) uses (KeyStore::DerivedPurposeKey).
  StatusOr<SecretBytes> DerivedPurposeKey(std::string_view purpose) const;
  // After the KEK's destruction (KeyStore::DestroyKek): every later call is
  // FailedPrecondition. The bytes are wiped when the object is destroyed.
  void Forget() { forgotten_.store(true); }

  // Only Create() can make a Passkey, so only Create() constructs.
  class Passkey {
    friend class KekOperations;
    Passkey() = default;
  };
  KekOperations(Passkey, SecretBytes kek, std::unique_ptr<crypto::AesGcm256> wrapper)
      : kek_(std::move(kek)), wrapper_(std::move(wrapper)) {}

 private:
  Status CheckNotForgotten() const;

  const SecretBytes kek_;
  const std::unique_ptr<crypto::AesGcm256> wrapper_;
  std::atomic<bool> forgotten_{false};
};

}  // namespace hdhub::keys

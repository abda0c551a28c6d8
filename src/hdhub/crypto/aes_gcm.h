// AES-256-GCM on OpenSSL 3 (AES-NI/VAES when the CPU has them), with 12-byte
// nonces and 16-byte tags. The key schedule is computed once in Create().
//
// Callers choose nonces; the sealed-object format (streaming_aead.h) derives
// them so that a (key, nonce) pair is never reused. Anything else that needs
// one-shot encryption uses random nonces through Seal/OpenWithRandomNonce.
//
// Thread-safety: an AesGcm256 is immutable after Create(); Encrypt/Decrypt may
// be called from several threads at once.
#pragma once

#include <memory>

#include "hdhub/common/bytes.h"
#include "hdhub/common/secret_bytes.h"
#include "hdhub/common/status.h"

namespace hdhub::crypto {

inline constexpr size_t kAesGcmKeySize = 32;
inline constexpr size_t kAesGcmNonceSize = 12;
inline constexpr size_t kAesGcmTagSize = 16;

class AesGcm256 {
  struct State;  // Defined in the .cc, so OpenSSL types stay out of this header.

 public:
  // InvalidArgument unless the key is 32 bytes.
  static StatusOr<std::unique_ptr<AesGcm256>> Create(const SecretBytes& key);
  // Only Create() can make a Passkey, so only Create() constructs (through
  // std::make_unique, without a raw new).
  class Passkey {
    friend class AesGcm256;
    Passkey() = default;
  };
  AesGcm256(Passkey, std::unique_ptr<State> state);
  ~AesGcm256();
  AesGcm256(const AesGcm256&) = delete;
  AesGcm256& operator=(const AesGcm256&) = delete;

  // Writes plaintext.size() bytes of ciphertext followed by the 16-byte tag into
  // `out`, which must hold plaintext.size() + 16 bytes (InvalidArgument
  // otherwise). `out` may alias `plaintext` exactly (in-place).
  Status Encrypt(ByteSpan nonce, ByteSpan associated_data, ByteSpan plaintext,
                 MutableByteSpan out) const;

  // `ciphertext_and_tag` is ciphertext followed by the tag; `out` must hold
  // ciphertext_and_tag.size() - 16 bytes and may alias the input exactly.
  // DataLoss when the tag does not verify (nothing in `out` may then be used).
  Status Decrypt(ByteSpan nonce, ByteSpan associated_data, ByteSpan ciphertext_and_tag,
                 MutableByteSpan out) const;

  // nonce ‖ ciphertext ‖ tag with a fresh random nonce; for small records
  // (wrapped keys, key files).
  StatusOr<Bytes> SealWithRandomNonce(ByteSpan associated_data, ByteSpan plaintext) const;
  // DataLoss on a short input or a bad tag.
  StatusOr<SecretBytes> OpenWithRandomNonce(ByteSpan associated_data, ByteSpan sealed) const;

 private:
  std::unique_ptr<State> state_;
};

}  // namespace hdhub::crypto

// AES-256-GCM through EVP. The key schedule and GHASH table are computed once
// in Create() into two template contexts (one per direction); each call copies
// the matching template and sets only the nonce. The copy is a heap duplicate
// of the provider context, so calls share nothing mutable and run in parallel.
#include "hdhub/crypto/aes_gcm.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>

#include "hdhub/crypto/random.h"

namespace hdhub::crypto {
namespace {

struct CipherCtxDeleter {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }  // Wipes the key.
};
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter>;

struct CipherDeleter {
  void operator()(EVP_CIPHER* cipher) const { EVP_CIPHER_free(cipher); }
};

// EVP lengths are ints; a multiple of the block size keeps GCM on its fast path
// between chunks.
constexpr size_t kMaxChunk = size_t{1} << 30;

enum class Direction { kEncrypt, kDecrypt };

StatusOr<CipherCtxPtr> MakeTemplate(const EVP_CIPHER* cipher, const SecretBytes& key,
                                    Direction direction) {
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (ctx == nullptr) return InternalError("cannot allocate a cipher context");
  const int enc = direction == Direction::kEncrypt ? 1 : 0;
  if (EVP_CipherInit_ex2(ctx.get(), cipher, key.data(), nullptr, enc, nullptr) != 1) {
    return InternalError("cannot initialise AES-256-GCM");
  }
  return ctx;
}

// A private copy of `tmpl` with `nonce` set, ready for AAD and data.
StatusOr<CipherCtxPtr> StartCall(const EVP_CIPHER_CTX* tmpl, ByteSpan nonce,
                                 ByteSpan associated_data) {
  if (nonce.size() != kAesGcmNonceSize) {
    return InvalidArgumentError("AES-GCM nonce must be 12 bytes");
  }
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (ctx == nullptr || EVP_CIPHER_CTX_copy(ctx.get(), tmpl) != 1 ||
      EVP_CipherInit_ex2(ctx.get(), nullptr, nullptr, nonce.data(), -1, nullptr) != 1) {
    return InternalError("cannot prepare an AES-GCM context");
  }
  for (size_t done = 0; done < associated_data.size();) {
    const size_t chunk = std::min(associated_data.size() - done, kMaxChunk);
    int len = 0;
    if (EVP_CipherUpdate(ctx.get(), nullptr, &len, associated_data.data() + done,
                         static_cast<int>(chunk)) != 1) {
      return InternalError("AES-GCM rejected the associated data");
    }
    done += chunk;
  }
  return ctx;
}

// Runs the cipher over `in` into `out` (same size, may alias exactly).
bool Transform(EVP_CIPHER_CTX* ctx, const uint8_t* in, size_t size, uint8_t* out) {
  for (size_t done = 0; done < size;) {
    const size_t chunk = std::min(size - done, kMaxChunk);
    int len = 0;
    if (EVP_CipherUpdate(ctx, out + done, &len, in + done, static_cast<int>(chunk)) != 1) {
      return false;
    }
    done += chunk;
  }
  return true;
}

}  // namespace

struct AesGcm256::State {
  CipherCtxPtr encrypt_template;
  CipherCtxPtr decrypt_template;
};

AesGcm256::AesGcm256(Passkey, std::unique_ptr<State> state) : state_(std::move(state)) {}
AesGcm256::~AesGcm256() = default;

StatusOr<std::unique_ptr<AesGcm256>> AesGcm256::Create(const SecretBytes& key) {
  if (key.size() != kAesGcmKeySize) return InvalidArgumentError("AES-256-GCM key must be 32 bytes");
  std::unique_ptr<EVP_CIPHER, CipherDeleter> cipher(
      EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr));
  if (cipher == nullptr) return InternalError("OpenSSL has no AES-256-GCM implementation");
  auto state = std::make_unique<State>();
  ASSIGN_OR_RETURN(state->encrypt_template, MakeTemplate(cipher.get(), key, Direction::kEncrypt));
  ASSIGN_OR_RETURN(state->decrypt_template, MakeTemplate(cipher.get(), key, Direction::kDecrypt));
  return std::make_unique<AesGcm256>(Passkey(), std::move(state));
}

Status AesGcm256::Encrypt(ByteSpan nonce, ByteSpan associated_data, ByteSpan plaintext,
                          MutableByteSpan out) const {
  if (out.size() != plaintext.size() + kAesGcmTagSize) {
    return InvalidArgumentError("AES-GCM output must be the plaintext size plus 16 bytes");
  }
  ASSIGN_OR_RETURN(CipherCtxPtr ctx,
                   StartCall(state_->encrypt_template.get(), nonce, associated_data));
  uint8_t* tag = out.data() + plaintext.size();
  int len = 0;
  if (!Transform(ctx.get(), plaintext.data(), plaintext.size(), out.data()) ||
      EVP_EncryptFinal_ex(ctx.get(), tag, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kAesGcmTagSize, tag) != 1) {
    return InternalError("AES-GCM encryption failed");
  }
  return OkStatus();
}

Status AesGcm256::Decrypt(ByteSpan nonce, ByteSpan associated_data, ByteSpan ciphertext_and_tag,
                          MutableByteSpan out) const {
  if (ciphertext_and_tag.size() < kAesGcmTagSize) {
    return DataLossError("AES-GCM input is shorter than its tag");
  }
  const size_t size = ciphertext_and_tag.size() - kAesGcmTagSize;
  if (out.size() != size) {
    return InvalidArgumentError("AES-GCM output must be the input size minus 16 bytes");
  }
  ASSIGN_OR_RETURN(CipherCtxPtr ctx,
                   StartCall(state_->decrypt_template.get(), nonce, associated_data));
  // OpenSSL copies the expected tag into the context now; in-place decryption
  // never reaches it anyway, since `out` stops 16 bytes before the tag.
  auto* tag = const_cast<uint8_t*>(ciphertext_and_tag.data() + size);
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kAesGcmTagSize, tag) != 1 ||
      !Transform(ctx.get(), ciphertext_and_tag.data(), size, out.data())) {
    OPENSSL_cleanse(out.data(), out.size());
    return InternalError("AES-GCM decryption failed");
  }
  int len = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), out.data() + size, &len) != 1) {
    // Unauthenticated plaintext must not leak to a caller that ignores the status.
    OPENSSL_cleanse(out.data(), out.size());
    return DataLossError("AES-GCM tag mismatch: wrong key, nonce or associated data, or altered data");
  }
  return OkStatus();
}

StatusOr<Bytes> AesGcm256::SealWithRandomNonce(ByteSpan associated_data,
                                               ByteSpan plaintext) const {
  Bytes sealed(kAesGcmNonceSize + plaintext.size() + kAesGcmTagSize);
  MutableByteSpan all(sealed);
  RETURN_IF_ERROR(RandomBytes(all.first(kAesGcmNonceSize)));
  RETURN_IF_ERROR(Encrypt(all.first(kAesGcmNonceSize), associated_data, plaintext,
                          all.subspan(kAesGcmNonceSize)));
  return sealed;
}

StatusOr<SecretBytes> AesGcm256::OpenWithRandomNonce(ByteSpan associated_data,
                                                     ByteSpan sealed) const {
  if (sealed.size() < kAesGcmNonceSize + kAesGcmTagSize) {
    return DataLossError("sealed record is shorter than a nonce and a tag");
  }
  SecretBytes plaintext(sealed.size() - kAesGcmNonceSize - kAesGcmTagSize);
  RETURN_IF_ERROR(Decrypt(sealed.first(kAesGcmNonceSize), associated_data,
                          sealed.subspan(kAesGcmNonceSize), plaintext.mutable_span()));
  return plaintext;
}

}  // namespace hdhub::crypto

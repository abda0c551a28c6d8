#include "hdhub/crypto/hkdf.h"

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <memory>

#include "hdhub/crypto/hash.h"

namespace hdhub::crypto {
namespace {

constexpr size_t kMaxHkdfOutput = 255 * kSha256Size;

struct KdfDeleter {
  void operator()(EVP_KDF* kdf) const { EVP_KDF_free(kdf); }
  void operator()(EVP_KDF_CTX* ctx) const { EVP_KDF_CTX_free(ctx); }
};

}  // namespace

StatusOr<SecretBytes> HkdfSha256(const SecretBytes& ikm, ByteSpan salt, ByteSpan info,
                                 size_t length) {
  if (ikm.empty()) return InvalidArgumentError("HKDF input keying material is empty");
  if (length == 0 || length > kMaxHkdfOutput) {
    return InvalidArgumentError("HKDF output length must be between 1 and 8160 bytes");
  }
  if (info.size() > kMaxHkdfInfoSize) {
    return InvalidArgumentError("HKDF info must be at most 32 KiB");
  }
  std::unique_ptr<EVP_KDF, KdfDeleter> kdf(EVP_KDF_fetch(nullptr, OSSL_KDF_NAME_HKDF, nullptr));
  if (kdf == nullptr) return InternalError("OpenSSL has no HKDF implementation");
  std::unique_ptr<EVP_KDF_CTX, KdfDeleter> ctx(EVP_KDF_CTX_new(kdf.get()));
  if (ctx == nullptr) return InternalError("cannot allocate an HKDF context");

  // OSSL_PARAM takes non-const pointers but only reads them.
  char digest[] = "SHA256";
  OSSL_PARAM params[5];
  OSSL_PARAM* p = params;
  *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
  *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
                                           const_cast<uint8_t*>(ikm.data()), ikm.size());
  // An absent salt means HashLen zero bytes (RFC 5869 §2.2), which is what
  // OpenSSL does when the parameter is left out; an empty one is left out.
  if (!salt.empty()) {
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
                                             const_cast<uint8_t*>(salt.data()), salt.size());
  }
  if (!info.empty()) {
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
                                             const_cast<uint8_t*>(info.data()), info.size());
  }
  *p = OSSL_PARAM_construct_end();

  SecretBytes okm(length);
  if (EVP_KDF_derive(ctx.get(), okm.mutable_data(), okm.size(), params) != 1) {
    return InternalError("HKDF derivation failed");
  }
  return okm;
}

}  // namespace hdhub::crypto

#include "hdhub/crypto/block_tweak_cipher.h"

#include <openssl/evp.h>

#include <array>

namespace hdhub::crypto {
namespace {

struct CipherCtx {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  ~CipherCtx() { EVP_CIPHER_CTX_free(ctx); }
};

// AES-256-ECB over whole blocks, no padding, in place.
Status Ecb(const SecretBytes& key, MutableByteSpan data, bool encrypt) {
  CipherCtx c;
  if (c.ctx == nullptr) return InternalError("block cipher: cannot allocate a cipher context");
  int out_len = 0;
  if (EVP_CipherInit_ex(c.ctx, EVP_aes_256_ecb(), nullptr, key.data(), nullptr, encrypt ? 1 : 0) != 1 ||
      EVP_CIPHER_CTX_set_padding(c.ctx, 0) != 1 ||
      EVP_CipherUpdate(c.ctx, data.data(), &out_len, data.data(), static_cast<int>(data.size())) != 1 ||
      static_cast<size_t>(out_len) != data.size()) {
    return InternalError("block cipher: AES-256-ECB failed");
  }
  return OkStatus();
}

void PutLe64(uint8_t* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(v >> (8 * i));
}

}  // namespace

struct BlockTweakCipher::Keys {
  SecretBytes data_key;   // K1
  SecretBytes tweak_key;  // K2
};

StatusOr<std::unique_ptr<BlockTweakCipher>> BlockTweakCipher::Create(const SecretBytes& key) {
  if (key.size() != kKeySize) return InvalidArgumentError("block cipher: the key must be 64 bytes");
  auto keys = std::make_unique<Keys>();
  keys->data_key = SecretBytes(key.span().first(32));
  keys->tweak_key = SecretBytes(key.span().last(32));
  if (keys->data_key.Equals(keys->tweak_key)) {
    return InvalidArgumentError("block cipher: the key's two halves must differ");
  }
  return std::unique_ptr<BlockTweakCipher>(new BlockTweakCipher(std::move(keys)));
}

BlockTweakCipher::BlockTweakCipher(std::unique_ptr<Keys> keys) : keys_(std::move(keys)) {}
BlockTweakCipher::~BlockTweakCipher() = default;

Status BlockTweakCipher::Encrypt(MutableByteSpan data, uint64_t first_position, uint64_t domain) const {
  return Run(data, first_position, domain, true);
}

Status BlockTweakCipher::Decrypt(MutableByteSpan data, uint64_t first_position, uint64_t domain) const {
  return Run(data, first_position, domain, false);
}

Status BlockTweakCipher::Run(MutableByteSpan data, uint64_t first_position, uint64_t domain, bool encrypt) const {
  if (data.size() % kBlockSize != 0) return InvalidArgumentError("block cipher: not a whole number of blocks");
  if (data.empty()) return OkStatus();
  // The masks T_i = AES(K2, tweak_i), all in one pass. They are not secret
  // in the sense of keys, but they are wiped like the plaintext they mask.
  SecretBytes masks(data.size());
  uint8_t* m = masks.mutable_data();
  for (size_t i = 0; i < data.size() / kBlockSize; ++i) {
    PutLe64(m + i * kBlockSize, first_position + kBlockSize * i);
    PutLe64(m + i * kBlockSize + 8, domain);
  }
  RETURN_IF_ERROR(Ecb(keys_->tweak_key, masks.mutable_span(), true));
  for (size_t i = 0; i < data.size(); ++i) data[i] ^= m[i];
  RETURN_IF_ERROR(Ecb(keys_->data_key, data, encrypt));
  for (size_t i = 0; i < data.size(); ++i) data[i] ^= m[i];
  return OkStatus();
}

}  // namespace hdhub::crypto

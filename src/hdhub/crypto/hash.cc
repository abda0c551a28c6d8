// SHA-256 and HMAC-SHA256.
//
// Why the low-level SHA256_* API although OpenSSL 3 deprecates it: HMAC over a
// 15-byte message is two compression calls, and the EVP layer costs more than
// that per message (provider dispatch, a heap allocation per EVP_MD_CTX_copy).
// SHA256_CTX is a plain struct, so the precomputed keyed states are copied onto
// the stack for each message: no allocation, no lock, thread-safe by
// construction. The functions still use OpenSSL's SHA-NI / AVX2 assembly.
#define OPENSSL_SUPPRESS_DEPRECATED

#include "hdhub/crypto/hash.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <cstring>

namespace hdhub::crypto {
namespace {

constexpr size_t kSha256BlockSize = 64;
constexpr uint8_t kInnerPad = 0x36;
constexpr uint8_t kOuterPad = 0x5c;

}  // namespace

Digest Sha256(ByteSpan data) {
  Digest digest;
  SHA256(data.data(), data.size(), digest.data());
  return digest;
}

struct Sha256Hasher::State {
  SHA256_CTX ctx;
};

Sha256Hasher::Sha256Hasher() : state_(std::make_unique<State>()) { SHA256_Init(&state_->ctx); }
Sha256Hasher::~Sha256Hasher() = default;

void Sha256Hasher::Update(ByteSpan data) { SHA256_Update(&state_->ctx, data.data(), data.size()); }

Digest Sha256Hasher::Finish() {
  Digest digest;
  SHA256_Final(digest.data(), &state_->ctx);
  // Ready for another message, like a fresh hasher.
  SHA256_Init(&state_->ctx);
  return digest;
}

// The HMAC key after the ipad / opad block has been absorbed (RFC 2104).
struct HmacSha256::State {
  SHA256_CTX inner;
  SHA256_CTX outer;
  ~State() { OPENSSL_cleanse(this, sizeof(*this)); }
};

HmacSha256::HmacSha256(Passkey, std::unique_ptr<State> state) : state_(std::move(state)) {}
HmacSha256::~HmacSha256() = default;

StatusOr<std::unique_ptr<HmacSha256>> HmacSha256::Create(const SecretBytes& key) {
  if (key.empty()) return InvalidArgumentError("HMAC-SHA256 key is empty");
  // RFC 2104: a key longer than the block is replaced by its hash, a shorter one
  // is zero-padded to the block size.
  uint8_t block[kSha256BlockSize] = {};
  if (key.size() > kSha256BlockSize) {
    SHA256(key.data(), key.size(), block);
  } else {
    std::memcpy(block, key.data(), key.size());
  }
  uint8_t pad[kSha256BlockSize];
  auto state = std::make_unique<State>();
  for (size_t i = 0; i < kSha256BlockSize; ++i) pad[i] = block[i] ^ kInnerPad;
  SHA256_Init(&state->inner);
  SHA256_Update(&state->inner, pad, sizeof(pad));
  for (size_t i = 0; i < kSha256BlockSize; ++i) pad[i] = block[i] ^ kOuterPad;
  SHA256_Init(&state->outer);
  SHA256_Update(&state->outer, pad, sizeof(pad));
  OPENSSL_cleanse(block, sizeof(block));
  OPENSSL_cleanse(pad, sizeof(pad));
  return std::make_unique<HmacSha256>(Passkey(), std::move(state));
}

void HmacSha256::Compute(ByteSpan message, uint8_t out[kSha256Size]) const {
  // After SHA256_Final the stack context holds only the digest state, not the
  // keyed prefix, so it needs no wipe; skipping it keeps the short-message path
  // at two compressions and two struct copies.
  SHA256_CTX ctx = state_->inner;
  SHA256_Update(&ctx, message.data(), message.size());
  uint8_t inner_digest[kSha256Size];
  SHA256_Final(inner_digest, &ctx);
  ctx = state_->outer;
  SHA256_Update(&ctx, inner_digest, sizeof(inner_digest));
  SHA256_Final(out, &ctx);
}

Digest HmacSha256::Compute(ByteSpan message) const {
  Digest digest;
  Compute(message, digest.data());
  return digest;
}

bool HmacSha256::Verify(ByteSpan message, ByteSpan tag) const {
  const Digest expected = Compute(message);
  return ConstantTimeEquals(expected, tag);
}

}  // namespace hdhub::crypto

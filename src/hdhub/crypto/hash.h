// SHA-256 and HMAC-SHA256 on OpenSSL 3.
//
// HmacSha256 precomputes the inner and outer states once per key and copies
// them for every message, so short messages (15-byte NIRs, 32-byte pseudonyms)
// cost two compression calls each: the fast path the pseudonymization needs
// (at least 6 million 15-byte messages per second per core).
//
// Thread-safety: Sha256() is thread-safe. An HmacSha256 is immutable after
// Create() and Compute() may be called from several threads at once.
#pragma once

#include <array>
#include <cstdint>
#include <memory>

#include "hdhub/common/bytes.h"
#include "hdhub/common/secret_bytes.h"
#include "hdhub/common/status.h"

namespace hdhub::crypto {

inline constexpr size_t kSha256Size = 32;
using Digest = std::array<uint8_t, kSha256Size>;

Digest Sha256(ByteSpan data);

// Incremental SHA-256, for hashing objects as they stream.
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;
  void Update(ByteSpan data);
  // Returns the digest of everything since construction or the last Finish(),
  // and starts over for a new message.
  Digest Finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

class HmacSha256 {
  struct State;  // Defined in the .cc, so OpenSSL types stay out of this header.

 public:
  // InvalidArgument if the key is empty.
  static StatusOr<std::unique_ptr<HmacSha256>> Create(const SecretBytes& key);
  // Only Create() can make a Passkey, so only Create() constructs (through
  // std::make_unique, without a raw new).
  class Passkey {
    friend class HmacSha256;
    Passkey() = default;
  };
  HmacSha256(Passkey, std::unique_ptr<State> state);
  ~HmacSha256();
  HmacSha256(const HmacSha256&) = delete;
  HmacSha256& operator=(const HmacSha256&) = delete;

  Digest Compute(ByteSpan message) const;
  void Compute(ByteSpan message, uint8_t out[kSha256Size]) const;
  // Constant-time comparison of Compute(message) against `tag`.
  bool Verify(ByteSpan message, ByteSpan tag) const;

 private:
  std::unique_ptr<State> state_;
};

}  // namespace hdhub::crypto

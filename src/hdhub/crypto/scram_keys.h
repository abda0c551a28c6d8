// SCRAM-SHA-256's stored keys (RFC 5802 §3, RFC 7677): what a server keeps to
// check a password without keeping it.
//
//   SaltedPassword = PBKDF2-HMAC-SHA-256(password, salt, iterations)
//   StoredKey      = SHA-256(HMAC(SaltedPassword, "Client Key"))
//   ServerKey      = HMAC(SaltedPassword, "Server Key")
//
// Here (a foundation) so that the directory, which stores a pair per API
// token, and the PG wire's exchange (pgwire/scram.h), which checks proofs
// against them, derive them the same way.
//
// Thread-safety: pure functions, thread-safe.
#pragma once

#include "hdhub/common/bytes.h"
#include "hdhub/common/secret_bytes.h"
#include "hdhub/common/status.h"
#include "hdhub/crypto/hash.h"

namespace hdhub::crypto {

// PostgreSQL's default and the floor the directory stores.
inline constexpr int kScramIterations = 4096;

struct ScramKeys {
  Digest stored_key{};
  Digest server_key{};
};

// The keys of `password` under `salt`. InvalidArgument for an empty salt or
// an iteration count below 1; Internal when OpenSSL fails.
StatusOr<ScramKeys> DeriveScramKeys(const SecretBytes& password, ByteSpan salt, int iterations);

}  // namespace hdhub::crypto

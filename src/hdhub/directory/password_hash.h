// Argon2id password hashes, stored as PHC strings that carry their own
// parameters and salt:
//   $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt, base64>$<hash, base64>
// on libargon2, whose verify function recomputes the hash with the stored
// parameters and compares in constant time (we never compare hashes with ==).
//
// Thread-safety: pure functions, thread-safe. Each call allocates the
// configured memory (64 MiB by default) for its duration.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "hdhub/common/secret_bytes.h"
#include "hdhub/common/status.h"
#include "hdhub/keys/key_file.h"

namespace hdhub::directory {

inline constexpr size_t kPasswordSaltSize = 16;
inline constexpr size_t kPasswordHashSize = 32;

// Argon2id cost: the same parameters, defaults (64 MiB, 3 passes, one lane)
// and bounds as the key file's passphrase KDF, for the same reasons.
// Argon2Cost::InsecureLowCostForTest() is the cheapest Argon2 accepts (tests only).
using Argon2Cost = keys::KeyFileParams;

// InvalidArgument naming the parameter out of bounds (m_cost must be at least
// 8 KiB per lane, as Argon2 requires).
Status ValidateArgon2Cost(const Argon2Cost& cost);

// A PHC string for `password` with a fresh random salt. InvalidArgument for
// an empty password or bad cost; ResourceExhausted when Argon2 cannot get its
// memory; Internal when the CSPRNG fails.
StatusOr<std::string> HashPassword(const SecretBytes& password, const Argon2Cost& cost);

// True when `password` matches `encoded`, false when it does not. DataLoss
// when `encoded` is not an Argon2id PHC string (a damaged database).
StatusOr<bool> VerifyPassword(const std::string& encoded, const SecretBytes& password);

// Spends the time of one verification under `cost` with no stored hash to
// check, so refusing an unknown user takes as long as refusing a known one.
Status SpendVerificationTime(const SecretBytes& password, const Argon2Cost& cost);

}  // namespace hdhub::directory

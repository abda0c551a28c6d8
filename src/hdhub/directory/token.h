// API tokens: the text a client presents, and the parts the directory keeps.
//
//   hdh_<id: 16 lower-case hex digits>_<secret: 43 base64url characters>
//
// The id (8 random bytes) names the token in listings, revocations and audit
// events and is not secret. The secret is 32 random bytes (256 bits),
// base64url without padding; the directory stores only its SHA-256, which is
// enough for a secret of that entropy (no password-style stretching needed).
// docs/formats/directory.md is the contract.
//
// Thread-safety: pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "hdhub/common/secret_bytes.h"
#include "hdhub/common/status.h"
#include "hdhub/crypto/hash.h"

namespace hdhub::directory {

inline constexpr std::string_view kTokenPrefix = "hdh_";
inline constexpr size_t kTokenIdBytes = 8;
inline constexpr size_t kTokenIdHexSize = 2 * kTokenIdBytes;
inline constexpr size_t kTokenSecretBytes = 32;
inline constexpr size_t kTokenSecretTextSize = 43;  // ceil(32 * 4 / 3), no padding
inline constexpr size_t kTokenSize = kTokenPrefix.size() + kTokenIdHexSize + 1 + kTokenSecretTextSize;

// A token split into its id and its decoded secret.
struct ParsedToken {
  std::string id;
  SecretBytes secret;  // kTokenSecretBytes
};

// True for 16 lower-case hex digits.
bool IsValidTokenId(std::string_view id);

// A fresh random id and secret (the CSPRNG's failure is Internal).
StatusOr<ParsedToken> GenerateToken();

// The token text for `token`. Precondition: a valid id and a 32-byte secret.
SecretBytes FormatToken(const ParsedToken& token);

// Splits a presented token. Unauthenticated "malformed API token" (never
// quoting it) for a wrong size, prefix, separator, id or secret alphabet, or a
// secret whose base64url is not canonical (unused low bits set), so that
// every changed character changes what is checked.
StatusOr<ParsedToken> ParseToken(const SecretBytes& text);

// What the directory stores for a secret.
crypto::Digest HashTokenSecret(const SecretBytes& secret);

}  // namespace hdhub::directory

// OpenID Connect ID-token validation (OIDC Core 1.0 §3.1.3.7) on OpenSSL 3,
// without the network: a provider's JWKS parsed into RSA public keys, and an
// ID token (JWS compact serialization) checked against it.
//
// What is checked, in this order, each failure naming the check and never a
// token, claim or key value:
//   - three base64url segments (no padding), a JSON header and payload;
//   - `alg` in the allowlist (RS256 only by default; `none` and HS* are never
//     accepted: HS would use the client secret as key, CVE-2015-9235 family);
//   - the key: by `kid` in the JWKS (RSA, `use` sig when present, `alg` the
//     token's when present, modulus >= 2048 bits); a token without `kid` only
//     when the JWKS holds exactly one key. NotFound when the kid is unknown, so
//     the caller can refetch the JWKS once;
//   - the RSASSA-PKCS1-v1_5 SHA-256 signature (EVP_DigestVerify);
//   - `iss` byte for byte, `aud` holding the client id (and `azp` equal to it
//     when several audiences or `azp` is present), `exp` after now - skew,
//     `iat` neither after now + skew nor older than kMaxIdTokenAge, `nonce`
//     equal to the login's in constant time.
// Every refusal but the unknown kid is Unauthenticated.
//
// Thread-safety: a const Jwks may be used from several threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/common/bytes.h"
#include "hdhub/common/clock.h"
#include "hdhub/common/secret_bytes.h"
#include "hdhub/common/status.h"

namespace hdhub::server {

inline constexpr std::chrono::seconds kMaxClockSkew{60};
// An ID token issued longer ago than this is refused (it is used at once).
inline constexpr std::chrono::minutes kMaxIdTokenAge{10};
inline constexpr int kMinRsaModulusBits = 2048;

// The claims hdhub takes from a valid ID token. Absent optional claims are
// empty (auth_time: nullopt).
struct OidcClaims {
  std::string iss;
  std::string sub;
  std::string name;
  std::string email;
  std::vector<std::string> groups;
  std::string acr;
  std::optional<int64_t> auth_time;  // seconds since 1970
  std::string sid;
};

// A provider's signing keys. Keys it cannot use (not RSA, `use` enc, too
// short, malformed) are skipped, not errors: a provider may publish others.
class Jwks {
 public:
  struct Key;  // an EVP_PKEY and its `alg`, defined in oidc_token.cc
  Jwks();
  ~Jwks();
  Jwks(Jwks&&) noexcept;
  Jwks& operator=(Jwks&&) noexcept;

  // The usable RSA signing keys of a JWKS document ({"keys": [...]}).
  // InvalidArgument when it is not such a document.
  static StatusOr<Jwks> Parse(std::string_view json);

  size_t size() const { return keys_.size(); }
  // The key of `kid`; the only key when `kid` is empty and there is one;
  // null otherwise.
  const Key* Find(std::string_view kid) const;

 private:
  std::map<std::string, std::unique_ptr<Key>, std::less<>> keys_;
};

struct IdTokenCheck {
  std::string issuer;
  std::string client_id;
  const SecretBytes* nonce = nullptr;  // the login's nonce (ASCII); required
  TimePoint now;
  std::vector<std::string> allowed_algs = {"RS256"};
};

// The claims of `token` when it passes every check above against `jwks`.
// NotFound when its kid is not in `jwks`; Unauthenticated for any other
// refusal; InvalidArgument when `check` itself is incomplete.
StatusOr<OidcClaims> ValidateIdToken(std::string_view token, const Jwks& jwks, const IdTokenCheck& check);

// Base64url without padding (RFC 7515 §2), used by JWS and PKCE.
std::string Base64UrlEncode(ByteSpan data);
// Strict: InvalidArgument on padding, '+', '/', or any other character.
StatusOr<Bytes> Base64UrlDecode(std::string_view text);

}  // namespace hdhub::server

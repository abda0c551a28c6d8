// OidcClient: hdhub as an OpenID Connect relying party, a confidential client
// using the authorization code flow with PKCE (OIDC Core 1.0 §3.1, RFC 7636,
// RFC 9700, RFC 9207). research/interfaces.md §4 is the design.
//
//   Discover(config)          provider metadata and JWKS, once at start-up
//   BeginLogin(return_to)     the authorization URL, and the record the server
//                             keeps (state, nonce, PKCE verifier: SecretBytes)
//   Complete(record, ...)     the callback: state, iss, the token request,
//                             then the ID token (oidc_token.h) -> claims
//
// Single use and storage of the login record belong to the caller (the
// portal's session store): a record must be taken out before Complete.
// Nothing here logs; no message holds a code, a token, a claim or a secret.
//
// Ownership: owns its configuration (the client secret in SecretBytes) and the
// cached JWKS. Thread-safety: BeginLogin and Complete may be called from
// several threads at once (the JWKS cache is guarded).
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/common/clock.h"
#include "hdhub/common/secret_bytes.h"
#include "hdhub/common/status.h"
#include "hdhub/server/oidc_http.h"
#include "hdhub/server/oidc_token.h"

namespace hdhub::server {

// How long a login may take between BeginLogin and Complete.
inline constexpr std::chrono::minutes kLoginLifetime{10};
// At most one JWKS refetch (on an unknown kid) per this interval.
inline constexpr std::chrono::minutes kJwksRefetchInterval{1};

struct OidcClientConfig {
  std::string issuer;  // compared byte for byte with the provider's
  std::string client_id;
  SecretBytes client_secret;
  std::string redirect_uri;  // registered at the provider, matched exactly
  std::vector<std::string> scopes = {"openid", "profile", "email"};
  std::vector<std::string> allowed_algs = {"RS256"};
  OidcTransport transport;
};

struct OidcProviderMetadata {
  std::string issuer;
  std::string authorization_endpoint;
  std::string token_endpoint;
  std::string jwks_uri;
  std::string userinfo_endpoint;     // "" when the provider has none
  std::string end_session_endpoint;  // "" when the provider has none
  std::vector<std::string> id_token_signing_alg_values_supported;
};

// What the server keeps between the redirect to the provider and its return.
struct OidcLoginRecord {
  SecretBytes state;          // base64url text of 256 random bits
  SecretBytes nonce;          // idem
  SecretBytes code_verifier;  // 43 base64url characters (256 random bits)
  std::string return_to;      // a path on our origin ("/..."), never a URL
  TimePoint created_at;
};

struct OidcLogin {
  std::string authorization_url;
  OidcLoginRecord record;
};

// What a completed login yields: the validated claims, and the ID token
// itself, kept only to name the session at the provider's logout
// (id_token_hint).
struct OidcCompletion {
  OidcClaims claims;
  SecretBytes id_token;
};

class OidcClient {
 public:
  // Fetches `{issuer}/.well-known/openid-configuration` and the JWKS.
  // InvalidArgument for an incomplete config or a URL its transport refuses;
  // Unavailable when the provider cannot be reached or answers other than
  // 200 JSON; FailedPrecondition when its metadata's issuer differs from
  // config.issuer, an endpoint is missing or not https (outside loopback
  // tests), or none of config.allowed_algs is among its ID-token algorithms.
  static StatusOr<std::unique_ptr<OidcClient>> Discover(OidcClientConfig config, const Clock& clock);

  // A client with metadata and keys given rather than fetched (tests).
  static StatusOr<std::unique_ptr<OidcClient>> CreateForTest(OidcClientConfig config, OidcProviderMetadata metadata,
                                                             Jwks jwks, const Clock& clock);

  // A new login: fresh state, nonce and PKCE verifier, and the URL to send
  // the browser to. InvalidArgument when `return_to` is not a path on our
  // origin ("/" then no "/" or "\": no scheme, no authority, no control
  // character). `reauthenticate`: the provider must ask for the user's
  // credentials again (prompt=login, max_age=0), before operator actions.
  StatusOr<OidcLogin> BeginLogin(std::string_view return_to, bool reauthenticate = false) const;

  // Finishes `record`'s login with the callback's `code`, `state` and `iss`
  // (nullopt when the provider sent none). Unauthenticated when the state
  // differs, `iss` is not the issuer, the login is older than
  // kLoginLifetime, the provider refuses the code (an invalid_grant: used
  // twice, expired, wrong verifier), or the ID token fails a check
  // (oidc_token.h; an unknown kid after one JWKS refetch included);
  // Unavailable when the provider cannot be reached.
  StatusOr<OidcClaims> Complete(const OidcLoginRecord& record, std::string_view code, std::string_view state,
                                std::optional<std::string_view> iss);
  // The same, also returning the ID token (for the provider's logout).
  StatusOr<OidcCompletion> CompleteLogin(const OidcLoginRecord& record, std::string_view code, std::string_view state,
                                         std::optional<std::string_view> iss);

  const OidcProviderMetadata& provider() const { return metadata_; }
  // The number of keys in the cached JWKS.
  size_t jwks_size() const;

  // Exposed for `Complete` and tests: validates `id_token` for `record`,
  // refetching the JWKS once (rate-limited) when its kid is unknown.
  StatusOr<OidcClaims> ValidateIdTokenOfLogin(std::string_view id_token, const OidcLoginRecord& record);

  // Only the factories make a Passkey, so only they construct (through
  // std::make_unique).
  class Passkey {
    friend class OidcClient;
    Passkey() = default;
  };
  OidcClient(Passkey, OidcClientConfig config, OidcProviderMetadata metadata, Jwks jwks, const Clock& clock);

 private:
  StatusOr<std::string> RedeemCode(const OidcLoginRecord& record, std::string_view code) const;
  Status RefetchJwks();

  const OidcClientConfig config_;
  const OidcProviderMetadata metadata_;
  const Clock& clock_;
  mutable std::mutex mu_;
  Jwks jwks_;                                   // guarded by mu_
  std::optional<TimePoint> last_jwks_refetch_;  // guarded by mu_
};

// 256 random bits as base64url text (43 characters), for states, nonces,
// PKCE verifiers, session ids and CSRF tokens.
StatusOr<SecretBytes> RandomToken();

// RFC 7636 §4.2: BASE64URL(SHA256(ASCII(code_verifier))).
std::string PkceS256Challenge(const SecretBytes& code_verifier);

// OK when `return_to` is a path on our origin (see BeginLogin).
Status CheckReturnTo(std::string_view return_to);

// The metadata in a discovery document, checked as Discover describes.
StatusOr<OidcProviderMetadata> ParseProviderMetadata(std::string_view json, const OidcClientConfig& config);

}  // namespace hdhub::server

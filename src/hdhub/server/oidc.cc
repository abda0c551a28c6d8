#include "hdhub/server/oidc.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "hdhub/common/bytes.h"
#include "hdhub/crypto/hash.h"
#include "hdhub/crypto/random.h"

namespace hdhub::server {

namespace {

using Json = nlohmann::json;

constexpr size_t kRandomBytes = 32;  // state, nonce and PKCE verifier: 256 bits each
constexpr size_t kMaxReturnTo = 2048;
constexpr std::string_view kDiscoveryPath = ".well-known/openid-configuration";

std::string StringMember(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// A random 256-bit value as base64url text (43 characters), in SecretBytes.

std::string_view Text(const SecretBytes& secret) { return AsStringView(secret.span()); }

Status CheckConfig(const OidcClientConfig& config) {
  if (config.issuer.empty() || config.client_id.empty() || config.client_secret.empty() ||
      config.redirect_uri.empty()) {
    return InvalidArgumentError("OpenID Connect needs an issuer, a client id, a client secret and a redirect URI");
  }
  if (config.allowed_algs.empty()) return InvalidArgumentError("OpenID Connect needs at least one allowed alg");
  return CheckOidcUrl(config.issuer, config.transport);
}

StatusOr<Json> JsonAnswer(const OidcHttpAnswer& answer, std::string_view what) {
  Json j = Json::parse(answer.body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return UnavailableError("the OpenID provider's " + std::string(what) + " is not a JSON object");
  return j;
}

// The provider's OAuth error code when it is one of the registry's words
// (RFC 6749 §5.2: %x20-21 / %x23-5B / %x5D-7E; we keep [a-z_]), else "".
std::string OAuthErrorCode(const Json& j) {
  std::string code = StringMember(j, "error");
  const bool plain = !code.empty() && code.size() <= 64 &&
                     std::all_of(code.begin(), code.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
  return plain ? code : std::string();
}

}  // namespace

std::string PkceS256Challenge(const SecretBytes& code_verifier) {
  return Base64UrlEncode(crypto::Sha256(code_verifier.span()));
}

Status CheckReturnTo(std::string_view return_to) {
  if (return_to.empty() || return_to.size() > kMaxReturnTo || return_to[0] != '/') {
    return InvalidArgumentError("return_to must be a path on this site, starting with '/'");
  }
  if (return_to.size() > 1 && (return_to[1] == '/' || return_to[1] == '\\')) {
    return InvalidArgumentError("return_to must be a path on this site, not another host ('//')");
  }
  for (char c : return_to) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\\' || u < 0x20 || u == 0x7f) {
      return InvalidArgumentError("return_to holds a backslash or a control character");
    }
  }
  return OkStatus();
}

StatusOr<OidcProviderMetadata> ParseProviderMetadata(std::string_view json, const OidcClientConfig& config) {
  const Json j = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return FailedPreconditionError("the OpenID provider's metadata is not a JSON object");
  OidcProviderMetadata m;
  m.issuer = StringMember(j, "issuer");
  if (m.issuer != config.issuer) {
    return FailedPreconditionError("the OpenID provider's metadata names another issuer than the configured one");
  }
  m.authorization_endpoint = StringMember(j, "authorization_endpoint");
  m.token_endpoint = StringMember(j, "token_endpoint");
  m.jwks_uri = StringMember(j, "jwks_uri");
  m.userinfo_endpoint = StringMember(j, "userinfo_endpoint");
  m.end_session_endpoint = StringMember(j, "end_session_endpoint");
  for (const auto& [name, url] :
       {std::pair{"authorization_endpoint", &m.authorization_endpoint}, std::pair{"token_endpoint", &m.token_endpoint},
        std::pair{"jwks_uri", &m.jwks_uri}, std::pair{"userinfo_endpoint", &m.userinfo_endpoint},
        std::pair{"end_session_endpoint", &m.end_session_endpoint}}) {
    const bool optional =
        std::string_view(name) == "userinfo_endpoint" || std::string_view(name) == "end_session_endpoint";
    if (url->empty() && optional) continue;
    if (url->empty()) return FailedPreconditionError(std::string("the OpenID provider's metadata has no ") + name);
    if (Status s = CheckOidcUrl(*url, config.transport); !s.ok()) {
      return FailedPreconditionError(std::string("the OpenID provider's ") + name + ": " + std::string(s.message()));
    }
  }
  if (auto algs = j.find("id_token_signing_alg_values_supported"); algs != j.end() && algs->is_array()) {
    for (const Json& a : *algs) {
      if (a.is_string()) m.id_token_signing_alg_values_supported.push_back(a.get<std::string>());
    }
  }
  const auto& offered = m.id_token_signing_alg_values_supported;
  const bool usable = std::any_of(config.allowed_algs.begin(), config.allowed_algs.end(), [&](const std::string& a) {
    return std::find(offered.begin(), offered.end(), a) != offered.end();
  });
  if (!usable) return FailedPreconditionError("the OpenID provider signs ID tokens with none of the allowed algs");
  return m;
}

OidcClient::OidcClient(Passkey, OidcClientConfig config, OidcProviderMetadata metadata, Jwks jwks, const Clock& clock)
    : config_(std::move(config)), metadata_(std::move(metadata)), clock_(clock), jwks_(std::move(jwks)) {}

StatusOr<std::unique_ptr<OidcClient>> OidcClient::Discover(OidcClientConfig config, const Clock& clock) {
  RETURN_IF_ERROR(CheckConfig(config));
  std::string url = config.issuer;
  if (!url.ends_with('/')) url += '/';
  url += kDiscoveryPath;
  ASSIGN_OR_RETURN(OidcHttpAnswer answer, OidcGet(url, config.transport));
  if (answer.status != 200) {
    return UnavailableError("the OpenID provider's discovery answered HTTP " + std::to_string(answer.status));
  }
  ASSIGN_OR_RETURN(OidcProviderMetadata metadata, ParseProviderMetadata(answer.body, config));
  ASSIGN_OR_RETURN(OidcHttpAnswer keys, OidcGet(metadata.jwks_uri, config.transport));
  if (keys.status != 200)
    return UnavailableError("the OpenID provider's JWKS answered HTTP " + std::to_string(keys.status));
  StatusOr<Jwks> jwks = Jwks::Parse(keys.body);
  if (!jwks.ok()) return UnavailableError("the OpenID provider's JWKS: " + std::string(jwks.status().message()));
  return std::make_unique<OidcClient>(Passkey(), std::move(config), std::move(metadata), std::move(*jwks), clock);
}

StatusOr<std::unique_ptr<OidcClient>> OidcClient::CreateForTest(OidcClientConfig config, OidcProviderMetadata metadata,
                                                                Jwks jwks, const Clock& clock) {
  RETURN_IF_ERROR(CheckConfig(config));
  return std::make_unique<OidcClient>(Passkey(), std::move(config), std::move(metadata), std::move(jwks), clock);
}

size_t OidcClient::jwks_size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return jwks_.size();
}

StatusOr<SecretBytes> RandomToken() {
  ASSIGN_OR_RETURN(SecretBytes raw, crypto::RandomSecret(kRandomBytes));
  std::string text = Base64UrlEncode(raw.span());
  SecretBytes out(AsBytes(text));
  SecureWipe(text.data(), text.size());
  return out;
}

StatusOr<OidcLogin> OidcClient::BeginLogin(std::string_view return_to, bool reauthenticate) const {
  RETURN_IF_ERROR(CheckReturnTo(return_to));
  OidcLogin login;
  ASSIGN_OR_RETURN(login.record.state, RandomToken());
  ASSIGN_OR_RETURN(login.record.nonce, RandomToken());
  ASSIGN_OR_RETURN(login.record.code_verifier, RandomToken());
  login.record.return_to = std::string(return_to);
  login.record.created_at = clock_.Now();
  std::string scope;
  for (const std::string& s : config_.scopes) scope += (scope.empty() ? "" : " ") + s;
  std::string& url = login.authorization_url;
  url = metadata_.authorization_endpoint;
  url += url.find('?') == std::string::npos ? '?' : '&';
  url += "response_type=code&client_id=" + FormEncode(config_.client_id);
  url += "&redirect_uri=" + FormEncode(config_.redirect_uri) + "&scope=" + FormEncode(scope);
  url += "&state=" + std::string(Text(login.record.state)) + "&nonce=" + std::string(Text(login.record.nonce));
  url += "&code_challenge=" + PkceS256Challenge(login.record.code_verifier) + "&code_challenge_method=S256";
  if (reauthenticate) url += "&prompt=login&max_age=0";
  return login;
}

StatusOr<std::string> OidcClient::RedeemCode(const OidcLoginRecord& record, std::string_view code) const {
  std::string form = "grant_type=authorization_code&code=" + FormEncode(code) +
                     "&redirect_uri=" + FormEncode(config_.redirect_uri) +
                     "&code_verifier=" + std::string(Text(record.code_verifier));
  SecretBytes body(AsBytes(form));
  SecureWipe(form.data(), form.size());
  ASSIGN_OR_RETURN(OidcHttpAnswer answer, OidcPostForm(metadata_.token_endpoint, body, config_.client_id,
                                                       config_.client_secret, config_.transport));
  StatusOr<Json> j = JsonAnswer(answer, "token answer");
  SecureWipe(answer.body.data(), answer.body.size());
  if (answer.status >= 500) {
    return UnavailableError("the OpenID provider's token endpoint answered HTTP " + std::to_string(answer.status));
  }
  if (!j.ok()) return j.status();
  if (answer.status != 200) {
    const std::string error = OAuthErrorCode(*j);
    return UnauthenticatedError("the OpenID provider refused the authorization code (HTTP " +
                                std::to_string(answer.status) + (error.empty() ? "" : ", " + error) + ")");
  }
  std::string id_token = StringMember(*j, "id_token");
  if (id_token.empty()) return UnauthenticatedError("the OpenID provider's token answer holds no id_token");
  return id_token;
}

Status OidcClient::RefetchJwks() {
  ASSIGN_OR_RETURN(OidcHttpAnswer answer, OidcGet(metadata_.jwks_uri, config_.transport));
  if (answer.status != 200) {
    return UnavailableError("the OpenID provider's JWKS answered HTTP " + std::to_string(answer.status));
  }
  StatusOr<Jwks> jwks = Jwks::Parse(answer.body);
  if (!jwks.ok()) return UnavailableError("the OpenID provider's JWKS: " + std::string(jwks.status().message()));
  std::lock_guard<std::mutex> lock(mu_);
  jwks_ = std::move(*jwks);
  return OkStatus();
}

StatusOr<OidcClaims> OidcClient::ValidateIdTokenOfLogin(std::string_view id_token, const OidcLoginRecord& record) {
  IdTokenCheck check{config_.issuer, config_.client_id, &record.nonce, clock_.Now(), config_.allowed_algs};
  bool may_refetch = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    StatusOr<OidcClaims> claims = ValidateIdToken(id_token, jwks_, check);
    if (!IsNotFound(claims.status())) return claims;
    // The provider may have rotated its key: refetch once, at most once per interval.
    const TimePoint now = clock_.Now();
    may_refetch = !last_jwks_refetch_ || now - *last_jwks_refetch_ >= kJwksRefetchInterval;
    if (may_refetch) last_jwks_refetch_ = now;
  }
  if (may_refetch) {
    RETURN_IF_ERROR(RefetchJwks());
    std::lock_guard<std::mutex> lock(mu_);
    StatusOr<OidcClaims> claims = ValidateIdToken(id_token, jwks_, check);
    if (!IsNotFound(claims.status())) return claims;
  }
  return UnauthenticatedError("ID token refused: its signing key (kid) is not in the provider's JWKS");
}

StatusOr<OidcClaims> OidcClient::Complete(const OidcLoginRecord& record, std::string_view code, std::string_view state,
                                          std::optional<std::string_view> iss) {
  ASSIGN_OR_RETURN(OidcCompletion done, CompleteLogin(record, code, state, iss));
  return std::move(done.claims);
}

StatusOr<OidcCompletion> OidcClient::CompleteLogin(const OidcLoginRecord& record, std::string_view code,
                                                   std::string_view state, std::optional<std::string_view> iss) {
  if (!ConstantTimeEquals(AsBytes(state), record.state.span()) || record.state.empty()) {
    return UnauthenticatedError("login refused: state does not match the login's");
  }
  if (iss && *iss != metadata_.issuer) return UnauthenticatedError("login refused: iss is not the provider (RFC 9207)");
  if (clock_.Now() - record.created_at > kLoginLifetime) {
    return UnauthenticatedError("login refused: it took longer than 10 minutes; start again");
  }
  if (code.empty()) return UnauthenticatedError("login refused: the provider sent no authorization code");
  ASSIGN_OR_RETURN(std::string id_token, RedeemCode(record, code));
  StatusOr<OidcClaims> claims = ValidateIdTokenOfLogin(id_token, record);
  SecretBytes kept(AsBytes(id_token));
  SecureWipe(id_token.data(), id_token.size());
  if (!claims.ok()) return claims.status();
  return OidcCompletion{.claims = std::move(*claims), .id_token = std::move(kept)};
}

}  // namespace hdhub::server

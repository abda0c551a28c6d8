// Sso: single sign-on by OpenID Connect for `hdhub serve` ([serve.oidc],
// docs/serve.md "Single sign-on"), the browser's half of the HTTP API.
//
//   GET  /auth/login?return_to=/path[&reauth=1]  303 to the provider; the
//        login (state, nonce, PKCE verifier) kept server-side, single use,
//        10 minutes, bound to the browser by the __Host-hdhub-login cookie;
//        reauth asks the provider for the credentials again.
//   GET  /auth/callback  the code redeemed and the ID token validated
//        (OidcClient), the identity turned into the linked account's roles
//        (Service::AuthenticateOidc, which logs the login), a new session
//        (SessionStore; any session the browser had is ended: no fixation),
//        cookie __Host-hdhub-session (Path=/; Secure; HttpOnly;
//        SameSite=Lax), 303 to return_to (a path of ours only).
//   POST /auth/logout    (CSRF) the session ended and logged; JSON
//        {"redirect": the provider's end_session URL or "/"}.
//   GET  /api/v1/session {"user","roles","csrf_token","auth_time","expires_at"[,"pg_port"]} or 401.
// Every /api/v1 route takes the session cookie when there is no
// Authorization header (Authenticate): the account re-checked on each
// request (Service::AuthenticateOidcSession); a method other than GET/HEAD
// needs X-CSRF-Token equal to the session's (constant time) and an Origin,
// when sent, equal to ours (else 403); and, holding the operator role, a
// login younger than reauth_window (else 401 with "reauth": true).
//
// The provider's discovery runs at Create; when it cannot be reached, it
// is tried again at each login until it answers (serve starts anyway).
// Nothing here logs a cookie, token, code or claim.
//
// Ownership: borrows the Service and the Clock; owns the client and the
// sessions. Thread-safety: every method may be called from several threads.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "hdhub/server/config.h"
#include "hdhub/server/http_api.h"
#include "hdhub/server/log.h"
#include "hdhub/server/oidc.h"
#include "hdhub/server/session_store.h"
#include "hdhub/service/service.h"

namespace hdhub::server {

inline constexpr std::string_view kSessionCookie = "__Host-hdhub-session";
inline constexpr std::string_view kLoginCookie = "__Host-hdhub-login";
inline constexpr std::string_view kOidcClientSecretEnv = "HDHUB_OIDC_CLIENT_SECRET";

// The value of cookie `name` in a Cookie header, or nullopt.
std::optional<std::string> CookieValue(std::string_view header, std::string_view name);
// "<name>=<value>; Path=/; Secure; HttpOnly; SameSite=Lax[; Max-Age=<n>]".
std::string SetCookie(std::string_view name, std::string_view value, std::optional<int64_t> max_age = std::nullopt);
// "https://host[:port]" of `url` (the port left out when 443); InvalidArgument otherwise.
StatusOr<std::string> HttpsOrigin(std::string_view url);
// A state-changing request of session `info`: Origin, when present, must be
// `origin` and X-CSRF-Token the session's. PermissionDenied otherwise.
Status CheckCsrf(const HttpRequest& request, const SessionInfo& info, std::string_view origin);
// The role mapping of `config` ([serve.oidc.roles] and [serve.oidc.acr]).
StatusOr<service::OidcRoleMapping> RoleMappingOf(const OidcServeConfig& config);
// The client secret: config.client_secret_file (InvalidArgument when group
// or others may read it) or $HDHUB_OIDC_CLIENT_SECRET; InvalidArgument when neither.
StatusOr<SecretBytes> ReadOidcClientSecret(const OidcServeConfig& config);

class Sso final : public SessionAuthority {
 public:
  // Reads the secret and tries the provider's discovery (logged to `log`
  // when it fails; retried at the first login). InvalidArgument for a
  // config or secret that cannot work.
  static StatusOr<std::unique_ptr<Sso>> Create(service::Service& service, const Clock& clock,
                                               const OidcServeConfig& config, Logger& log);
  // With `client` made beforehand (tests).
  static StatusOr<std::unique_ptr<Sso>> CreateForTest(service::Service& service, const Clock& clock,
                                                      const OidcServeConfig& config,
                                                      std::unique_ptr<OidcClient> client);

  HttpResponse HandleAuth(const HttpRequest& request) override;
  HttpResponse ShowSession(const HttpRequest& request) override;
  bool HasSessionCookie(const HttpRequest& request) const override;
  std::optional<service::RequestContext> Authenticate(const HttpRequest& request, std::optional<directory::Role> as,
                                                      HttpResponse& refusal) override;

  // The callback's last step, once the ID token is valid: the linked
  // account's session for `claims` (authenticated at `auth_time`), as
  // Service::AuthenticateOidc allows and logs; returns the cookie value.
  StatusOr<SecretBytes> OpenSession(const OidcClaims& claims, SecretBytes id_token, TimePoint auth_time,
                                    const HttpRequest& request);
  SessionStore& sessions() { return store_; }
  // The PG wire's port ([serve] listen), told to the portal in GET
  // /api/v1/session for its connection snippets (the host is the one the
  // browser reached); 0: not told. Set before serving.
  void SetPgPort(uint16_t port) { pg_port_ = port; }

  struct Passkey {
   private:
    friend class Sso;
    Passkey() = default;
  };
  Sso(Passkey, service::Service& service, const Clock& clock, const OidcServeConfig& config,
      service::OidcRoleMapping mapping, std::string origin, SecretBytes client_secret, Logger* log);

 private:
  HttpResponse Login(const HttpRequest& request);
  HttpResponse Callback(const HttpRequest& request);
  HttpResponse Logout(const HttpRequest& request);
  // The client, discovering the provider first if that has not succeeded yet.
  StatusOr<OidcClient*> Client();
  // A refused login: logged (details.reason `reason`) and answered `status`'s problem.
  HttpResponse RefuseLogin(const HttpRequest& request, std::string_view reason, const Status& status);
  std::string EndSessionUrl(const SecretBytes& id_token);

  service::Service& service_;
  const Clock& clock_;
  const OidcServeConfig config_;
  const service::OidcRoleMapping mapping_;
  const std::string origin_;
  const SecretBytes client_secret_;
  Logger* log_;
  SessionStore store_;
  std::mutex client_mu_;
  std::unique_ptr<OidcClient> client_;  // guarded by client_mu_ until set
  uint16_t pg_port_ = 0;
};

}  // namespace hdhub::server

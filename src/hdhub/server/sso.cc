#include "hdhub/server/sso.h"

#include <sys/stat.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "hdhub/common/bytes.h"
#include "hdhub/common/file.h"

namespace hdhub::server {
namespace {

using json = nlohmann::json;
using directory::Role;

constexpr std::chrono::seconds kAuthTimeSkew{60};
constexpr int64_t kLoginCookieSeconds = std::chrono::duration_cast<std::chrono::seconds>(kLoginLifetime).count();

bool IsSafeMethod(std::string_view method) { return method == "GET" || method == "HEAD"; }

std::string_view PathOf(std::string_view target) { return target.substr(0, target.find('?')); }

StatusOr<std::map<std::string, std::string>> QueryOf(std::string_view target) {
  const size_t q = target.find('?');
  if (q == std::string_view::npos) return std::map<std::string, std::string>();
  return ParseQueryString(target.substr(q + 1));
}

std::string Get(const std::map<std::string, std::string>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? "" : it->second;
}

HttpResponse JsonAnswer(const json& body) {
  HttpResponse out{.body = body.dump()};
  out.headers.emplace_back("Cache-Control", "no-store");
  return out;
}

HttpResponse SeeOther(std::string location) {
  HttpResponse out{.status = 303, .content_type = ""};
  out.headers.emplace_back("Location", std::move(location));
  out.headers.emplace_back("Cache-Control", "no-store");
  return out;
}

HttpResponse ReauthProblem(std::string_view request_id) {
  HttpResponse out = Problem(401, "this action needs a recent login: sign in again (/auth/login?reauth=1)", request_id);
  json body = json::parse(out.body, nullptr, false);
  body["reauth"] = true;
  out.body = body.dump();
  return out;
}

}  // namespace

std::optional<std::string> CookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const size_t end = header.find(';');
    std::string_view pair = header.substr(0, end);
    header = end == std::string_view::npos ? std::string_view() : header.substr(end + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    const size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) return std::string(pair.substr(eq + 1));
  }
  return std::nullopt;
}

std::string SetCookie(std::string_view name, std::string_view value, std::optional<int64_t> max_age) {
  std::string out = std::string(name) + "=" + std::string(value) + "; Path=/; Secure; HttpOnly; SameSite=Lax";
  if (max_age) out += "; Max-Age=" + std::to_string(*max_age);
  return out;
}

StatusOr<std::string> HttpsOrigin(std::string_view url) {
  constexpr std::string_view kScheme = "https://";
  if (!url.starts_with(kScheme)) return InvalidArgumentError("expected an https:// URL");
  std::string_view authority = url.substr(kScheme.size());
  authority = authority.substr(0, authority.find_first_of("/?#"));
  if (authority.empty() || authority.find('@') != std::string_view::npos) {
    return InvalidArgumentError("expected https://HOST[:PORT]/...");
  }
  if (authority.ends_with(":443")) authority.remove_suffix(4);
  return std::string(kScheme) + std::string(authority);
}

Status CheckCsrf(const HttpRequest& request, const SessionInfo& info, std::string_view origin) {
  if (!request.origin.empty() && request.origin != origin) {
    return PermissionDeniedError("cross-site request refused: its Origin is not this server's");
  }
  if (request.csrf_token.empty() || !ConstantTimeEquals(AsBytes(request.csrf_token), info.csrf_token.span())) {
    return PermissionDeniedError("missing or wrong X-CSRF-Token header: take it from GET /api/v1/session");
  }
  return OkStatus();
}

StatusOr<service::OidcRoleMapping> RoleMappingOf(const OidcServeConfig& config) {
  service::OidcRoleMapping mapping;
  for (const auto& [name, groups] : config.role_groups) {
    ASSIGN_OR_RETURN(Role role, directory::ParseRole(name));
    mapping.groups[role] = groups;
  }
  for (const auto& [name, acr] : config.role_acr) {
    ASSIGN_OR_RETURN(Role role, directory::ParseRole(name));
    mapping.acr[role] = acr;
  }
  return mapping;
}

StatusOr<SecretBytes> ReadOidcClientSecret(const OidcServeConfig& config) {
  if (config.client_secret_file.empty()) {
    const char* env = std::getenv(std::string(kOidcClientSecretEnv).c_str());
    if (env == nullptr || *env == '\0') {
      return InvalidArgumentError("serve.oidc: set client_secret_file, or the client secret in $" +
                                  std::string(kOidcClientSecretEnv));
    }
    return SecretBytes(AsBytes(env));
  }
  struct stat st {};
  if (::stat(config.client_secret_file.c_str(), &st) != 0) {
    return InvalidArgumentError("serve.oidc.client_secret_file: cannot read " + config.client_secret_file);
  }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    return InvalidArgumentError("serve.oidc.client_secret_file: " + config.client_secret_file +
                                " may be read by others: chmod 600 it");
  }
  ASSIGN_OR_RETURN(std::string text, ReadFile(config.client_secret_file));
  size_t size = text.size();
  while (size > 0 && (text[size - 1] == '\n' || text[size - 1] == '\r')) --size;
  SecretBytes secret(AsBytes(std::string_view(text).substr(0, size)));
  SecureWipe(text.data(), text.size());
  if (secret.empty())
    return InvalidArgumentError("serve.oidc.client_secret_file: " + config.client_secret_file + " is empty");
  return secret;
}

Sso::Sso(Passkey, service::Service& service, const Clock& clock, const OidcServeConfig& config,
         service::OidcRoleMapping mapping, std::string origin, SecretBytes client_secret, Logger* log)
    : service_(service),
      clock_(clock),
      config_(config),
      mapping_(std::move(mapping)),
      origin_(std::move(origin)),
      client_secret_(std::move(client_secret)),
      log_(log),
      store_(clock, {.idle = config.idle_timeout, .absolute = config.absolute_timeout}) {}

StatusOr<std::unique_ptr<Sso>> Sso::Create(service::Service& service, const Clock& clock, const OidcServeConfig& config,
                                           Logger& log) {
  ASSIGN_OR_RETURN(service::OidcRoleMapping mapping, RoleMappingOf(config));
  ASSIGN_OR_RETURN(std::string origin, HttpsOrigin(config.redirect_uri));
  ASSIGN_OR_RETURN(SecretBytes secret, ReadOidcClientSecret(config));
  auto sso = std::make_unique<Sso>(Passkey(), service, clock, config, std::move(mapping), std::move(origin),
                                   std::move(secret), &log);
  if (StatusOr<OidcClient*> client = sso->Client(); !client.ok()) {
    const StatusCode code = client.status().code();
    if (code != StatusCode::kUnavailable && code != StatusCode::kDeadlineExceeded) return client.status();
    log.Log({.level = "warning", .event = "sso.discovery_failed", .reason = "provider_unreachable_retry_at_login"});
  }
  return sso;
}

StatusOr<std::unique_ptr<Sso>> Sso::CreateForTest(service::Service& service, const Clock& clock,
                                                  const OidcServeConfig& config, std::unique_ptr<OidcClient> client) {
  ASSIGN_OR_RETURN(service::OidcRoleMapping mapping, RoleMappingOf(config));
  ASSIGN_OR_RETURN(std::string origin, HttpsOrigin(config.redirect_uri));
  auto sso = std::make_unique<Sso>(Passkey(), service, clock, config, std::move(mapping), std::move(origin),
                                   SecretBytes(AsBytes("test")), nullptr);
  sso->client_ = std::move(client);
  return sso;
}

StatusOr<OidcClient*> Sso::Client() {
  std::lock_guard lock(client_mu_);
  if (client_ == nullptr) {
    OidcClientConfig c{.issuer = config_.issuer,
                       .client_id = config_.client_id,
                       .client_secret = client_secret_.Clone(),
                       .redirect_uri = config_.redirect_uri,
                       .transport = {.allow_loopback_http = config_.allow_loopback_http, .ca_file = config_.ca_file}};
    ASSIGN_OR_RETURN(client_, OidcClient::Discover(std::move(c), clock_));
  }
  return client_.get();
}

HttpResponse Sso::HandleAuth(const HttpRequest& request) {
  const std::string_view path = PathOf(request.target);
  const bool get = IsSafeMethod(request.method);
  if (path == "/auth/login" && get) return Login(request);
  if (path == "/auth/callback" && get) return Callback(request);
  if (path == "/auth/logout" && request.method == "POST") return Logout(request);
  if (path == "/auth/login" || path == "/auth/callback" || path == "/auth/logout") {
    return Problem(405, "method not allowed on this resource", request.request_id);
  }
  return ProblemFor(NotFoundError("no such resource"), request.request_id);
}

HttpResponse Sso::Login(const HttpRequest& request) {
  StatusOr<std::map<std::string, std::string>> query = QueryOf(request.target);
  if (!query.ok()) return ProblemFor(query.status(), request.request_id);
  std::string return_to = Get(*query, "return_to");
  if (return_to.empty()) return_to = "/";
  if (!CheckReturnTo(return_to).ok()) {
    return ProblemFor(InvalidArgumentError("return_to must be a path of this site, such as /projects"),
                      request.request_id);
  }
  StatusOr<OidcClient*> client = Client();
  if (!client.ok()) return ProblemFor(client.status(), request.request_id);
  const bool reauth = Get(*query, "reauth") == "1";
  StatusOr<OidcLogin> login = (*client)->BeginLogin(return_to, reauth);
  if (!login.ok()) return ProblemFor(login.status(), request.request_id);
  HttpResponse out = SeeOther(std::move(login->authorization_url));
  StatusOr<SecretBytes> binding = store_.AddLogin({.record = std::move(login->record), .reauthenticate = reauth});
  if (!binding.ok()) return ProblemFor(binding.status(), request.request_id);
  out.headers.emplace_back("Set-Cookie", SetCookie(kLoginCookie, AsStringView(binding->span()), kLoginCookieSeconds));
  return out;
}

HttpResponse Sso::RefuseLogin(const HttpRequest& request, std::string_view reason, const Status& status) {
  Status logged = service_.RecordOidcFailure(request.client, reason);
  if (!logged.ok()) return ProblemFor(logged, request.request_id);
  return ProblemFor(status, request.request_id);
}

HttpResponse Sso::Callback(const HttpRequest& request) {
  const Status refused = UnauthenticatedError("login refused");
  StatusOr<std::map<std::string, std::string>> query = QueryOf(request.target);
  if (!query.ok()) return RefuseLogin(request, "malformed_callback", refused);
  if (query->contains("error")) return RefuseLogin(request, "provider_error", refused);
  const std::string state = Get(*query, "state");
  const std::string binding = CookieValue(request.cookie, kLoginCookie).value_or("");
  StatusOr<PendingLogin> pending = store_.TakeLogin(state, AsBytes(binding));
  if (!pending.ok()) return RefuseLogin(request, "unknown_login", refused);
  StatusOr<OidcClient*> client = Client();
  if (!client.ok()) return RefuseLogin(request, "provider_unavailable", client.status());
  std::optional<std::string> iss;
  if (query->contains("iss")) iss = Get(*query, "iss");
  StatusOr<OidcCompletion> done = (*client)->CompleteLogin(pending->record, Get(*query, "code"), state, iss);
  if (!done.ok()) {
    const bool down = done.status().code() == StatusCode::kUnavailable;
    return RefuseLogin(request, down ? "provider_unavailable" : "token_refused", down ? done.status() : refused);
  }
  TimePoint auth_time = clock_.Now();
  if (done->claims.auth_time) {
    auth_time = TimePoint(std::chrono::seconds(*done->claims.auth_time));
  } else if (pending->reauthenticate) {
    return RefuseLogin(request, "no_auth_time", refused);
  }
  if (pending->reauthenticate && auth_time + kAuthTimeSkew < pending->record.created_at) {
    return RefuseLogin(request, "not_reauthenticated", refused);
  }
  StatusOr<SecretBytes> cookie = OpenSession(done->claims, std::move(done->id_token), auth_time, request);
  if (!cookie.ok()) return ProblemFor(cookie.status(), request.request_id);
  // A new session id at every login: whatever session the browser had ends.
  if (std::optional<std::string> old = CookieValue(request.cookie, kSessionCookie)) store_.Remove(AsBytes(*old));
  HttpResponse out = SeeOther(pending->record.return_to);
  out.headers.emplace_back("Set-Cookie", SetCookie(kSessionCookie, AsStringView(cookie->span())));
  return out;
}

StatusOr<SecretBytes> Sso::OpenSession(const OidcClaims& claims, SecretBytes id_token, TimePoint auth_time,
                                       const HttpRequest& request) {
  service::OidcIdentity identity{
      .issuer = claims.iss, .subject = claims.sub, .groups = claims.groups, .acr = claims.acr};
  ASSIGN_OR_RETURN(service::RequestContext ctx,
                   service_.AuthenticateOidc(identity, mapping_, request.client, request.request_id));
  SessionInfo info{.user = ctx.principal().user,
                   .roles = ctx.principal().roles,
                   .issuer = claims.iss,
                   .subject = claims.sub,
                   .auth_time = auth_time};
  return store_.Create(std::move(info), std::move(id_token));
}

bool Sso::HasSessionCookie(const HttpRequest& request) const {
  return CookieValue(request.cookie, kSessionCookie).has_value();
}

std::optional<service::RequestContext> Sso::Authenticate(const HttpRequest& request, std::optional<Role> as,
                                                         HttpResponse& refusal) {
  const std::string cookie = CookieValue(request.cookie, kSessionCookie).value_or("");
  StatusOr<SessionInfo> info = store_.Find(AsBytes(cookie));
  if (!info.ok()) {
    refusal = ProblemFor(info.status(), request.request_id);
    return std::nullopt;
  }
  if (!IsSafeMethod(request.method)) {
    if (Status csrf = CheckCsrf(request, *info, origin_); !csrf.ok()) {
      refusal = ProblemFor(csrf, request.request_id);
      return std::nullopt;
    }
  }
  StatusOr<service::RequestContext> ctx =
      service_.AuthenticateOidcSession({.issuer = info->issuer, .subject = info->subject}, info->user, info->roles,
                                       request.client, as, request.request_id);
  if (!ctx.ok()) {
    if (ctx.status().code() == StatusCode::kUnauthenticated) store_.Remove(AsBytes(cookie));
    refusal = ProblemFor(ctx.status(), request.request_id);
    return std::nullopt;
  }
  // Operator actions need a recent login (re-authentication at the provider).
  const bool as_operator = ctx->principal().Has(Role::kOperator) && (!as || *as == Role::kOperator);
  if (!IsSafeMethod(request.method) && as_operator && clock_.Now() - info->auth_time > config_.reauth_window) {
    refusal = ReauthProblem(request.request_id);
    return std::nullopt;
  }
  return std::move(*ctx);
}

HttpResponse Sso::ShowSession(const HttpRequest& request) {
  if (request.method != "GET") return Problem(405, "method not allowed on this resource", request.request_id);
  HttpResponse refusal;
  std::optional<service::RequestContext> ctx;
  if (HasSessionCookie(request)) ctx = Authenticate(request, std::nullopt, refusal);
  if (!ctx) return HasSessionCookie(request) ? refusal : ProblemFor(UnauthenticatedError(""), request.request_id);
  StatusOr<SessionInfo> info = store_.Find(AsBytes(CookieValue(request.cookie, kSessionCookie).value_or("")));
  if (!info.ok()) return ProblemFor(info.status(), request.request_id);
  json body = {{"user", ctx->principal().user},
               {"roles", directory::RoleNames(ctx->principal().roles)},
               {"csrf_token", AsStringView(info->csrf_token.span())},
               {"auth_time", FormatRfc3339(info->auth_time)},
               {"expires_at", FormatRfc3339(info->expires_at)}};
  if (pg_port_ != 0) body["pg_port"] = pg_port_;
  return JsonAnswer(body);
}

std::string Sso::EndSessionUrl(const SecretBytes& id_token) {
  StatusOr<OidcClient*> client = Client();
  if (!client.ok() || (*client)->provider().end_session_endpoint.empty()) return "/";
  std::string url = (*client)->provider().end_session_endpoint;
  url += url.find('?') == std::string::npos ? '?' : '&';
  url += "id_token_hint=" + FormEncode(AsStringView(id_token.span()));
  url += "&client_id=" + FormEncode(config_.client_id);
  if (!config_.post_logout_redirect_uri.empty()) {
    url += "&post_logout_redirect_uri=" + FormEncode(config_.post_logout_redirect_uri);
  }
  return url;
}

HttpResponse Sso::Logout(const HttpRequest& request) {
  const std::string cookie = CookieValue(request.cookie, kSessionCookie).value_or("");
  std::string redirect = "/";
  if (StatusOr<SessionInfo> info = store_.Find(AsBytes(cookie)); info.ok()) {
    if (Status csrf = CheckCsrf(request, *info, origin_); !csrf.ok()) return ProblemFor(csrf, request.request_id);
    StatusOr<service::RequestContext> ctx =
        service_.AuthenticateOidcSession({.issuer = info->issuer, .subject = info->subject}, info->user, info->roles,
                                         request.client, std::nullopt, request.request_id);
    std::optional<SecretBytes> id_token = store_.Remove(AsBytes(cookie));
    if (ctx.ok()) {
      if (Status logged = service_.RecordLogout(*ctx); !logged.ok()) return ProblemFor(logged, request.request_id);
    }
    if (id_token) redirect = EndSessionUrl(*id_token);
  }
  HttpResponse out = JsonAnswer({{"redirect", redirect}});
  out.headers.emplace_back("Set-Cookie", SetCookie(kSessionCookie, "", 0));
  return out;
}

}  // namespace hdhub::server

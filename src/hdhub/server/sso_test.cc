// Single sign-on in `hdhub serve` without the network: the session store
// (expiry, single-use logins bound to their browser), the cookies, and the
// routes through HttpApi::Handle over a real hub: login redirects, return_to
// kept local, sessions of linked accounts only, CSRF, re-authentication,
// a disabled account's session refused at once, logout.
#include "hdhub/server/sso.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "hdhub/service/service_test_util.h"

namespace hdhub::server {
namespace {

using directory::Role;
using ::hdhub::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using json = nlohmann::json;

constexpr char kIssuer[] = "https://idp.example.org/";
constexpr char kOrigin[] = "https://hub.example.org:8443";

std::string Header(const HttpResponse& r, std::string_view name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return "";
}

TEST(SessionStoreTest, SessionsExpireWhenIdleAndAtTheirAbsoluteLimit) {
  FakeClock clock(TimePoint(std::chrono::seconds(1'800'000'000)));
  SessionStore store(clock, {.idle = std::chrono::minutes(30), .absolute = std::chrono::hours(1)});
  ASSERT_OK_AND_ASSIGN(SecretBytes cookie, store.Create({.user = "oscar"}, SecretBytes(AsBytes("id-token"))));
  EXPECT_EQ(cookie.size(), 43u) << "256 random bits, base64url";
  for (int minutes : {20, 20, 19}) {
    clock.Advance(std::chrono::minutes(minutes));  // each request restarts the idle time
    ASSERT_OK(store.Find(cookie.span()).status()) << minutes;
  }
  clock.Advance(std::chrono::minutes(1));  // 60 minutes after the login
  EXPECT_THAT(store.Find(cookie.span()), StatusIs(StatusCode::kUnauthenticated));
  ASSERT_OK_AND_ASSIGN(SecretBytes other, store.Create({.user = "oscar"}, SecretBytes()));
  clock.Advance(std::chrono::minutes(31));
  EXPECT_THAT(store.Find(other.span()), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_EQ(store.session_count(), 0u);
}

TEST(SessionStoreTest, EachSessionHasItsOwnIdAndCsrfTokenAndEndsWhenRemoved) {
  FakeClock clock(TimePoint(std::chrono::seconds(1'800'000'000)));
  SessionStore store(clock, {});
  ASSERT_OK_AND_ASSIGN(SecretBytes a, store.Create({.user = "oscar"}, SecretBytes(AsBytes("t1"))));
  ASSERT_OK_AND_ASSIGN(SecretBytes b, store.Create({.user = "oscar"}, SecretBytes()));
  EXPECT_FALSE(ConstantTimeEquals(a.span(), b.span()));
  ASSERT_OK_AND_ASSIGN(SessionInfo ia, store.Find(a.span()));
  ASSERT_OK_AND_ASSIGN(SessionInfo ib, store.Find(b.span()));
  EXPECT_FALSE(ConstantTimeEquals(ia.csrf_token.span(), ib.csrf_token.span()));
  std::optional<SecretBytes> id_token = store.Remove(a.span());
  ASSERT_TRUE(id_token);
  EXPECT_EQ(AsStringView(id_token->span()), "t1");
  EXPECT_THAT(store.Find(a.span()), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_THAT(store.Find(AsBytes("not-a-session")), StatusIs(StatusCode::kUnauthenticated));
}

TEST(SessionStoreTest, LoginsAreSingleUseBoundToTheirBrowserAndExpire) {
  FakeClock clock(TimePoint(std::chrono::seconds(1'800'000'000)));
  SessionStore store(clock, {});
  auto add = [&](std::string_view state) {
    PendingLogin login;
    login.record.state = SecretBytes(AsBytes(state));
    login.record.created_at = clock.Now();
    return store.AddLogin(std::move(login));
  };
  ASSERT_OK_AND_ASSIGN(SecretBytes binding, add("state-1"));
  EXPECT_THAT(store.TakeLogin("state-1", AsBytes("another-browser")), StatusIs(StatusCode::kUnauthenticated));
  ASSERT_OK(store.TakeLogin("state-1", binding.span()).status());
  EXPECT_THAT(store.TakeLogin("state-1", binding.span()), StatusIs(StatusCode::kUnauthenticated));
  ASSERT_OK_AND_ASSIGN(SecretBytes late, add("state-2"));
  clock.Advance(std::chrono::minutes(11));
  EXPECT_THAT(store.TakeLogin("state-2", late.span()), StatusIs(StatusCode::kUnauthenticated));
}

TEST(SsoCookieTest, CookiesParseAndCarryTheirAttributes) {
  EXPECT_EQ(CookieValue("a=1; __Host-hdhub-session=xyz; b=2", kSessionCookie), "xyz");
  EXPECT_EQ(CookieValue("x__Host-hdhub-session=xyz", kSessionCookie), std::nullopt);
  EXPECT_EQ(CookieValue("", kSessionCookie), std::nullopt);
  EXPECT_EQ(SetCookie(kSessionCookie, "v"), "__Host-hdhub-session=v; Path=/; Secure; HttpOnly; SameSite=Lax");
  EXPECT_THAT(SetCookie(kSessionCookie, "", 0), HasSubstr("; Max-Age=0"));
  EXPECT_EQ(HttpsOrigin("https://hub.example.org:8443/auth/callback").value(), kOrigin);
  EXPECT_EQ(HttpsOrigin("https://hub.example.org:443/auth/callback").value(), "https://hub.example.org");
  EXPECT_THAT(HttpsOrigin("http://hub/auth/callback"), StatusIs(StatusCode::kInvalidArgument));
}

class SsoTest : public service::ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    AddAccount("oscar", {Role::kOperator, Role::kResearcher});
    AddAccount("rita", {Role::kResearcher});
    config_.enabled = true;
    config_.issuer = kIssuer;
    config_.client_id = "hdhub";
    config_.redirect_uri = std::string(kOrigin) + "/auth/callback";
    config_.role_groups = {{"operator", {"admins"}}, {"researcher", {"staff"}}};
    OidcClientConfig client{.issuer = kIssuer,
                            .client_id = "hdhub",
                            .client_secret = SecretBytes(AsBytes("s")),
                            .redirect_uri = config_.redirect_uri};
    OidcProviderMetadata metadata{.issuer = kIssuer,
                                  .authorization_endpoint = "https://idp.example.org/authorize",
                                  .token_endpoint = "https://idp.example.org/token",
                                  .jwks_uri = "https://idp.example.org/jwks",
                                  .end_session_endpoint = "https://idp.example.org/logout"};
    ASSERT_OK_AND_ASSIGN(auto c, OidcClient::CreateForTest(std::move(client), metadata, Jwks(), clock_));
    ASSERT_OK_AND_ASSIGN(sso_, Sso::CreateForTest(*svc_, clock_, config_, std::move(c)));
    api_ = std::make_unique<HttpApi>(*svc_, "{}");
    api_->SetSessions(sso_.get());
  }

  HttpResponse Send(std::string method, std::string target, std::string cookie = "", std::string csrf = "",
                    std::string origin = "", std::string body = "") {
    HttpRequest r{.method = std::move(method),
                  .target = std::move(target),
                  .content_type = "application/json",
                  .cookie = std::move(cookie),
                  .origin = std::move(origin),
                  .csrf_token = std::move(csrf),
                  .body = std::move(body),
                  .client = "127.0.0.1",
                  .request_id = "0123456789abcdef"};
    return api_->Handle(r);
  }

  // A session of the account linked to `subject`, as the callback opens it.
  StatusOr<std::string> Session(const std::string& subject, std::vector<std::string> groups) {
    OidcClaims claims{.iss = kIssuer, .sub = subject, .groups = std::move(groups)};
    HttpRequest r{.client = "127.0.0.1", .request_id = "0123456789abcdef"};
    ASSIGN_OR_RETURN(SecretBytes cookie,
                     sso_->OpenSession(claims, SecretBytes(AsBytes("id.token.x")), clock_.Now(), r));
    return std::string(kSessionCookie) + "=" + std::string(AsStringView(cookie.span()));
  }

  std::string CsrfOf(const std::string& cookie) {
    return json::parse(Send("GET", "/api/v1/session", cookie).body)["csrf_token"];
  }

  OidcServeConfig config_;
  std::unique_ptr<Sso> sso_;
  std::unique_ptr<HttpApi> api_;
};

TEST_F(SsoTest, LoginRedirectsToTheProviderWithPkceAndABrowserBoundCookie) {
  HttpResponse r = Send("GET", "/auth/login?return_to=%2Fprojects");
  ASSERT_EQ(r.status, 303u) << r.body;
  EXPECT_THAT(Header(r, "Location"), StartsWith("https://idp.example.org/authorize?response_type=code"));
  EXPECT_THAT(Header(r, "Location"), HasSubstr("code_challenge_method=S256"));
  EXPECT_THAT(Header(r, "Location"), Not(HasSubstr("prompt=login")));
  EXPECT_THAT(Header(r, "Set-Cookie"), StartsWith("__Host-hdhub-login="));
  EXPECT_THAT(Header(r, "Set-Cookie"), HasSubstr("; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=600"));
  EXPECT_THAT(Header(Send("GET", "/auth/login?reauth=1"), "Location"), HasSubstr("&prompt=login&max_age=0"));
}

TEST_F(SsoTest, ReturnToMustBeAPathOfOurs) {
  for (const char* bad : {"https%3A%2F%2Fevil.example", "%2F%2Fevil.example", "%2F%5Cevil", "evil"}) {
    EXPECT_EQ(Send("GET", std::string("/auth/login?return_to=") + bad).status, 400u) << bad;
  }
}

TEST_F(SsoTest, CallbackWithoutItsLoginIsRefusedAndLogged) {
  const uint64_t from = LogSize();
  HttpResponse r = Send("GET", "/auth/callback?code=c&state=s", std::string(kLoginCookie) + "=b");
  EXPECT_EQ(r.status, 401u);
  bool logged = false;
  for (const audit::Entry& e : EntriesSince(from)) {
    logged |= e.event.action == "auth.login" && e.event.outcome == audit::Outcome::kDenied &&
              e.event.details.value("reason", "") == "unknown_login";
  }
  EXPECT_TRUE(logged);
}

TEST_F(SsoTest, LinkedAccountsSessionReachesTheApiInItsMappedRoles) {
  ASSERT_OK(svc_->LinkOidc(ctx("olga"), "oscar", kIssuer, "sub-oscar"));
  ASSERT_OK_AND_ASSIGN(std::string cookie, Session("sub-oscar", {"staff"}));
  HttpResponse s = Send("GET", "/api/v1/session", cookie);
  ASSERT_EQ(s.status, 200u) << s.body;
  json session = json::parse(s.body);
  EXPECT_EQ(session["user"], "oscar");
  EXPECT_EQ(session["roles"], json::array({"researcher"})) << "operator is not mapped from staff";
  EXPECT_EQ(session["csrf_token"].get<std::string>().size(), 43u);
  EXPECT_FALSE(session.contains("pg_port")) << "no PG port told unless set";
  sso_->SetPgPort(5433);
  EXPECT_EQ(json::parse(Send("GET", "/api/v1/session", cookie).body)["pg_port"], 5433);
  EXPECT_EQ(Send("GET", "/api/v1/me", cookie).status, 200u);
  EXPECT_EQ(Send("GET", "/api/v1/users", cookie).status, 403u) << "a researcher may not list users";
  EXPECT_THAT(Session("sub-unknown", {"admins"}), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_EQ(Send("GET", "/api/v1/session").status, 401u);
  EXPECT_EQ(Send("GET", "/api/v1/me", std::string(kSessionCookie) + "=forged").status, 401u);
}

TEST_F(SsoTest, StateChangesNeedTheCsrfTokenAndOurOrigin) {
  ASSERT_OK(svc_->LinkOidc(ctx("olga"), "oscar", kIssuer, "sub-oscar"));
  ASSERT_OK_AND_ASSIGN(std::string cookie, Session("sub-oscar", {"admins"}));
  const std::string csrf = CsrfOf(cookie);
  const std::string body = R"({"name": "nina", "roles": ["auditor"], "password": "nina-long-password"})";
  EXPECT_EQ(Send("POST", "/api/v1/users", cookie, "", "", body).status, 403u);
  EXPECT_EQ(Send("POST", "/api/v1/users", cookie, csrf + "x", "", body).status, 403u);
  EXPECT_EQ(Send("POST", "/api/v1/users", cookie, csrf, "https://evil.example", body).status, 403u);
  HttpResponse ok = Send("POST", "/api/v1/users", cookie, csrf, kOrigin, body);
  EXPECT_EQ(ok.status, 201u) << ok.body;
}

TEST_F(SsoTest, OperatorActionsNeedARecentLogin) {
  ASSERT_OK(svc_->LinkOidc(ctx("olga"), "oscar", kIssuer, "sub-oscar"));
  ASSERT_OK_AND_ASSIGN(std::string cookie, Session("sub-oscar", {"admins", "staff"}));
  const std::string csrf = CsrfOf(cookie);
  clock_.Advance(std::chrono::minutes(6));
  const std::string body = R"({"name": "nina", "roles": ["auditor"], "password": "nina-long-password"})";
  HttpResponse r = Send("POST", "/api/v1/users", cookie, csrf, "", body);
  ASSERT_EQ(r.status, 401u) << r.body;
  EXPECT_EQ(json::parse(r.body)["reauth"], true);
  EXPECT_EQ(Send("GET", "/api/v1/users", cookie).status, 200u) << "reading needs no re-authentication";
  // Acting as a researcher is no operator action.
  EXPECT_NE(Send("POST", "/api/v1/projects/p1/queries?as=researcher", cookie, csrf, "", R"({"sql":"SELECT 1"})").status,
            401u);
}

TEST_F(SsoTest, DisabledAccountsSessionStopsAtOnce) {
  ASSERT_OK(svc_->LinkOidc(ctx("olga"), "rita", kIssuer, "sub-rita"));
  ASSERT_OK_AND_ASSIGN(std::string cookie, Session("sub-rita", {"staff"}));
  ASSERT_EQ(Send("GET", "/api/v1/me", cookie).status, 200u);
  ASSERT_OK(svc_->DisableUser(ctx("olga"), "rita"));
  EXPECT_EQ(Send("GET", "/api/v1/me", cookie).status, 401u);
  ASSERT_OK(svc_->EnableUser(ctx("olga"), "rita"));
  EXPECT_EQ(Send("GET", "/api/v1/me", cookie).status, 401u) << "the session was ended";
}

TEST_F(SsoTest, SessionsExpireWhenIdle) {
  ASSERT_OK(svc_->LinkOidc(ctx("olga"), "rita", kIssuer, "sub-rita"));
  ASSERT_OK_AND_ASSIGN(std::string cookie, Session("sub-rita", {"staff"}));
  clock_.Advance(std::chrono::minutes(31));
  EXPECT_EQ(Send("GET", "/api/v1/me", cookie).status, 401u);
}

TEST_F(SsoTest, LogoutNeedsCsrfEndsTheSessionAndNamesTheProvidersLogout) {
  ASSERT_OK(svc_->LinkOidc(ctx("olga"), "rita", kIssuer, "sub-rita"));
  ASSERT_OK_AND_ASSIGN(std::string cookie, Session("sub-rita", {"staff"}));
  const std::string csrf = CsrfOf(cookie);
  EXPECT_EQ(Send("POST", "/auth/logout", cookie).status, 403u);
  const uint64_t from = LogSize();
  HttpResponse r = Send("POST", "/auth/logout", cookie, csrf);
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_THAT(json::parse(r.body)["redirect"].get<std::string>(),
              StartsWith("https://idp.example.org/logout?id_token_hint=id.token.x&client_id=hdhub"));
  EXPECT_THAT(Header(r, "Set-Cookie"), HasSubstr("Max-Age=0"));
  EXPECT_EQ(Send("GET", "/api/v1/me", cookie).status, 401u);
  bool logged = false;
  for (const audit::Entry& e : EntriesSince(from)) logged |= e.event.action == "auth.logout" && e.event.actor == "rita";
  EXPECT_TRUE(logged);
}

TEST_F(SsoTest, BearerRequestsNeedNoCsrfToken) {
  ASSERT_OK_AND_ASSIGN(directory::IssuedToken t, svc_->IssueToken(ctx("olga"), "olga", std::chrono::hours(1), ""));
  HttpRequest r{.method = "POST",
                .target = "/api/v1/users",
                .authorization = "Bearer " + std::string(AsStringView(t.token.span())),
                .content_type = "application/json",
                .body = R"({"name": "nina", "roles": ["auditor"], "password": "nina-long-password"})",
                .client = "127.0.0.1",
                .request_id = "0123456789abcdef"};
  EXPECT_EQ(api_->Handle(r).status, 201u);
}

}  // namespace
}  // namespace hdhub::server

// OidcClient against a real LemonLDAP::NG 2.16 (scripts/lemonldap-start),
// started by tests/oidc_lemonldap_test.sh, which passes its client.env:
// HDHUB_OIDC_ISSUER, HDHUB_OIDC_CLIENT_ID, HDHUB_OIDC_CLIENT_SECRET,
// HDHUB_OIDC_REDIRECT_URI. Without them every test is skipped.
//
// The browser is played by libcurl here: GET the authorization URL, POST the
// login form with its hidden fields as user dwho, then read the redirect to
// the redirect URI (nobody listens there: only its Location matters).
#include <curl/curl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <regex>

#include "hdhub/common/bytes.h"
#include "hdhub/common/status_matchers.h"
#include "hdhub/server/oidc.h"

namespace hdhub::server {
namespace {

using ::hdhub::testing::IsOk;
using ::hdhub::testing::IsOkAndHolds;
using ::hdhub::testing::StatusIs;
using ::testing::Contains;
using ::testing::HasSubstr;

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "" : v;
}

// A cookie-keeping user agent that follows no redirect by itself.
class Browser {
 public:
  struct Page {
    long status = 0;
    std::string location;
    std::string body;
  };
  Browser() : curl_(curl_easy_init(), curl_easy_cleanup) {
    curl_easy_setopt(curl_.get(), CURLOPT_COOKIEFILE, "");  // cookie engine on, in memory
    curl_easy_setopt(curl_.get(), CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl_.get(), CURLOPT_TIMEOUT, 30L);
  }
  Page Get(const std::string& url) { return Send(url, nullptr); }
  Page Post(const std::string& url, const std::string& form) { return Send(url, &form); }

 private:
  Page Send(const std::string& url, const std::string* form) {
    CURL* c = curl_.get();
    Page page;
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    if (form != nullptr) {
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, form->c_str());
    } else {
      curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    }
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &page.body);
    curl_easy_setopt(
        c, CURLOPT_WRITEFUNCTION, +[](char* data, size_t, size_t n, void* user) -> size_t {
          static_cast<std::string*>(user)->append(data, n);
          return n;
        });
    EXPECT_EQ(curl_easy_perform(c), CURLE_OK) << url;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &page.status);
    char* location = nullptr;
    if (curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &location) == CURLE_OK && location != nullptr) {
      page.location = location;
    }
    return page;
  }
  std::unique_ptr<CURL, void (*)(CURL*)> curl_;
};

// The hidden inputs of the page's form, name -> value.
std::map<std::string, std::string> HiddenFields(const std::string& html) {
  std::map<std::string, std::string> fields;
  static const std::regex kInput(R"re(<input[^>]*type="hidden"[^>]*>)re");
  static const std::regex kName(R"re(name="([^"]*)")re");
  static const std::regex kValue(R"re(value="([^"]*)")re");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), kInput); it != std::sregex_iterator(); ++it) {
    const std::string input = it->str();
    std::smatch name, value;
    if (!std::regex_search(input, name, kName)) continue;
    fields[name[1]] = std::regex_search(input, value, kValue) ? value[1].str() : "";
  }
  return fields;
}

std::string QueryValue(const std::string& url, const std::string& name) {
  std::smatch m;
  if (!std::regex_search(url, m, std::regex("[?&]" + name + "=([^&#]*)"))) return "";
  char* decoded = curl_easy_unescape(nullptr, m[1].str().c_str(), 0, nullptr);
  std::string out = decoded == nullptr ? "" : decoded;
  curl_free(decoded);
  return out;
}

class LemonLdapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (Env("HDHUB_OIDC_ISSUER").empty() || Env("HDHUB_OIDC_CLIENT_SECRET").empty()) {
      GTEST_SKIP() << "no provider: run through tests/oidc_lemonldap_test.sh (HDHUB_OIDC_* unset)";
    }
    StatusOr<std::unique_ptr<OidcClient>> client =
        OidcClient::Discover(Config(Env("HDHUB_OIDC_CLIENT_SECRET")), clock_);
    ASSERT_THAT(client, IsOk());
    client_ = std::move(*client);
  }

  static OidcClientConfig Config(const std::string& secret) {
    OidcClientConfig config;
    config.issuer = Env("HDHUB_OIDC_ISSUER");
    config.client_id = Env("HDHUB_OIDC_CLIENT_ID");
    config.client_secret = SecretBytes(AsBytes(secret));
    config.redirect_uri = Env("HDHUB_OIDC_REDIRECT_URI");
    config.transport.allow_loopback_http = true;
    return config;
  }

  // Logs `user` in at `authorization_url` as a browser would; the Location
  // that leaves the provider (to the redirect URI), or "" when none did.
  std::string LogIn(const std::string& authorization_url, const std::string& user) {
    Browser browser;
    Browser::Page page = browser.Get(authorization_url);
    EXPECT_EQ(page.status, 200) << "the provider did not show its login form";
    std::string form = "user=" + FormEncode(user) + "&password=" + FormEncode(user);
    for (const auto& [name, value] : HiddenFields(page.body)) form += "&" + FormEncode(name) + "=" + FormEncode(value);
    page = browser.Post(authorization_url, form);  // the form's action is "#": the same URL
    for (int hops = 0; hops < 5 && !page.location.empty() && page.location.starts_with(Env("HDHUB_OIDC_ISSUER"));
         ++hops) {
      page = browser.Get(page.location);
    }
    return page.location.starts_with(Env("HDHUB_OIDC_REDIRECT_URI")) ? page.location : "";
  }

  SystemClock clock_;
  std::unique_ptr<OidcClient> client_;
};

TEST_F(LemonLdapTest, DiscoveryTakesTheProvidersEndpointsAndKeys) {
  const OidcProviderMetadata& p = client_->provider();
  EXPECT_EQ(p.issuer, Env("HDHUB_OIDC_ISSUER"));
  EXPECT_EQ(p.authorization_endpoint, p.issuer + "oauth2/authorize");
  EXPECT_EQ(p.token_endpoint, p.issuer + "oauth2/token");
  EXPECT_EQ(p.jwks_uri, p.issuer + "oauth2/jwks");
  EXPECT_EQ(p.end_session_endpoint, p.issuer + "oauth2/logout");
  EXPECT_THAT(p.id_token_signing_alg_values_supported, Contains("RS256"));
  EXPECT_GE(client_->jwks_size(), 1u);
}

TEST_F(LemonLdapTest, CodeFlowGivesTheUsersClaimsAndTheCodeWorksOnce) {
  OidcLogin login = client_->BeginLogin("/projects").value();
  const std::string location = LogIn(login.authorization_url, "dwho");
  ASSERT_FALSE(location.empty()) << "no redirect to the redirect URI";
  const std::string code = QueryValue(location, "code");
  const std::string state = QueryValue(location, "state");
  ASSERT_FALSE(code.empty());
  std::optional<std::string> iss;
  if (std::string i = QueryValue(location, "iss"); !i.empty()) iss = i;

  StatusOr<OidcClaims> claims = client_->Complete(login.record, code, state, iss);
  ASSERT_THAT(claims, IsOk());
  EXPECT_EQ(claims->iss, Env("HDHUB_OIDC_ISSUER"));
  EXPECT_EQ(claims->sub, "dwho");
  EXPECT_EQ(claims->name, "Doctor Who");
  EXPECT_EQ(claims->email, "dwho@badwolf.org");
  EXPECT_THAT(claims->groups, Contains("timelords"));
  EXPECT_TRUE(claims->auth_time.has_value());

  EXPECT_THAT(client_->Complete(login.record, code, state, iss),
              StatusIs(StatusCode::kUnauthenticated, HasSubstr("refused the authorization code")));
}

TEST_F(LemonLdapTest, KeyMissingFromTheCacheIsFetchedFromTheProvider) {
  // A client whose cached JWKS is empty: as after the provider's key rotation.
  std::unique_ptr<OidcClient> cold =
      OidcClient::CreateForTest(Config(Env("HDHUB_OIDC_CLIENT_SECRET")), client_->provider(), Jwks(), clock_).value();
  ASSERT_EQ(cold->jwks_size(), 0u);
  OidcLogin login = cold->BeginLogin("/").value();
  const std::string location = LogIn(login.authorization_url, "dwho");
  ASSERT_FALSE(location.empty());
  EXPECT_THAT(cold->Complete(login.record, QueryValue(location, "code"), QueryValue(location, "state"), std::nullopt),
              IsOk());
  EXPECT_GE(cold->jwks_size(), 1u);
}

TEST_F(LemonLdapTest, GroupsOfAnotherUserAreHis) {
  OidcLogin login = client_->BeginLogin("/").value();
  const std::string location = LogIn(login.authorization_url, "rtyler");
  ASSERT_FALSE(location.empty());
  StatusOr<OidcClaims> claims =
      client_->Complete(login.record, QueryValue(location, "code"), QueryValue(location, "state"), std::nullopt);
  ASSERT_THAT(claims, IsOk());
  EXPECT_EQ(claims->sub, "rtyler");
  EXPECT_THAT(claims->groups, Contains("earthlings"));
  EXPECT_THAT(claims->groups, ::testing::Not(Contains("timelords")));
}

TEST_F(LemonLdapTest, AnotherVerifierIsRefusedByTheProvider) {
  OidcLogin login = client_->BeginLogin("/").value();
  const std::string location = LogIn(login.authorization_url, "dwho");
  ASSERT_FALSE(location.empty());
  OidcLogin other = client_->BeginLogin("/").value();
  login.record.code_verifier = std::move(other.record.code_verifier);
  EXPECT_THAT(
      client_->Complete(login.record, QueryValue(location, "code"), QueryValue(location, "state"), std::nullopt),
      StatusIs(StatusCode::kUnauthenticated, HasSubstr("refused the authorization code")));
}

TEST_F(LemonLdapTest, LoginWithoutPkceGetsNoCode) {
  OidcLogin login = client_->BeginLogin("/").value();
  std::string url = login.authorization_url;
  url = std::regex_replace(url, std::regex("&code_challenge=[^&]*"), "");
  url = std::regex_replace(url, std::regex("&code_challenge_method=[^&]*"), "");
  ASSERT_THAT(url, ::testing::Not(HasSubstr("code_challenge")));
  Browser browser;
  Browser::Page page = browser.Get(url);
  std::string form = "user=dwho&password=dwho";
  for (const auto& [name, value] : HiddenFields(page.body)) form += "&" + FormEncode(name) + "=" + FormEncode(value);
  page = browser.Post(url, form);
  for (int hops = 0; hops < 5 && page.location.starts_with(Env("HDHUB_OIDC_ISSUER")); ++hops) {
    page = browser.Get(page.location);
  }
  EXPECT_EQ(QueryValue(page.location, "code"), "") << "the provider issued a code without PKCE";
  EXPECT_EQ(QueryValue(page.location, "error"), "invalid_request");  // "Code challenge is required"
}

TEST_F(LemonLdapTest, WrongClientSecretIsRefusedByTheProvider) {
  std::unique_ptr<OidcClient> impostor = OidcClient::Discover(Config("not-the-secret"), clock_).value();
  OidcLogin login = impostor->BeginLogin("/").value();
  const std::string location = LogIn(login.authorization_url, "dwho");
  ASSERT_FALSE(location.empty());
  EXPECT_THAT(
      impostor->Complete(login.record, QueryValue(location, "code"), QueryValue(location, "state"), std::nullopt),
      StatusIs(StatusCode::kUnauthenticated, HasSubstr("refused the authorization code")));
}

}  // namespace
}  // namespace hdhub::server

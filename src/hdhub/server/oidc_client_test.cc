// The relying party's own checks, without a provider: PKCE (RFC 7636
// appendix B), the login record and its URL, state, iss and return_to, the
// discovery document's checks, and the URL rules of its transport.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "hdhub/common/bytes.h"
#include "hdhub/common/status_matchers.h"
#include "hdhub/server/oidc.h"

namespace hdhub::server {
namespace {

using ::hdhub::testing::IsOk;
using ::hdhub::testing::IsOkAndHolds;
using ::hdhub::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using Json = nlohmann::json;

constexpr char kIssuer[] = "https://auth.example.org/";

OidcClientConfig Config() {
  OidcClientConfig config;
  config.issuer = kIssuer;
  config.client_id = "hdhub";
  config.client_secret = SecretBytes(AsBytes(std::string_view("client-secret")));
  config.redirect_uri = "https://hdhub.example.org/auth/callback";
  return config;
}

OidcProviderMetadata Metadata() {
  OidcProviderMetadata m;
  m.issuer = kIssuer;
  m.authorization_endpoint = "https://auth.example.org/oauth2/authorize";
  m.token_endpoint = "https://auth.example.org/oauth2/token";
  m.jwks_uri = "https://auth.example.org/oauth2/jwks";
  return m;
}

std::string Text(const SecretBytes& s) { return std::string(AsStringView(s.span())); }

// The value of `name` in the query of `url` ("" when absent).
std::string QueryValue(const std::string& url, const std::string& name) {
  const size_t at = url.find((url.find("?" + name + "=") != std::string::npos ? "?" : "&") + name + "=");
  if (at == std::string::npos) return "";
  const size_t start = at + name.size() + 2;
  return url.substr(start, url.find('&', start) - start);
}

class OidcClientTest : public ::testing::Test {
 protected:
  OidcClientTest() : clock_(TimePoint(std::chrono::seconds(1796400000))) {
    client_ = OidcClient::CreateForTest(Config(), Metadata(), Jwks(), clock_).value();
  }
  FakeClock clock_;
  std::unique_ptr<OidcClient> client_;
};

TEST(PkceTest, ChallengeIsRfc7636AppendixB) {
  const SecretBytes verifier(AsBytes(std::string_view("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")));
  EXPECT_EQ(PkceS256Challenge(verifier), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

TEST_F(OidcClientTest, BeginLoginMakesFreshSecretsAndTheirUrl) {
  OidcLogin a = client_->BeginLogin("/projects?tab=mine").value();
  OidcLogin b = client_->BeginLogin("/").value();
  for (const OidcLogin* login : {&a, &b}) {
    EXPECT_EQ(login->record.state.size(), 43u);  // 256 bits in base64url
    EXPECT_EQ(login->record.nonce.size(), 43u);
    EXPECT_EQ(login->record.code_verifier.size(), 43u);  // RFC 7636: 43 to 128
  }
  EXPECT_FALSE(a.record.state.Equals(b.record.state));
  EXPECT_FALSE(a.record.nonce.Equals(b.record.nonce));
  EXPECT_FALSE(a.record.state.Equals(a.record.nonce));
  EXPECT_EQ(a.record.return_to, "/projects?tab=mine");
  const std::string& url = a.authorization_url;
  EXPECT_THAT(url, StartsWith("https://auth.example.org/oauth2/authorize?response_type=code&"));
  EXPECT_EQ(QueryValue(url, "client_id"), "hdhub");
  EXPECT_EQ(QueryValue(url, "redirect_uri"), "https%3A%2F%2Fhdhub.example.org%2Fauth%2Fcallback");
  EXPECT_EQ(QueryValue(url, "scope"), "openid%20profile%20email");
  EXPECT_EQ(QueryValue(url, "state"), Text(a.record.state));
  EXPECT_EQ(QueryValue(url, "nonce"), Text(a.record.nonce));
  EXPECT_EQ(QueryValue(url, "code_challenge"), PkceS256Challenge(a.record.code_verifier));
  EXPECT_EQ(QueryValue(url, "code_challenge_method"), "S256");
  EXPECT_THAT(url, ::testing::Not(HasSubstr(Text(a.record.code_verifier))));
}

TEST_F(OidcClientTest, ReturnToMustBeAPathOnThisSite) {
  for (const char* bad : {"https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "",
                          "projects", "/a\r\nSet-Cookie: x=1", "/a\\b"}) {
    EXPECT_THAT(client_->BeginLogin(bad), StatusIs(StatusCode::kInvalidArgument)) << bad;
  }
  EXPECT_THAT(client_->BeginLogin("/audit/entries/12?proof=1#top"), IsOk());
}

TEST_F(OidcClientTest, CompleteRefusesAnotherStateBeforeAnyRequest) {
  OidcLogin login = client_->BeginLogin("/").value();
  std::string other = Text(login.record.state);
  other[0] = other[0] == 'A' ? 'B' : 'A';
  // The token endpoint (example.org) is never reached: the state fails first.
  EXPECT_THAT(client_->Complete(login.record, "code", other, std::nullopt),
              StatusIs(StatusCode::kUnauthenticated, HasSubstr("state")));
  EXPECT_THAT(client_->Complete(login.record, "code", "", std::nullopt),
              StatusIs(StatusCode::kUnauthenticated, HasSubstr("state")));
}

TEST_F(OidcClientTest, CompleteRefusesAnotherIssuerInTheResponse) {
  OidcLogin login = client_->BeginLogin("/").value();
  EXPECT_THAT(client_->Complete(login.record, "code", Text(login.record.state), "https://evil.example/"),
              StatusIs(StatusCode::kUnauthenticated, HasSubstr("iss")));
}

TEST_F(OidcClientTest, CompleteRefusesALoginOlderThanItsLifetime) {
  OidcLogin login = client_->BeginLogin("/").value();
  clock_.Advance(kLoginLifetime + std::chrono::seconds(1));
  EXPECT_THAT(client_->Complete(login.record, "code", Text(login.record.state), std::nullopt),
              StatusIs(StatusCode::kUnauthenticated, HasSubstr("10 minutes")));
}

TEST(OidcConfigTest, IncompleteConfigOrPlainHttpIsRefused) {
  FakeClock clock(TimePoint{});
  OidcClientConfig no_secret = Config();
  no_secret.client_secret = SecretBytes();
  EXPECT_THAT(OidcClient::CreateForTest(std::move(no_secret), Metadata(), Jwks(), clock),
              StatusIs(StatusCode::kInvalidArgument));
  OidcClientConfig http = Config();
  http.issuer = "http://auth.example.org/";
  EXPECT_THAT(OidcClient::Discover(std::move(http), clock), StatusIs(StatusCode::kInvalidArgument));
}

TEST(OidcTransportTest, HttpOnlyToLoopbackAndOnlyWhenAllowed) {
  OidcTransport tests{.allow_loopback_http = true};
  OidcTransport production;
  EXPECT_THAT(CheckOidcUrl("https://auth.example.org/x", production), IsOk());
  EXPECT_THAT(CheckOidcUrl("http://127.0.0.1:8080/", production), StatusIs(StatusCode::kInvalidArgument));
  for (const char* ok :
       {"http://127.0.0.1:8080/", "http://auth.localhost:1/x", "http://[::1]:9/", "http://localhost/"}) {
    EXPECT_THAT(CheckOidcUrl(ok, tests), IsOk()) << ok;
  }
  for (const char* bad :
       {"http://auth.example.org/", "http://localhost.evil.example/", "http://127.0.0.1@evil.example/",
        "ftp://127.0.0.1/", "http://evil.example/.localhost", "file:///etc/passwd"}) {
    EXPECT_THAT(CheckOidcUrl(bad, tests), StatusIs(StatusCode::kInvalidArgument)) << bad;
  }
}

TEST(ProviderMetadataTest, IssuerMustMatchByteForByteAndEndpointsBeComplete) {
  Json doc = {{"issuer", kIssuer},
              {"authorization_endpoint", "https://auth.example.org/oauth2/authorize"},
              {"token_endpoint", "https://auth.example.org/oauth2/token"},
              {"jwks_uri", "https://auth.example.org/oauth2/jwks"},
              {"end_session_endpoint", "https://auth.example.org/oauth2/logout"},
              {"id_token_signing_alg_values_supported", {"HS512", "RS256"}}};
  StatusOr<OidcProviderMetadata> m = ParseProviderMetadata(doc.dump(), Config());
  ASSERT_THAT(m, IsOk());
  EXPECT_EQ(m->end_session_endpoint, "https://auth.example.org/oauth2/logout");
  EXPECT_EQ(m->userinfo_endpoint, "");

  Json other = doc;
  other["issuer"] = "https://auth.example.org";
  EXPECT_THAT(ParseProviderMetadata(other.dump(), Config()),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("issuer")));
  other = doc;
  other.erase("token_endpoint");
  EXPECT_THAT(ParseProviderMetadata(other.dump(), Config()),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("token_endpoint")));
  other = doc;
  other["jwks_uri"] = "http://auth.example.org/oauth2/jwks";
  EXPECT_THAT(ParseProviderMetadata(other.dump(), Config()),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("jwks_uri")));
  other = doc;
  other["id_token_signing_alg_values_supported"] = {"HS512", "none"};
  EXPECT_THAT(ParseProviderMetadata(other.dump(), Config()),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("alg")));
  EXPECT_THAT(ParseProviderMetadata("not json", Config()), StatusIs(StatusCode::kFailedPrecondition));
}

}  // namespace
}  // namespace hdhub::server

// ID-token validation with tokens signed here by a key generated for the
// test; PKCE, state and return_to checks of the relying party. The real
// provider's flow is in oidc_provider_test.cc.
#include "hdhub/server/oidc.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hdhub/common/bytes.h"
#include "hdhub/common/status_matchers.h"
#include "hdhub/crypto/hash.h"
#include "hdhub/server/oidc_test_util.h"

namespace hdhub::server {
namespace {

using ::hdhub::testing::IsOk;
using ::hdhub::testing::IsOkAndHolds;
using ::hdhub::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Json = nlohmann::json;

constexpr char kIssuer[] = "https://auth.example.org/";
constexpr char kClientId[] = "hdhub";
constexpr int64_t kNow = 1796400000;  // seconds since 1970

TimePoint At(int64_t seconds) { return TimePoint(std::chrono::seconds(seconds)); }

class IdTokenTest : public ::testing::Test {
 protected:
  IdTokenTest() : signer_("key-1"), nonce_(AsBytes(std::string_view("n-0123456789abcdef"))) {
    jwks_ = Jwks::Parse(signer_.Jwks().dump()).value();
  }

  Json Header() const { return {{"alg", "RS256"}, {"typ", "JWT"}, {"kid", signer_.kid()}}; }
  Json Claims() const {
    return {{"iss", kIssuer},
            {"sub", "dwho"},
            {"aud", Json::array({kClientId})},
            {"azp", kClientId},
            {"exp", kNow + 3600},
            {"iat", kNow - 5},
            {"nonce", "n-0123456789abcdef"},
            {"name", "Doctor Who"},
            {"email", "dwho@badwolf.org"},
            {"groups", Json::array({"users", "timelords"})},
            {"acr", "loa-1"},
            {"auth_time", kNow - 6},
            {"sid", "s-1"}};
  }
  IdTokenCheck Check() const { return IdTokenCheck{kIssuer, kClientId, &nonce_, At(kNow)}; }
  StatusOr<OidcClaims> Validate(const std::string& token) const { return ValidateIdToken(token, jwks_, Check()); }
  StatusOr<OidcClaims> ValidateClaims(const Json& claims) const { return Validate(signer_.Sign(Header(), claims)); }

  TestTokenSigner signer_;
  SecretBytes nonce_;
  Jwks jwks_;
};

TEST_F(IdTokenTest, GoodTokenGivesItsClaims) {
  StatusOr<OidcClaims> claims = ValidateClaims(Claims());
  ASSERT_THAT(claims, IsOk());
  EXPECT_EQ(claims->iss, kIssuer);
  EXPECT_EQ(claims->sub, "dwho");
  EXPECT_EQ(claims->name, "Doctor Who");
  EXPECT_EQ(claims->email, "dwho@badwolf.org");
  EXPECT_THAT(claims->groups, ElementsAre("users", "timelords"));
  EXPECT_EQ(claims->acr, "loa-1");
  EXPECT_EQ(claims->auth_time, kNow - 6);
  EXPECT_EQ(claims->sid, "s-1");
}

TEST_F(IdTokenTest, AudienceAsPlainStringIsAccepted) {
  Json claims = Claims();
  claims["aud"] = kClientId;
  claims.erase("azp");
  EXPECT_THAT(ValidateClaims(claims), IsOk());
}

TEST_F(IdTokenTest, BadSignatureIsRefused) {
  std::string token = signer_.Sign(Header(), Claims());
  token[token.size() - 5] = token[token.size() - 5] == 'A' ? 'B' : 'A';
  EXPECT_THAT(Validate(token), StatusIs(StatusCode::kUnauthenticated, HasSubstr("signature")));
}

TEST_F(IdTokenTest, TokenSignedByAnotherKeyUnderTheSameKidIsRefused) {
  TestTokenSigner other("key-1");
  EXPECT_THAT(Validate(other.Sign(Header(), Claims())), StatusIs(StatusCode::kUnauthenticated, HasSubstr("signature")));
}

TEST_F(IdTokenTest, ChangedPayloadIsRefused) {
  const std::string token = signer_.Sign(Header(), Claims());
  Json claims = Claims();
  claims["sub"] = "rtyler";
  const std::string forged = TestTokenSigner::Assemble(Header(), claims, token.substr(token.rfind('.') + 1));
  EXPECT_THAT(Validate(forged), StatusIs(StatusCode::kUnauthenticated, HasSubstr("signature")));
}

TEST_F(IdTokenTest, AlgNoneIsRefused) {
  Json header = Header();
  header["alg"] = "none";
  EXPECT_THAT(Validate(TestTokenSigner::Assemble(header, Claims(), "")),
              StatusIs(StatusCode::kUnauthenticated, HasSubstr("alg")));
}

TEST_F(IdTokenTest, Hs256MacKeyedWithThePublicKeyIsRefused) {
  // The alg-confusion attack: an HMAC whose key is the provider's public modulus.
  Json header = Header();
  header["alg"] = "HS256";
  const Bytes modulus = Base64UrlDecode(signer_.Jwks()["keys"][0]["n"].get<std::string>()).value();
  auto mac = crypto::HmacSha256::Create(SecretBytes(modulus)).value();
  const std::string unsigned_token = TestTokenSigner::Assemble(header, Claims(), "");
  const std::string signed_part = unsigned_token.substr(0, unsigned_token.size() - 1);
  const std::string token = signed_part + "." + Base64UrlEncode(mac->Compute(AsBytes(signed_part)));
  EXPECT_THAT(Validate(token), StatusIs(StatusCode::kUnauthenticated, HasSubstr("alg")));
}

TEST_F(IdTokenTest, Rs512IsRefusedWhenOnlyRs256IsAllowed) {
  Json header = Header();
  header["alg"] = "RS512";
  EXPECT_THAT(Validate(signer_.Sign(header, Claims())), StatusIs(StatusCode::kUnauthenticated, HasSubstr("alg")));
}

TEST_F(IdTokenTest, WrongIssuerIsRefused) {
  Json claims = Claims();
  claims["iss"] = "https://auth.example.org";  // no trailing slash: byte for byte
  EXPECT_THAT(ValidateClaims(claims), StatusIs(StatusCode::kUnauthenticated, HasSubstr("iss")));
}

TEST_F(IdTokenTest, WrongAudienceIsRefused) {
  Json claims = Claims();
  claims["aud"] = Json::array({"another-client"});
  EXPECT_THAT(ValidateClaims(claims), StatusIs(StatusCode::kUnauthenticated, HasSubstr("aud")));
}

TEST_F(IdTokenTest, SeveralAudiencesNeedAzpOfThisClient) {
  Json claims = Claims();
  claims["aud"] = Json::array({kClientId, "another-client"});
  claims["azp"] = "another-client";
  EXPECT_THAT(ValidateClaims(claims), StatusIs(StatusCode::kUnauthenticated, HasSubstr("azp")));
  claims.erase("azp");
  EXPECT_THAT(ValidateClaims(claims), StatusIs(StatusCode::kUnauthenticated, HasSubstr("azp")));
  claims["azp"] = kClientId;
  EXPECT_THAT(ValidateClaims(claims), IsOk());
}

TEST_F(IdTokenTest, ExpiredTokenIsRefusedBeyondTheSkew) {
  Json claims = Claims();
  claims["exp"] = kNow - 30;  // within the 60 s skew
  EXPECT_THAT(ValidateClaims(claims), IsOk());
  claims["exp"] = kNow - 61;
  EXPECT_THAT(ValidateClaims(claims), StatusIs(StatusCode::kUnauthenticated, HasSubstr("expired")));
}

TEST_F(IdTokenTest, IatInTheFutureIsRefusedBeyondTheSkew) {
  Json claims = Claims();
  claims["iat"] = kNow + 30;
  EXPECT_THAT(ValidateClaims(claims), IsOk());
  claims["iat"] = kNow + 120;
  EXPECT_THAT(ValidateClaims(claims), StatusIs(StatusCode::kUnauthenticated, HasSubstr("future")));
}

TEST_F(IdTokenTest, TokenIssuedTooLongAgoIsRefused) {
  Json claims = Claims();
  claims["iat"] = kNow - 3600;
  EXPECT_THAT(ValidateClaims(claims), StatusIs(StatusCode::kUnauthenticated, HasSubstr("too long ago")));
}

TEST_F(IdTokenTest, MissingExpOrIatIsRefused) {
  Json claims = Claims();
  claims.erase("exp");
  EXPECT_THAT(ValidateClaims(claims), StatusIs(StatusCode::kUnauthenticated, HasSubstr("exp")));
  claims = Claims();
  claims["iat"] = "yesterday";
  EXPECT_THAT(ValidateClaims(claims), StatusIs(StatusCode::kUnauthenticated, HasSubstr("iat")));
}

TEST_F(IdTokenTest, WrongOrMissingNonceIsRefused) {
  Json claims = Claims();
  claims["nonce"] = "n-0123456789abcdeF";
  EXPECT_THAT(ValidateClaims(claims), StatusIs(StatusCode::kUnauthenticated, HasSubstr("nonce")));
  claims.erase("nonce");
  EXPECT_THAT(ValidateClaims(claims), StatusIs(StatusCode::kUnauthenticated, HasSubstr("nonce")));
}

TEST_F(IdTokenTest, UnknownKidIsNotFoundSoTheCallerCanRefetch) {
  TestTokenSigner rotated("key-2");
  Json header = Header();
  header["kid"] = "key-2";
  EXPECT_THAT(Validate(rotated.Sign(header, Claims())), StatusIs(StatusCode::kNotFound, HasSubstr("kid")));
}

TEST_F(IdTokenTest, GroupsThatAreNotAnArrayOfStringsAreRefused) {
  Json claims = Claims();
  claims["groups"] = "users; timelords";
  EXPECT_THAT(ValidateClaims(claims), StatusIs(StatusCode::kUnauthenticated, HasSubstr("groups")));
}

TEST_F(IdTokenTest, MalformedTokensAreRefused) {
  const std::string token = signer_.Sign(Header(), Claims());
  EXPECT_THAT(Validate(token.substr(0, token.rfind('.'))), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_THAT(Validate(token + ".x"), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_THAT(Validate(token + "="), StatusIs(StatusCode::kUnauthenticated, HasSubstr("base64url")));
  EXPECT_THAT(Validate(""), StatusIs(StatusCode::kUnauthenticated));
}

TEST_F(IdTokenTest, ErrorsNeverQuoteTheTokenOrItsClaims) {
  Json claims = Claims();
  claims["iss"] = "https://evil.example/secret-marker";
  StatusOr<OidcClaims> result = ValidateClaims(claims);
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(std::string(result.status().message()), ::testing::Not(HasSubstr("secret-marker")));
}

TEST(JwksTest, SkipsKeysItCannotUseAndRejectsNonJwks) {
  TestTokenSigner signer("k");
  Json doc = signer.Jwks();
  Json enc = doc["keys"][0];
  enc["kid"] = "enc";
  enc["use"] = "enc";
  Json ec = {{"kty", "EC"}, {"kid", "ec"}, {"crv", "P-256"}, {"x", "AA"}, {"y", "AA"}};
  Json short_rsa = {{"kty", "RSA"}, {"kid", "short"}, {"n", "AQAB"}, {"e", "AQAB"}};
  doc["keys"].push_back(enc);
  doc["keys"].push_back(ec);
  doc["keys"].push_back(short_rsa);
  StatusOr<Jwks> jwks = Jwks::Parse(doc.dump());
  ASSERT_THAT(jwks, IsOk());
  EXPECT_EQ(jwks->size(), 1u);
  EXPECT_NE(jwks->Find("k"), nullptr);
  EXPECT_NE(jwks->Find(""), nullptr);  // the only key serves a token without kid
  EXPECT_EQ(jwks->Find("enc"), nullptr);
  EXPECT_THAT(Jwks::Parse("[]"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Jwks::Parse("{\"keys\": {}}"), StatusIs(StatusCode::kInvalidArgument));
}

TEST(Base64UrlTest, RoundTripsAndIsStrict) {
  const Bytes data = {0xfb, 0xff, 0x01};
  EXPECT_EQ(Base64UrlEncode(data), "-_8B");
  EXPECT_THAT(Base64UrlDecode("-_8B"), IsOkAndHolds(data));
  EXPECT_THAT(Base64UrlDecode("+/8B"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Base64UrlDecode("-_8="), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Base64UrlDecode("A"), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace hdhub::server

#include "hdhub/pgwire/scram.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hdhub/audit/note.h"
#include "hdhub/common/status_matchers.h"
#include "hdhub/pgwire/scram_test_util.h"

namespace hdhub::pgwire {
namespace {

using ::hdhub::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// RFC 7677 §3: user "user", password "pencil".
constexpr char kClientFirst[] = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
constexpr char kServerNonce[] = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
constexpr char kServerFirst[] =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
constexpr char kClientFinal[] =
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
constexpr char kServerFinal[] = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

ScramVerifier Pencil() {
  return ScramVerifier::Derive(SecretBytes(AsBytes("pencil")), audit::Base64Decode("W22ZaJ0SNY7soEsUEjb6gQ==").value(),
                               4096)
      .value();
}

TEST(ScramTest, FollowsTheRfc7677Exchange) {
  ScramServer server(Pencil(), {.server_nonce = kServerNonce});
  EXPECT_THAT(server.Mechanisms(), ElementsAre("SCRAM-SHA-256"));
  ASSERT_OK_AND_ASSIGN(std::string first, server.ClientFirst("SCRAM-SHA-256", kClientFirst));
  EXPECT_EQ(first, kServerFirst);
  ASSERT_OK_AND_ASSIGN(std::string final_message, server.ClientFinal(kClientFinal));
  EXPECT_EQ(final_message, kServerFinal);
  EXPECT_TRUE(server.authenticated());
}

TEST(ScramTest, VerifierRoundTripsThroughPostgresTextForm) {
  ScramVerifier v = Pencil();
  const std::string text = v.ToString();
  EXPECT_TRUE(text.starts_with("SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$")) << text;
  ASSERT_OK_AND_ASSIGN(ScramVerifier back, ScramVerifier::Parse(text));
  EXPECT_EQ(back.ToString(), text);
  for (const char* bad : {"", "md5abc", "SCRAM-SHA-256$x:AA==$AA==:AA==", "SCRAM-SHA-256$4096:AA==$AA==:AA==",
                          "SCRAM-SHA-256$4096:$", "SCRAM-SHA-256$0:AA==$"}) {
    EXPECT_THAT(ScramVerifier::Parse(bad), StatusIs(StatusCode::kInvalidArgument)) << bad;
  }
}

TEST(ScramTest, AWrongPasswordFailsAtTheProofWithoutEchoingIt) {
  ScramServer server(ScramVerifier::Derive(SecretBytes(AsBytes("not pencil")),
                                           audit::Base64Decode("W22ZaJ0SNY7soEsUEjb6gQ==").value(), 4096)
                         .value(),
                     {.server_nonce = kServerNonce});
  ASSERT_OK_AND_ASSIGN(std::string first, server.ClientFirst("SCRAM-SHA-256", kClientFirst));
  EXPECT_EQ(first, kServerFirst);
  auto final_message = server.ClientFinal(kClientFinal);
  EXPECT_THAT(final_message, StatusIs(StatusCode::kUnauthenticated, Not(HasSubstr("dHzb"))));
  EXPECT_FALSE(server.authenticated());
  // A failed exchange stays failed.
  EXPECT_THAT(server.ClientFinal(kClientFinal), Not(StatusIs(StatusCode::kOk)));
}

TEST(ScramTest, AnUnknownAccountRunsTheSameExchangeAndFailsTheSameWay) {
  auto mock_key = crypto::HmacSha256::Create(SecretBytes(AsBytes("mock key of this hub"))).value();
  ScramVerifier mock = ScramVerifier::Mock(*mock_key, "nobody");
  // The same name gets the same salt at every attempt (a changing salt would
  // tell that the account does not exist); another name another salt.
  EXPECT_EQ(ScramVerifier::Mock(*mock_key, "nobody").salt, mock.salt);
  EXPECT_NE(ScramVerifier::Mock(*mock_key, "somebody").salt, mock.salt);
  EXPECT_EQ(mock.salt.size(), 16u);

  ScramServer server(mock, {.server_nonce = kServerNonce});
  ASSERT_OK_AND_ASSIGN(std::string first, server.ClientFirst("SCRAM-SHA-256", kClientFirst));
  EXPECT_TRUE(first.starts_with("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=")) << first;
  EXPECT_THAT(server.ClientFinal(kClientFinal),
              StatusIs(StatusCode::kUnauthenticated, HasSubstr("password authentication failed")));
}

TEST(ScramTest, TamperedFinalMessagesAreRefused) {
  const std::string good = kClientFinal;
  for (std::string bad : {
           std::string("c=eSws,") + good.substr(7),     // binding "y,,", not what was sent
           good.substr(0, 10) + "X" + good.substr(11),  // another nonce
           good.substr(0, good.size() - 4) + "AAA=",    // another proof
           good.substr(0, good.find(",p=")),            // no proof
           std::string("r=x,") + good,                  // attributes out of order
       }) {
    ScramServer server(Pencil(), {.server_nonce = kServerNonce});
    ASSERT_OK(server.ClientFirst("SCRAM-SHA-256", kClientFirst).status());
    EXPECT_THAT(server.ClientFinal(bad), Not(StatusIs(StatusCode::kOk))) << bad;
    EXPECT_FALSE(server.authenticated()) << bad;
  }
}

TEST(ScramTest, FirstMessagesOutsideTheDialectAreRefused) {
  for (const char* bad :
       {"", "x,,n=,r=abc", "n,a=someone,n=,r=abc", "n,,m=ext,n=,r=abc", "n,,n=,r=", "n,,n=", "n,,r=abc",
        "n,,n=,r=a\x01"
        "b",
        "p=tls-server-end-point,,n=,r=abc"}) {
    ScramServer server(Pencil(), {.server_nonce = kServerNonce});
    EXPECT_THAT(server.ClientFirst("SCRAM-SHA-256", bad), Not(StatusIs(StatusCode::kOk))) << bad;
  }
  ScramServer server(Pencil(), {});
  EXPECT_THAT(server.ClientFirst("SCRAM-SHA-1", "n,,n=,r=abc"), StatusIs(StatusCode::kInvalidArgument));
  // -PLUS is not offered without TLS.
  ScramServer plain(Pencil(), {});
  EXPECT_THAT(plain.ClientFirst("SCRAM-SHA-256-PLUS", "p=tls-server-end-point,,n=,r=abc"),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST(ScramTest, ChannelBindingUnderTls) {
  const Bytes end_point(32, 0xab);
  auto exchange = [&](std::string_view mechanism, std::string_view gs2) {
    ScramServer server(Pencil(), {.tls_server_end_point = end_point, .server_nonce = kServerNonce});
    return server.ClientFirst(mechanism, std::string(gs2) + "n=,r=abc");
  };
  ScramServer offer(Pencil(), {.tls_server_end_point = end_point});
  EXPECT_THAT(offer.Mechanisms(), ElementsAre("SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"));
  EXPECT_OK(exchange("SCRAM-SHA-256-PLUS", "p=tls-server-end-point,,").status());
  EXPECT_OK(exchange("SCRAM-SHA-256", "n,,").status());  // a client that cannot bind
  // "y": the client could bind and believes the server cannot: a downgrade.
  EXPECT_THAT(exchange("SCRAM-SHA-256", "y,,"),
              StatusIs(StatusCode::kUnauthenticated, HasSubstr("channel binding negotiation")));
  EXPECT_THAT(exchange("SCRAM-SHA-256-PLUS", "n,,"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(exchange("SCRAM-SHA-256", "p=tls-server-end-point,,"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(exchange("SCRAM-SHA-256-PLUS", "p=tls-unique,,"), StatusIs(StatusCode::kInvalidArgument));
}

std::string ClientFinalFor(std::string_view password, ByteSpan salt, std::string_view client_first_bare,
                           std::string_view server_first, std::string_view without_proof) {
  return testing::ScramClientFinalForTest(password, salt, kScramIterations, client_first_bare, server_first,
                                          without_proof);
}

TEST(ScramTest, ABoundExchangeChecksTheCertificateHash) {
  const Bytes end_point(32, 0xab);
  auto run = [&](const Bytes& client_sees) {
    ScramServer server(Pencil(), {.tls_server_end_point = end_point, .server_nonce = "SRV"});
    const std::string gs2 = "p=tls-server-end-point,,";
    const std::string bare = "n=,r=CLI";
    auto first = server.ClientFirst("SCRAM-SHA-256-PLUS", gs2 + bare);
    EXPECT_OK(first.status());
    Bytes binding = ToBytes(gs2);
    binding.insert(binding.end(), client_sees.begin(), client_sees.end());
    const std::string without_proof = "c=" + audit::Base64Encode(binding) + ",r=CLISRV";
    return server.ClientFinal(ClientFinalFor("pencil", Pencil().salt, bare, first.value_or(""), without_proof));
  };
  EXPECT_OK(run(end_point).status());
  EXPECT_THAT(run(Bytes(32, 0xcd)), StatusIs(StatusCode::kUnauthenticated));  // a man in the middle's certificate
}

// An account's tokens, each with its keys under the account's one salt.
class ScramAccountTest : public ::testing::Test {
 protected:
  static constexpr char kBare[] = "n=,r=CLI";

  ScramKeys KeysOf(std::string_view token) {
    return crypto::DeriveScramKeys(SecretBytes(AsBytes(token)), salt_, kScramIterations).value();
  }
  // One exchange of a client holding `token` against `credentials`: the
  // server's final answer, and which key matched.
  std::pair<StatusOr<std::string>, std::optional<size_t>> Login(const ScramCredentials& credentials,
                                                                std::string_view token) {
    ScramServer server(credentials, {.server_nonce = "SRV"});
    auto first = server.ClientFirst("SCRAM-SHA-256", std::string("n,,") + kBare);
    EXPECT_OK(first.status());
    const std::string final_message = ClientFinalFor(token, salt_, kBare, first.value_or(""), "c=biws,r=CLISRV");
    StatusOr<std::string> answer = server.ClientFinal(final_message);
    EXPECT_EQ(answer.ok(), server.authenticated());
    return {std::move(answer), server.matched()};
  }

  const Bytes salt_ = Bytes(16, 0x5a);
};

TEST_F(ScramAccountTest, EachTokenUnderTheAccountSaltAuthenticatesAndIsNamed) {
  const ScramCredentials account{.salt = salt_, .keys = {KeysOf("hdh_token_one"), KeysOf("hdh_token_two")}};
  for (size_t k : {0u, 1u}) {
    auto [answer, matched] = Login(account, k == 0 ? "hdh_token_one" : "hdh_token_two");
    ASSERT_OK(answer.status());
    EXPECT_EQ(matched, k);
    // The server proves it knows that token's ServerKey.
    auto mac = crypto::HmacSha256::Create(SecretBytes(account.keys[k].server_key)).value();
    ScramServer again(account, {.server_nonce = "SRV"});
    const std::string first = again.ClientFirst("SCRAM-SHA-256", std::string("n,,") + kBare).value();
    const std::string auth = std::string(kBare) + "," + first + ",c=biws,r=CLISRV";
    EXPECT_EQ(*answer, "v=" + audit::Base64Encode(mac->Compute(AsBytes(auth))));
  }
}

TEST_F(ScramAccountTest, ATokenWhoseKeysAreAbsentFailsLikeAWrongOne) {
  // token_two revoked: the directory no longer hands out its keys.
  const ScramCredentials account{.salt = salt_, .keys = {KeysOf("hdh_token_one")}};
  auto [revoked, revoked_match] = Login(account, "hdh_token_two");
  auto [wrong, wrong_match] = Login(account, "hdh_not_a_token");
  EXPECT_THAT(revoked, StatusIs(StatusCode::kUnauthenticated, HasSubstr("password authentication failed")));
  EXPECT_EQ(revoked.status().ToString(), wrong.status().ToString());
  EXPECT_FALSE(revoked_match.has_value());
  EXPECT_FALSE(wrong_match.has_value());
  // No key at all (every token revoked) fails the same way too.
  auto [none, none_match] = Login(ScramCredentials{.salt = salt_}, "hdh_token_one");
  EXPECT_EQ(none.status().ToString(), wrong.status().ToString());
  EXPECT_FALSE(none_match.has_value());
}

TEST_F(ScramAccountTest, MockCredentialsKeepTheirSaltAndMatchNoToken) {
  auto mock_key = crypto::HmacSha256::Create(SecretBytes(AsBytes("mock key of this hub"))).value();
  const ScramCredentials mock = ScramCredentials::Mock(*mock_key, "nobody");
  EXPECT_EQ(ScramCredentials::Mock(*mock_key, "nobody").salt, mock.salt);
  EXPECT_EQ(mock.salt, ScramVerifier::Mock(*mock_key, "nobody").salt);
  EXPECT_NE(ScramCredentials::Mock(*mock_key, "somebody").salt, mock.salt);
  EXPECT_EQ(mock.iterations, kScramIterations);
  EXPECT_EQ(mock.keys.size(), 1u);  // the work of an account with one token
  for (int attempt = 0; attempt < 2; ++attempt) {
    ScramServer server(ScramCredentials::Mock(*mock_key, "nobody"), {.server_nonce = "SRV"});
    ASSERT_OK_AND_ASSIGN(std::string first, server.ClientFirst("SCRAM-SHA-256", std::string("n,,") + kBare));
    EXPECT_EQ(first, "r=CLISRV,s=" + audit::Base64Encode(mock.salt) + ",i=4096");
    auto answer = server.ClientFinal(ClientFinalFor("hdh_token_one", mock.salt, kBare, first, "c=biws,r=CLISRV"));
    EXPECT_THAT(answer, StatusIs(StatusCode::kUnauthenticated));
    EXPECT_EQ(answer.status().ToString(),
              Login(ScramCredentials{.salt = salt_, .keys = {KeysOf("x")}}, "y").first.status().ToString());
    EXPECT_FALSE(server.matched().has_value());
  }
}

TEST_F(ScramAccountTest, CredentialsWithoutASaltAreRefusedAtTheFirstMessage) {
  ScramServer server(ScramCredentials{.keys = {KeysOf("hdh_token_one")}}, {.server_nonce = "SRV"});
  EXPECT_THAT(server.ClientFirst("SCRAM-SHA-256", std::string("n,,") + kBare), StatusIs(StatusCode::kInternal));
  EXPECT_FALSE(server.authenticated());
}

TEST_F(ScramAccountTest, MatchedIsEmptyBeforeTheFinalMessage) {
  ScramServer server(ScramCredentials{.salt = salt_, .keys = {KeysOf("hdh_token_one")}}, {.server_nonce = "SRV"});
  EXPECT_FALSE(server.matched().has_value());
  ASSERT_OK(server.ClientFirst("SCRAM-SHA-256", std::string("n,,") + kBare).status());
  EXPECT_FALSE(server.matched().has_value());
}

}  // namespace
}  // namespace hdhub::pgwire

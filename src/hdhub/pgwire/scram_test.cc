#include "hdhub/pgwire/scram.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "hdhub/audit/note.h"
#include "hdhub/common/status_matchers.h"

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

TEST(ScramTest, ABoundExchangeChecksTheCertificateHash) {
  // The client's proof is computed by the RFC's algorithm over the binding it sends.
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
    // SaltedPassword → ClientKey → proof, as a client computes it.
    ScramVerifier v = Pencil();
    const std::string auth = bare + "," + *first + "," + without_proof;
    SecretBytes salted(32);
    EXPECT_EQ(PKCS5_PBKDF2_HMAC("pencil", 6, v.salt.data(), int(v.salt.size()), 4096, EVP_sha256(), 32,
                                salted.mutable_data()),
              1);
    auto salted_mac = crypto::HmacSha256::Create(salted).value();
    crypto::Digest client_key = salted_mac->Compute(AsBytes("Client Key"));
    auto stored_mac = crypto::HmacSha256::Create(SecretBytes(crypto::Sha256(client_key))).value();
    crypto::Digest signature = stored_mac->Compute(AsBytes(auth));
    Bytes proof(32);
    for (size_t i = 0; i < 32; ++i) proof[i] = client_key[i] ^ signature[i];
    return server.ClientFinal(without_proof + ",p=" + audit::Base64Encode(proof));
  };
  EXPECT_OK(run(end_point).status());
  EXPECT_THAT(run(Bytes(32, 0xcd)), StatusIs(StatusCode::kUnauthenticated));  // a man in the middle's certificate
}

}  // namespace
}  // namespace hdhub::pgwire

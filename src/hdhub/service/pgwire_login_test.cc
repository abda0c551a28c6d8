// PG wire logins through the service: user = account, password = one of its
// API tokens, by SCRAM-SHA-256 against the directory's verifiers; one
// answer for every refusal, each audited (issue 10, item 2).
#include "hdhub/pgwire/scram.h"
#include "hdhub/pgwire/scram_test_util.h"
#include "hdhub/service/service_test_util.h"

namespace hdhub::service {
namespace {

using directory::Role;
using ::hdhub::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kAddress[] = "192.0.2.9";

std::string Text(const directory::IssuedToken& token) { return std::string(AsStringView(token.token.span())); }

class PgwireLoginTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    AddAccount("rita", {Role::kResearcher});
    AddAccount("dora", {Role::kResearcher});
  }

  directory::IssuedToken Issue(const std::string& user, std::chrono::microseconds ttl = std::chrono::hours(24)) {
    auto token = svc_->IssueToken(ctx("olga"), user, ttl, "psql");
    EXPECT_OK(token);
    return token.ok() ? std::move(token).value() : directory::IssuedToken{};
  }

  struct Attempt {
    Status exchange;                 // the SCRAM exchange's outcome
    StatusOr<RequestContext> login;  // AuthenticatePgwire's
  };
  // A whole PG wire login, as a client holding `password` makes it:
  // PgwireLogin, the SCRAM exchange, then AuthenticatePgwire with the
  // token whose key matched, if any.
  Attempt Login(const std::string& user, std::string_view password) {
    PgLogin login = svc_->PgwireLogin(user);
    pgwire::ScramServer server(login.scram, {});
    const std::string bare = "n=,r=clientnonce";
    StatusOr<std::string> first = server.ClientFirst("SCRAM-SHA-256", "n,," + bare);
    EXPECT_OK(first);
    const std::string server_first = first.value_or("");
    const std::string nonce = server_first.substr(2, server_first.find(',') - 2);
    const auto parsed = pgwire::testing::ParseServerFirstForTest(server_first);
    Status exchange = server
                          .ClientFinal(pgwire::testing::ScramClientFinalForTest(
                              password, parsed.salt, parsed.iterations, bare, server_first, "c=biws,r=" + nonce))
                          .status();
    std::optional<std::string> matched;
    if (server.matched()) matched = login.token_ids.at(*server.matched());
    return {exchange, svc_->AuthenticatePgwire(user, matched, kAddress)};
  }

  std::vector<audit::Event> Events(uint64_t from, std::string_view action) {
    std::vector<audit::Event> events;
    for (audit::Entry& e : EntriesSince(from)) {
      if (e.event.action == action) events.push_back(std::move(e.event));
    }
    return events;
  }
};

TEST_F(PgwireLoginTest, EachTokenOfTheAccountLogsInAndTheContextNamesIt) {
  const directory::IssuedToken laptop = Issue("rita");
  const directory::IssuedToken server = Issue("rita");
  for (const directory::IssuedToken* token : {&laptop, &server}) {
    const uint64_t before = LogSize();
    Attempt attempt = Login("rita", Text(*token));
    ASSERT_OK(attempt.exchange);
    ASSERT_OK(attempt.login);
    EXPECT_EQ(attempt.login->principal().user, "rita");
    EXPECT_EQ(attempt.login->auth_method(), AuthMethod::kToken);
    EXPECT_EQ(attempt.login->token_id(), token->id);
    EXPECT_EQ(attempt.login->client_address(), kAddress);
    std::vector<audit::Event> auth = Events(before, "auth.token");
    ASSERT_EQ(auth.size(), 1u);
    EXPECT_EQ(auth[0].outcome, audit::Outcome::kSuccess);
    EXPECT_EQ(auth[0].actor, "rita");
    EXPECT_EQ(auth[0].objects.at("token"), token->id);
    EXPECT_EQ(auth[0].details.at("mechanism"), "scram-sha-256");
    EXPECT_EQ(auth[0].details.at("source"), kAddress);
  }
}

TEST_F(PgwireLoginTest, EveryRefusalGetsOneAnswerAndIsAudited) {
  const directory::IssuedToken revoked = Issue("rita");
  const directory::IssuedToken expiring = Issue("rita", std::chrono::hours(1));
  const directory::IssuedToken doras = Issue("dora");
  ASSERT_OK(svc_->RevokeToken(ctx("olga"), revoked.id));
  ASSERT_OK(svc_->DisableUser(ctx("olga"), "dora"));
  clock_.Advance(std::chrono::hours(2));
  const std::string unissued = "hdh_0123456789abcdef_" + std::string(43, 'A');
  const std::vector<std::tuple<std::string, std::string, std::string, std::string>> cases = {
      // what, user, password, the reason logged
      {"wrong token", "rita", unissued, "wrong_proof"},
      {"another account's token", "rita", Text(doras), "wrong_proof"},
      {"revoked token", "rita", Text(revoked), "wrong_proof"},
      {"expired token", "rita", Text(expiring), "wrong_proof"},
      {"disabled user", "dora", Text(doras), "disabled"},
      {"unknown user", "nobody", Text(doras), "unknown_user"},
  };
  std::optional<std::string> answer, exchange_answer;
  for (const auto& [what, user, password, reason] : cases) {
    SCOPED_TRACE(what);
    const uint64_t before = LogSize();
    Attempt attempt = Login(user, password);
    EXPECT_THAT(attempt.exchange, StatusIs(StatusCode::kUnauthenticated));
    EXPECT_THAT(attempt.login, StatusIs(StatusCode::kUnauthenticated, HasSubstr("password authentication failed")));
    if (!answer) answer = attempt.login.status().ToString(), exchange_answer = attempt.exchange.ToString();
    EXPECT_EQ(attempt.login.status().ToString(), *answer);
    EXPECT_EQ(attempt.exchange.ToString(), *exchange_answer);
    std::vector<audit::Event> auth = Events(before, "auth.token");
    ASSERT_EQ(auth.size(), 1u);
    EXPECT_EQ(auth[0].outcome, audit::Outcome::kDenied);
    EXPECT_EQ(auth[0].details.at("reason"), reason);
    EXPECT_EQ(auth[0].details.at("source"), kAddress);
  }
  // Neither the name tried nor a token is in the log.
  std::string log;
  for (audit::Entry& e : EntriesSince(0)) log += e.event.actor + " " + nlohmann::json(e.event.details).dump() + "\n";
  EXPECT_EQ(log.find("nobody"), std::string::npos);
  EXPECT_EQ(log.find("hdh_"), std::string::npos);
}

TEST_F(PgwireLoginTest, WhatAClientIsToldDoesNotDependOnTheAccountsState) {
  const PgLogin nobody = svc_->PgwireLogin("nobody");
  EXPECT_EQ(nobody.scram.salt.size(), 16u);
  EXPECT_EQ(nobody.scram.iterations, 4096);
  EXPECT_EQ(nobody.scram.keys.size(), 1u);  // the work of an account with one token
  EXPECT_THAT(nobody.token_ids, IsEmpty());
  EXPECT_EQ(svc_->PgwireLogin("nobody").scram.salt, nobody.scram.salt);
  EXPECT_NE(svc_->PgwireLogin("somebody").scram.salt, nobody.scram.salt);
  EXPECT_EQ(svc_->PgwireLogin("Not A Name").scram.salt.size(), 16u);

  // An account keeps its salt whether it may log in or not.
  const PgLogin rita = svc_->PgwireLogin("rita");
  EXPECT_EQ(rita.scram.keys.size(), 1u);
  EXPECT_EQ(rita.token_ids.size(), 1u);
  ASSERT_OK(svc_->DisableUser(ctx("olga"), "rita"));
  const PgLogin disabled = svc_->PgwireLogin("rita");
  EXPECT_EQ(disabled.scram.salt, rita.scram.salt);
  EXPECT_THAT(disabled.token_ids, IsEmpty());
  EXPECT_EQ(disabled.scram.keys.size(), 1u);

  // The mock key comes from the key store: the same after a restart, derived once per process.
  size_t derived = 0;
  for (const audit::Event& e : Events(0, "key.derive"))
    derived += e.objects.contains("key_purpose") && e.objects.at("key_purpose") == kScramMockPurpose;
  EXPECT_EQ(derived, 1u);
  svc_.reset();
  ASSERT_OK_AND_ASSIGN(svc_, Service::Open(hub::BuiltinBackends(), hub_dir_, Secret(kPassphrase), &clock_,
                                           directory::DirectoryOptions::InsecureLowCostForTest()));
  EXPECT_EQ(svc_->PgwireLogin("nobody").scram.salt, nobody.scram.salt);
}

}  // namespace
}  // namespace hdhub::service

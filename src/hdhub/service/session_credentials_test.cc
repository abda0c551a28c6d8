// A project session opened with an API token re-checks that token before
// every statement: revoked or expired during the session, the next
// statement is refused, and the refusal is audited (issue 10, item 4).
#include "hdhub/service/service_test_util.h"

namespace hdhub::service {
namespace {

using ::hdhub::testing::StatusIs;
using ::testing::ElementsAre;

class SessionCredentialsTest : public ProjectServiceTest {
 protected:
  void SetUp() override {
    ProjectServiceTest::SetUp();
    BuildProject("p1");
  }

  // rita's only token (the one her context was authenticated with).
  std::string RitasTokenId() {
    auto tokens = svc_->ListTokens(ctx("olga"), "rita");
    EXPECT_OK(tokens);
    return tokens.ok() && tokens->size() == 1 ? tokens->front().id : "";
  }

  // Runs two statements as rita, calling `between` after the first; returns
  // the outcome and the indexes of the statements that gave a result.
  Status TwoStatements(const std::function<Status()>& between, std::vector<size_t>& ran) {
    return svc_->QueryProject(ctx("rita"), "p1", "SELECT 1; SELECT 2", {}, [&](const StatementResult& r) {
      ran.push_back(r.index);
      return r.index == 0 ? between() : OkStatus();
    });
  }

  // The last project.access refusal since `from`.
  std::optional<audit::Event> LastAccessRefusal(uint64_t from) {
    std::optional<audit::Event> last;
    for (audit::Entry& e : EntriesSince(from)) {
      if (e.event.action == "project.access" && e.event.outcome == audit::Outcome::kDenied) last = e.event;
    }
    return last;
  }
};

TEST_F(SessionCredentialsTest, AStillValidTokenRunsEveryStatement) {
  std::vector<size_t> ran;
  EXPECT_OK(TwoStatements([] { return OkStatus(); }, ran));
  EXPECT_THAT(ran, ElementsAre(0, 1));
}

TEST_F(SessionCredentialsTest, ATokenRevokedDuringTheSessionStopsTheNextStatement) {
  const std::string id = RitasTokenId();
  const uint64_t before = LogSize();
  std::vector<size_t> ran;
  Status s = TwoStatements([&] { return svc_->RevokeToken(ctx("olga"), id); }, ran);
  EXPECT_THAT(s, StatusIs(StatusCode::kUnauthenticated));
  EXPECT_THAT(ran, ElementsAre(0));
  std::optional<audit::Event> refusal = LastAccessRefusal(before);
  ASSERT_TRUE(refusal.has_value()) << "no project.access refusal logged";
  EXPECT_EQ(refusal->actor, "rita");
  EXPECT_EQ(refusal->details.at("when"), "statement");
}

TEST_F(SessionCredentialsTest, ATokenExpiringDuringTheSessionStopsTheNextStatement) {
  const uint64_t before = LogSize();
  std::vector<size_t> ran;
  Status s = TwoStatements(
      [&] {
        clock_.Advance(std::chrono::hours(25));  // the token lived 24 hours; the project 90 days
        return OkStatus();
      },
      ran);
  EXPECT_THAT(s, StatusIs(StatusCode::kUnauthenticated));
  EXPECT_THAT(ran, ElementsAre(0));
  EXPECT_TRUE(LastAccessRefusal(before).has_value());
}

TEST_F(SessionCredentialsTest, AnotherTokenOfTheSameAccountRevokedChangesNothing) {
  ASSERT_OK_AND_ASSIGN(directory::IssuedToken other, svc_->IssueToken(ctx("olga"), "rita", std::chrono::hours(1), ""));
  std::vector<size_t> ran;
  EXPECT_OK(TwoStatements([&] { return svc_->RevokeToken(ctx("olga"), other.id); }, ran));
  EXPECT_THAT(ran, ElementsAre(0, 1));
}

TEST_F(SessionCredentialsTest, APgWireSessionStopsWhenItsTokenIsRevoked) {
  ASSERT_OK_AND_ASSIGN(directory::IssuedToken psql, svc_->IssueToken(ctx("olga"), "rita", std::chrono::hours(1), ""));
  // As after a SCRAM exchange whose proof matched psql's keys (the exchange: pgwire_login_test.cc).
  ASSERT_OK_AND_ASSIGN(RequestContext pg, svc_->AuthenticatePgwire("rita", psql.id, "127.0.0.9"));
  std::vector<size_t> ran;
  Status s = svc_->QueryProject(pg, "p1", "SELECT 1; SELECT 2", {}, [&](const StatementResult& r) {
    ran.push_back(r.index);
    return r.index == 0 ? svc_->RevokeToken(ctx("olga"), psql.id) : OkStatus();
  });
  EXPECT_THAT(s, StatusIs(StatusCode::kUnauthenticated));
  EXPECT_THAT(ran, ElementsAre(0));
}

TEST_F(SessionCredentialsTest, TheCheckFollowsTheTokenOnlyForATokenContext) {
  ASSERT_OK_AND_ASSIGN(RequestContext by_password,
                       svc_->Authenticate({.user = "rita", .password = Secret("rita-long-password")}, "local"));
  EXPECT_FALSE(by_password.token_id().has_value());
  EXPECT_EQ(ctx("rita").token_id(), RitasTokenId());
  auto token_check = svc_->CredentialCheckFor(ctx("rita"));
  auto password_check = svc_->CredentialCheckFor(by_password);
  EXPECT_OK(token_check());
  EXPECT_OK(password_check());
  ASSERT_OK(svc_->RevokeToken(ctx("olga"), RitasTokenId()));
  EXPECT_THAT(token_check(), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_OK(password_check());
  // A disabled account stops both.
  ASSERT_OK(svc_->DisableUser(ctx("olga"), "rita"));
  EXPECT_THAT(password_check(), StatusIs(StatusCode::kUnauthenticated));
}

}  // namespace
}  // namespace hdhub::service

// A project session checks again before every statement: the project's
// window under the clock, membership as the store holds it now, and the
// caller's credentials; each refusal stops the statement and is audited.
#include "hdhub/projects/session.h"

#include "duckdb.hpp"
#include "hdhub/projects/workspace_fixture.h"

namespace hdhub::projects {
namespace {

using ::hdhub::testing::StatusIs;
using ::testing::HasSubstr;

class SessionTest : public WorkspaceFixture {
 protected:
  void SetUp() override {
    WorkspaceFixture::SetUp();
    CreateApproved("p1", R"({"tables": {"IR_BEN_R": ["*"]}})");
    ASSERT_OK(Builder().Build(ops1_, directory::Role::kOperator, "p1").status());
  }
  // A credential check answering credentials_, counting its calls in checks_.
  ProjectSession::CredentialCheck CountedCredentials() {
    return [this] {
      ++checks_;
      return credentials_;
    };
  }
  // The statement is refused with `code`, audited as a denied access.
  void ExpectRefusedAndAudited(ProjectSession& s, StatusCode code) {
    const uint64_t before = log_.Size();
    EXPECT_THAT(s.Query("SELECT count(*) FROM IR_BEN_R"), StatusIs(code));
    ASSERT_EQ(log_.Size(), before + 1);  // the refusal, and no query.run
    EXPECT_EQ(Last().event.action, "project.access");
    EXPECT_EQ(Last().event.outcome, audit::Outcome::kDenied);
    EXPECT_EQ(Last().event.details["code"], std::string(StatusCodeName(code)));
    EXPECT_EQ(Last().event.details["when"], "statement");
    EXPECT_EQ(Last().event.project, "p1");
  }

  Status credentials_ = OkStatus();
  int checks_ = 0;
};

TEST_F(SessionTest, ASessionHeldOpenAcrossTheEndDateRefusesTheNextStatement) {
  ASSERT_OK_AND_ASSIGN(auto s, Session(rita_, "p1"));
  EXPECT_EQ(Scalar(*s, "SELECT count(*) FROM IR_BEN_R"), "990");
  clock_.Advance(31 * kDay);  // the project ended on day 30
  ExpectRefusedAndAudited(*s, StatusCode::kFailedPrecondition);
  EXPECT_THAT(s->Stream("SELECT 1"), StatusIs(StatusCode::kFailedPrecondition, HasSubstr("ended")));
}

TEST_F(SessionTest, AMemberRemovedFromTheProjectIsRefusedTheNextStatement) {
  ASSERT_OK_AND_ASSIGN(auto s, Session(rita_, "p1"));
  EXPECT_EQ(Scalar(*s, "SELECT count(*) FROM IR_BEN_R"), "990");
  ProjectRecord p = projects_->GetForHub("p1").value();
  ASSERT_OK(projects_->Change(ops1_, directory::Role::kOperator, "p1", p.spec.scope, {"rob"}));
  ASSERT_OK(projects_->Approve(ops1_, "p1").status());
  ASSERT_OK(projects_->Approve(ops2_, "p1").status());
  ExpectRefusedAndAudited(*s, StatusCode::kPermissionDenied);
}

TEST_F(SessionTest, AClientOutsideTheProjectsNetworksIsRefusedAsAnUnknownProjectAndAudited) {
  // Loopback by default: "local" (the hub's terminal) and 127.0.0.2 may open it.
  ASSERT_OK(Session(rita_, "p1", nullptr, "local").status());
  ASSERT_OK(Session(rita_, "p1", nullptr, "127.0.0.2").status());
  ASSERT_OK(Session(rita_, "p1", nullptr, "::1").status());
  const Status unknown = Session(rita_, "nope", nullptr, "10.0.0.1").status();
  const Status refused = Session(rita_, "p1", nullptr, "10.0.0.1").status();
  EXPECT_THAT(refused, StatusIs(StatusCode::kPermissionDenied));
  EXPECT_EQ(refused.message(), std::string(unknown.message()).replace(unknown.message().find("nope"), 4, "p1"));
  EXPECT_EQ(Last().event.action, "project.access");
  EXPECT_EQ(Last().event.outcome, audit::Outcome::kDenied);
  EXPECT_EQ(Last().event.details["reason"], "client-network");
  EXPECT_EQ(Last().event.details["client"], "10.0.0.1");
  EXPECT_THAT(Session(rita_, "p1", nullptr, "not an address").status(), StatusIs(StatusCode::kPermissionDenied));
}

TEST_F(SessionTest, ANetworkTakenOffTheProjectRefusesTheNextStatement) {
  ASSERT_OK_AND_ASSIGN(auto s, Session(rita_, "p1", nullptr, "127.0.0.2"));
  EXPECT_EQ(Scalar(*s, "SELECT count(*) FROM IR_BEN_R"), "990");
  ProjectRecord p = projects_->GetForHub("p1").value();
  ASSERT_OK(projects_->Change(ops1_, directory::Role::kOperator, "p1", p.spec.scope, p.spec.members, nullptr,
                              std::vector<Network>{*ParseNetwork("127.0.0.1/32")}));
  ASSERT_OK(projects_->Approve(ops1_, "p1").status());
  ASSERT_OK(projects_->Approve(ops2_, "p1").status());
  ExpectRefusedAndAudited(*s, StatusCode::kPermissionDenied);
  EXPECT_EQ(Last().event.details["reason"], "client-network");
}

TEST_F(SessionTest, ACredentialThatNoLongerHoldsRefusesTheNextStatement) {
  ASSERT_OK_AND_ASSIGN(auto s, Session(rita_, "p1", CountedCredentials()));
  EXPECT_EQ(Scalar(*s, "SELECT count(*) FROM IR_BEN_R"), "990");
  EXPECT_EQ(Scalar(*s, "SELECT 1"), "1");
  EXPECT_EQ(checks_, 2);  // once per statement
  credentials_ = UnauthenticatedError("token t1 was revoked");
  ExpectRefusedAndAudited(*s, StatusCode::kUnauthenticated);
  credentials_ = OkStatus();
  EXPECT_EQ(Scalar(*s, "SELECT 2"), "2");
}

TEST_F(SessionTest, AStreamUsesTheSessionLimitsAndIsLoggedWhenItEnds) {
  ASSERT_OK_AND_ASSIGN(auto s, Session(rita_, "p1"));  // max_rows = 100000
  ASSERT_OK_AND_ASSIGN(auto stream, s->Stream("SELECT * FROM range(200000)"));
  Status end = OkStatus();
  for (bool more = true; more && end.ok();) {
    StatusOr<std::optional<sql::Chunk>> chunk = stream->Next();
    end = chunk.status();
    more = chunk.ok() && chunk->has_value();
  }
  EXPECT_THAT(end, StatusIs(StatusCode::kResourceExhausted));
  EXPECT_EQ(Last().event.action, "query.run");
  EXPECT_EQ(Last().event.details["code"], "RESOURCE_EXHAUSTED");
}

}  // namespace
}  // namespace hdhub::projects

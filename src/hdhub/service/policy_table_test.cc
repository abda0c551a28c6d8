// Every operation of the service layer, run as every role (and as a member of
// another project), checked against an expected matrix written out here, not
// derived from the policy table: the outcome (refused or not) and the audit
// event that records it, naming the account. Then the callers who never get a
// context: no credentials, a wrong password, an expired and a revoked token.
#include <functional>
#include <set>

#include "hdhub/service/service_test_util.h"

namespace hdhub::service {
namespace {

using directory::Role;
using ::hdhub::testing::StatusIs;

struct Case {
  std::string name;
  std::set<std::string> allowed;  // callers (by account name) the operation is allowed to
  std::function<Status(Service&, const RequestContext&)> run;
};

class PolicyTableTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    AddAccount("oscar", {Role::kOperator});
    AddAccount("sam", {Role::kSteward});
    AddAccount("rita", {Role::kResearcher});
    AddAccount("ravi", {Role::kResearcher});
    AddAccount("chloe", {Role::kChecker});
    AddAccount("audrey", {Role::kAuditor});
    for (const char* victim : {"victim", "victim2", "victim3"}) {
      ASSERT_OK(
          svc_->AddUser(ctx("olga"), victim, {Role::kResearcher, Role::kChecker}, Secret("victim-long-password")));
    }
    ASSERT_OK_AND_ASSIGN(directory::IssuedToken t,
                         svc_->IssueToken(ctx("olga"), "victim", std::chrono::hours(1), "to-revoke"));
    victim_token_ = t.id;
    IngestBeneficiaries();
    // WD v1 and v2 to withdraw (olga one, sam the other); TYPO1 and TYPO2 to remove.
    for (const char* dataset : {"WD", "WD", "TYPO1", "TYPO2"}) {
      ASSERT_OK(IngestRows(dataset, {"ABCDEFGHIJKLMNOP" + std::to_string(++rows_) + ",1,1970"}).status());
    }
    // p1: rita's, active; p2: ravi's; p3 to change; p4 a draft to approve; p5 to close.
    for (auto [id, member] : std::vector<std::pair<std::string, std::string>>{
             {"p1", "rita"}, {"p2", "ravi"}, {"p3", "ravi"}, {"p4", "ravi"}, {"p5", "ravi"}}) {
      ASSERT_OK(svc_->CreateProject(ctx("sam"), Spec(id, {member})));
    }
    for (const char* id : {"p1", "p2", "p5"}) {
      ASSERT_OK(svc_->ApproveProject(ctx("olga"), id).status());
      ASSERT_OK(svc_->ApproveProject(ctx("oscar"), id).status());
    }
  }

  std::vector<Case> Cases() {
    const std::set<std::string> op = {"olga"}, staff = {"olga", "sam"}, op_aud = {"olga", "audrey"},
                                staff_aud = {"olga", "sam", "audrey"};
    auto scope = projects::ProjectScope::Parse(R"({"tables":{"IR_BEN_R":["BEN_SEX_COD","BEN_NAI_ANN"]}})").value();
    return {
        {"ingest", staff,
         [](Service& s, const RequestContext& c) {
           return s
               .Ingest(c, {.dataset = "ER_PRS_F", .csv_path = "/nonexistent.csv", .schema_path = "/nonexistent.json"})
               .status();
         }},
        {"catalog list", staff_aud,
         [](Service& s, const RequestContext& c) { return s.ListCatalog(c, true).status(); }},
        {"catalog show", staff_aud,
         [](Service& s, const RequestContext& c) { return s.ShowVersion(c, "ER_PRS_F", 0).status(); }},
        {"catalog query", staff,
         [](Service& s, const RequestContext& c) { return s.QueryCatalog(c, "SELECT 1", {}, nullptr); }},
        {"dataset withdraw", staff,
         [](Service& s, const RequestContext& c) {
           return s.WithdrawVersion(c, "WD", c.principal().user == "olga" ? 1 : 2, "ingested by mistake").status();
         }},
        {"dataset remove", staff,
         [](Service& s, const RequestContext& c) {
           return s.RemoveDataset(c, c.principal().user == "olga" ? "TYPO1" : "TYPO2", "a typo").status();
         }},
        {"user add", op,
         [](Service& s, const RequestContext& c) {
           return s.AddUser(c, "new-" + c.principal().user, {Role::kResearcher}, Secret("a-long-new-password"));
         }},
        {"user list", op_aud, [](Service& s, const RequestContext& c) { return s.ListUsers(c).status(); }},
        {"user passwd (another user)", op,
         [](Service& s, const RequestContext& c) {
           return s.SetPassword(c, "victim", Secret("another-long-password"));
         }},
        {"user grant", op,
         [](Service& s, const RequestContext& c) { return s.GrantRole(c, "victim", Role::kAuditor).status(); }},
        {"user revoke", op,
         [](Service& s, const RequestContext& c) { return s.RevokeRole(c, "victim2", Role::kChecker); }},
        {"user disable", op, [](Service& s, const RequestContext& c) { return s.DisableUser(c, "victim3"); }},
        {"user enable", op, [](Service& s, const RequestContext& c) { return s.EnableUser(c, "victim3"); }},
        {"token issue", op,
         [](Service& s, const RequestContext& c) {
           return s.IssueToken(c, c.principal().user, std::chrono::hours(1), "").status();
         }},
        {"token list", op_aud,
         [](Service& s, const RequestContext& c) { return s.ListTokens(c, std::nullopt).status(); }},
        {"token revoke", op, [this](Service& s, const RequestContext& c) { return s.RevokeToken(c, victim_token_); }},
        {"project create", staff,
         [this](Service& s, const RequestContext& c) {
           return s.CreateProject(c, Spec("new-" + c.principal().user, {"ravi"}));
         }},
        {"project change", staff,
         [scope](Service& s, const RequestContext& c) { return s.ChangeProject(c, "p3", scope, {"ravi"}); }},
        {"project approve", op, [](Service& s, const RequestContext& c) { return s.ApproveProject(c, "p4").status(); }},
        {"project show (p1)",
         {"olga", "sam", "audrey", "rita"},
         [](Service& s, const RequestContext& c) { return s.ShowProject(c, "p1").status(); }},
        {"project list",
         {"olga", "sam", "audrey", "rita", "ravi"},
         [](Service& s, const RequestContext& c) { return s.ListProjects(c).status(); }},
        {"workspace build", staff,
         [](Service& s, const RequestContext& c) { return s.BuildWorkspace(c, "p1").status(); }},
        {"workspace query (p1)",
         {"rita"},
         [](Service& s, const RequestContext& c) { return s.QueryProject(c, "p1", "SELECT 1", {}, nullptr); }},
        {"project sweep", op, [](Service& s, const RequestContext& c) { return s.SweepProjects(c).status(); }},
        {"host check", op,
         [](Service& s, const RequestContext& c) { return s.CheckHost(c, {.dry_run = true}).status(); }},
        {"project close", op, [](Service& s, const RequestContext& c) { return s.CloseProject(c, "p5"); }},
        {"audit verify", op_aud, [](Service& s, const RequestContext& c) { return s.VerifyAudit(c).status(); }},
        {"audit show", op_aud, [](Service& s, const RequestContext& c) { return s.AuditEntries(c, {}).status(); }},
        {"audit prove", op_aud, [](Service& s, const RequestContext& c) { return s.ProveInclusion(c, 0, 0).status(); }},
        {"audit consistency", op_aud,
         [](Service& s, const RequestContext& c) { return s.ProveConsistency(c, 1, 0).status(); }},
        {"audit checkpoint", op_aud, [](Service& s, const RequestContext& c) { return s.AuditCheckpoint(c).status(); }},
        {"audit log-key", op_aud, [](Service& s, const RequestContext& c) { return s.AuditVerifierKey(c).status(); }},
        {"audit recover-checkpoint", op,
         [](Service& s, const RequestContext& c) { return s.RecoverCheckpoint(c).status(); }},
        {"host list", op_aud, [](Service& s, const RequestContext& c) { return s.ListHosts(c).status(); }},
        {"host show", op_aud, [](Service& s, const RequestContext& c) { return s.ShowHost(c, "").status(); }},
        {"host placement check", op_aud,
         [](Service& s, const RequestContext& c) { return s.CheckPlacement(c, "").status(); }},
        {"host policy show", op_aud, [](Service& s, const RequestContext& c) { return s.ShowHostPolicy(c).status(); }},
        {"host add", op,
         [](Service& s, const RequestContext& c) {
           return s
               .AddHost(c, {.name = "h-" + c.principal().user, .uri = "memory:h-" + c.principal().user, .local = true})
               .status();
         }},
        {"host policy set", op,
         [](Service& s, const RequestContext& c) { return s.SetHostPolicy(c, hosts::SovereigntyPolicy{}).status(); }},
        {"passphrase change", op,
         [](Service& s, const RequestContext& c) {
           return s.ChangePassphrase(c, Secret(kPassphrase), Secret("lantern quarry velvet 17"));
         }},
    };
  }

  std::string victim_token_;
  int rows_ = 0;
};

bool Refused(const Status& s) {
  return s.code() == StatusCode::kPermissionDenied || s.code() == StatusCode::kUnauthenticated;
}

TEST_F(PolicyTableTest, EveryOperationAsEveryRoleIsDecidedAndLoggedUnderTheAccount) {
  // The refused callers first, so that the allowed ones find the state intact.
  const std::vector<std::string> callers = {"chloe", "audrey", "ravi", "rita", "sam", "olga"};
  for (const Case& c : Cases()) {
    for (const std::string& caller : callers) {
      SCOPED_TRACE(c.name + " as " + caller);
      const uint64_t before = LogSize();
      Status s = c.run(*svc_, ctx(caller));
      std::vector<audit::Entry> events = EntriesSince(before);
      bool denied_event = false, named = false;
      for (const audit::Entry& e : events) {
        if (e.event.actor == caller) named = true;
        if (e.event.actor == caller && e.event.outcome == audit::Outcome::kDenied) denied_event = true;
      }
      EXPECT_TRUE(named) << "no audit event names " << caller;
      if (c.allowed.contains(caller)) {
        EXPECT_FALSE(Refused(s)) << s;
        EXPECT_FALSE(denied_event);
      } else {
        EXPECT_THAT(s, StatusIs(StatusCode::kPermissionDenied));
        EXPECT_TRUE(denied_event) << "the refusal is not logged as denied";
      }
    }
  }
}

TEST_F(PolicyTableTest, AnOperatorWhoIsAMemberMayNotApproveTheProject) {
  // A member is a researcher: oscar is both.
  ASSERT_OK(svc_->GrantRole(ctx("olga"), "oscar", Role::kResearcher).status());
  ASSERT_OK(svc_->CreateProject(ctx("sam"), Spec("mine", {"oscar", "ravi"})));
  const uint64_t before = LogSize();
  EXPECT_THAT(svc_->ApproveProject(ctx("oscar"), "mine"), StatusIs(StatusCode::kPermissionDenied));
  std::vector<audit::Entry> events = EntriesSince(before);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].event.action, "project.approve");
  EXPECT_EQ(events[0].event.actor, "oscar");
  EXPECT_EQ(events[0].event.outcome, audit::Outcome::kDenied);
}

TEST_F(PolicyTableTest, ThirdOperatorNeedsTwoOperators) {
  // olga and oscar exist: one operator's grant waits for the other's.
  ASSERT_OK(svc_->AddUser(ctx("olga"), "otto", {Role::kSteward}, Secret("otto-long-password")));
  EXPECT_THAT(svc_->AddUser(ctx("olga"), "puppet", {Role::kOperator}, Secret("puppet-long-password")),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(svc_->GrantRole(ctx("olga"), "otto", Role::kOperator),
              ::hdhub::testing::IsOkAndHolds(directory::GrantState::kPending));
  EXPECT_THAT(svc_->GrantRole(ctx("olga"), "otto", Role::kOperator), StatusIs(StatusCode::kFailedPrecondition));
  StatusOr<RequestContext> otto =
      svc_->Authenticate({.user = "otto", .password = Secret("otto-long-password")}, "local");
  ASSERT_OK(otto);
  EXPECT_FALSE(otto->principal().Has(Role::kOperator));
  EXPECT_THAT(svc_->GrantRole(ctx("oscar"), "otto", Role::kOperator),
              ::hdhub::testing::IsOkAndHolds(directory::GrantState::kGranted));
  otto = svc_->Authenticate({.user = "otto", .password = Secret("otto-long-password")}, "local");
  ASSERT_OK(otto);
  EXPECT_TRUE(otto->principal().Has(Role::kOperator));
}

TEST_F(PolicyTableTest, CallersWithoutAValidAccountGetNoContextAndAreLogged) {
  // Expired: issued for an hour, used two hours later; revoked: revoked first.
  ASSERT_OK_AND_ASSIGN(directory::IssuedToken expired,
                       svc_->IssueToken(ctx("olga"), "rita", std::chrono::hours(1), ""));
  ASSERT_OK_AND_ASSIGN(directory::IssuedToken revoked,
                       svc_->IssueToken(ctx("olga"), "rita", std::chrono::hours(9), ""));
  ASSERT_OK(svc_->RevokeToken(ctx("olga"), revoked.id));
  clock_.Advance(std::chrono::hours(2));
  std::vector<std::pair<std::string, Credentials>> refused;
  refused.emplace_back("expired token", Credentials{.token = std::move(expired.token)});
  refused.emplace_back("revoked token", Credentials{.token = std::move(revoked.token)});
  refused.emplace_back("altered token", Credentials{.token = Secret("hdh_0123456789abcdef_nottherealsecret")});
  refused.emplace_back("wrong password", Credentials{.user = "olga", .password = Secret("not-olga-password")});
  for (auto& [what, credentials] : refused) {
    SCOPED_TRACE(what);
    const uint64_t before = LogSize();
    EXPECT_THAT(svc_->Authenticate(credentials, "local"), StatusIs(StatusCode::kUnauthenticated));
    std::vector<audit::Entry> events = EntriesSince(before);
    ASSERT_FALSE(events.empty());
    EXPECT_TRUE(events.back().event.action.starts_with("auth."));
    EXPECT_EQ(events.back().event.outcome, audit::Outcome::kDenied);
  }
  EXPECT_THAT(svc_->Authenticate({}, "local"), StatusIs(StatusCode::kUnauthenticated));
}

TEST_F(PolicyTableTest, APasswordChangeOfOnesOwnIsAllowedInAnyRole) {
  EXPECT_OK(svc_->SetPassword(ctx("rita"), "rita", Secret("rita-new-long-password")));
  EXPECT_OK(svc_->Authenticate({.user = "rita", .password = Secret("rita-new-long-password")}, "local").status());
}

TEST_F(PolicyTableTest, WeakNewPassphraseIsRefusedAndTheOldOneStillOpens) {
  EXPECT_THAT(svc_->ChangePassphrase(ctx("olga"), Secret(kPassphrase), Secret("password123456")),
              StatusIs(StatusCode::kInvalidArgument));
  svc_.reset();
  FakeClock clock{TimePoint(std::chrono::seconds(1'800'000'000))};
  EXPECT_OK(Service::Open(hub::BuiltinBackends(), hub_dir_, Secret(kPassphrase), &clock).status());
}

}  // namespace
}  // namespace hdhub::service

// The host registry and the sovereignty policy through the service layer:
// the host registered at init, refusals of placements (audited), evidence,
// changes by operators only, the policy under dual control.
#include "hdhub/service/service_test_util.h"

namespace hdhub::service {
namespace {

using directory::Role;
using ::hdhub::testing::StatusIs;
using ::testing::Contains;
using ::testing::HasSubstr;

hosts::Day Day(std::string_view text) { return *hosts::ParseDay(text, "test day"); }

class HostServiceTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    AddAccount("oscar", {Role::kOperator});
    AddAccount("rita", {Role::kResearcher});
    AddAccount("audrey", {Role::kAuditor});
  }

  // The hub's own host, declared as a sovereign host whose qualifications
  // end on `until`.
  hosts::HostSpec Declared(std::string_view until) {
    hosts::HostSpec spec = svc_->ShowHost(ctx("olga"), "")->host.spec;
    spec.local = false;
    spec.jurisdiction = "FR";
    spec.operator_name = "Hub operator SAS";
    spec.owner_jurisdiction = "FR";
    for (const char* scheme : {hosts::kHds, hosts::kSecNumCloud}) {
      spec.qualifications.push_back({.scheme = scheme,
                                     .reference = std::string(scheme) + "-1",
                                     .valid_from = Day("2026-01-01"),
                                     .valid_until = Day(until),
                                     .evidence = "sha256:ab12"});
    }
    return spec;
  }

  // The last event with `action`, which must exist.
  audit::Entry Last(uint64_t from, std::string_view action) {
    std::vector<audit::Entry> events = EntriesSince(from);
    for (auto it = events.rbegin(); it != events.rend(); ++it) {
      if (it->event.action == action) return *it;
    }
    ADD_FAILURE() << "no " << action << " event";
    return {};
  }

  void ForbidLocalHosts() {
    hosts::SovereigntyPolicy strict;
    strict.allow_local = false;
    ASSERT_OK(svc_->SetHostPolicy(ctx("olga"), strict).status());
    ASSERT_THAT(svc_->SetHostPolicy(ctx("oscar"), strict), ::hdhub::testing::IsOkAndHolds(PolicyChange::kApplied));
  }
};

TEST_F(HostServiceTest, InitRegistersTheLocalHostAsAVisibleExemption) {
  ASSERT_OK_AND_ASSIGN(HostView view, svc_->ShowHost(ctx("olga"), ""));
  EXPECT_EQ(view.host.spec.name, "local");
  EXPECT_TRUE(view.host.spec.local);
  EXPECT_TRUE(view.current);
  EXPECT_EQ(view.host.added_by, "olga");
  EXPECT_TRUE(view.decision.allowed);
  EXPECT_TRUE(view.decision.exempted);
  audit::Entry registered = Last(0, "host.register");
  EXPECT_EQ(registered.event.actor, "olga");
  EXPECT_EQ(registered.event.objects["host"], "local");
  EXPECT_EQ(registered.event.details["local"], true);
  EXPECT_EQ(registered.event.details["placement_exempted"], true);
  // Each write the exemption lets through is logged as such.
  const uint64_t before = LogSize();
  ASSERT_OK(IngestRows("IR_BEN_R", {"ABCDEFGHIJKLMNOP1,1,1970"}).status());
  audit::Entry exempted = Last(before, "host.placement");
  EXPECT_EQ(exempted.event.outcome, audit::Outcome::kSuccess);
  EXPECT_EQ(exempted.event.details["placement_exempted"], true);
  EXPECT_EQ(exempted.event.details["operation"], "ingest.run");
}

TEST_F(HostServiceTest, AHostThePolicyRefusesStopsEveryWriteOfHealthDataAndTheRefusalIsAudited) {
  ForbidLocalHosts();
  uint64_t before = LogSize();
  StatusOr<ingest::IngestResult> ingested = IngestRows("IR_BEN_R", {"ABCDEFGHIJKLMNOP1,1,1970"});
  EXPECT_THAT(ingested.status(), StatusIs(StatusCode::kFailedPrecondition, HasSubstr("host local")));
  EXPECT_THAT(ingested.status(), StatusIs(StatusCode::kFailedPrecondition, HasSubstr("local: a local host")));
  audit::Entry refused = Last(before, "host.placement");
  EXPECT_EQ(refused.event.actor, "olga");
  EXPECT_EQ(refused.event.outcome, audit::Outcome::kDenied);
  EXPECT_EQ(refused.event.details["operation"], "ingest.run");
  EXPECT_THAT(refused.event.details["failed"], Contains("local"));
  EXPECT_THAT(refused.event.details["failed"], Contains("qualification:HDS"));
  EXPECT_THAT(svc_->CheckPlacement(ctx("olga"), ""), StatusIs(StatusCode::kFailedPrecondition));
}

TEST_F(HostServiceTest, AQualificationThatLapsesIsCaughtAtTheNextWrite) {
  // The test clock stands on 2027-01-15.
  ASSERT_OK(svc_->ChangeHost(ctx("olga"), Declared("2027-01-15")).status());
  ASSERT_OK(IngestRows("IR_BEN_R", {"ABCDEFGHIJKLMNOP1,1,1970"}).status());
  clock_.Advance(std::chrono::hours(24));
  uint64_t before = LogSize();
  EXPECT_THAT(IngestRows("IR_BEN_R", {"ABCDEFGHIJKLMNOP2,1,1970"}).status(),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("lapsed, not in force on 2027-01-16")));
  audit::Entry refused = Last(before, "host.placement");
  EXPECT_EQ(refused.event.outcome, audit::Outcome::kDenied);
  EXPECT_EQ(refused.event.details["day"], "2027-01-16");
  // Renewed: writes go on.
  ASSERT_OK(svc_->ChangeHost(ctx("oscar"), Declared("2030-01-15")).status());
  EXPECT_OK(IngestRows("IR_BEN_R", {"ABCDEFGHIJKLMNOP2,1,1970"}).status());
}

TEST_F(HostServiceTest, TheHubsOwnHostKeepsItsUri) {
  hosts::HostSpec moved = Declared("2030-01-01");
  moved.uri = "s3://elsewhere/hub";
  uint64_t before = LogSize();
  EXPECT_THAT(svc_->ChangeHost(ctx("olga"), moved), StatusIs(StatusCode::kFailedPrecondition, HasSubstr("migration")));
  EXPECT_EQ(Last(before, "host.change").event.outcome, audit::Outcome::kDenied);
  EXPECT_OK(svc_->CheckPlacement(ctx("olga"), "").status());
}

TEST_F(HostServiceTest, AWorkspaceBuildIsRefusedOnARefusedHost) {
  IngestBeneficiaries();
  ASSERT_OK(svc_->CreateProject(ctx("olga"), Spec("p1", {"rita"})));
  ASSERT_OK(svc_->ApproveProject(ctx("olga"), "p1").status());
  ASSERT_OK(svc_->ApproveProject(ctx("oscar"), "p1").status());
  ForbidLocalHosts();
  uint64_t before = LogSize();
  EXPECT_THAT(svc_->BuildWorkspace(ctx("olga"), "p1").status(), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_EQ(Last(before, "host.placement").event.details["operation"], "workspace.build");
}

TEST_F(HostServiceTest, AddingAHostOwnedFromOutsideTheEuShowsWhyItWouldBeRefused) {
  hosts::HostSpec spec = Declared("2030-01-01");
  spec.name = "hyperscaler-fr";
  spec.uri = "s3://storage.example/hub";
  spec.owner_jurisdiction = "US";
  uint64_t before = LogSize();
  ASSERT_OK_AND_ASSIGN(HostView view, svc_->AddHost(ctx("olga"), spec));
  EXPECT_FALSE(view.current);
  EXPECT_FALSE(view.decision.allowed);
  EXPECT_EQ(view.decision.FailedCriteria(), "ownership");
  audit::Entry added = Last(before, "host.change");
  EXPECT_EQ(added.event.details["owner_jurisdiction"], "US");
  EXPECT_EQ(added.event.details["placement_allowed"], false);
  // As a migration target: refused, with its reason, and audited.
  before = LogSize();
  EXPECT_THAT(svc_->CheckPlacement(ctx("olga"), "hyperscaler-fr"),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("ownership: the owner of its operator")));
  EXPECT_EQ(Last(before, "host.placement").event.outcome, audit::Outcome::kDenied);
  // The hub's own host is unaffected.
  EXPECT_OK(svc_->CheckPlacement(ctx("olga"), "").status());
  EXPECT_THAT(svc_->AddHost(ctx("olga"), spec), StatusIs(StatusCode::kAlreadyExists));
}

TEST_F(HostServiceTest, OnlyOperatorsChangeHostsAndAuditorsMayRead) {
  hosts::HostSpec spec = Declared("2030-01-01");
  spec.name = "other";
  spec.uri = "s3://other/hub";
  for (const char* who : {"rita", "audrey"}) {
    uint64_t before = LogSize();
    EXPECT_THAT(svc_->AddHost(ctx(who), spec), StatusIs(StatusCode::kPermissionDenied));
    audit::Entry refused = Last(before, "host.change");
    EXPECT_EQ(refused.event.actor, who);
    EXPECT_EQ(refused.event.outcome, audit::Outcome::kDenied);
  }
  EXPECT_THAT(svc_->ListHosts(ctx("rita")), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_OK(svc_->ListHosts(ctx("audrey")).status());
  EXPECT_THAT(svc_->ListHosts(ctx("olga")), ::hdhub::testing::IsOkAndHolds(::testing::SizeIs(1)));
}

TEST_F(HostServiceTest, ThePolicyChangesOnlyWithTwoOperators) {
  hosts::SovereigntyPolicy relaxed;
  relaxed.required_qualifications = {hosts::kHds};
  EXPECT_THAT(svc_->SetHostPolicy(ctx("olga"), relaxed), ::hdhub::testing::IsOkAndHolds(PolicyChange::kPending));
  EXPECT_THAT(svc_->SetHostPolicy(ctx("olga"), relaxed), StatusIs(StatusCode::kFailedPrecondition));
  ASSERT_OK_AND_ASSIGN(hosts::PolicyRecord pending, svc_->ShowHostPolicy(ctx("audrey")));
  EXPECT_EQ(pending.policy.required_qualifications.size(), 2u);  // not yet in force
  ASSERT_TRUE(pending.pending.has_value());
  uint64_t before = LogSize();
  EXPECT_THAT(svc_->SetHostPolicy(ctx("oscar"), relaxed), ::hdhub::testing::IsOkAndHolds(PolicyChange::kApplied));
  audit::Entry applied = Last(before, "host.policy");
  EXPECT_EQ(applied.event.details["approvals"], 2);
  EXPECT_EQ(applied.event.details["requested_by"], "olga");
  ASSERT_OK_AND_ASSIGN(hosts::PolicyRecord now, svc_->ShowHostPolicy(ctx("olga")));
  EXPECT_EQ(now.policy.required_qualifications, std::vector<std::string>{hosts::kHds});
  EXPECT_EQ(now.changed_by, "oscar");
}

}  // namespace
}  // namespace hdhub::service

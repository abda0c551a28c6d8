#include "hdhub/projects/project_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hdhub/audit/test_util.h"
#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"
#include "hdhub/keys/memory_key_store.h"

namespace hdhub::projects {
namespace {

using directory::Principal;
using directory::Role;
using ::hdhub::testing::StatusIs;
using ::testing::HasSubstr;

constexpr auto kDay = std::chrono::hours(24);

class ProjectStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    keys_ = keys::MemoryKeyStore::Create().value();
    ASSERT_OK_AND_ASSIGN(
        store_, ProjectStore::Open(dir_.Sub("catalog.db"), &clock_, &log_, ProjectStore::Borrowed(keys_.get())));
  }
  ProjectSpec Spec(const std::string& id = "diab-2026") {
    return ProjectSpec{.id = id,
                       .authorisation_ref = "CNIL-DR-2026-042",
                       .purpose = "Diabetes drug use by age",
                       .scope = ProjectScope::Parse(R"({"tables": {"ER_PRS_F": ["*"]}})").value(),
                       .members = {"rita"},
                       .start = clock_.Now() + kDay,
                       .end = clock_.Now() + 30 * kDay};
  }
  audit::Entry Last(uint64_t back = 0) { return audit::testing::LastEntry(log_, back); }

  testing::TempDir dir_;
  FakeClock clock_{TimePoint(std::chrono::seconds(1'800'000'000))};
  audit::MemoryAuditLog log_{&clock_};
  std::unique_ptr<keys::MemoryKeyStore> keys_;
  std::unique_ptr<ProjectStore> store_;
  Principal ops1_{"olga", {Role::kOperator}}, ops2_{"omar", {Role::kOperator}};
  Principal steward_{"stan", {Role::kSteward}}, rita_{"rita", {Role::kResearcher}};
  Principal other_{"rob", {Role::kResearcher}}, auditor_{"ada", {Role::kAuditor}};
};

TEST_F(ProjectStoreTest, CreateByStewardIsADraftWithItsOwnWrappedKey) {
  ASSERT_OK(store_->Create(steward_, Role::kSteward, Spec()));
  ASSERT_OK_AND_ASSIGN(ProjectRecord p, store_->Get(steward_, Role::kSteward, "diab-2026"));
  EXPECT_EQ(p.state, ProjectState::kDraft);
  EXPECT_EQ(p.created_by, "stan");
  EXPECT_FALSE(p.wrapped_pseudonym_key.empty());
  EXPECT_OK(keys_->UnwrapKey(p.wrapped_pseudonym_key, PseudonymKeyContext("diab-2026")).status());
  EXPECT_EQ(Last().event.action, "project.read");  // reads are logged too
  EXPECT_EQ(Last(1).event.action, "project.create");
  EXPECT_THAT(store_->Create(steward_, Role::kSteward, Spec()), StatusIs(StatusCode::kAlreadyExists));
}

TEST_F(ProjectStoreTest, ResearcherCannotCreateAndTheRefusalIsAudited) {
  EXPECT_THAT(store_->Create(rita_, Role::kResearcher, Spec()), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_EQ(Last().event.outcome, audit::Outcome::kDenied);
  // Claiming a role one does not hold does not help.
  EXPECT_THAT(store_->Create(rita_, Role::kOperator, Spec()), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(store_->GetForHub("diab-2026"), StatusIs(StatusCode::kNotFound));
}

TEST_F(ProjectStoreTest, InvalidSpecsAreRefused) {
  ProjectSpec s = Spec("Bad Id");
  EXPECT_THAT(store_->Create(ops1_, Role::kOperator, s), StatusIs(StatusCode::kInvalidArgument, HasSubstr("id")));
  s = Spec();
  s.end = s.start;
  EXPECT_THAT(store_->Create(ops1_, Role::kOperator, s), StatusIs(StatusCode::kInvalidArgument, HasSubstr("window")));
  s = Spec();
  s.members.clear();
  EXPECT_THAT(store_->Create(ops1_, Role::kOperator, s), StatusIs(StatusCode::kInvalidArgument, HasSubstr("member")));
  s = Spec();
  s.authorisation_ref = "has space";
  EXPECT_THAT(store_->Create(ops1_, Role::kOperator, s), StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(ProjectStoreTest, ClientNetworksDefaultToLoopbackAndAreKeptAndChanged) {
  ASSERT_OK(store_->Create(steward_, Role::kSteward, Spec()));
  ASSERT_OK_AND_ASSIGN(ProjectRecord p, store_->GetForHub("diab-2026"));
  ASSERT_EQ(p.spec.client_networks.size(), 2u);
  EXPECT_EQ(p.spec.client_networks[0].ToString(), "127.0.0.0/8");
  EXPECT_EQ(p.spec.client_networks[1].ToString(), "::1/128");
  // A change without networks keeps them; with networks replaces them (back to draft).
  ASSERT_OK(store_->Change(steward_, Role::kSteward, "diab-2026", Spec().scope, {"rita"}));
  EXPECT_EQ(store_->GetForHub("diab-2026")->spec.client_networks.size(), 2u);
  ASSERT_OK(store_->Change(steward_, Role::kSteward, "diab-2026", Spec().scope, {"rita"}, nullptr,
                           std::vector<Network>{*ParseNetwork("10.20.1.2/16")}));
  ASSERT_OK_AND_ASSIGN(p, store_->GetForHub("diab-2026"));
  ASSERT_EQ(p.spec.client_networks.size(), 1u);
  EXPECT_EQ(p.spec.client_networks[0].ToString(), "10.20.0.0/16");
  EXPECT_EQ(p.state, ProjectState::kDraft);
  EXPECT_THAT(
      store_->Change(steward_, Role::kSteward, "diab-2026", Spec().scope, {"rita"}, nullptr, std::vector<Network>{}),
      StatusIs(StatusCode::kInvalidArgument, HasSubstr("client network")));
  ProjectSpec none = Spec();
  none.id = "other";
  none.client_networks.clear();
  EXPECT_THAT(store_->Create(steward_, Role::kSteward, none), StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(ProjectStoreTest, TwoDifferentOperatorsMustApprove) {
  ASSERT_OK(store_->Create(steward_, Role::kSteward, Spec()));
  EXPECT_THAT(store_->Approve(rita_, "diab-2026"), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_EQ(Last().event.outcome, audit::Outcome::kDenied);
  EXPECT_THAT(store_->Approve(steward_, "diab-2026"), StatusIs(StatusCode::kPermissionDenied));
  ASSERT_OK_AND_ASSIGN(ProjectState s1, store_->Approve(ops1_, "diab-2026"));
  EXPECT_EQ(s1, ProjectState::kDraft);
  EXPECT_THAT(store_->Approve(ops1_, "diab-2026"), StatusIs(StatusCode::kFailedPrecondition, HasSubstr("already")));
  ASSERT_OK_AND_ASSIGN(ProjectState s2, store_->Approve(ops2_, "diab-2026"));
  EXPECT_EQ(s2, ProjectState::kApproved);
  EXPECT_THAT(store_->Approve(ops2_, "diab-2026"), StatusIs(StatusCode::kFailedPrecondition));
}

TEST_F(ProjectStoreTest, PhasesFollowTheWindow) {
  ASSERT_OK(store_->Create(ops1_, Role::kOperator, Spec()));
  ASSERT_OK(store_->Approve(ops1_, "diab-2026").status());
  ASSERT_OK(store_->Approve(ops2_, "diab-2026").status());
  ProjectRecord p = store_->GetForHub("diab-2026").value();
  EXPECT_EQ(p.PhaseAt(clock_.Now()), Phase::kNotStarted);
  EXPECT_EQ(p.PhaseAt(clock_.Now() + 2 * kDay), Phase::kActive);
  EXPECT_EQ(p.PhaseAt(clock_.Now() + 30 * kDay), Phase::kEnded);
}

TEST_F(ProjectStoreTest, AChangedScopeNeedsTwoNewApprovals) {
  ASSERT_OK(store_->Create(ops1_, Role::kOperator, Spec()));
  ASSERT_OK(store_->Approve(ops1_, "diab-2026").status());
  ASSERT_OK(store_->Approve(ops2_, "diab-2026").status());
  ProjectScope wider = ProjectScope::Parse(R"({"tables": {"ER_PRS_F": ["*"], "IR_BEN_R": ["*"]}})").value();
  EXPECT_THAT(store_->Change(rita_, Role::kResearcher, "diab-2026", wider, {"rita"}),
              StatusIs(StatusCode::kPermissionDenied));
  ASSERT_OK(store_->Change(steward_, Role::kSteward, "diab-2026", wider, {"rita", "rob"}));
  ProjectRecord p = store_->GetForHub("diab-2026").value();
  EXPECT_EQ(p.state, ProjectState::kDraft);
  EXPECT_EQ(p.scope_version, 2);
  EXPECT_TRUE(p.approvers.empty());
  EXPECT_EQ(p.spec.members, (std::vector<std::string>{"rita", "rob"}));
  ASSERT_OK(store_->Approve(ops1_, "diab-2026").status());  // the same operators approve the new version
  EXPECT_EQ(store_->Approve(ops2_, "diab-2026").value(), ProjectState::kApproved);
}

TEST_F(ProjectStoreTest, OnlyMembersAndStaffSeeAProject) {
  ASSERT_OK(store_->Create(ops1_, Role::kOperator, Spec()));
  EXPECT_OK(store_->Get(rita_, Role::kResearcher, "diab-2026").status());
  EXPECT_OK(store_->Get(auditor_, Role::kAuditor, "diab-2026").status());
  EXPECT_THAT(store_->Get(other_, Role::kResearcher, "diab-2026"), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_EQ(Last().event.outcome, audit::Outcome::kDenied);
  EXPECT_EQ(store_->List(other_, Role::kResearcher)->size(), 0u);
  EXPECT_EQ(store_->List(rita_, Role::kResearcher)->size(), 1u);
}

TEST_F(ProjectStoreTest, ClosedProjectsNeverChangeAndTheirKeysCannotComeBack) {
  ASSERT_OK(store_->Create(ops1_, Role::kOperator, Spec()));
  ASSERT_OK(store_->Close(ops1_, "diab-2026"));
  EXPECT_THAT(store_->Close(ops1_, "diab-2026"), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(store_->Change(ops1_, Role::kOperator, "diab-2026", Spec().scope, {"rita"}),
              StatusIs(StatusCode::kFailedPrecondition));
  ASSERT_OK(store_->DestroyKeys("diab-2026", ProjectState::kClosed));
  EXPECT_TRUE(store_->GetForHub("diab-2026")->wrapped_pseudonym_key.empty());
}

TEST_F(ProjectStoreTest, AChangeThatCannotBeAuditedDoesNotHappen) {
  log_.SetFailureForTest(UnavailableError("log disk gone"));
  EXPECT_THAT(store_->Create(ops1_, Role::kOperator, Spec()), StatusIs(StatusCode::kUnavailable));
  log_.SetFailureForTest(OkStatus());
  EXPECT_THAT(store_->GetForHub("diab-2026"), StatusIs(StatusCode::kNotFound));
}

}  // namespace
}  // namespace hdhub::projects

// The hub's airlock rules through the service, on a real hub: two operators
// (olga, oscar), a researcher (rita), a checker (carl) and an auditor (alma).
#include <nlohmann/json.hpp>

#include "hdhub/crypto/hash.h"
#include "hdhub/service/service_test_util.h"

namespace hdhub::service {
namespace {

using directory::Role;
using ::hdhub::testing::StatusIs;
using ::testing::HasSubstr;

constexpr std::string_view kStricter = R"({"min_count": 15, "p_percent": 12.5})";
// The same rules, other bytes: compared canonically.
constexpr std::string_view kStricterOtherBytes = R"({ "p_percent" : 12.5, "min_count" : 15 })";

class AirlockRulesServiceTest : public ProjectServiceTest {
 protected:
  void SetUp() override {
    ProjectServiceTest::SetUp();
    AddAccount("carl", {Role::kChecker});
    AddAccount("alma", {Role::kAuditor});
  }

  // The airlock.rules entries from `from` on.
  std::vector<audit::Entry> RulesEntries(uint64_t from) {
    std::vector<audit::Entry> out;
    for (audit::Entry& e : EntriesSince(from)) {
      if (e.event.action == "airlock.rules") out.push_back(std::move(e));
    }
    return out;
  }
};

TEST_F(AirlockRulesServiceTest, DefaultsAreInForceUntilTwoOperatorsAgree) {
  ASSERT_OK_AND_ASSIGN(AirlockRulesView before, svc_->ShowAirlockRules(ctx("rita")));
  EXPECT_EQ(before.in_force, airlock::DisclosureRules{});
  EXPECT_FALSE(before.confirmed.has_value());
  EXPECT_FALSE(before.pending.has_value());

  const uint64_t log = LogSize();
  ASSERT_OK_AND_ASSIGN(AirlockRulesView proposed, svc_->ProposeAirlockRules(ctx("olga"), std::string(kStricter)));
  EXPECT_EQ(proposed.in_force, airlock::DisclosureRules{});  // one operator is not enough
  ASSERT_TRUE(proposed.pending.has_value());
  EXPECT_EQ(proposed.pending->proposed_by, "olga");

  ASSERT_OK_AND_ASSIGN(AirlockRulesView confirmed,
                       svc_->ConfirmAirlockRules(ctx("oscar"), std::string(kStricterOtherBytes)));
  EXPECT_EQ(confirmed.in_force.min_count, 15);
  EXPECT_EQ(confirmed.in_force.p_percent, 12.5);
  EXPECT_EQ(confirmed.in_force.dominance_n, airlock::DisclosureRules{}.dominance_n);
  ASSERT_TRUE(confirmed.confirmed.has_value());
  EXPECT_EQ(confirmed.confirmed->confirmed_by, "oscar");
  EXPECT_FALSE(confirmed.pending.has_value());

  // Two events, the second naming the proposer; neither carries the JSON.
  const std::vector<audit::Entry> entries = RulesEntries(log);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].event.actor, "olga");
  EXPECT_EQ(entries[0].event.details["approvals"], 1);
  EXPECT_EQ(entries[1].event.actor, "oscar");
  EXPECT_EQ(entries[1].event.details["approvals"], 2);
  EXPECT_EQ(entries[1].event.details["requested_by"], "olga");
  const std::string digest = HexEncode(crypto::Sha256(AsBytes(confirmed.confirmed->rules_json)));
  EXPECT_EQ(entries[0].event.details["rules_sha256"], digest);
  EXPECT_EQ(entries[1].event.details["rules_sha256"], digest);
  for (const audit::Entry& e : entries) EXPECT_THAT(e.event.details.dump(), ::testing::Not(HasSubstr("min_count")));

  // A new service on the same hub sees the same rules in force.
  svc_.reset();
  ASSERT_OK_AND_ASSIGN(svc_, Service::Open(hub::BuiltinBackends(), hub_dir_, Secret(kPassphrase), &clock_,
                                           directory::DirectoryOptions::InsecureLowCostForTest()));
  ASSERT_OK_AND_ASSIGN(AirlockRulesView reopened, svc_->ShowAirlockRules(ctx("alma")));
  EXPECT_EQ(reopened.in_force.min_count, 15);
}

TEST_F(AirlockRulesServiceTest, TheProposerCannotConfirmAndOtherRulesAreNotConfirmed) {
  ASSERT_OK(svc_->ProposeAirlockRules(ctx("olga"), std::string(kStricter)).status());
  const uint64_t log = LogSize();
  EXPECT_THAT(svc_->ConfirmAirlockRules(ctx("olga"), std::string(kStricter)),
              StatusIs(StatusCode::kPermissionDenied, HasSubstr("second, different operator")));
  EXPECT_THAT(svc_->ConfirmAirlockRules(ctx("oscar"), R"({"min_count": 16})"),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("differ from proposal")));
  ASSERT_OK_AND_ASSIGN(AirlockRulesView view, svc_->ShowAirlockRules(ctx("olga")));
  EXPECT_EQ(view.in_force, airlock::DisclosureRules{});
  EXPECT_TRUE(view.pending.has_value());
  // Both refusals logged as failures of airlock.rules.
  const std::vector<audit::Entry> entries = RulesEntries(log);
  ASSERT_EQ(entries.size(), 2u);
  for (const audit::Entry& e : entries) EXPECT_NE(e.event.outcome, audit::Outcome::kSuccess);
}

TEST_F(AirlockRulesServiceTest, NothingToConfirmAndMalformedRulesAreRefused) {
  EXPECT_THAT(svc_->ConfirmAirlockRules(ctx("oscar"), std::string(kStricter)),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("no airlock rules proposal")));
  EXPECT_THAT(svc_->ProposeAirlockRules(ctx("olga"), R"({"min_count": "eleven"})"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("min_count")));
  EXPECT_THAT(svc_->ProposeAirlockRules(ctx("olga"), R"({"min_cuont": 12})"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("min_cuont")));
  EXPECT_THAT(svc_->ProposeAirlockRules(ctx("olga"), "not json"), StatusIs(StatusCode::kInvalidArgument));
  ASSERT_OK_AND_ASSIGN(AirlockRulesView view, svc_->ShowAirlockRules(ctx("olga")));
  EXPECT_FALSE(view.pending.has_value());
}

TEST_F(AirlockRulesServiceTest, OnlyOperatorsChangeRulesAndRefusalsAreLoggedDenied) {
  for (const char* who : {"rita", "carl", "alma"}) {
    const uint64_t log = LogSize();
    EXPECT_THAT(svc_->ProposeAirlockRules(ctx(who), std::string(kStricter)), StatusIs(StatusCode::kPermissionDenied))
        << who;
    const std::vector<audit::Entry> entries = RulesEntries(log);
    ASSERT_EQ(entries.size(), 1u) << who;
    EXPECT_EQ(entries[0].event.actor, who);
    EXPECT_EQ(entries[0].event.outcome, audit::Outcome::kDenied);
  }
  ASSERT_OK_AND_ASSIGN(AirlockRulesView view, svc_->ShowAirlockRules(ctx("carl")));
  EXPECT_FALSE(view.pending.has_value());
}

TEST_F(AirlockRulesServiceTest, AProjectLooserThanTheHubsNewRulesComputesNothing) {
  projects::ProjectSpec spec = Spec("p1", {"rita"});
  spec.airlock_rules_json = R"({"min_count": 12})";
  ASSERT_OK(svc_->CreateProject(ctx("olga"), spec));
  ASSERT_OK(svc_->ApproveProject(ctx("olga"), "p1").status());
  ASSERT_OK(svc_->ApproveProject(ctx("oscar"), "p1").status());
  ASSERT_OK(svc_->BuildWorkspace(ctx("olga"), "p1").status());
  ASSERT_OK(svc_->ProposeAirlockRules(ctx("olga"), std::string(kStricter)).status());
  ASSERT_OK(svc_->ConfirmAirlockRules(ctx("oscar"), std::string(kStricter)).status());

  ASSERT_OK_AND_ASSIGN(ExportRequestView v, svc_->CreateExportRequest(ctx("rita"), "p1", "Sex ratio"));
  const std::string frame = R"({"frame": "people", "unit": "person", "person": "BEN_NIR_PSA",
    "sql": "SELECT BEN_NIR_PSA, BEN_SEX_COD FROM IR_BEN_R",
    "dimensions": [{"name": "sex", "column": "BEN_SEX_COD", "values": ["1", "2"]}]})";
  ASSERT_OK(
      svc_->ChangeExportRequest(ctx("rita"), v.request.id, {.kind = ExportChangeKind::kFrame, .json = frame}).status());
  const std::string output = R"({"output": "by-sex", "frame": "people", "measure": "count",
    "tables": [{"id": "t", "dimensions": [{"dimension": "sex"}]}]})";
  // Its first output is the first computation: refused, nothing recorded.
  EXPECT_THAT(svc_->ChangeExportRequest(ctx("rita"), v.request.id, {.kind = ExportChangeKind::kOutput, .json = output}),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("change the project's rules")));
  ASSERT_OK_AND_ASSIGN(ExportRequestView after, svc_->ShowExportRequest(ctx("rita"), v.request.id, false));
  EXPECT_TRUE(after.outputs.empty());
}

}  // namespace
}  // namespace hdhub::service

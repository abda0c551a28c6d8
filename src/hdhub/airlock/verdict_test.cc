#include "hdhub/airlock/verdict.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "hdhub/common/status_matchers.h"

namespace hdhub::airlock {
namespace {

using ::hdhub::testing::IsOkAndHolds;
using ::hdhub::testing::StatusIs;
using ::testing::HasSubstr;

Verdict V(Outcome outcome, std::string_view rule) {
  return Verdict{.outcome = outcome, .rule = std::string(rule), .reason = "r"};
}

TEST(AirlockOutcomeTest, NamesReadBackAsTheSameOutcome) {
  for (Outcome o : {Outcome::kPass, Outcome::kReview, Outcome::kSuppress, Outcome::kRefuse}) {
    EXPECT_THAT(ParseOutcome(OutcomeName(o)), IsOkAndHolds(o));
  }
  EXPECT_EQ(OutcomeName(Outcome::kSuppress), "suppress");
}

TEST(AirlockOutcomeTest, ParseRefusesAnUnknownNameOrAnotherCase) {
  EXPECT_THAT(ParseOutcome("allow"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("\"allow\"")));
  EXPECT_THAT(ParseOutcome("Pass"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseOutcome(""), StatusIs(StatusCode::kInvalidArgument));
}

TEST(AirlockDecisiveTest, IsAPassWhenThereIsNoFinding) {
  EXPECT_EQ(Decisive({}).outcome, Outcome::kPass);
  EXPECT_EQ(Decisive({}).rule, "");
}

TEST(AirlockDecisiveTest, PicksTheMostSevereOutcome) {
  std::vector<Verdict> findings = {V(Outcome::kReview, kRuleZero), V(Outcome::kRefuse, kRuleByteLimit),
                                   V(Outcome::kSuppress, kRuleMinCount)};
  EXPECT_EQ(Decisive(findings).rule, kRuleByteLimit);
  findings = {V(Outcome::kReview, kRuleNegativeContribution), V(Outcome::kSuppress, kRuleDominanceNk)};
  EXPECT_EQ(Decisive(findings).rule, kRuleDominanceNk);
}

TEST(AirlockDecisiveTest, PicksTheFirstOfEquallySevereFindings) {
  std::vector<Verdict> findings = {V(Outcome::kReview, kRuleZero), V(Outcome::kSuppress, kRuleMinCount),
                                   V(Outcome::kSuppress, kRuleDominanceNk)};
  EXPECT_EQ(Decisive(findings).rule, kRuleMinCount);
}

TEST(AirlockVerdictTest, ToJsonHasOutcomeRuleAndReason) {
  EXPECT_EQ(V(Outcome::kSuppress, kRuleMinCount).ToJson(),
            (nlohmann::json{{"outcome", "suppress"}, {"rule", "min_count"}, {"reason", "r"}}));
}

}  // namespace
}  // namespace hdhub::airlock

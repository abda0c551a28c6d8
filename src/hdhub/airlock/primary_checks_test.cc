#include "hdhub/airlock/primary_checks.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "hdhub/common/status_matchers.h"

namespace hdhub::airlock {
namespace {

using ::hdhub::testing::IsOkAndHolds;
using ::hdhub::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

// `values`, then `count` copies of `filler`.
std::vector<double> Cell(std::vector<double> values, int count = 0, double filler = 1) {
  values.insert(values.end(), count, filler);
  return values;
}

std::vector<std::string> Rules(const std::vector<Verdict>& findings) {
  std::vector<std::string> out;
  for (const Verdict& v : findings) out.push_back(v.rule);
  return out;
}

std::vector<std::string> MagnitudeRules(const std::vector<double>& cell, const DisclosureRules& rules = {}) {
  return Rules(MagnitudeFindings(cell, rules));
}

// The defaults with (n, k) dominance off, to look at p % alone.
DisclosureRules WithoutDominance() { return DisclosureRules{.dominance_k_percent = 100}; }

// ---- counts

TEST(AirlockCheckCountTest, SuppressesEveryCountFromOneToTenUnderTheDefaults) {
  for (int64_t count = 1; count <= 10; ++count) {
    Verdict v = CheckCount(count, DisclosureRules{});
    EXPECT_EQ(v.outcome, Outcome::kSuppress) << count;
    EXPECT_EQ(v.rule, kRuleMinCount) << count;
  }
}

TEST(AirlockCheckCountTest, PassesACountEqualToTheMinimumAndAbove) {
  EXPECT_EQ(CheckCount(11, DisclosureRules{}), Verdict::Pass());
  EXPECT_EQ(CheckCount(12, DisclosureRules{}), Verdict::Pass());
  EXPECT_EQ(CheckCount(std::numeric_limits<int64_t>::max(), DisclosureRules{}), Verdict::Pass());
}

TEST(AirlockCheckCountTest, FollowsAConfiguredMinimumExactly) {
  DisclosureRules r{.min_count = 25};
  EXPECT_EQ(CheckCount(24, r).outcome, Outcome::kSuppress);
  EXPECT_EQ(CheckCount(25, r).outcome, Outcome::kPass);
  EXPECT_EQ(CheckCount(26, r).outcome, Outcome::kPass);
  // A minimum of 1 suppresses nothing but leaves zeros to their policy.
  EXPECT_EQ(CheckCount(1, DisclosureRules{.min_count = 1}).outcome, Outcome::kPass);
  EXPECT_EQ(CheckCount(0, DisclosureRules{.min_count = 1}).rule, kRuleZero);
}

TEST(AirlockCheckCountTest, SendsAZeroToReviewByDefaultAndFollowsTheZerosPolicy) {
  Verdict v = CheckCount(0, DisclosureRules{});
  EXPECT_EQ(v.outcome, Outcome::kReview);
  EXPECT_EQ(v.rule, kRuleZero);
  EXPECT_EQ(CheckCount(0, DisclosureRules{.zeros = Outcome::kSuppress}).outcome, Outcome::kSuppress);
  EXPECT_EQ(CheckCount(0, DisclosureRules{.zeros = Outcome::kPass}), Verdict::Pass());
}

TEST(AirlockCheckCountTest, RefusesANegativeCount) {
  Verdict v = CheckCount(-1, DisclosureRules{});
  EXPECT_EQ(v.outcome, Outcome::kRefuse);
  EXPECT_EQ(v.rule, kRuleInvalidInput);
}

TEST(AirlockCheckCountTest, ReasonNamesTheMinimumNeverTheCount) {
  Verdict v = CheckCount(7, DisclosureRules{});
  EXPECT_THAT(v.reason, HasSubstr("minimum of 11"));
  EXPECT_THAT(v.reason, Not(HasSubstr("7")));
}

// ---- magnitudes: the number of contributors and zeros

TEST(AirlockMagnitudeTest, PassesElevenEqualContributions) {
  EXPECT_THAT(MagnitudeFindings(Cell({}, 11, 250.5), DisclosureRules{}), IsEmpty());
  EXPECT_EQ(CheckMagnitude(Cell({}, 11, 250.5), DisclosureRules{}), Verdict::Pass());
}

TEST(AirlockMagnitudeTest, SuppressesFewerContributorsThanTheMinimum) {
  EXPECT_THAT(MagnitudeRules(Cell({}, 10, 250.5)), ElementsAre(kRuleMinCount));
  EXPECT_EQ(CheckMagnitude(Cell({}, 10, 250.5), DisclosureRules{}).outcome, Outcome::kSuppress);
  EXPECT_THAT(MagnitudeRules(Cell({}, 11, 250.5)), IsEmpty());
  EXPECT_THAT(MagnitudeRules(Cell({}, 12, 250.5)), IsEmpty());
}

TEST(AirlockMagnitudeTest, AppliesTheZerosPolicyToAnEmptyCell) {
  EXPECT_THAT(MagnitudeRules({}), ElementsAre(kRuleZero));
  EXPECT_EQ(CheckMagnitude({}, DisclosureRules{}).outcome, Outcome::kReview);
  EXPECT_EQ(CheckMagnitude({}, DisclosureRules{.zeros = Outcome::kSuppress}).outcome, Outcome::kSuppress);
  EXPECT_THAT(MagnitudeRules({}, DisclosureRules{.zeros = Outcome::kPass}), IsEmpty());
}

TEST(AirlockMagnitudeTest, AppliesTheZerosPolicyWhenEveryContributionIsZero) {
  // Negative zeros are zeros, not negative contributions.
  EXPECT_THAT(MagnitudeRules(Cell({-0.0}, 11, 0.0)), ElementsAre(kRuleZero));
  // Few contributors as well: the suppression decides.
  EXPECT_THAT(MagnitudeRules(Cell({}, 3, 0.0)), ElementsAre(kRuleZero, kRuleMinCount));
  EXPECT_EQ(CheckMagnitude(Cell({}, 3, 0.0), DisclosureRules{}).rule, kRuleMinCount);
  // One non-zero contribution is not a zero cell.
  EXPECT_THAT(MagnitudeRules(Cell({1e-300}, 20, 1.0)), IsEmpty());
}

// ---- (n, k) dominance: unsafe when 100 * (x1 + x2) > 90 * T

TEST(AirlockDominanceTest, PassesTheTwoLargestAtExactlyNinetyPercent) {
  // 45 + 45 = 90 of 100.
  EXPECT_THAT(MagnitudeRules(Cell({45, 45}, 10, 1)), IsEmpty());
}

TEST(AirlockDominanceTest, SuppressesTheTwoLargestJustAboveNinetyPercent) {
  // 46 + 45 = 91 of 100.
  EXPECT_THAT(MagnitudeRules(Cell({46, 45}, 9, 1)), ElementsAre(kRuleDominanceNk));
  // 45.5 + 45 = 90.5 of about 100.
  EXPECT_THAT(MagnitudeRules(Cell({45.5, 45}, 10, 0.95)), ElementsAre(kRuleDominanceNk));
  EXPECT_EQ(CheckMagnitude(Cell({46, 45}, 9, 1), DisclosureRules{}).outcome, Outcome::kSuppress);
}

TEST(AirlockDominanceTest, PassesTheTwoLargestJustBelowNinetyPercent) {
  // 44 + 45 = 89 of 100.
  EXPECT_THAT(MagnitudeRules(Cell({44, 45}, 11, 1)), IsEmpty());
  // 44.5 + 45 = 89.5 of about 100.
  EXPECT_THAT(MagnitudeRules(Cell({44.5, 45}, 10, 1.05)), IsEmpty());
}

TEST(AirlockDominanceTest, TheBoundaryIsExactToTheLastBit) {
  // 450 + 450 of 1000 units of 2^-10: exactly 90 %, then 2^-30 above it.
  const double unit = std::ldexp(1.0, -10);
  EXPECT_THAT(MagnitudeRules(Cell({450 * unit, 450 * unit}, 10, 10 * unit)), IsEmpty());
  const double bit = std::ldexp(1.0, -30);
  EXPECT_THAT(MagnitudeRules(Cell({450 * unit + bit, 450 * unit}, 10, 10 * unit)), ElementsAre(kRuleDominanceNk));
  // Beyond 2^53, where a double sum would round the ones away: x1 + x2 =
  // 9 * 2^60 of T = 10 * 2^60 + 10 is below 90 % of T (9 * 2^60 + 9): safe.
  const double big = std::ldexp(1.0, 60);
  EXPECT_THAT(MagnitudeRules(Cell({4.5 * big, 4.5 * big, big}, 10, 1)), IsEmpty());
  // x1 one double higher (+1024): above 90 %.
  EXPECT_THAT(MagnitudeRules(Cell({4.5 * big + 1024, 4.5 * big, big}, 10, 1)), ElementsAre(kRuleDominanceNk));
}

TEST(AirlockDominanceTest, DecimalsAreDecidedOnTheirExactBinaryValues) {
  // These decimals sum to 10 on paper; their doubles to 10 + 5 * 2^-52
  // exactly, so 45 + 45 is less than 90 % of the total: safe. Summed in
  // descending order in double the total rounds to 100 - 2^-46, and 45 + 45
  // would wrongly be "above" 90 %; summed in ascending order, to 100.
  std::vector<double> cell = {45, 45, 0.4, 0.3, 0.2, 0.9, 0.8, 1.3, 0.6, 0.8, 1.1, 1.3, 0.7, 1.3, 0.3};
  EXPECT_THAT(MagnitudeRules(cell), IsEmpty());
  std::sort(cell.begin(), cell.end());
  EXPECT_THAT(MagnitudeRules(cell), IsEmpty());
  std::reverse(cell.begin(), cell.end());
  EXPECT_THAT(MagnitudeRules(cell), IsEmpty());
}

TEST(AirlockDominanceTest, HandlesTheLargestAndSmallestDoubles) {
  const double max = std::numeric_limits<double>::max();
  const double tiny = std::numeric_limits<double>::denorm_min();
  // Twelve equal contributions pass whatever their size: no overflow, no underflow.
  EXPECT_THAT(MagnitudeRules(Cell({}, 12, max)), IsEmpty());
  EXPECT_THAT(MagnitudeRules(Cell({}, 12, tiny)), IsEmpty());
  EXPECT_THAT(MagnitudeRules(Cell({45 * tiny, 45 * tiny}, 10, tiny)), IsEmpty());
  EXPECT_THAT(MagnitudeRules(Cell({46 * tiny, 45 * tiny}, 9, tiny)), ElementsAre(kRuleDominanceNk));
  EXPECT_THAT(MagnitudeRules(Cell({max, max}, 10, tiny)), ElementsAre(kRuleDominanceNk, kRulePPercent));
}

TEST(AirlockDominanceTest, FollowsAConfiguredNAndK) {
  // Three largest 30 + 30 + 20 = 80 of 100.
  const std::vector<double> cell = Cell({30, 30, 20}, 10, 2);
  EXPECT_THAT(MagnitudeRules(cell, DisclosureRules{.dominance_n = 3, .dominance_k_percent = 80}), IsEmpty());
  EXPECT_THAT(MagnitudeRules(cell, DisclosureRules{.dominance_n = 3, .dominance_k_percent = 79.5}),
              ElementsAre(kRuleDominanceNk));
  EXPECT_THAT(MagnitudeRules(cell, DisclosureRules{.dominance_n = 1, .dominance_k_percent = 30}), IsEmpty());
  EXPECT_THAT(MagnitudeRules(cell, DisclosureRules{.dominance_n = 1, .dominance_k_percent = 29}),
              ElementsAre(kRuleDominanceNk));
}

TEST(AirlockDominanceTest, SuppressesACellWithFewerContributorsThanN) {
  DisclosureRules r{.min_count = 1, .dominance_n = 2};
  EXPECT_THAT(MagnitudeRules({5}, r), ElementsAre(kRuleDominanceNk, kRulePPercent));
}

TEST(AirlockDominanceTest, KOfOneHundredTurnsDominanceOff) {
  // One contributor holds everything: only p % catches it.
  EXPECT_THAT(MagnitudeRules(Cell({1000}, 11, 0), WithoutDominance()), ElementsAre(kRulePPercent));
}

// ---- p %: unsafe when 100 * (x3 + ... + xm) < p * x1

TEST(AirlockPPercentTest, PassesTheRestAtExactlyPPercentOfTheLargest) {
  // x1 = 1000, x2 = 500, rest 10 * 10 = 100 = 10 % of 1000.
  EXPECT_THAT(MagnitudeRules(Cell({1000, 500}, 10, 10), WithoutDominance()), IsEmpty());
}

TEST(AirlockPPercentTest, SuppressesTheRestJustBelowPPercentOfTheLargest) {
  // Rest 9 * 10 + 9 = 99.
  EXPECT_THAT(MagnitudeRules(Cell({1000, 500, 9}, 9, 10), WithoutDominance()), ElementsAre(kRulePPercent));
  // Rest 99.5.
  EXPECT_THAT(MagnitudeRules(Cell({1000, 500, 9.5}, 9, 10), WithoutDominance()), ElementsAre(kRulePPercent));
}

TEST(AirlockPPercentTest, PassesTheRestJustAbovePPercentOfTheLargest) {
  // Rest 9 * 10 + 11 = 101.
  EXPECT_THAT(MagnitudeRules(Cell({1000, 500, 11}, 9, 10), WithoutDominance()), IsEmpty());
}

TEST(AirlockPPercentTest, FollowsAConfiguredP) {
  const std::vector<double> cell = Cell({1000, 500}, 10, 10);  // rest = 10 % of x1
  EXPECT_THAT(MagnitudeRules(cell, DisclosureRules{.dominance_k_percent = 100, .p_percent = 10}), IsEmpty());
  EXPECT_THAT(MagnitudeRules(cell, DisclosureRules{.dominance_k_percent = 100, .p_percent = 10.5}),
              ElementsAre(kRulePPercent));
}

TEST(AirlockPPercentTest, IsImpliedByTheDefaultDominanceRule) {
  // With (2, 90), p % < 10 % of x1 forces x1 + x2 > 90 % of T: both fire.
  EXPECT_THAT(MagnitudeRules(Cell({1000, 500, 9}, 9, 10)), ElementsAre(kRuleDominanceNk, kRulePPercent));
}

// ---- negative and non-finite contributions

TEST(AirlockNegativeContributionTest, SendsTheCellToReviewByDefault) {
  const std::vector<double> cell = Cell({-3}, 11, 10);
  EXPECT_THAT(MagnitudeRules(cell), ElementsAre(kRuleNegativeContribution));
  EXPECT_EQ(CheckMagnitude(cell, DisclosureRules{}).outcome, Outcome::kReview);
  EXPECT_EQ(CheckMagnitude(cell, DisclosureRules{.negative_contributions = Outcome::kSuppress}).outcome,
            Outcome::kSuppress);
}

TEST(AirlockNegativeContributionTest, DominanceIsCheckedOnAbsoluteValues) {
  // -1000 dominates by magnitude although the signed total is small.
  const std::vector<double> cell = Cell({-1000}, 11, 1);
  EXPECT_THAT(MagnitudeRules(cell), ElementsAre(kRuleNegativeContribution, kRuleDominanceNk, kRulePPercent));
  Verdict v = CheckMagnitude(cell, DisclosureRules{});
  EXPECT_EQ(v.outcome, Outcome::kSuppress);
  EXPECT_EQ(v.rule, kRuleDominanceNk);
}

TEST(AirlockNegativeContributionTest, ContributionsCancellingToZeroAreNotAZeroCell) {
  EXPECT_THAT(MagnitudeRules(Cell({-5, 5}, 10, 1)), ElementsAre(kRuleNegativeContribution));
}

TEST(AirlockNonFiniteTest, RefusesNaNAndInfinityAndReportsNothingElse) {
  for (double bad : {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
                     -std::numeric_limits<double>::infinity()}) {
    std::vector<Verdict> findings = MagnitudeFindings(std::vector<double>{bad, 5}, DisclosureRules{});
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(findings[0].outcome, Outcome::kRefuse);
    EXPECT_EQ(findings[0].rule, kRuleNonFiniteValue);
    EXPECT_THAT(findings[0].reason, HasSubstr("not a finite number"));
  }
}

// ---- magnitudes: order, determinism, reasons

TEST(AirlockMagnitudeTest, ListsFindingsInTheSpecifiedOrderAndSuppressionDecides) {
  std::vector<Verdict> findings = MagnitudeFindings(std::vector<double>{7, -1}, DisclosureRules{});
  EXPECT_THAT(Rules(findings), ElementsAre(kRuleMinCount, kRuleNegativeContribution, kRuleDominanceNk, kRulePPercent));
  EXPECT_EQ(Decisive(findings).rule, kRuleMinCount);
}

TEST(AirlockMagnitudeTest, VerdictDoesNotDependOnTheOrderOfContributions) {
  // Decimals whose double sums depend on the order of addition.
  std::vector<double> cell = {0.1, 0.2, 0.3, 0.7, 1e16, 3.3, 0.05, 9.9, 1e-3, 2.5, 4.75, 1e15};
  std::sort(cell.begin(), cell.end());
  const std::vector<Verdict> expected = MagnitudeFindings(cell, DisclosureRules{});
  ASSERT_THAT(Rules(expected), ElementsAre(kRuleDominanceNk, kRulePPercent));
  int permutations = 0;
  do {
    ASSERT_EQ(MagnitudeFindings(cell, DisclosureRules{}), expected);
    ++permutations;
  } while (std::next_permutation(cell.begin(), cell.end()) && permutations < 5000);
  std::reverse(cell.begin(), cell.end());
  EXPECT_EQ(MagnitudeFindings(cell, DisclosureRules{}), expected);
}

TEST(AirlockMagnitudeTest, VerdictDoesNotChangeWhenScaledByAPowerOfTwo) {
  const std::vector<std::vector<double>> cells = {Cell({45, 45}, 10, 1), Cell({46, 45}, 9, 1),
                                                  Cell({1000, 500, 9}, 9, 10), Cell({}, 11, 3)};
  for (const std::vector<double>& cell : cells) {
    for (int exponent : {-40, -10, 10, 40}) {
      std::vector<double> scaled = cell;
      for (double& x : scaled) x = std::ldexp(x, exponent);
      EXPECT_EQ(MagnitudeRules(scaled), MagnitudeRules(cell)) << exponent;
    }
  }
}

TEST(AirlockMagnitudeTest, ReasonsNameTheRulesParametersNeverAContribution) {
  for (const Verdict& v : MagnitudeFindings(Cell({-4242.75, 31337}, 3, 86421), DisclosureRules{})) {
    for (const char* value : {"4242", "31337", "86421"}) EXPECT_THAT(v.reason, Not(HasSubstr(value))) << v.rule;
  }
  std::vector<Verdict> findings = MagnitudeFindings(Cell({46, 45}, 9, 1), DisclosureRules{});
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_THAT(findings[0].reason, HasSubstr("2 largest contributions make more than 90 %"));
  findings =
      MagnitudeFindings(Cell({1000, 500, 9}, 9, 10), DisclosureRules{.dominance_k_percent = 100, .p_percent = 12.5});
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_THAT(findings[0].reason, HasSubstr("within 12.5 %"));
}

// ---- models

TEST(AirlockCheckModelTest, PassesTenResidualDegreesOfFreedomAndRefusesNine) {
  EXPECT_EQ(CheckResidualDof(10, DisclosureRules{}), Verdict::Pass());
  EXPECT_EQ(CheckResidualDof(11, DisclosureRules{}), Verdict::Pass());
  Verdict v = CheckResidualDof(9, DisclosureRules{});
  EXPECT_EQ(v.outcome, Outcome::kRefuse);
  EXPECT_EQ(v.rule, kRuleResidualDof);
  EXPECT_THAT(v.reason, HasSubstr("minimum of 10"));
  EXPECT_EQ(CheckResidualDof(-3, DisclosureRules{}).rule, kRuleResidualDof);
}

TEST(AirlockCheckModelTest, ComputesObservationsMinusParameters) {
  EXPECT_EQ(CheckModel({.observations = 20, .parameters = 10}, DisclosureRules{}), Verdict::Pass());
  EXPECT_EQ(CheckModel({.observations = 19, .parameters = 10}, DisclosureRules{}).rule, kRuleResidualDof);
  EXPECT_EQ(CheckModel({.observations = 5, .parameters = 8}, DisclosureRules{}).rule, kRuleResidualDof);
  EXPECT_EQ(CheckModel({.observations = 130, .parameters = 30}, DisclosureRules{.min_residual_dof = 100}),
            Verdict::Pass());
  EXPECT_EQ(CheckModel({.observations = 129, .parameters = 30}, DisclosureRules{.min_residual_dof = 100}).outcome,
            Outcome::kRefuse);
}

TEST(AirlockCheckModelTest, RefusesNegativeSizes) {
  EXPECT_EQ(CheckModel({.observations = -1, .parameters = 0}, DisclosureRules{}).rule, kRuleInvalidInput);
  EXPECT_EQ(CheckModel({.observations = 100, .parameters = -1}, DisclosureRules{}).rule, kRuleInvalidInput);
  EXPECT_EQ(CheckModel({.observations = std::numeric_limits<int64_t>::max(), .parameters = 0}, DisclosureRules{}),
            Verdict::Pass());
}

// ---- columns

TEST(AirlockCheckColumnsTest, RefusesPersonLevelColumnsInTheOrderGiven) {
  const std::vector<Column> columns = {{"age_band", ColumnKind::kDimension},
                                       {"pseudonym", ColumnKind::kIdentifier},
                                       {"patients", ColumnKind::kMeasure},
                                       {"notes", ColumnKind::kFreeText},
                                       {"stay_id", ColumnKind::kRecordKey}};
  std::vector<ColumnFinding> findings = CheckColumns(columns);
  ASSERT_EQ(findings.size(), 3u);
  EXPECT_EQ(findings[0].column, "pseudonym");
  EXPECT_EQ(findings[0].verdict.rule, kRuleIdentifierColumn);
  EXPECT_EQ(findings[0].verdict.outcome, Outcome::kRefuse);
  EXPECT_EQ(findings[1].column, "notes");
  EXPECT_EQ(findings[1].verdict.rule, kRuleFreeTextColumn);
  EXPECT_EQ(findings[2].column, "stay_id");
  EXPECT_EQ(findings[2].verdict.rule, kRuleIdentifierColumn);
}

TEST(AirlockCheckColumnsTest, PassesDimensionsAndMeasures) {
  const std::vector<Column> columns = {{"year", ColumnKind::kDimension}, {"cost", ColumnKind::kMeasure}};
  EXPECT_THAT(CheckColumns(columns), IsEmpty());
  EXPECT_THAT(CheckColumns({}), IsEmpty());
}

TEST(AirlockColumnKindTest, NamesReadBackAsTheSameKind) {
  for (ColumnKind k : {ColumnKind::kDimension, ColumnKind::kMeasure, ColumnKind::kIdentifier, ColumnKind::kRecordKey,
                       ColumnKind::kFreeText}) {
    EXPECT_THAT(ParseColumnKind(ColumnKindName(k)), IsOkAndHolds(k));
  }
  EXPECT_EQ(ColumnKindName(ColumnKind::kRecordKey), "record_key");
  EXPECT_THAT(ParseColumnKind("pseudonym"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("\"pseudonym\"")));
}

// ---- files

TEST(AirlockCheckFileTest, PassesAFileExactlyAtTheLimits) {
  EXPECT_THAT(FileFindings({.rows = 5000, .bytes = 16 * 1024 * 1024}, DisclosureRules{}), IsEmpty());
  EXPECT_EQ(CheckFile({.rows = 0, .bytes = 0}, DisclosureRules{}), Verdict::Pass());
}

TEST(AirlockCheckFileTest, RefusesOneRowOrOneByteOverTheLimits) {
  EXPECT_THAT(Rules(FileFindings({.rows = 5001, .bytes = 10}, DisclosureRules{})), ElementsAre(kRuleRowLimit));
  EXPECT_THAT(Rules(FileFindings({.rows = 10, .bytes = 16 * 1024 * 1024 + 1}, DisclosureRules{})),
              ElementsAre(kRuleByteLimit));
  std::vector<Verdict> both = FileFindings({.rows = 5001, .bytes = 16 * 1024 * 1024 + 1}, DisclosureRules{});
  EXPECT_THAT(Rules(both), ElementsAre(kRuleRowLimit, kRuleByteLimit));
  EXPECT_EQ(CheckFile({.rows = 5001, .bytes = 16 * 1024 * 1024 + 1}, DisclosureRules{}).rule, kRuleRowLimit);
  EXPECT_EQ(CheckFile({.rows = 5001, .bytes = 1}, DisclosureRules{}).outcome, Outcome::kRefuse);
}

TEST(AirlockCheckFileTest, FollowsConfiguredLimits) {
  DisclosureRules r{.max_rows = 100, .max_bytes = 2048};
  EXPECT_THAT(FileFindings({.rows = 100, .bytes = 2048}, r), IsEmpty());
  EXPECT_THAT(Rules(FileFindings({.rows = 101, .bytes = 2049}, r)), ElementsAre(kRuleRowLimit, kRuleByteLimit));
  EXPECT_THAT(FileFindings({.rows = 101, .bytes = 2049}, r)[0].reason, HasSubstr("limit of 100"));
}

TEST(AirlockCheckFileTest, RefusesNegativeSizes) {
  EXPECT_THAT(Rules(FileFindings({.rows = -1, .bytes = 1 << 30}, DisclosureRules{})), ElementsAre(kRuleInvalidInput));
  EXPECT_EQ(CheckFile({.rows = 1, .bytes = -1}, DisclosureRules{}).rule, kRuleInvalidInput);
}

}  // namespace
}  // namespace hdhub::airlock

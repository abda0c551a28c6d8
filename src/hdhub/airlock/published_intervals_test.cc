#include "hdhub/airlock/published_intervals.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "hdhub/airlock/test_tables.h"
#include "hdhub/common/status_matchers.h"

namespace hdhub::airlock {
namespace {

using ::hdhub::testing::StatusIs;

constexpr double kInf = std::numeric_limits<double>::infinity();

// The τ-ARGUS manual's example (as attacker_audit_test.cc): the 2x2 block
// I/II x A/B suppressed, row III and every margin published.
TEST(AirlockPublishedIntervalsTest, EqualTheAuditsIntervalsFromThePublishedQuantitiesAlone) {
  ASSERT_OK_AND_ASSIGN(TableModel m, testing::TauArgusExample());
  const std::vector<std::string> block = {"{col=A, row=I}", "{col=B, row=I}", "{col=A, row=II}", "{col=B, row=II}"};
  Pattern pattern{.suppressed = std::vector<bool>(m.quantities().size(), false),
                  .primary = std::vector<bool>(m.quantities().size(), false)};
  std::vector<PublishedGroup> published;
  std::vector<std::vector<int32_t>> targets;
  for (size_t q = 0; q < m.quantities().size(); ++q) {
    const Quantity& qq = m.quantities()[q];
    const bool suppressed = std::find(block.begin(), block.end(), qq.key) != block.end();
    pattern.suppressed[q] = suppressed;
    if (suppressed) {
      targets.push_back(qq.atoms);
    } else {
      published.push_back({qq.atoms, qq.value});
    }
  }
  ASSERT_OK_AND_ASSIGN(AuditReport audit, AuditPattern(m, pattern, DisclosureRules{}));
  ASSERT_OK_AND_ASSIGN(std::vector<Interval> got,
                       IntervalsFromPublished(m.num_atoms(), published, targets, MeasureKind::kCount));
  ASSERT_EQ(got.size(), 4u);
  for (size_t i = 0; i < targets.size(); ++i) {
    bool found = false;
    for (const AuditTarget& t : audit.targets) {
      if (t.kind != TargetKind::kCell || t.atoms != targets[i]) continue;
      found = true;
      EXPECT_EQ(got[i], t.interval) << "target " << i;
    }
    EXPECT_TRUE(found) << "target " << i;
  }
  EXPECT_THAT(got, ::testing::Contains(Interval{3, 6}));
}

TEST(AirlockPublishedIntervalsTest, CountsAreRoundedInwardAndAnUnconstrainedGroupIsUnbounded) {
  // x0 + x1 = 7, x1 + x2 = 7, x0 + x2 = 7: each is 3.5, so no integer fits:
  // lo = 4 > hi = 3 after inward rounding (the published counts cannot all be true).
  const std::vector<PublishedGroup> odd = {{{0, 1}, 7}, {{1, 2}, 7}, {{0, 2}, 7}};
  const std::vector<std::vector<int32_t>> one = {{0}};
  ASSERT_OK_AND_ASSIGN(std::vector<Interval> counts, IntervalsFromPublished(3, odd, one, MeasureKind::kCount));
  EXPECT_EQ(counts.at(0), (Interval{4, 3}));
  ASSERT_OK_AND_ASSIGN(std::vector<Interval> sums, IntervalsFromPublished(3, odd, one, MeasureKind::kMagnitude));
  EXPECT_NEAR(sums.at(0).lo, 3.5, 1e-9);
  EXPECT_NEAR(sums.at(0).hi, 3.5, 1e-9);
  const std::vector<std::vector<int32_t>> free_atom = {{3}};
  ASSERT_OK_AND_ASSIGN(std::vector<Interval> open, IntervalsFromPublished(4, odd, free_atom, MeasureKind::kCount));
  EXPECT_EQ(open.at(0), (Interval{0, kInf}));
}

TEST(AirlockPublishedIntervalsTest, MagnitudesComeBackInTheirOwnUnitsAndDifferencingPinsThem) {
  // A published total and one published part pin the other part.
  const std::vector<PublishedGroup> published = {{{0, 1, 2}, 2'500'000.75}, {{0}, 1'000'000.25}};
  const std::vector<std::vector<int32_t>> targets = {{1, 2}, {1}};
  ASSERT_OK_AND_ASSIGN(std::vector<Interval> got,
                       IntervalsFromPublished(3, published, targets, MeasureKind::kMagnitude));
  EXPECT_NEAR(got.at(0).lo, 1'500'000.5, 1e-6);
  EXPECT_NEAR(got.at(0).hi, 1'500'000.5, 1e-6);
  EXPECT_NEAR(got.at(1).lo, 0, 1e-6);
  EXPECT_NEAR(got.at(1).hi, 1'500'000.5, 1e-6);
}

TEST(AirlockPublishedIntervalsTest, ContradictoryPublicationsAndBadTargetsAreErrorsNotIntervals) {
  const std::vector<PublishedGroup> contradictory = {{{0, 1}, 10}, {{0}, 12}};
  const std::vector<std::vector<int32_t>> target = {{1}};
  EXPECT_THAT(IntervalsFromPublished(2, contradictory, target, MeasureKind::kCount), StatusIs(StatusCode::kInternal));
  const std::vector<PublishedGroup> fine = {{{0, 1}, 10}};
  const std::vector<std::vector<int32_t>> out_of_range = {{2}};
  EXPECT_THAT(IntervalsFromPublished(2, fine, out_of_range, MeasureKind::kCount),
              StatusIs(StatusCode::kInvalidArgument));
  const std::vector<std::vector<int32_t>> unsorted = {{1, 0}};
  EXPECT_THAT(IntervalsFromPublished(2, fine, unsorted, MeasureKind::kCount), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace hdhub::airlock

#include "hdhub/airlock/audit_witnesses.h"

#include <gtest/gtest.h>

#include <vector>

namespace hdhub::airlock {
namespace {

TEST(AuditWitnessesTest, SumRangeOverTheLastPoints) {
  AuditWitnesses w(2);
  EXPECT_FALSE(w.SumRange(std::vector<int32_t>{0}, 0).has_value());
  w.Add({1, 5});
  w.Add({});  // ignored
  w.Add({3, 0});
  w.Add({2, 2});  // the first point leaves
  const std::vector<int32_t> both = {0, 1};
  const std::optional<AuditWitnesses::Range> r = w.SumRange(both, 10);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->least, 13);
  EXPECT_EQ(r->greatest, 14);
}

TEST(AuditWitnessesTest, AddAllKeepsTheOtherPointsWithinCapacity) {
  AuditWitnesses a(2);
  a.Add({1, 0});
  a.Add({5, 0});
  AuditWitnesses b(2);
  b.Add({3, 0});
  AuditWitnesses both(3);
  both.AddAll(a);
  both.AddAll(b);
  const std::vector<int32_t> first = {0};
  std::optional<AuditWitnesses::Range> r = both.SumRange(first, 0);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->least, 1);
  EXPECT_EQ(r->greatest, 5);
  both.AddAll(b);  // over capacity: (1, 0) leaves
  r = both.SumRange(first, 0);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->least, 3);
  EXPECT_EQ(r->greatest, 5);
}

TEST(AuditWitnessesTest, MeetingPointsLieOnTheRowBetweenPairsOnEitherSide) {
  AuditWitnesses plain(8);
  plain.Add({0, 4, 1});  // row sum (x0) 0: below 1
  plain.Add({4, 0, 1});  // 4: above
  plain.Add({1, 7, 0});  // exactly 1: kept as is
  plain.Add({2, 2, 2});  // 2: above, as the second
  AuditWitnesses insider(8);
  const std::vector<int32_t> row = {0};
  insider.AddMeeting(plain, row, 1);
  // (0,4,1)-(4,0,1) at 1/4: (1,3,1); (0,4,1)-(2,2,2) at 1/2: (1,3,1.5); (1,7,0) itself.
  const std::vector<int32_t> first = {0};
  const std::optional<AuditWitnesses::Range> on_row = insider.SumRange(first, 0);
  ASSERT_TRUE(on_row.has_value());
  EXPECT_DOUBLE_EQ(on_row->least, 1);
  EXPECT_DOUBLE_EQ(on_row->greatest, 1);
  const std::vector<int32_t> second = {1};
  const std::optional<AuditWitnesses::Range> r = insider.SumRange(second, 0);
  EXPECT_DOUBLE_EQ(r->least, 3);
  EXPECT_DOUBLE_EQ(r->greatest, 7);
  const std::vector<int32_t> third = {2};
  EXPECT_DOUBLE_EQ(insider.SumRange(third, 0)->greatest, 1.5);
  // No pair straddles a row value out of every point's reach: nothing added.
  AuditWitnesses none(8);
  none.AddMeeting(plain, row, 9);
  EXPECT_FALSE(none.SumRange(first, 0).has_value());
}

}  // namespace
}  // namespace hdhub::airlock

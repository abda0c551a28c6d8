#include "hdhub/airlock/lp_presolve.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "hdhub/common/status_matchers.h"

namespace hdhub::airlock {
namespace {

using ::hdhub::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

LpRow Row(std::vector<int32_t> atoms, double value) { return LpRow{std::move(atoms), value, value}; }

TEST(AirlockPresolveTest, PinsChainsOfSingleUnknownsAndKeepsTheRest) {
  // x0 = 5; x0 + x1 = 7 then pins x1 = 2; x2 + x3 = 9 stays.
  ASSERT_OK_AND_ASSIGN(Presolved p, Presolve(4, {Row({0, 1}, 7), Row({0}, 5), Row({2, 3}, 9)}, 1e-9));
  EXPECT_THAT(p.free_index, ElementsAre(-1, -1, 0, 1));
  EXPECT_EQ(p.pinned[1], 2);
  ASSERT_EQ(p.problem.num_atoms, 2);
  ASSERT_EQ(p.problem.rows.size(), 1u);
  EXPECT_THAT(p.problem.rows[0].atoms, ElementsAre(0, 1));
  const std::vector<int32_t> group = {1, 3};
  auto [free, pinned] = p.Split(group);
  EXPECT_THAT(free, ElementsAre(1));
  EXPECT_EQ(pinned, 2);
}

TEST(AirlockPresolveTest, ARowWithNothingLeftPinsItsUnknownsAtZero) {
  // x0 + x1 + x2 = 4 and x2 = 4: x0 and x1 are non-negative and sum to 0.
  ASSERT_OK_AND_ASSIGN(Presolved p, Presolve(3, {Row({0, 1, 2}, 4), Row({2}, 4)}, 1e-9));
  EXPECT_THAT(p.free_index, ElementsAre(-1, -1, -1));
  EXPECT_THAT(p.problem.rows, IsEmpty());
}

TEST(AirlockPresolveTest, ContradictoryValuesAreAnInternalError) {
  EXPECT_THAT(Presolve(2, {Row({0, 1}, 4), Row({0}, 5)}, 1e-9), StatusIs(StatusCode::kInternal));
  EXPECT_THAT(Presolve(2, {Row({0}, 1), Row({0}, 2)}, 1e-9), StatusIs(StatusCode::kInternal));
  EXPECT_THAT(Presolve(2, {Row({0, 1}, 4), Row({2}, 1)}, 1e-9), StatusIs(StatusCode::kInvalidArgument));
}

TEST(AirlockPresolveTest, DependentRowsAreDroppedAndTheOthersKeptInOrder) {
  // Two rows, their sum (the margin), and a row across them.
  const LpProblem lp{.num_atoms = 4,
                     .rows = {Row({0, 1}, 3), Row({2, 3}, 4), Row({0, 1, 2, 3}, 7), Row({0, 2}, 2), Row({1, 3}, 5)}};
  ASSERT_OK_AND_ASSIGN(LpProblem reduced, WithoutDependentRows(lp));
  EXPECT_EQ(reduced.num_atoms, 4);
  ASSERT_EQ(reduced.rows.size(), 3u);
  EXPECT_THAT(reduced.rows[0].atoms, ElementsAre(0, 1));
  EXPECT_THAT(reduced.rows[1].atoms, ElementsAre(2, 3));
  EXPECT_THAT(reduced.rows[2].atoms, ElementsAre(0, 2));
  EXPECT_EQ(reduced.rows[2].lower, 2);
}

TEST(AirlockPresolveTest, OnlyEqualityRowsAreReduced) {
  const LpProblem lp{.num_atoms = 2, .rows = {LpRow{{0, 1}, 1, 3}}};
  EXPECT_THAT(WithoutDependentRows(lp), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace hdhub::airlock

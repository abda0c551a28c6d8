#include "hdhub/airlock/attacker_lp.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "hdhub/common/status_matchers.h"

namespace hdhub::airlock {
namespace {

using ::hdhub::testing::StatusIs;
using ::testing::MatchesRegex;

constexpr double kInf = std::numeric_limits<double>::infinity();

// x0 + x1 = 10, x1 + x2 = 4, x >= 0.
LpProblem Chain() { return LpProblem{.num_atoms = 3, .rows = {{{0, 1}, 10, 10}, {{1, 2}, 4, 4}}}; }

TEST(AirlockAttackerLpTest, BoundsATargetOverNonNegativeAtoms) {
  ASSERT_OK_AND_ASSIGN(auto lp, CreateClpAttackerLp(Chain()));
  ASSERT_OK_AND_ASSIGN(LpBounds x0, lp->Bounds(std::vector<int32_t>{0}));
  EXPECT_NEAR(x0.min, 6, 1e-9);
  EXPECT_NEAR(x0.max, 10, 1e-9);
  EXPECT_FALSE(x0.max_unbounded);
  // Re-solved from the same model with another objective.
  ASSERT_OK_AND_ASSIGN(LpBounds x02, lp->Bounds(std::vector<int32_t>{0, 2}));
  EXPECT_NEAR(x02.min, 6, 1e-9);  // x0 + x2 = 14 - 2 x1, 0 <= x1 <= 4
  EXPECT_NEAR(x02.max, 14, 1e-9);
}

TEST(AirlockAttackerLpTest, SkipsTheMinimumOnlyWhenTheMaximumReachesEnough) {
  ASSERT_OK_AND_ASSIGN(auto lp, CreateClpAttackerLp(Chain()));
  ASSERT_OK_AND_ASSIGN(LpBounds reached, lp->BoundsUnlessMaxReaches(std::vector<int32_t>{0}, 10));
  EXPECT_TRUE(reached.min_skipped);
  EXPECT_NEAR(reached.max, 10, 1e-9);
  EXPECT_TRUE(reached.min_point.empty());
  EXPECT_EQ(reached.max_point.size(), 3u);
  ASSERT_OK_AND_ASSIGN(LpBounds below, lp->BoundsUnlessMaxReaches(std::vector<int32_t>{0}, 10.5));
  EXPECT_FALSE(below.min_skipped);
  EXPECT_NEAR(below.min, 6, 1e-9);
  EXPECT_NEAR(below.max, 10, 1e-9);
  // Unbounded reaches anything.
  LpProblem open = Chain();
  open.num_atoms = 4;
  ASSERT_OK_AND_ASSIGN(auto lp4, CreateClpAttackerLp(open));
  ASSERT_OK_AND_ASSIGN(LpBounds unbounded, lp4->BoundsUnlessMaxReaches(std::vector<int32_t>{1, 3}, 1e12));
  EXPECT_TRUE(unbounded.max_unbounded);
  EXPECT_TRUE(unbounded.min_skipped);
}

TEST(AirlockAttackerLpTest, ReportsAnUnboundedMaximum) {
  LpProblem open = Chain();
  open.num_atoms = 4;  // atom 3 is in no row
  ASSERT_OK_AND_ASSIGN(auto lp4, CreateClpAttackerLp(open));
  ASSERT_OK_AND_ASSIGN(LpBounds b, lp4->Bounds(std::vector<int32_t>{1, 3}));
  EXPECT_NEAR(b.min, 0, 1e-9);
  EXPECT_TRUE(b.max_unbounded);
}

TEST(AirlockAttackerLpTest, WithoutRowsATargetIsUnboundedAbove) {
  ASSERT_OK_AND_ASSIGN(auto lp, CreateClpAttackerLp(LpProblem{.num_atoms = 2}));
  ASSERT_OK_AND_ASSIGN(LpBounds b, lp->Bounds(std::vector<int32_t>{1}));
  EXPECT_EQ(b.min, 0);
  EXPECT_TRUE(b.max_unbounded);
}

TEST(AirlockAttackerLpTest, ARowFixedLaterNarrowsTheBoundsAndCanBeFreedAgain) {
  LpProblem p = Chain();
  p.rows.push_back({{1}, -kInf, kInf});  // free until fixed
  ASSERT_OK_AND_ASSIGN(auto lp, CreateClpAttackerLp(p));
  ASSERT_OK(lp->SetRowBounds(2, 3, 3));
  ASSERT_OK_AND_ASSIGN(LpBounds fixed, lp->Bounds(std::vector<int32_t>{0}));
  EXPECT_NEAR(fixed.min, 7, 1e-9);
  EXPECT_NEAR(fixed.max, 7, 1e-9);
  ASSERT_OK(lp->SetRowBounds(2, -kInf, kInf));
  ASSERT_OK_AND_ASSIGN(LpBounds freed, lp->Bounds(std::vector<int32_t>{0}));
  EXPECT_NEAR(freed.min, 6, 1e-9);
  EXPECT_THAT(lp->SetRowBounds(3, 0, 0), StatusIs(StatusCode::kInvalidArgument));
}

TEST(AirlockAttackerLpTest, InconsistentPublishedValuesAreAnErrorNotAnInterval) {
  // x0 + x1 = 10 and x0 + x1 + x2 = 8 cannot both hold with x2 >= 0.
  LpProblem p{.num_atoms = 3, .rows = {{{0, 1}, 10, 10}, {{0, 1, 2}, 8, 8}}};
  ASSERT_OK_AND_ASSIGN(auto lp, CreateClpAttackerLp(p));
  EXPECT_THAT(lp->Bounds(std::vector<int32_t>{2}), StatusIs(StatusCode::kInternal));
}

TEST(AirlockAttackerLpTest, RejectsRowsOutOfRange) {
  LpProblem p{.num_atoms = 2, .rows = {{{0, 2}, 1, 1}}};
  EXPECT_THAT(CreateClpAttackerLp(p), StatusIs(StatusCode::kInvalidArgument));
}

TEST(AirlockAttackerLpTest, NamesTheSolverAndTheLinkedVersion) {
  ASSERT_OK_AND_ASSIGN(auto lp, CreateClpAttackerLp(Chain()));
  EXPECT_EQ(lp->SolverName(), "COIN-OR Clp");
  EXPECT_THAT(lp->SolverVersion(), MatchesRegex("[0-9]+\\.[0-9]+\\.[0-9]+"));
}

}  // namespace
}  // namespace hdhub::airlock

#include "hdhub/airlock/gauss_suppression.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <tuple>
#include <vector>

#include "hdhub/common/status_matchers.h"

namespace hdhub::airlock {
namespace {

using ::hdhub::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

EliminationColumn Col(std::vector<int32_t> atoms, ColumnRole role = ColumnRole::kCandidate) {
  return EliminationColumn{.atoms = std::move(atoms), .role = role};
}

// Candidates in column order.
EliminationInput Input(int32_t atoms, std::vector<EliminationColumn> columns) {
  EliminationInput in{.num_atoms = atoms, .columns = std::move(columns)};
  for (size_t c = 0; c < in.columns.size(); ++c) {
    if (in.columns[c].role == ColumnRole::kCandidate) in.publish_order.push_back(static_cast<int32_t>(c));
  }
  return in;
}

// A 3x3 table with margins: atoms r*3+c; columns: total, rows, cols, cells.
std::vector<EliminationColumn> Table3x3() {
  std::vector<EliminationColumn> cols;
  cols.push_back(Col({0, 1, 2, 3, 4, 5, 6, 7, 8}));
  for (int r = 0; r < 3; ++r) cols.push_back(Col({r * 3, r * 3 + 1, r * 3 + 2}));
  for (int c = 0; c < 3; ++c) cols.push_back(Col({c, 3 + c, 6 + c}));
  for (int a = 0; a < 9; ++a) cols.push_back(Col({a}));
  return cols;
}
constexpr int kCell0 = 7;  // the column of atom 0 in Table3x3

TEST(AirlockGaussSuppressionTest, OnePrimaryInATableWithMarginsGetsARectangleOfSecondaries) {
  auto cols = Table3x3();
  cols[kCell0].role = ColumnRole::kPrimary;
  ASSERT_OK_AND_ASSIGN(EliminationResult r, SuppressByElimination(Input(9, cols)));
  // Margins and the first cells are published; the last cell tried in row 0,
  // the last in column 0 and the corner they share are the secondaries.
  EXPECT_THAT(r.secondaries, ElementsAre(kCell0 + 2, kCell0 + 6, kCell0 + 8));
  EXPECT_EQ(std::count(r.suppressed.begin(), r.suppressed.end(), true), 4);
  EXPECT_THAT(r.already_disclosed, IsEmpty());
}

TEST(AirlockGaussSuppressionTest, AKeptColumnIsSuppressedButNotProtected) {
  // total = a + b. Kept a is suppressed, yet nothing is suppressed to hide it:
  // the total and b are both published (a primary a would take one with it).
  std::vector<EliminationColumn> cols = {Col({0, 1}), Col({0}, ColumnRole::kKept), Col({1})};
  ASSERT_OK_AND_ASSIGN(EliminationResult kept, SuppressByElimination(Input(2, cols)));
  EXPECT_THAT(kept.suppressed, ElementsAre(false, true, false));
  EXPECT_THAT(kept.secondaries, IsEmpty());
  cols[1].role = ColumnRole::kPrimary;
  ASSERT_OK_AND_ASSIGN(EliminationResult primary, SuppressByElimination(Input(2, cols)));
  EXPECT_THAT(primary.secondaries, ElementsAre(2));
}

TEST(AirlockGaussSuppressionTest, NothingIsSuppressedWithoutPrimaries) {
  ASSERT_OK_AND_ASSIGN(EliminationResult r, SuppressByElimination(Input(9, Table3x3())));
  EXPECT_EQ(std::count(r.suppressed.begin(), r.suppressed.end(), true), 0);
}

TEST(AirlockGaussSuppressionTest, AForcedColumnIsPublishedEvenWhenItDiscloses) {
  // A 1-D table: total = a + b; b published earlier, a primary.
  std::vector<EliminationColumn> cols = {Col({0, 1}), Col({0}, ColumnRole::kPrimary), Col({1}, ColumnRole::kForced)};
  ASSERT_OK_AND_ASSIGN(EliminationResult r, SuppressByElimination(Input(2, cols)));
  EXPECT_THAT(r.secondaries, ElementsAre(0));  // the total must go: a = total - b
  EXPECT_FALSE(r.suppressed[2]);
  cols[0].role = ColumnRole::kForced;  // both published earlier: a is already public
  ASSERT_OK_AND_ASSIGN(EliminationResult h, SuppressByElimination(Input(2, cols)));
  EXPECT_THAT(h.already_disclosed, ElementsAre(1));
}

TEST(AirlockGaussSuppressionTest, APublishedZeroDisclosesEachOfItsAtoms) {
  // Primary p = atom 0. M = p + atom 1 (non-zero). Z = atoms 1 + 2, a zero.
  // Linearly, p is not in span{M, Z}; knowing Z = 0 gives atom 1 = 0, then p = M.
  std::vector<EliminationColumn> cols = {Col({0}, ColumnRole::kPrimary), Col({0, 1}), Col({1, 2})};
  ASSERT_OK_AND_ASSIGN(EliminationResult linear, SuppressByElimination(Input(3, cols)));
  EXPECT_THAT(linear.secondaries, IsEmpty());
  cols[2].zero = true;
  ASSERT_OK_AND_ASSIGN(EliminationResult r, SuppressByElimination(Input(3, cols)));
  EXPECT_THAT(r.secondaries, ElementsAre(2));
}

TEST(AirlockGaussSuppressionTest, SuppressedZerosCannotProtectEachOther) {
  // 1-D: total = a + b + c with a, b zero primaries, c non-zero. Publishing c
  // gives a + b = 0, so both are 0.
  std::vector<EliminationColumn> cols = {Col({0, 1, 2}), Col({0}, ColumnRole::kPrimary), Col({1}, ColumnRole::kPrimary),
                                         Col({2})};
  cols[1].zero = cols[2].zero = true;
  EliminationInput in = Input(3, cols);
  in.zero_atoms = {true, true, false};
  ASSERT_OK_AND_ASSIGN(EliminationResult r, SuppressByElimination(in));
  EXPECT_THAT(r.secondaries, ElementsAre(3));
  // Two non-zero primaries with a known sum are not disclosed by it.
  cols[1].zero = cols[2].zero = false;
  ASSERT_OK_AND_ASSIGN(EliminationResult nonzero, SuppressByElimination(Input(3, cols)));
  EXPECT_THAT(nonzero.secondaries, IsEmpty());
}

TEST(AirlockGaussSuppressionTest, AZeroPrimaryIsNotProtectedByAZeroSecondary) {
  // total = p + z + c: p a zero primary, z a zero atom that is no primary.
  // Suppressing z alone would leave p + z = total - c = 0 known.
  std::vector<EliminationColumn> cols = {Col({0, 1, 2}), Col({0}, ColumnRole::kPrimary), Col({2}), Col({1})};
  cols[1].zero = cols[3].zero = true;
  EliminationInput in = Input(3, cols);
  in.zero_atoms = {true, true, false};
  ASSERT_OK_AND_ASSIGN(EliminationResult r, SuppressByElimination(in));
  EXPECT_THAT(r.secondaries, ElementsAre(2));  // c, the non-zero cell, protects p
  EXPECT_FALSE(r.suppressed[3]);
}

TEST(AirlockGaussSuppressionTest, ASuppressedZeroCannotProtectANonZeroPrimary) {
  // total = p + z + c, p = 3 a primary, z an empty cell: suppressing z alone
  // leaves p + z known, and z may be a structural zero.
  std::vector<EliminationColumn> cols = {Col({0, 1, 2}), Col({0}, ColumnRole::kPrimary), Col({2}), Col({1})};
  cols[3].zero = true;
  EliminationInput in = Input(3, cols);
  ASSERT_OK_AND_ASSIGN(EliminationResult unaware, SuppressByElimination(in));
  EXPECT_THAT(unaware.secondaries, ElementsAre(3));
  in.zero_atoms = {false, true, false};
  ASSERT_OK_AND_ASSIGN(EliminationResult r, SuppressByElimination(in));
  EXPECT_THAT(r.secondaries, ElementsAre(2));
}

TEST(AirlockGaussSuppressionTest, ASingletonsInsiderCannotDeriveAnotherPrimary) {
  // total = s + p + c with s a singleton: publishing c gives s + p, and s's
  // contributor knows s.
  std::vector<EliminationColumn> cols = {Col({0, 1, 2}), Col({0}, ColumnRole::kPrimary), Col({1}, ColumnRole::kPrimary),
                                         Col({2})};
  ASSERT_OK_AND_ASSIGN(EliminationResult plain, SuppressByElimination(Input(3, cols)));
  EXPECT_THAT(plain.secondaries, IsEmpty());
  cols[1].singleton = true;
  ASSERT_OK_AND_ASSIGN(EliminationResult r, SuppressByElimination(Input(3, cols)));
  EXPECT_THAT(r.secondaries, ElementsAre(3));
}

TEST(AirlockGaussSuppressionTest, APairTheKnownZerosAlreadyTieDoesNotBlockPublication) {
  // Atoms 0, 1, 2 with values 0, 1, 4 (atom 0 an empty cell). Singletons
  // s = atoms 0 + 1 and t = atom 1 are the same person: the known zero ties
  // them before anything is published, and no suppression can undo that. The
  // total and atoms 1 + 2 change neither; atom 2 would give t = total - 0 - 2.
  std::vector<EliminationColumn> cols = {Col({0, 1}, ColumnRole::kPrimary), Col({0, 1, 2}),
                                         Col({1}, ColumnRole::kPrimary), Col({1, 2}), Col({2})};
  cols[0].singleton = cols[2].singleton = true;
  EliminationInput in = Input(3, cols);
  in.zero_atoms = {true, false, false};
  ASSERT_OK_AND_ASSIGN(EliminationResult r, SuppressByElimination(in));
  EXPECT_THAT(r.secondaries, ElementsAre(4));  // was 1 and 3: the total and 1 + 2 only touched the tie
}

TEST(AirlockGaussSuppressionTest, DecisionsDoNotDependOnHowAtomsAreNumbered) {
  auto cols = Table3x3();
  cols[kCell0].role = ColumnRole::kPrimary;
  cols[kCell0 + 4].role = ColumnRole::kPrimary;
  ASSERT_OK_AND_ASSIGN(EliminationResult base, SuppressByElimination(Input(9, cols)));
  std::vector<int32_t> relabel = {8, 3, 5, 0, 7, 1, 6, 2, 4};
  for (auto& c : cols) {
    for (int32_t& a : c.atoms) a = relabel[static_cast<size_t>(a)];
    std::sort(c.atoms.begin(), c.atoms.end());
  }
  ASSERT_OK_AND_ASSIGN(EliminationResult relabelled, SuppressByElimination(Input(9, cols)));
  EXPECT_EQ(relabelled.suppressed, base.suppressed);
}

// A 3 x 4 x 3 grid (atom = row-major index) with every margin, the middle
// axis also grouped in pairs {0, 1}, {2, 3}; random counts (many zeros),
// primaries 1..3 (singletons at 1), a few forced cells, the publish order of
// protection.cc (larger cells, then larger values, first).
EliminationInput RandomGrid(uint32_t seed) {
  const std::vector<int32_t> extents = {3, 4, 3};
  const std::vector<std::vector<std::vector<int32_t>>> sets = {
      {{0}, {1}, {2}, {0, 1, 2}},
      {{0}, {1}, {2}, {3}, {0, 1}, {2, 3}, {0, 1, 2, 3}},
      {{0}, {1}, {2}, {0, 1, 2}},
  };
  std::mt19937 rng(seed);
  std::vector<int> value(36);
  for (int& v : value)
    v = std::uniform_int_distribution<int>(0, 2)(rng) == 0 ? 0 : std::geometric_distribution<int>(0.2)(rng);
  EliminationInput in{.num_atoms = 36};
  for (int a = 0; a < 36; ++a) in.zero_atoms.push_back(value[static_cast<size_t>(a)] == 0);
  std::vector<std::tuple<int64_t, int, int32_t>> order;
  for (const auto& x : sets[0]) {
    for (const auto& y : sets[1]) {
      for (const auto& z : sets[2]) {
        EliminationColumn col;
        int sum = 0;
        for (int32_t i : x) {
          for (int32_t j : y) {
            for (int32_t k : z) col.atoms.push_back((i * extents[1] + j) * extents[2] + k);
          }
        }
        std::sort(col.atoms.begin(), col.atoms.end());
        for (int32_t a : col.atoms) sum += value[static_cast<size_t>(a)];
        col.zero = sum == 0;
        col.singleton = sum == 1;
        if (sum >= 1 && sum <= 3) col.role = ColumnRole::kPrimary;
        if (col.role == ColumnRole::kCandidate && std::uniform_int_distribution<int>(0, 19)(rng) == 0) {
          col.role = ColumnRole::kForced;
        }
        const int32_t c = static_cast<int32_t>(in.columns.size());
        if (col.role == ColumnRole::kCandidate) order.emplace_back(-static_cast<int64_t>(col.atoms.size()), -sum, c);
        in.columns.push_back(std::move(col));
      }
    }
  }
  std::sort(order.begin(), order.end());
  for (const auto& o : order) in.publish_order.push_back(std::get<2>(o));
  return in;
}

TEST(AirlockGaussSuppressionTest, PrefixSumCoordinatesChangeNoDecision) {
  int suppressed = 0;
  for (uint32_t seed = 1; seed <= 40; ++seed) {
    EliminationInput in = RandomGrid(seed);
    ASSERT_OK_AND_ASSIGN(EliminationResult atoms, SuppressByElimination(in));
    in.extents = {3, 4, 3};
    ASSERT_OK_AND_ASSIGN(EliminationResult prefix, SuppressByElimination(in));
    EXPECT_EQ(prefix.suppressed, atoms.suppressed) << "seed " << seed;
    EXPECT_EQ(prefix.secondaries, atoms.secondaries) << "seed " << seed;
    EXPECT_EQ(prefix.already_disclosed, atoms.already_disclosed) << "seed " << seed;
    suppressed += static_cast<int>(atoms.secondaries.size());
  }
  EXPECT_GT(suppressed, 40);  // the tables do need secondaries: the comparison is not vacuous
}

TEST(AirlockGaussSuppressionTest, RejectsMalformedInput) {
  EliminationInput bad_extents = Input(6, {Col({0, 5})});
  bad_extents.extents = {2, 2};
  EXPECT_THAT(SuppressByElimination(bad_extents), StatusIs(StatusCode::kInvalidArgument));
  bad_extents.extents = {3, 0, 2};
  EXPECT_THAT(SuppressByElimination(bad_extents), StatusIs(StatusCode::kInvalidArgument));
  bad_extents.extents = {3, 2};
  ASSERT_OK(SuppressByElimination(bad_extents).status());
  EliminationInput unsorted = Input(3, {Col({2, 1})});
  EXPECT_THAT(SuppressByElimination(unsorted), StatusIs(StatusCode::kInvalidArgument));
  EliminationInput out_of_range = Input(2, {Col({0, 2})});
  EXPECT_THAT(SuppressByElimination(out_of_range), StatusIs(StatusCode::kInvalidArgument));
  EliminationInput missing = Input(2, {Col({0}), Col({1})});
  missing.publish_order.pop_back();
  EXPECT_THAT(SuppressByElimination(missing), StatusIs(StatusCode::kInvalidArgument));
  EliminationInput primary_in_order = Input(2, {Col({0}, ColumnRole::kPrimary)});
  primary_in_order.publish_order = {0};
  EXPECT_THAT(SuppressByElimination(primary_in_order), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace hdhub::airlock

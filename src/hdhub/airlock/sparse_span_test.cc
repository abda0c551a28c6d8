#include "hdhub/airlock/sparse_span.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>

namespace hdhub::airlock {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

SparseVector V(std::initializer_list<SparseEntry> entries) { return SparseVector(entries); }

TEST(AirlockSparseSpanTest, CombineDropsCancelledEntries) {
  SparseVector v = Combine(2, V({{0, 1}, {3, 2}}), 1, V({{0, 2}, {5, 1}}));
  EXPECT_THAT(v, ElementsAre(SparseEntry{3, 4}, SparseEntry{5, -1}));
}

TEST(AirlockSparseSpanTest, CombineKeepsCoefficientsBeyond64BitsExact) {
  const Coef big = Coef(int64_t{1} << 62) * 2;  // 2^63
  SparseVector v = Combine(4, V({{0, big}}), 1, V({{1, 1}}));
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].coef, big * 4);
  SparseVector w = Combine(1, v, 4, V({{0, big}}));  // back to 0 at index 0
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].index, 1);
}

TEST(AirlockSparseSpanTest, NormalizeDividesByTheGcdAndMakesTheFirstEntryPositive) {
  SparseVector v = V({{1, -4}, {2, 6}});
  EXPECT_EQ(Normalize(v), -1);
  EXPECT_THAT(v, ElementsAre(SparseEntry{1, 2}, SparseEntry{2, -3}));
}

TEST(AirlockSparseSpanTest, ReduceFindsAVectorInTheSpanOfTableRelations) {
  // Atoms 0..3 of a 2x2 table; published: row 1, row 2, column 1.
  EchelonBasis basis(4);
  const std::vector<int32_t> row1 = {0, 1}, row2 = {2, 3}, col1 = {0, 2}, col2 = {1, 3};
  for (const auto& cell : {row1, row2, col1}) {
    Reduced r = Reduce(Indicator(cell), basis, nullptr);
    ASSERT_FALSE(r.vector.empty());
    basis.AddReduced(r.vector);
  }
  // Column 2 = row1 + row2 - col1: in the span. A single cell is not.
  Reduced in = Reduce(Indicator(col2), basis, nullptr);
  EXPECT_THAT(in.vector, IsEmpty());
  Reduced out = Reduce(Indicator(std::vector<int32_t>{0}), basis, nullptr);
  EXPECT_FALSE(out.vector.empty());
}

TEST(AirlockSparseSpanTest, ReduceUsesTheOverlayWithoutChangingTheBasis) {
  EchelonBasis basis(3);
  basis.AddReduced(Indicator(std::vector<int32_t>{0, 1}));
  Overlay overlay;
  Reduced r = Reduce(Indicator(std::vector<int32_t>{1}), basis, nullptr);
  overlay.AddReduced(r.vector);
  Reduced with = Reduce(Indicator(std::vector<int32_t>{0}), basis, &overlay);
  EXPECT_THAT(with.vector, IsEmpty());  // e0 = (e0 + e1) - e1
  Reduced without = Reduce(Indicator(std::vector<int32_t>{0}), basis, nullptr);
  EXPECT_FALSE(without.vector.empty());
  EXPECT_EQ(basis.size(), 1u);
}

TEST(AirlockSparseSpanTest, ReduceReportsTheSignOfTheFactorApplied) {
  EchelonBasis basis(2);
  basis.AddReduced(Indicator(std::vector<int32_t>{0, 1}));
  // e0 - (e0 + e1) = -e1: normalised to e1 with sign -1.
  Reduced r = Reduce(Indicator(std::vector<int32_t>{0}), basis, nullptr);
  EXPECT_THAT(r.vector, ElementsAre(SparseEntry{1, 1}));
  EXPECT_EQ(r.sign, -1);
}

}  // namespace
}  // namespace hdhub::airlock

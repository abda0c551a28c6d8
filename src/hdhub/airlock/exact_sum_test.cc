#include "hdhub/airlock/exact_sum.h"

#include <gtest/gtest.h>

#include <cmath>
#include <initializer_list>
#include <limits>

namespace hdhub::airlock {
namespace {

ExactSum Sum(std::initializer_list<double> values) {
  ExactSum s;
  for (double v : values) s.Add(v);
  return s;
}

// Whether x == y exactly: neither is greater.
bool Equal(const ExactSum& x, const ExactSum& y) { return !ProductGreater(1, x, 1, y) && !ProductGreater(1, y, 1, x); }

TEST(AirlockExactSumTest, IsZeroUntilSomethingNonZeroIsAdded) {
  ExactSum s;
  EXPECT_TRUE(s.IsZero());
  s.Add(0.0);
  s.Add(-0.0);
  EXPECT_TRUE(s.IsZero());
  s.Add(std::numeric_limits<double>::denorm_min());
  EXPECT_FALSE(s.IsZero());
}

TEST(AirlockExactSumTest, KeepsWhatADoubleSumRoundsAway) {
  // In double, 1e16 + 1 + 1 == 1e16; exactly, it is 1e16 + 2.
  ASSERT_EQ(1e16 + 1 + 1, 1e16);
  EXPECT_TRUE(Equal(Sum({1e16, 1, 1}), Sum({1e16 + 2})));
  EXPECT_TRUE(ProductGreater(1, Sum({1e16, 1, 1}), 1, Sum({1e16})));
}

TEST(AirlockExactSumTest, DoesNotDependOnTheOrderOfAddition) {
  EXPECT_TRUE(Equal(Sum({0.1, 0.2, 0.3, 1e20, 7.5}), Sum({7.5, 1e20, 0.3, 0.2, 0.1})));
  // 0.1 + 0.2 exactly is not the double 0.3 (nor the double 0.1 + 0.2).
  EXPECT_TRUE(ProductGreater(1, Sum({0.1, 0.2}), 1, Sum({0.3})));
  EXPECT_TRUE(ProductGreater(1, Sum({0.1 + 0.2}), 1, Sum({0.1, 0.2})));
}

TEST(AirlockExactSumTest, AddsAbsoluteValues) { EXPECT_TRUE(Equal(Sum({-3, 5}), Sum({8}))); }

TEST(AirlockExactSumTest, CarriesAcrossWords) {
  // 2^64 - 1 units plus one unit, at the bottom and at the top of the range.
  const double tiny = std::numeric_limits<double>::denorm_min();
  ExactSum s;
  for (int bit = 0; bit < 64; ++bit) s.Add(std::ldexp(tiny, bit));
  s.Add(tiny);
  EXPECT_TRUE(Equal(s, Sum({std::ldexp(tiny, 64)})));
  const double max = std::numeric_limits<double>::max();
  EXPECT_TRUE(Equal(Sum({max, max, max, max}), Sum({std::ldexp(max, -1), std::ldexp(max, -1), max, max, max})));
  EXPECT_TRUE(ProductGreater(1, Sum({max, max}), 1.5, Sum({max})));
}

TEST(AirlockExactSumTest, ComparesProductsExactlyAtTheBoundary) {
  const ExactSum ninety = Sum({45, 45});
  const ExactSum hundred = Sum({50, 40, 10});
  EXPECT_FALSE(ProductGreater(100, ninety, 90, hundred));  // 9000 > 9000
  EXPECT_FALSE(ProductGreater(90, hundred, 100, ninety));
  EXPECT_TRUE(ProductGreater(100, ninety, std::nextafter(90.0, 0.0), hundred));
  EXPECT_FALSE(ProductGreater(100, ninety, std::nextafter(90.0, 100.0), hundred));
  // A factor with a fraction (87.5 = 175 * 2^-1) and a tiny one.
  EXPECT_FALSE(ProductGreater(100, Sum({87.5}), 87.5, Sum({100})));
  EXPECT_TRUE(ProductGreater(100, Sum({87.5, 1e-300}), 87.5, Sum({100})));
}

TEST(AirlockExactSumTest, AZeroFactorGivesZeroAndABadFactorFalse) {
  EXPECT_FALSE(ProductGreater(0, Sum({5}), 1, Sum({})));
  EXPECT_TRUE(ProductGreater(1, Sum({5}), 0, Sum({7})));
  EXPECT_FALSE(ProductGreater(std::numeric_limits<double>::quiet_NaN(), Sum({5}), 1, Sum({1})));
  EXPECT_FALSE(ProductGreater(-1, Sum({5}), 1, Sum({1})));
  EXPECT_FALSE(ProductGreater(1, Sum({5}), std::numeric_limits<double>::infinity(), Sum({1})));
}

}  // namespace
}  // namespace hdhub::airlock

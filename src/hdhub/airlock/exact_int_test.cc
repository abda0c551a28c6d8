#include "hdhub/airlock/exact_int.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace hdhub::airlock {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

TEST(AirlockExactIntTest, ArithmeticCrossesSixtyFourBitsBothWays) {
  const ExactInt big = ExactInt(kMax) * 4;  // beyond int64
  EXPECT_EQ(big.sign(), 1);
  EXPECT_FALSE(big == ExactInt(kMax));
  ExactInt back = big;
  back /= 4;
  EXPECT_EQ(back, ExactInt(kMax));  // and small again: equal to the small value
  EXPECT_EQ(big - big * 1, ExactInt(0));
  EXPECT_EQ((-big).sign(), -1);
  EXPECT_EQ(ExactInt(kMax) - ExactInt(-1), ExactInt(kMax) * 2 - (ExactInt(kMax) - 1));
}

TEST(AirlockExactIntTest, TheSmallestInt64IsHeldExactly) {
  const ExactInt min(std::numeric_limits<int64_t>::min());
  EXPECT_EQ(-min, ExactInt(kMax) - ExactInt(-1));  // 2^63, which int64 cannot negate into
  EXPECT_EQ(min.sign(), -1);
}

TEST(AirlockExactIntTest, GcdIsNonNegativeAtAnySize) {
  EXPECT_EQ(Gcd(ExactInt(-12), ExactInt(18)), ExactInt(6));
  const ExactInt big = ExactInt(kMax) * ExactInt(kMax);
  EXPECT_EQ(Gcd(big * 6, -(big * 9)), big * 3);
  EXPECT_EQ(Gcd(ExactInt(0), ExactInt(-5)), ExactInt(5));
}

TEST(AirlockExactIntTest, EqualValuesHashEqually) {
  const ExactInt big = ExactInt(kMax) * 3;
  ExactInt same = ExactInt(kMax) * 6;
  same /= 2;
  EXPECT_EQ(big.Hash(), same.Hash());
  EXPECT_TRUE(ExactInt(1).IsUnit());
  EXPECT_TRUE(ExactInt(-1).IsUnit());
  EXPECT_FALSE(big.IsUnit());
}

}  // namespace
}  // namespace hdhub::airlock

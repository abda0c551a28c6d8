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

TEST(AirlockExactIntTest, AResultOfExactlyTheSmallestInt64IsHeldBig) {
  // Neither the product nor the difference overflows int64 here, but the value
  // cannot be negated in an int64: it must be held big, equal to the same value
  // built another way, and come back small when negated past 2^63.
  const ExactInt min(std::numeric_limits<int64_t>::min());
  const ExactInt product = ExactInt(-(int64_t{1} << 62)) * 2;
  EXPECT_EQ(product, min);
  EXPECT_EQ(ExactInt(-kMax) - 1, min);
  EXPECT_EQ(product.Hash(), min.Hash());
  EXPECT_EQ(product - (-1), ExactInt(-kMax));  // back to small, equal to the small value
  EXPECT_FALSE(product == ExactInt(-kMax));
  EXPECT_EQ(-(-product), min);
}

TEST(AirlockExactIntTest, SmallValuesComputeWithoutLeavingInt64) {
  EXPECT_EQ(ExactInt(6) * -7, ExactInt(-42));
  EXPECT_EQ(ExactInt(-5) - 8, ExactInt(-13));
  EXPECT_EQ(-ExactInt(kMax), ExactInt(-kMax));
  ExactInt quotient(-42);
  quotient /= -7;
  EXPECT_EQ(quotient, ExactInt(6));
  EXPECT_EQ(Gcd(ExactInt(0), ExactInt(0)), ExactInt(0));
  EXPECT_EQ(ExactInt(-3).sign(), -1);
  EXPECT_EQ(ExactInt(0).sign(), 0);
  EXPECT_EQ(ExactInt(kMax) * 1, ExactInt(kMax));  // the largest small value stays small
  EXPECT_EQ(ExactInt(kMax).Hash(), static_cast<uint64_t>(kMax));
}

TEST(AirlockExactIntTest, CopiesAreIndependentAtAnySize) {
  const ExactInt big = ExactInt(kMax) * 5;
  ExactInt target = big;  // big over small
  EXPECT_EQ(target, big);
  target = ExactInt(7);  // small over big: the big part is dropped
  EXPECT_EQ(target, ExactInt(7));
  EXPECT_FALSE(target == big);
  EXPECT_EQ(target.sign(), 1);
  EXPECT_FALSE(target.IsUnit());
  const ExactInt small_source(-1);
  target = big;
  target = small_source;  // copy-assignment from a small lvalue
  EXPECT_TRUE(target.IsUnit());
  EXPECT_EQ(target.Hash(), ExactInt(-1).Hash());

  ExactInt self = big;
  const ExactInt& alias = self;
  self = alias;  // self-assignment keeps the value
  EXPECT_EQ(self, big);
  ExactInt copy(self);
  copy /= 5;  // the copy owns its value: dividing it leaves the source alone
  EXPECT_EQ(copy, ExactInt(kMax));
  EXPECT_EQ(self, big);
}

}  // namespace
}  // namespace hdhub::airlock

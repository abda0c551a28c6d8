#include "hdhub/common/rate_limiter.h"

#include <gtest/gtest.h>

namespace hdhub {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using SteadyClock = std::chrono::steady_clock;

// A clock that moves only when the limiter sleeps (or the test says so).
struct FakeTime {
  SteadyClock::time_point now{seconds(1000)};
  SteadyClock::duration slept{};
  RateLimiter Limiter(uint64_t rate) {
    return RateLimiter(
        rate, [this] { return now; },
        [this](SteadyClock::duration d) {
          slept += d;
          now += d;
        });
  }
};

TEST(RateLimiterTest, UnlimitedNeverWaits) {
  FakeTime t;
  RateLimiter limiter = t.Limiter(0);
  for (int i = 0; i < 1000; ++i) limiter.Acquire(1'000'000'000);
  EXPECT_EQ(t.slept, SteadyClock::duration::zero());
}

TEST(RateLimiterTest, HoldsTheRateAfterAOneSecondBurst) {
  FakeTime t;
  RateLimiter limiter = t.Limiter(1000);
  // The first second's worth goes at once.
  limiter.Acquire(1000);
  EXPECT_EQ(t.slept, SteadyClock::duration::zero());
  // Then 10 seconds' worth takes 10 seconds.
  for (int i = 0; i < 100; ++i) limiter.Acquire(100);
  EXPECT_NEAR(std::chrono::duration<double>(t.slept).count(), 10.0, 0.01);
}

TEST(RateLimiterTest, IdleTimeIsNotSavedUpBeyondOneSecond) {
  FakeTime t;
  RateLimiter limiter = t.Limiter(100);
  limiter.Acquire(100);
  t.now += seconds(60);  // a minute idle
  limiter.Acquire(100);  // one second's worth: at once
  EXPECT_EQ(t.slept, SteadyClock::duration::zero());
  limiter.Acquire(100);  // not the minute's 6000 units: this one waits
  EXPECT_NEAR(std::chrono::duration<double>(t.slept).count(), 1.0, 0.01);
}

TEST(RateLimiterTest, ARequestAboveTheRateWaitsWhatItIsWorth) {
  FakeTime t;
  RateLimiter limiter = t.Limiter(10);
  limiter.Acquire(50);  // five seconds' worth, one of them the burst
  EXPECT_NEAR(std::chrono::duration<double>(t.slept).count(), 4.0, 0.01);
}

}  // namespace
}  // namespace hdhub

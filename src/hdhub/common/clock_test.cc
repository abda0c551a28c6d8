#include "hdhub/common/clock.h"

#include <gtest/gtest.h>

#include "hdhub/common/status_matchers.h"

namespace hdhub {
namespace {

using ::hdhub::testing::StatusIs;

TEST(ClockTest, FakeClockAdvancesOnlyWhenTold) {
  ASSERT_OK_AND_ASSIGN(TimePoint start, ParseRfc3339("2026-01-01"));
  FakeClock clock(start);
  EXPECT_EQ(clock.Now(), start);
  clock.Advance(std::chrono::hours(24));
  EXPECT_EQ(FormatRfc3339(clock.Now()), "2026-01-02T00:00:00.000000Z");
}

TEST(ClockTest, Rfc3339RoundTrips) {
  ASSERT_OK_AND_ASSIGN(TimePoint t, ParseRfc3339("2026-11-23T14:09:28.5Z"));
  EXPECT_EQ(FormatRfc3339(t), "2026-11-23T14:09:28.500000Z");
}

TEST(ClockTest, ParseRejectsMalformedTimes) {
  EXPECT_THAT(ParseRfc3339("2026-13-01"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseRfc3339("yesterday"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseRfc3339("2026-01-01T10:00:00+02:00"), StatusIs(StatusCode::kInvalidArgument));
}

TEST(ClockTest, SystemClockIsAfter2025) {
  ASSERT_OK_AND_ASSIGN(TimePoint t, ParseRfc3339("2025-01-01"));
  EXPECT_GT(SystemClock().Now(), t);
}

}  // namespace
}  // namespace hdhub

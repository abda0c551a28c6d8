#include "hdhub/common/json_number.h"

#include <gtest/gtest.h>

namespace hdhub {
namespace {

using nlohmann::json;

TEST(JsonIntegerTest, ReadsWholeNumbersInRange) {
  EXPECT_EQ(JsonInteger(json::parse("7"), 0, 10), 7);
  EXPECT_EQ(JsonInteger(json::parse("-3"), -5, 10), -3);
  EXPECT_EQ(JsonInteger(json::parse("7.0"), 0, 10), 7);
  EXPECT_EQ(JsonInteger(json::parse("9223372036854775807"), 0, INT64_MAX), INT64_MAX);
}

TEST(JsonIntegerTest, RefusesWhatIsNotAWholeNumberInRange) {
  for (const char* bad : {"11", "-1", "2.5", "1e92", "-1e92", "9223372036854775808", "18446744073709551615",
                          "9.2233720368547758e18", "\"7\"", "true", "null", "[7]"}) {
    EXPECT_EQ(JsonInteger(json::parse(bad), 0, 10), std::nullopt) << bad;
  }
  EXPECT_EQ(JsonInteger(json::parse("9.2233720368547758e18"), 0, INT64_MAX), std::nullopt);
  EXPECT_EQ(JsonInteger(json::parse("18446744073709551615"), 0, INT64_MAX), std::nullopt);
  EXPECT_EQ(JsonInteger(json::parse("5"), 6, 10), std::nullopt);
}

}  // namespace
}  // namespace hdhub

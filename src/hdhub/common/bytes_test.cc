#include "hdhub/common/bytes.h"

#include <gtest/gtest.h>

#include "hdhub/common/status_matchers.h"

namespace hdhub {
namespace {

using ::hdhub::testing::StatusIs;

TEST(HexTest, RoundTrips) {
  Bytes b = {0x00, 0x7f, 0xff, 0x10};
  EXPECT_EQ(HexEncode(b), "007fff10");
  ASSERT_OK_AND_ASSIGN(Bytes back, HexDecode("007FFF10"));
  EXPECT_EQ(back, b);
}

TEST(HexTest, RejectsOddLengthAndBadDigits) {
  EXPECT_THAT(HexDecode("abc"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(HexDecode("zz"), StatusIs(StatusCode::kInvalidArgument));
}

TEST(BigEndianTest, RoundTrips) {
  uint8_t buf[8];
  PutBigEndian64(0x0102030405060708ULL, buf);
  EXPECT_EQ(buf[0], 1);
  EXPECT_EQ(buf[7], 8);
  EXPECT_EQ(GetBigEndian64(buf), 0x0102030405060708ULL);
}

}  // namespace
}  // namespace hdhub

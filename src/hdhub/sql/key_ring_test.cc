#include "hdhub/sql/key_ring.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hdhub/common/status_matchers.h"

namespace hdhub::sql {
namespace {

using ::hdhub::testing::IsOk;
using ::hdhub::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

SecretBytes Key(uint8_t fill) {
  SecretBytes k(32);
  for (auto& b : k.mutable_span()) b = fill;
  return k;
}

TEST(KeyRingTest, LongestGrantedPrefixWins) {
  KeyRing ring;
  ASSERT_OK(ring.Grant("datasets/", Key(1), Access::kRead));
  ASSERT_OK(ring.Grant("datasets/A/v2/", Key(2), Access::kReadWrite));
  ASSERT_OK_AND_ASSIGN(SecretBytes k, ring.KeyFor("datasets/A/v2/part-0.parquet", Access::kRead));
  EXPECT_TRUE(k.Equals(Key(2)));
  ASSERT_OK_AND_ASSIGN(SecretBytes k1, ring.KeyFor("datasets/A/v1/part-0.parquet", Access::kRead));
  EXPECT_TRUE(k1.Equals(Key(1)));
}

TEST(KeyRingTest, PathOutsideEveryGrantIsPermissionDenied) {
  KeyRing ring;
  ASSERT_OK(ring.Grant("projects/p1/", Key(1), Access::kReadWrite));
  EXPECT_THAT(ring.KeyFor("projects/p2/x.parquet", Access::kRead),
              StatusIs(StatusCode::kPermissionDenied, HasSubstr("projects/p2/x.parquet")));
  // A prefix match must be on a folder boundary, not a string prefix.
  EXPECT_THAT(ring.KeyFor("projects/p1x/x.parquet", Access::kRead), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_FALSE(ring.Covers("projects/p2/x"));
  EXPECT_TRUE(ring.Covers("projects/p1/x"));
}

TEST(KeyRingTest, WriteUnderReadOnlyGrantIsPermissionDenied) {
  KeyRing ring;
  ASSERT_OK(ring.Grant("datasets/A/v1/", Key(1), Access::kRead));
  EXPECT_THAT(ring.KeyFor("datasets/A/v1/x", Access::kReadWrite),
              StatusIs(StatusCode::kPermissionDenied, HasSubstr("read-only")));
}

TEST(KeyRingTest, GrantValidatesPrefixAndKey) {
  KeyRing ring;
  EXPECT_THAT(ring.Grant("datasets", Key(1), Access::kRead), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ring.Grant("datasets/", SecretBytes(), Access::kRead), StatusIs(StatusCode::kInvalidArgument));
  ASSERT_OK(ring.Grant("datasets/", Key(1), Access::kRead));
  EXPECT_THAT(ring.Grant("datasets/", Key(2), Access::kRead), StatusIs(StatusCode::kAlreadyExists));
}

TEST(KeyRingTest, RevokeAllForgetsEveryGrant) {
  KeyRing ring;
  ASSERT_OK(ring.Grant("a/", Key(1), Access::kRead));
  ring.RevokeAll();
  EXPECT_THAT(ring.KeyFor("a/x", Access::kRead), Not(IsOk()));
}

TEST(KeyRingTest, ErrorsNeverContainKeyBytes) {
  KeyRing ring;
  ASSERT_OK(ring.Grant("a/", Key(0x41), Access::kRead));  // 'A'
  Status s = ring.KeyFor("a/x", Access::kReadWrite).status();
  EXPECT_THAT(std::string(s.message()), Not(HasSubstr("AAAA")));
}

}  // namespace
}  // namespace hdhub::sql

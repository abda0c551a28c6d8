#include "hdhub/crypto/random.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hdhub/common/status_matchers.h"

namespace hdhub::crypto {
namespace {

TEST(RandomTest, FillsTheRequestedSize) {
  ASSERT_OK_AND_ASSIGN(Bytes bytes, RandomBytes(37));
  EXPECT_EQ(bytes.size(), 37u);
  ASSERT_OK_AND_ASSIGN(Bytes empty, RandomBytes(0));
  EXPECT_TRUE(empty.empty());
  ASSERT_OK_AND_ASSIGN(SecretBytes secret, RandomSecret(32));
  EXPECT_EQ(secret.size(), 32u);
}

TEST(RandomTest, ConsecutiveOutputsDiffer) {
  // Two 32-byte outputs collide with probability 2^-256.
  ASSERT_OK_AND_ASSIGN(Bytes a, RandomBytes(32));
  ASSERT_OK_AND_ASSIGN(Bytes b, RandomBytes(32));
  EXPECT_NE(a, b);
  ASSERT_OK_AND_ASSIGN(SecretBytes c, RandomSecret(32));
  ASSERT_OK_AND_ASSIGN(SecretBytes d, RandomSecret(32));
  EXPECT_FALSE(c.Equals(d));
}

TEST(RandomTest, FillsACallerBuffer) {
  Bytes buffer(64, 0);
  ASSERT_OK(RandomBytes(MutableByteSpan(buffer)));
  EXPECT_NE(buffer, Bytes(64, 0));
}

}  // namespace
}  // namespace hdhub::crypto

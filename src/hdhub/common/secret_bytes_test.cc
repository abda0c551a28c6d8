#include "hdhub/common/secret_bytes.h"

#include <gtest/gtest.h>

#include <sstream>

namespace hdhub {
namespace {

TEST(SecretBytesTest, EqualsComparesContent) {
  const uint8_t a[] = {1, 2, 3};
  const uint8_t b[] = {1, 2, 4};
  EXPECT_TRUE(SecretBytes(a).Equals(SecretBytes(a)));
  EXPECT_FALSE(SecretBytes(a).Equals(SecretBytes(b)));
  EXPECT_FALSE(SecretBytes(a).Equals(SecretBytes(std::span<const uint8_t>(a, 2))));
}

TEST(SecretBytesTest, PrintingNeverRevealsContent) {
  const uint8_t a[] = {0xde, 0xad, 0xbe, 0xef};
  std::ostringstream os;
  os << SecretBytes(a);
  EXPECT_EQ(os.str(), "SecretBytes(4 bytes)");
}

TEST(SecretBytesTest, MoveLeavesSourceEmpty) {
  const uint8_t a[] = {9, 9};
  SecretBytes s(a);
  SecretBytes t = std::move(s);
  EXPECT_EQ(t.size(), 2u);
  EXPECT_TRUE(s.empty());  // NOLINT(bugprone-use-after-move): the contract under test
}

TEST(SecretBytesTest, CloneIsIndependentCopy) {
  const uint8_t a[] = {7, 8};
  SecretBytes s(a);
  SecretBytes c = s.Clone();
  c.mutable_data()[0] = 0;
  EXPECT_EQ(s.data()[0], 7);
}

TEST(SecretBytesTest, SecureWipeZeroesBuffer) {
  uint8_t buf[16];
  for (auto& b : buf) b = 0xff;
  SecureWipe(buf, sizeof buf);
  for (auto b : buf) EXPECT_EQ(b, 0);
}

TEST(ConstantTimeEqualsTest, DifferentLengthsAreUnequal) {
  const uint8_t a[] = {1, 2, 3};
  EXPECT_FALSE(ConstantTimeEquals(std::span<const uint8_t>(a, 3), std::span<const uint8_t>(a, 2)));
  EXPECT_TRUE(ConstantTimeEquals(std::span<const uint8_t>(a, 3), std::span<const uint8_t>(a, 3)));
}

}  // namespace
}  // namespace hdhub

#include "hdhub/directory/password_hash.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hdhub/common/bytes.h"
#include "hdhub/common/status_matchers.h"

namespace hdhub::directory {
namespace {

using ::hdhub::testing::StatusIs;
using ::testing::Optional;
using ::testing::StartsWith;

const Argon2Cost kCheap = Argon2Cost::InsecureLowCostForTest();

SecretBytes Secret(std::string_view text) { return SecretBytes(AsBytes(text)); }

TEST(PasswordHashTest, HashIsAnArgon2idPhcStringWithItsParameters) {
  ASSERT_OK_AND_ASSIGN(std::string hash, HashPassword(Secret("correct horse"), {.t_cost = 2, .m_cost_kib = 16}));
  EXPECT_THAT(hash, StartsWith("$argon2id$v=19$m=16,t=2,p=1$"));
  EXPECT_EQ(hash.find('\0'), std::string::npos);
  EXPECT_THAT(VerifyPassword(hash, Secret("correct horse")), ::hdhub::testing::IsOk());
  EXPECT_EQ(VerifyPassword(hash, Secret("correct horse")).value_or(false), true);
}

TEST(PasswordHashTest, WrongPasswordDoesNotVerify) {
  ASSERT_OK_AND_ASSIGN(std::string hash, HashPassword(Secret("correct horse"), kCheap));
  EXPECT_EQ(VerifyPassword(hash, Secret("correct horsf")).value_or(true), false);
  EXPECT_EQ(VerifyPassword(hash, Secret("correct hors")).value_or(true), false);
  EXPECT_EQ(VerifyPassword(hash, SecretBytes()).value_or(true), false);
}

TEST(PasswordHashTest, EachHashHasItsOwnSalt) {
  ASSERT_OK_AND_ASSIGN(std::string a, HashPassword(Secret("same password"), kCheap));
  ASSERT_OK_AND_ASSIGN(std::string b, HashPassword(Secret("same password"), kCheap));
  EXPECT_NE(a, b);
}

TEST(PasswordHashTest, AlteredHashDoesNotVerify) {
  ASSERT_OK_AND_ASSIGN(std::string hash, HashPassword(Secret("correct horse"), kCheap));
  std::string altered = hash;
  altered[altered.size() - 3] = altered[altered.size() - 3] == 'A' ? 'B' : 'A';
  EXPECT_EQ(VerifyPassword(altered, Secret("correct horse")).value_or(true), false);
}

TEST(PasswordHashTest, UnreadableHashIsDataLoss) {
  ASSERT_OK_AND_ASSIGN(std::string hash, HashPassword(Secret("correct horse"), kCheap));
  EXPECT_THAT(VerifyPassword(hash.substr(0, 30), Secret("correct horse")), StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(VerifyPassword("plaintext", Secret("plaintext")), StatusIs(StatusCode::kDataLoss));
  std::string argon2i = hash;
  argon2i.replace(0, 9, "$argon2i");
  EXPECT_THAT(VerifyPassword(argon2i, Secret("correct horse")), StatusIs(StatusCode::kDataLoss));
}

TEST(PasswordHashTest, RefusesEmptyPasswordAndBadCost) {
  EXPECT_THAT(HashPassword(SecretBytes(), kCheap), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(HashPassword(Secret("pw"), {.t_cost = 0}), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(HashPassword(Secret("pw"), {.m_cost_kib = 7}), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(HashPassword(Secret("pw"), {.m_cost_kib = 8, .parallelism = 2}), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(HashPassword(Secret("pw"), {.parallelism = 0}), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ValidateArgon2Cost({.t_cost = Argon2Cost::kMaxTCost + 1}), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ValidateArgon2Cost({}), ::hdhub::testing::IsOk());
}

TEST(PasswordHashTest, SpendVerificationTimeRunsArgon2) {
  EXPECT_THAT(SpendVerificationTime(Secret("anything"), kCheap), ::hdhub::testing::IsOk());
  EXPECT_THAT(SpendVerificationTime(SecretBytes(), kCheap), ::hdhub::testing::IsOk());
}

}  // namespace
}  // namespace hdhub::directory

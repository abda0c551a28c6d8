#include "hdhub/keys/passphrase_strength.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hdhub/common/bytes.h"
#include "hdhub/common/status_matchers.h"

namespace hdhub::keys {
namespace {

using ::hdhub::testing::IsOk;
using ::hdhub::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

SecretBytes Secret(std::string_view text) { return SecretBytes(AsBytes(text)); }

TEST(PassphraseStrengthTest, ShortPassphraseIsRefusedForItsLength) {
  EXPECT_THAT(CheckPassphraseStrength(Secret("x9$Lq!2z")), StatusIs(StatusCode::kInvalidArgument, HasSubstr("short")));
}

TEST(PassphraseStrengthTest, LongButGuessablePassphrasesAreRefused) {
  for (std::string_view weak :
       {"password123456", "aaaaaaaaaaaaaaaa", "qwertyuiopasdf", "123456789012", "test-passphrase"}) {
    EXPECT_THAT(CheckPassphraseStrength(Secret(weak)), StatusIs(StatusCode::kInvalidArgument, HasSubstr("guess")))
        << weak;
  }
}

TEST(PassphraseStrengthTest, UnrelatedWordsAreAccepted) {
  EXPECT_OK(CheckPassphraseStrength(Secret("correct horse battery staple")));
  EXPECT_OK(CheckPassphraseStrength(Secret("harbour-violet-engine-42")));
}

TEST(PassphraseStrengthTest, TheMessageNeverHoldsThePassphrase) {
  Status s = CheckPassphraseStrength(Secret("password123456"));
  EXPECT_THAT(s.message(), Not(HasSubstr("password123456")));
}

TEST(PassphraseStrengthTest, EstimateGrowsWithUnrelatedWords) {
  EXPECT_LT(EstimatePassphraseBits(Secret("harbour")), EstimatePassphraseBits(Secret("harbour violet engine")));
}

}  // namespace
}  // namespace hdhub::keys

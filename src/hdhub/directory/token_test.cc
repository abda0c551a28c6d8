#include "hdhub/directory/token.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hdhub/common/bytes.h"
#include "hdhub/common/status_matchers.h"

namespace hdhub::directory {
namespace {

using ::hdhub::testing::StatusIs;

SecretBytes Secret(std::string_view text) { return SecretBytes(AsBytes(text)); }
std::string Text(const SecretBytes& s) { return std::string(AsStringView(s.span())); }

// Known answer: id 0001020304050607, secret bytes 0..31.
ParsedToken KnownToken() {
  SecretBytes secret(kTokenSecretBytes);
  for (size_t i = 0; i < secret.size(); ++i) secret.mutable_data()[i] = static_cast<uint8_t>(i);
  return ParsedToken{"0001020304050607", std::move(secret)};
}
constexpr std::string_view kKnownText = "hdh_0001020304050607_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";

TEST(TokenTest, FormatsTheKnownAnswer) {
  EXPECT_EQ(Text(FormatToken(KnownToken())), kKnownText);
  EXPECT_EQ(kKnownText.size(), kTokenSize);
}

TEST(TokenTest, ParsesTheKnownAnswer) {
  ASSERT_OK_AND_ASSIGN(ParsedToken token, ParseToken(Secret(kKnownText)));
  EXPECT_EQ(token.id, "0001020304050607");
  EXPECT_TRUE(token.secret.Equals(KnownToken().secret));
}

TEST(TokenTest, GeneratedTokensRoundTripAndDiffer) {
  ASSERT_OK_AND_ASSIGN(ParsedToken a, GenerateToken());
  ASSERT_OK_AND_ASSIGN(ParsedToken b, GenerateToken());
  EXPECT_TRUE(IsValidTokenId(a.id));
  EXPECT_NE(a.id, b.id);
  EXPECT_FALSE(a.secret.Equals(b.secret));
  ASSERT_OK_AND_ASSIGN(ParsedToken parsed, ParseToken(FormatToken(a)));
  EXPECT_EQ(parsed.id, a.id);
  EXPECT_TRUE(parsed.secret.Equals(a.secret));
}

TEST(TokenTest, RefusesMalformedText) {
  const std::string good(kKnownText);
  std::string upper_id = good;
  upper_id[4] = 'A';
  std::string bad_separator = good;
  bad_separator[20] = '-';
  std::string bad_alphabet = good;
  bad_alphabet[30] = '+';
  std::string padded = good.substr(0, good.size() - 1) + "=";
  std::string high_bits = good;
  high_bits.back() = '9';  // sextet 61: '8' (60) with one of the 2 unused low bits set
  for (const std::string& bad : {std::string(), good.substr(0, 63), good + "A", "hdx" + good.substr(3), upper_id,
                                 bad_separator, bad_alphabet, padded, high_bits}) {
    EXPECT_THAT(ParseToken(Secret(bad)), StatusIs(StatusCode::kUnauthenticated, "malformed API token"));
  }
  EXPECT_THAT(ParseToken(Secret(good)), ::hdhub::testing::IsOk());
}

TEST(TokenTest, IdsAreSixteenLowerHexDigits) {
  EXPECT_TRUE(IsValidTokenId("0123456789abcdef"));
  EXPECT_FALSE(IsValidTokenId("0123456789ABCDEF"));
  EXPECT_FALSE(IsValidTokenId("0123456789abcde"));
  EXPECT_FALSE(IsValidTokenId("0123456789abcdefa"));
  EXPECT_FALSE(IsValidTokenId("0123456789abcdeg"));
}

TEST(TokenTest, HashIsSha256OfTheSecretBytes) {
  EXPECT_EQ(HexEncode(HashTokenSecret(KnownToken().secret)),
            "630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd");
}

}  // namespace
}  // namespace hdhub::directory

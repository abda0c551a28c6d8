#include "hdhub/crypto/hkdf.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hdhub/common/status_matchers.h"
#include "hdhub/crypto/test_vectors.h"

namespace hdhub::crypto {
namespace {

using ::hdhub::crypto::testing::HexField;
using ::hdhub::crypto::testing::ReadVectorFile;
using ::hdhub::testing::StatusIs;

struct HkdfCase {
  Bytes ikm, salt, info;
  size_t length = 0;
  std::string okm;
};

std::vector<HkdfCase> LoadCases() {
  std::vector<HkdfCase> cases;
  auto blocks = ReadVectorFile("hkdf_sha256_rfc5869.txt");
  EXPECT_OK(blocks.status());
  if (!blocks.ok()) return cases;
  for (const auto& block : *blocks) {
    HkdfCase c;
    c.ikm = HexField(block, "ikm").value();
    c.salt = HexField(block, "salt").value();
    c.info = HexField(block, "info").value();
    c.length = std::stoul(block.at("length"));
    c.okm = block.at("okm");
    cases.push_back(std::move(c));
  }
  return cases;
}

TEST(HkdfSha256Test, MatchesRfc5869TestCases1To3) {
  const auto cases = LoadCases();
  ASSERT_EQ(cases.size(), 3u);
  for (const auto& c : cases) {
    ASSERT_OK_AND_ASSIGN(SecretBytes okm, HkdfSha256(SecretBytes(c.ikm), c.salt, c.info, c.length));
    EXPECT_EQ(HexEncode(okm.span()), c.okm);
  }
}

TEST(HkdfSha256Test, AnyChangedInputChangesTheOutput) {
  for (const auto& c : LoadCases()) {
    Bytes ikm = c.ikm, salt = c.salt, info = c.info;
    ikm[0] ^= 0x01;
    // Not a zero byte for the salt: it is the HMAC key, and HMAC zero-pads keys,
    // so a trailing zero byte does not change the output.
    salt.push_back(0x01);
    info.push_back(0x00);
    ASSERT_OK_AND_ASSIGN(SecretBytes a, HkdfSha256(SecretBytes(ikm), c.salt, c.info, c.length));
    ASSERT_OK_AND_ASSIGN(SecretBytes b, HkdfSha256(SecretBytes(c.ikm), salt, c.info, c.length));
    ASSERT_OK_AND_ASSIGN(SecretBytes d, HkdfSha256(SecretBytes(c.ikm), c.salt, info, c.length));
    EXPECT_NE(HexEncode(a.span()), c.okm);
    EXPECT_NE(HexEncode(b.span()), c.okm);
    EXPECT_NE(HexEncode(d.span()), c.okm);
  }
}

TEST(HkdfSha256Test, ShorterOutputIsAPrefix) {
  for (const auto& c : LoadCases()) {
    ASSERT_OK_AND_ASSIGN(SecretBytes okm, HkdfSha256(SecretBytes(c.ikm), c.salt, c.info, 7));
    EXPECT_EQ(HexEncode(okm.span()), c.okm.substr(0, 14));
  }
}

TEST(HkdfSha256Test, RejectsEmptyIkmAndOutOfRangeLengths) {
  const SecretBytes ikm(Bytes(32, 1));
  EXPECT_THAT(HkdfSha256(SecretBytes(), {}, {}, 32), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(HkdfSha256(ikm, {}, {}, 0), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(HkdfSha256(ikm, {}, {}, 255 * 32 + 1), StatusIs(StatusCode::kInvalidArgument));
  ASSERT_OK_AND_ASSIGN(SecretBytes longest, HkdfSha256(ikm, {}, {}, 255 * 32));
  EXPECT_EQ(longest.size(), 255u * 32);
}

TEST(HkdfSha256Test, InfoLongerThanTheLimitIsInvalidArgument) {
  const SecretBytes ikm(Bytes(32, 1));
  ASSERT_OK(HkdfSha256(ikm, {}, Bytes(kMaxHkdfInfoSize, 'i'), 32).status());
  EXPECT_THAT(HkdfSha256(ikm, {}, Bytes(kMaxHkdfInfoSize + 1, 'i'), 32),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST(HkdfSha256Test, AcceptsALongInfo) {
  // The sealed-object format puts the associated data into info; object names
  // of a few hundred bytes must work.
  const SecretBytes ikm(Bytes(32, 1));
  Bytes info(1000, 'n');
  ASSERT_OK_AND_ASSIGN(SecretBytes a, HkdfSha256(ikm, {}, info, 32));
  info.back() = 'm';
  ASSERT_OK_AND_ASSIGN(SecretBytes b, HkdfSha256(ikm, {}, info, 32));
  EXPECT_FALSE(a.Equals(b));
}

}  // namespace
}  // namespace hdhub::crypto

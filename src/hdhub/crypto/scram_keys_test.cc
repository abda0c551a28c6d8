#include "hdhub/crypto/scram_keys.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hdhub/common/status_matchers.h"

namespace hdhub::crypto {
namespace {

using ::hdhub::testing::StatusIs;

// RFC 7677 §3's user: password "pencil", salt W22ZaJ0SNY7soEsUEjb6gQ== (base64).
// The keys were computed by Python's hashlib.pbkdf2_hmac and hmac, an
// implementation independent of OpenSSL's PKCS5_PBKDF2_HMAC.
constexpr char kSaltHex[] = "5b6d99689d12358eeca04b141236fa81";
constexpr char kStoredKeyHex[] = "586e5df283e6dceb5c3e791d8b8528ec191e664045ce971792e2e6b5bb13e2a6";
constexpr char kServerKeyHex[] = "c1f3cbc1c13a9d35a14c0990eed97629ea225863e566a4314ab99f3f00e5d9d5";

SecretBytes Pencil() { return SecretBytes(AsBytes("pencil")); }

TEST(ScramKeysTest, MatchesTheKnownAnswerOfRfc7677sUser) {
  ASSERT_OK_AND_ASSIGN(Bytes salt, HexDecode(kSaltHex));
  ASSERT_OK_AND_ASSIGN(ScramKeys keys, DeriveScramKeys(Pencil(), salt, 4096));
  EXPECT_EQ(HexEncode(keys.stored_key), kStoredKeyHex);
  EXPECT_EQ(HexEncode(keys.server_key), kServerKeyHex);
}

TEST(ScramKeysTest, AnotherPasswordSaltOrCountGivesOtherKeys) {
  ASSERT_OK_AND_ASSIGN(Bytes salt, HexDecode(kSaltHex));
  Bytes other_salt = salt;
  other_salt[0] ^= 1;
  for (auto keys : {DeriveScramKeys(SecretBytes(AsBytes("pencil!")), salt, 4096),
                    DeriveScramKeys(Pencil(), other_salt, 4096), DeriveScramKeys(Pencil(), salt, 4095)}) {
    ASSERT_OK(keys.status());
    EXPECT_NE(HexEncode(keys->stored_key), kStoredKeyHex);
    EXPECT_NE(HexEncode(keys->server_key), kServerKeyHex);
  }
}

TEST(ScramKeysTest, RefusesAnEmptySaltOrNoIteration) {
  EXPECT_THAT(DeriveScramKeys(Pencil(), {}, 4096), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(DeriveScramKeys(Pencil(), AsBytes("salt"), 0), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace hdhub::crypto

// Checks of the documented derivations against the crypto primitives
// directly, so docs/formats/key-file.md stays a contract. (The behaviour every
// KeyStore shares is in key_store_conformance.cc.)
#include "hdhub/keys/kek_operations.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "hdhub/common/status_matchers.h"
#include "hdhub/crypto/aes_gcm.h"
#include "hdhub/crypto/hkdf.h"
#include "hdhub/keys/key_store.h"

namespace hdhub::keys {
namespace {

using ::hdhub::testing::StatusIs;

SecretBytes FixedKek(uint8_t fill) { return SecretBytes(Bytes(kKekSize, fill)); }

// first ‖ rest, built by assignment (GCC 12 misreports vector::insert after a
// one-element initializer list as out of bounds).
Bytes Prefixed(uint8_t first, ByteSpan rest) {
  Bytes out(1 + rest.size());
  out[0] = first;
  std::copy(rest.begin(), rest.end(), out.begin() + 1);
  return out;
}

constexpr std::string_view kContext = "dataset-version:ER_PRS_F/3";

TEST(KekOperationsTest, CreateRefusesAKekOfTheWrongSize) {
  EXPECT_THAT(KekOperations::Create(SecretBytes(Bytes(16, 1))),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(KekOperations::Create(SecretBytes()), StatusIs(StatusCode::kInvalidArgument));
}

TEST(KekOperationsTest, HmacKeyIsHkdfOfTheKekWithThePurpose) {
  ASSERT_OK_AND_ASSIGN(auto ops, KekOperations::Create(FixedKek(7)));
  ASSERT_OK_AND_ASSIGN(
      SecretBytes expected_key,
      crypto::HkdfSha256(FixedKek(7), ByteSpan(), AsBytes("hdhub hmac v1 object-names"), 32));
  ASSERT_OK_AND_ASSIGN(auto expected, crypto::HmacSha256::Create(expected_key));
  ASSERT_OK_AND_ASSIGN(auto hmac, ops->HmacFor("object-names"));
  const Bytes message = ToBytes("datasets/ER_PRS_F/v3/part-0.parquet");
  EXPECT_EQ(hmac->Compute(message), expected->Compute(message));
}

TEST(KekOperationsTest, WrappedKeyFollowsTheDocumentedFormat) {
  ASSERT_OK_AND_ASSIGN(auto ops, KekOperations::Create(FixedKek(7)));
  ASSERT_OK_AND_ASSIGN(SecretBytes wrapping_key,
                       crypto::HkdfSha256(FixedKek(7), ByteSpan(), AsBytes("hdhub wrap v1"), 32));
  ASSERT_OK_AND_ASSIGN(auto aead, crypto::AesGcm256::Create(wrapping_key));
  const Bytes aad = Prefixed(kWrappedKeyVersion, AsBytes(kContext));

  // Our wrap, opened by hand...
  const SecretBytes dek(Bytes(kDataKeySize, 0x42));
  ASSERT_OK_AND_ASSIGN(Bytes wrapped, ops->WrapKey(dek, kContext));
  EXPECT_EQ(wrapped.size(), 1 + crypto::kAesGcmNonceSize + kDataKeySize + crypto::kAesGcmTagSize);
  ASSERT_EQ(wrapped[0], kWrappedKeyVersion);
  ASSERT_OK_AND_ASSIGN(SecretBytes opened,
                       aead->OpenWithRandomNonce(aad, ByteSpan(wrapped).subspan(1)));
  EXPECT_TRUE(opened.Equals(dek));
  // ...and a wrap made by hand, opened by us.
  ASSERT_OK_AND_ASSIGN(Bytes sealed, aead->SealWithRandomNonce(aad, dek.span()));
  const Bytes by_hand = Prefixed(kWrappedKeyVersion, sealed);
  ASSERT_OK_AND_ASSIGN(SecretBytes unwrapped, ops->UnwrapKey(by_hand, kContext));
  EXPECT_TRUE(unwrapped.Equals(dek));
}

TEST(KekOperationsTest, UnknownWrappedKeyVersionIsDataLoss) {
  ASSERT_OK_AND_ASSIGN(auto ops, KekOperations::Create(FixedKek(7)));
  ASSERT_OK_AND_ASSIGN(Bytes wrapped, ops->WrapKey(SecretBytes(Bytes(32, 1)), kContext));
  wrapped[0] = 0x02;
  EXPECT_THAT(ops->UnwrapKey(wrapped, kContext),
              StatusIs(StatusCode::kDataLoss, ::testing::HasSubstr("version")));
}

}  // namespace
}  // namespace hdhub::keys

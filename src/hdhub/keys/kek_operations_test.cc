// One suite run against every KeyStore whose KEK lives in the process
// (memory:, keyfile:), plus checks of the documented derivations against the
// crypto primitives directly, so docs/formats/key-file.md stays a contract.
#include "hdhub/keys/kek_operations.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <string>

#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"
#include "hdhub/crypto/aes_gcm.h"
#include "hdhub/crypto/hkdf.h"
#include "hdhub/keys/key_file_key_store.h"
#include "hdhub/keys/memory_key_store.h"

namespace hdhub::keys {
namespace {

using ::hdhub::testing::StatusIs;
using ::hdhub::testing::TempDir;

SecretBytes FixedKek(uint8_t fill) { return SecretBytes(Bytes(kKekSize, fill)); }

// first ‖ rest, built by assignment (GCC 12 misreports vector::insert after a
// one-element initializer list as out of bounds).
Bytes Prefixed(uint8_t first, ByteSpan rest) {
  Bytes out(1 + rest.size());
  out[0] = first;
  std::copy(rest.begin(), rest.end(), out.begin() + 1);
  return out;
}

// Builds a store whose KEK is chosen by `fill`: equal fills give stores that
// share a KEK, different fills stores that do not.
using StoreFactory = std::function<std::unique_ptr<KeyStore>(const TempDir&, uint8_t fill)>;

std::unique_ptr<KeyStore> MakeMemoryStore(const TempDir&, uint8_t fill) {
  auto store = MemoryKeyStore::CreateForTest(FixedKek(fill));
  return store.ok() ? std::move(store).value() : nullptr;
}

// A key file holding a random KEK; `fill` selects one of a few files so that
// the same fill reopens the same file (and so the same KEK).
std::unique_ptr<KeyStore> MakeKeyFileStore(const TempDir& dir, uint8_t fill) {
  std::string path = dir.Sub("hub-" + std::to_string(fill) + ".key");
  SecretBytes passphrase(AsBytes("correct horse battery staple"));
  Status created =
      KeyFileKeyStore::CreateKeyFile(path, passphrase, KeyFileParams::InsecureLowCostForTest());
  if (!created.ok() && !IsAlreadyExists(created)) return nullptr;
  auto store = KeyFileKeyStore::Open(path, passphrase);
  return store.ok() ? std::move(store).value() : nullptr;
}

class KeyStoreConformanceTest : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override {
    store_ = GetParam()(dir_, 1);
    ASSERT_NE(store_, nullptr);
    ASSERT_OK_AND_ASSIGN(dek_, NewDataKey());
  }
  TempDir dir_;
  std::unique_ptr<KeyStore> store_;
  SecretBytes dek_;
};

constexpr std::string_view kContext = "dataset-version:ER_PRS_F/3";

TEST_P(KeyStoreConformanceTest, WrapThenUnwrapGivesTheKeyBack) {
  ASSERT_OK_AND_ASSIGN(Bytes wrapped, store_->WrapKey(dek_, kContext));
  EXPECT_EQ(wrapped.size(), 1 + crypto::kAesGcmNonceSize + kDataKeySize + crypto::kAesGcmTagSize);
  ASSERT_OK_AND_ASSIGN(SecretBytes unwrapped, store_->UnwrapKey(wrapped, kContext));
  EXPECT_TRUE(unwrapped.Equals(dek_));
}

TEST_P(KeyStoreConformanceTest, WrappingTwiceGivesDifferentBytes) {
  ASSERT_OK_AND_ASSIGN(Bytes a, store_->WrapKey(dek_, kContext));
  ASSERT_OK_AND_ASSIGN(Bytes b, store_->WrapKey(dek_, kContext));
  EXPECT_NE(a, b) << "each wrap draws a fresh nonce";
}

TEST_P(KeyStoreConformanceTest, WrapRefusesAnEmptyKey) {
  EXPECT_THAT(store_->WrapKey(SecretBytes(), kContext), StatusIs(StatusCode::kInvalidArgument));
}

TEST_P(KeyStoreConformanceTest, UnwrapFailsForAnotherContext) {
  ASSERT_OK_AND_ASSIGN(Bytes wrapped, store_->WrapKey(dek_, kContext));
  EXPECT_THAT(store_->UnwrapKey(wrapped, "dataset-version:ER_PRS_F/4"),
              StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(store_->UnwrapKey(wrapped, ""), StatusIs(StatusCode::kDataLoss));
}

TEST_P(KeyStoreConformanceTest, UnwrapFailsWhenAnyBitIsFlipped) {
  ASSERT_OK_AND_ASSIGN(Bytes wrapped, store_->WrapKey(dek_, kContext));
  for (size_t i = 0; i < wrapped.size(); ++i) {
    for (uint8_t bit : {0x01, 0x80}) {
      Bytes altered = wrapped;
      altered[i] ^= bit;
      EXPECT_THAT(store_->UnwrapKey(altered, kContext), StatusIs(StatusCode::kDataLoss))
          << "byte " << i;
    }
  }
}

TEST_P(KeyStoreConformanceTest, UnwrapFailsWhenTruncatedOrExtended) {
  ASSERT_OK_AND_ASSIGN(Bytes wrapped, store_->WrapKey(dek_, kContext));
  for (size_t size = 0; size < wrapped.size(); ++size) {
    EXPECT_THAT(store_->UnwrapKey(ByteSpan(wrapped).first(size), kContext),
                StatusIs(StatusCode::kDataLoss))
        << size << " bytes";
  }
  wrapped.push_back(0);
  EXPECT_THAT(store_->UnwrapKey(wrapped, kContext), StatusIs(StatusCode::kDataLoss));
}

TEST_P(KeyStoreConformanceTest, UnwrapFailsUnderAnotherKek) {
  std::unique_ptr<KeyStore> other = GetParam()(dir_, 2);
  ASSERT_NE(other, nullptr);
  ASSERT_OK_AND_ASSIGN(Bytes wrapped, store_->WrapKey(dek_, kContext));
  EXPECT_THAT(other->UnwrapKey(wrapped, kContext), StatusIs(StatusCode::kDataLoss));
  // The same KEK in another store object unwraps it.
  std::unique_ptr<KeyStore> same = GetParam()(dir_, 1);
  ASSERT_NE(same, nullptr);
  ASSERT_OK_AND_ASSIGN(SecretBytes unwrapped, same->UnwrapKey(wrapped, kContext));
  EXPECT_TRUE(unwrapped.Equals(dek_));
}

TEST_P(KeyStoreConformanceTest, DestroyedWrappedKeyCannotBeRecovered) {
  // Crypto-shredding at the key level: the wrapped copy is the only copy, so
  // once it is gone (emptied as the catalog does, or zeroed) no operation of
  // the store brings the data key back.
  ASSERT_OK_AND_ASSIGN(Bytes wrapped, store_->WrapKey(dek_, kContext));
  const size_t size = wrapped.size();
  SecureWipe(wrapped.data(), wrapped.size());
  EXPECT_THAT(store_->UnwrapKey(wrapped, kContext), StatusIs(StatusCode::kDataLoss));
  wrapped.clear();
  EXPECT_THAT(store_->UnwrapKey(wrapped, kContext), StatusIs(StatusCode::kDataLoss));
  // A fresh wrap of another key does not stand in for it either.
  ASSERT_OK_AND_ASSIGN(SecretBytes other_dek, NewDataKey());
  ASSERT_OK_AND_ASSIGN(Bytes other, store_->WrapKey(other_dek, kContext));
  ASSERT_EQ(other.size(), size);
  ASSERT_OK_AND_ASSIGN(SecretBytes unwrapped, store_->UnwrapKey(other, kContext));
  EXPECT_FALSE(unwrapped.Equals(dek_));
}

TEST_P(KeyStoreConformanceTest, HmacForIsStablePerPurposeAndKek) {
  const Bytes message = ToBytes("P1 pseudonym");
  ASSERT_OK_AND_ASSIGN(auto a1, store_->HmacFor("pseudonym/stage2"));
  ASSERT_OK_AND_ASSIGN(auto a2, store_->HmacFor("pseudonym/stage2"));
  ASSERT_OK_AND_ASSIGN(auto b, store_->HmacFor("object-names"));
  EXPECT_EQ(a1->Compute(message), a2->Compute(message));
  EXPECT_NE(a1->Compute(message), b->Compute(message));

  std::unique_ptr<KeyStore> same = GetParam()(dir_, 1);
  std::unique_ptr<KeyStore> other = GetParam()(dir_, 2);
  ASSERT_NE(same, nullptr);
  ASSERT_NE(other, nullptr);
  ASSERT_OK_AND_ASSIGN(auto same_a, same->HmacFor("pseudonym/stage2"));
  ASSERT_OK_AND_ASSIGN(auto other_a, other->HmacFor("pseudonym/stage2"));
  EXPECT_EQ(same_a->Compute(message), a1->Compute(message));
  EXPECT_NE(other_a->Compute(message), a1->Compute(message));
}

TEST_P(KeyStoreConformanceTest, HmacForRefusesAnEmptyPurpose) {
  EXPECT_THAT(store_->HmacFor(""), StatusIs(StatusCode::kInvalidArgument));
}

INSTANTIATE_TEST_SUITE_P(Stores, KeyStoreConformanceTest,
                         ::testing::Values(StoreFactory(MakeMemoryStore),
                                           StoreFactory(MakeKeyFileStore)),
                         [](const auto& info) { return info.index == 0 ? "Memory" : "KeyFile"; });

// ------------------------------------------------ the documented derivations

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

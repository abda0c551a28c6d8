#include "hdhub/keys/key_store_conformance.h"

#include <gmock/gmock.h>

#include <string>
#include <string_view>

#include "hdhub/common/status_matchers.h"

namespace hdhub::testing {

void KeyStoreConformanceTest::SetUp() {
  auto store = GetParam().make(scratch_.path(), 1);
  ASSERT_OK(store);
  store_ = std::move(store).value();
  ASSERT_OK_AND_ASSIGN(dek_, keys::NewDataKey());
}

std::unique_ptr<keys::KeyStore> KeyStoreConformanceTest::Another(int kek) {
  auto store = GetParam().make(scratch_.path(), kek);
  EXPECT_OK(store);
  return store.ok() ? std::move(store).value() : nullptr;
}

std::string KeyStoreBackendName(const ::testing::TestParamInfo<KeyStoreBackend>& info) { return info.param.name; }

void PrintTo(const KeyStoreBackend& backend, std::ostream* os) { *os << backend.name; }

std::vector<KeyStoreBackend> IfDerivingPurposeKeys(const KeyStoreBackend& backend) {
  if (!backend.derives_purpose_keys) return {};
  return {backend};
}

namespace {

constexpr std::string_view kContext = "dataset-version:ER_PRS_F/3";

TEST_P(KeyStoreConformanceTest, WrapThenUnwrapGivesTheKeyBack) {
  ASSERT_OK_AND_ASSIGN(Bytes wrapped, store().WrapKey(dek_, kContext));
  ASSERT_OK_AND_ASSIGN(SecretBytes unwrapped, store().UnwrapKey(wrapped, kContext));
  EXPECT_TRUE(unwrapped.Equals(dek_));
}

TEST_P(KeyStoreConformanceTest, WrappingTwiceGivesDifferentBytes) {
  ASSERT_OK_AND_ASSIGN(Bytes a, store().WrapKey(dek_, kContext));
  ASSERT_OK_AND_ASSIGN(Bytes b, store().WrapKey(dek_, kContext));
  EXPECT_NE(a, b) << "each wrap draws a fresh nonce";
}

TEST_P(KeyStoreConformanceTest, WrapRefusesAnEmptyKey) {
  EXPECT_THAT(store().WrapKey(SecretBytes(), kContext), StatusIs(StatusCode::kInvalidArgument));
}

TEST_P(KeyStoreConformanceTest, UnwrapFailsForAnotherContext) {
  ASSERT_OK_AND_ASSIGN(Bytes wrapped, store().WrapKey(dek_, kContext));
  EXPECT_THAT(store().UnwrapKey(wrapped, "dataset-version:ER_PRS_F/4"), StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(store().UnwrapKey(wrapped, ""), StatusIs(StatusCode::kDataLoss));
}

TEST_P(KeyStoreConformanceTest, UnwrapFailsWhenAnyBitIsFlipped) {
  ASSERT_OK_AND_ASSIGN(Bytes wrapped, store().WrapKey(dek_, kContext));
  for (size_t i = 0; i < wrapped.size(); ++i) {
    for (uint8_t bit : {0x01, 0x80}) {
      Bytes altered = wrapped;
      altered[i] ^= bit;
      EXPECT_THAT(store().UnwrapKey(altered, kContext), StatusIs(StatusCode::kDataLoss)) << "byte " << i;
    }
  }
}

TEST_P(KeyStoreConformanceTest, UnwrapFailsWhenTruncatedOrExtended) {
  ASSERT_OK_AND_ASSIGN(Bytes wrapped, store().WrapKey(dek_, kContext));
  for (size_t size = 0; size < wrapped.size(); ++size) {
    EXPECT_THAT(store().UnwrapKey(ByteSpan(wrapped).first(size), kContext), StatusIs(StatusCode::kDataLoss))
        << size << " bytes";
  }
  wrapped.push_back(0);
  EXPECT_THAT(store().UnwrapKey(wrapped, kContext), StatusIs(StatusCode::kDataLoss));
}

TEST_P(KeyStoreConformanceTest, UnwrapFailsUnderAnotherKek) {
  std::unique_ptr<keys::KeyStore> other = Another(2);
  ASSERT_NE(other, nullptr);
  ASSERT_OK_AND_ASSIGN(Bytes wrapped, store().WrapKey(dek_, kContext));
  EXPECT_THAT(other->UnwrapKey(wrapped, kContext), StatusIs(StatusCode::kDataLoss));
  // The same KEK in another store object unwraps it.
  std::unique_ptr<keys::KeyStore> same = Another(1);
  ASSERT_NE(same, nullptr);
  ASSERT_OK_AND_ASSIGN(SecretBytes unwrapped, same->UnwrapKey(wrapped, kContext));
  EXPECT_TRUE(unwrapped.Equals(dek_));
}

TEST_P(KeyStoreConformanceTest, DestroyedWrappedKeyCannotBeRecovered) {
  // Crypto-shredding at the key level: the wrapped copy is the only copy, so
  // once it is gone (emptied as the catalog does, or zeroed) no operation of
  // the store brings the data key back.
  ASSERT_OK_AND_ASSIGN(Bytes wrapped, store().WrapKey(dek_, kContext));
  const size_t size = wrapped.size();
  SecureWipe(wrapped.data(), wrapped.size());
  EXPECT_THAT(store().UnwrapKey(wrapped, kContext), StatusIs(StatusCode::kDataLoss));
  wrapped.clear();
  EXPECT_THAT(store().UnwrapKey(wrapped, kContext), StatusIs(StatusCode::kDataLoss));
  // A fresh wrap of another key does not stand in for it either.
  ASSERT_OK_AND_ASSIGN(SecretBytes other_dek, keys::NewDataKey());
  ASSERT_OK_AND_ASSIGN(Bytes other, store().WrapKey(other_dek, kContext));
  ASSERT_EQ(other.size(), size);
  ASSERT_OK_AND_ASSIGN(SecretBytes unwrapped, store().UnwrapKey(other, kContext));
  EXPECT_FALSE(unwrapped.Equals(dek_));
}

TEST_P(KeyStoreConformanceTest, HmacForAnswersAsTheBackendDeclares) {
  StatusOr<std::unique_ptr<crypto::HmacSha256>> hmac = store().HmacFor("pseudonym/stage2");
  if (GetParam().derives_purpose_keys) {
    EXPECT_OK(hmac);
  } else {
    EXPECT_THAT(hmac, StatusIs(StatusCode::kFailedPrecondition));
    EXPECT_THAT(store().HmacFor(""), StatusIs(StatusCode::kFailedPrecondition));
  }
}

// Empty in a test binary whose stores all derive no purpose keys (pkcs11:).
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(KeyStorePurposeKeyTest);

TEST_P(KeyStorePurposeKeyTest, HmacForIsStablePerPurposeAndKek) {
  const Bytes message = ToBytes("P1 pseudonym");
  ASSERT_OK_AND_ASSIGN(auto a1, store().HmacFor("pseudonym/stage2"));
  ASSERT_OK_AND_ASSIGN(auto a2, store().HmacFor("pseudonym/stage2"));
  ASSERT_OK_AND_ASSIGN(auto b, store().HmacFor("object-names"));
  EXPECT_EQ(a1->Compute(message), a2->Compute(message));
  EXPECT_NE(a1->Compute(message), b->Compute(message));

  std::unique_ptr<keys::KeyStore> same = Another(1);
  std::unique_ptr<keys::KeyStore> other = Another(2);
  ASSERT_NE(same, nullptr);
  ASSERT_NE(other, nullptr);
  ASSERT_OK_AND_ASSIGN(auto same_a, same->HmacFor("pseudonym/stage2"));
  ASSERT_OK_AND_ASSIGN(auto other_a, other->HmacFor("pseudonym/stage2"));
  EXPECT_EQ(same_a->Compute(message), a1->Compute(message));
  EXPECT_NE(other_a->Compute(message), a1->Compute(message));
}

TEST_P(KeyStorePurposeKeyTest, HmacForRefusesAnEmptyPurpose) {
  EXPECT_THAT(store().HmacFor(""), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace hdhub::testing

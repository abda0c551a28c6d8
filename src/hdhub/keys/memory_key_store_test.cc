#include "hdhub/keys/memory_key_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hdhub/common/status_matchers.h"
#include "hdhub/keys/key_store_conformance.h"

namespace hdhub::keys {
namespace {

// KEK number n is 32 bytes of n.
INSTANTIATE_KEY_STORE_CONFORMANCE(Memory,
                                  [](const std::filesystem::path&, int kek) -> StatusOr<std::unique_ptr<KeyStore>> {
                                    ASSIGN_OR_RETURN(auto store, MemoryKeyStore::CreateForTest(SecretBytes(
                                                                     Bytes(kKekSize, static_cast<uint8_t>(kek)))));
                                    return std::unique_ptr<KeyStore>(std::move(store));
                                  });

TEST(MemoryKeyStoreTest, EachCreatedStoreHasItsOwnKek) {
  ASSERT_OK_AND_ASSIGN(auto a, MemoryKeyStore::Create());
  ASSERT_OK_AND_ASSIGN(auto b, MemoryKeyStore::Create());
  ASSERT_OK_AND_ASSIGN(SecretBytes dek, NewDataKey());
  ASSERT_OK_AND_ASSIGN(Bytes wrapped, a->WrapKey(dek, "ctx"));
  EXPECT_THAT(b->UnwrapKey(wrapped, "ctx"), testing::StatusIs(StatusCode::kDataLoss));
  EXPECT_EQ(a->Describe(), "memory:");
}

TEST(MemoryKeyStoreTest, DestroyedKekRefusesEveryOperation) {
  ASSERT_OK_AND_ASSIGN(auto store, MemoryKeyStore::Create());
  ASSERT_OK_AND_ASSIGN(SecretBytes dek, NewDataKey());
  ASSERT_OK_AND_ASSIGN(Bytes wrapped, store->WrapKey(dek, "ctx"));
  ASSERT_OK(store->DestroyKek());
  EXPECT_THAT(store->UnwrapKey(wrapped, "ctx"), testing::StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(store->WrapKey(dek, "ctx"), testing::StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(store->DerivedPurposeKey("object-names"), testing::StatusIs(StatusCode::kFailedPrecondition));
}

}  // namespace
}  // namespace hdhub::keys

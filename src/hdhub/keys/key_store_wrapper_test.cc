#include "hdhub/keys/key_store_wrapper.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "hdhub/common/status_matchers.h"
#include "hdhub/keys/key_store_conformance.h"
#include "hdhub/keys/memory_key_store.h"

namespace hdhub::keys {
namespace {

using ::hdhub::testing::StatusIs;

// A wrapper that changes nothing behaves like the store it wraps.
INSTANTIATE_KEY_STORE_CONFORMANCE(
    WrapperOverMemory, [](const std::filesystem::path&, int kek) -> StatusOr<std::unique_ptr<KeyStore>> {
      ASSIGN_OR_RETURN(auto store,
                       MemoryKeyStore::CreateForTest(SecretBytes(Bytes(kKekSize, static_cast<uint8_t>(kek)))));
      return std::unique_ptr<KeyStore>(std::make_unique<KeyStoreWrapper>(std::move(store)));
    });

// A decorator that overrides one method: unwraps are recorded, all else passes.
class UnwrapRecorder : public KeyStoreWrapper {
 public:
  using KeyStoreWrapper::KeyStoreWrapper;
  StatusOr<SecretBytes> UnwrapKey(ByteSpan wrapped, std::string_view context) override {
    contexts_.emplace_back(context);
    return KeyStoreWrapper::UnwrapKey(wrapped, context);
  }
  std::vector<std::string> contexts_;
};

TEST(KeyStoreWrapperTest, ADecoratorOverridesOneMethodAndForwardsTheRest) {
  ASSERT_OK_AND_ASSIGN(auto base, MemoryKeyStore::Create());
  UnwrapRecorder store(base.get());
  ASSERT_OK_AND_ASSIGN(SecretBytes dek, NewDataKey());
  ASSERT_OK_AND_ASSIGN(Bytes wrapped, store.WrapKey(dek, "dataset/A/v1"));
  ASSERT_OK_AND_ASSIGN(SecretBytes by_base, base->UnwrapKey(wrapped, "dataset/A/v1"));
  EXPECT_TRUE(by_base.Equals(dek)) << "WrapKey reached the wrapped store";
  ASSERT_OK_AND_ASSIGN(SecretBytes unwrapped, store.UnwrapKey(wrapped, "dataset/A/v1"));
  EXPECT_TRUE(unwrapped.Equals(dek));
  EXPECT_THAT(store.UnwrapKey(wrapped, "dataset/A/v2"), StatusIs(StatusCode::kDataLoss));
  EXPECT_EQ(store.contexts_, (std::vector<std::string>{"dataset/A/v1", "dataset/A/v2"}));
  ASSERT_OK_AND_ASSIGN(auto mine, store.HmacFor("object-names"));
  ASSERT_OK_AND_ASSIGN(auto theirs, base->HmacFor("object-names"));
  EXPECT_EQ(mine->Compute(AsBytes("x")), theirs->Compute(AsBytes("x")));
  EXPECT_EQ(store.Describe(), "memory:");
  EXPECT_EQ(store.base(), base.get());
}

}  // namespace
}  // namespace hdhub::keys

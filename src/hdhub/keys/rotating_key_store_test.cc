#include "hdhub/keys/rotating_key_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hdhub/common/status_matchers.h"
#include "hdhub/keys/memory_key_store.h"

namespace hdhub::keys {
namespace {

using ::hdhub::testing::StatusIs;

TEST(RotatingKeyStoreTest, WrapsUnderTheNextKekAndUnwrapsUnderEither) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<MemoryKeyStore> old_kek, MemoryKeyStore::Create());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<MemoryKeyStore> new_kek, MemoryKeyStore::Create());
  MemoryKeyStore* previous = old_kek.get();
  ASSERT_OK_AND_ASSIGN(SecretBytes key, NewDataKey());
  ASSERT_OK_AND_ASSIGN(Bytes under_old, previous->WrapKey(key, "dataset/A/v1"));
  RotatingKeyStore both(std::move(new_kek), std::move(old_kek));

  ASSERT_OK_AND_ASSIGN(SecretBytes from_old, both.UnwrapKey(under_old, "dataset/A/v1"));
  EXPECT_TRUE(from_old.Equals(key));
  ASSERT_OK_AND_ASSIGN(Bytes under_new, both.WrapKey(key, "dataset/A/v1"));
  ASSERT_OK_AND_ASSIGN(SecretBytes from_next, both.next().UnwrapKey(under_new, "dataset/A/v1"));
  EXPECT_TRUE(from_next.Equals(key));
  EXPECT_THAT(previous->UnwrapKey(under_new, "dataset/A/v1"), StatusIs(StatusCode::kDataLoss))
      << "a key wrapped during the rotation is under the new KEK, not the old one";
  // The context still binds, under either KEK.
  EXPECT_THAT(both.UnwrapKey(under_old, "dataset/A/v2"), StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(both.UnwrapKey(under_new, "dataset/A/v2"), StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(both.HmacFor("object-names"), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(both.Describe(), ::testing::HasSubstr("rotating from"));
}

}  // namespace
}  // namespace hdhub::keys

#include "hdhub/keys/key_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"
#include "hdhub/keys/builtin_key_stores.h"
#include "hdhub/keys/key_file_key_store.h"

namespace hdhub::keys {
namespace {

using ::hdhub::testing::StatusIs;
using ::hdhub::testing::TempDir;
using ::testing::HasSubstr;

// A variable no real environment sets, so the test cannot pick up a real
// passphrase and cannot leak into other tests.
constexpr char kEnvVar[] = "HDHUB_KEYS_TEST_PASSPHRASE";

TEST(NewDataKeyTest, GivesDistinct32ByteKeys) {
  ASSERT_OK_AND_ASSIGN(SecretBytes a, NewDataKey());
  ASSERT_OK_AND_ASSIGN(SecretBytes b, NewDataKey());
  EXPECT_EQ(a.size(), kDataKeySize);
  EXPECT_FALSE(a.Equals(b));
}

TEST(KeyStoreRegistryTest, OpensMemoryStores) {
  KeyStoreRegistry registry;
  RegisterBuiltinKeyStores(&registry, kEnvVar);
  ASSERT_OK_AND_ASSIGN(auto store, registry.Open("memory:"));
  EXPECT_EQ(store->Describe(), "memory:");
  EXPECT_THAT(registry.Open("memory:/x"), StatusIs(StatusCode::kInvalidArgument));
}

TEST(KeyStoreRegistryTest, OpensKeyFilesWithThePassphraseFromTheEnvironment) {
  TempDir dir;
  std::string path = dir.Sub("hub.key");
  ASSERT_OK(KeyFileKeyStore::CreateKeyFile(path, SecretBytes(AsBytes("s3cret")),
                                           KeyFileParams::InsecureLowCostForTest()));
  KeyStoreRegistry registry;
  RegisterBuiltinKeyStores(&registry, kEnvVar);

  ASSERT_EQ(::setenv(kEnvVar, "s3cret", 1), 0);
  ASSERT_OK_AND_ASSIGN(auto store, registry.Open("keyfile:" + path));
  EXPECT_EQ(store->Describe(), "keyfile:" + path);

  ASSERT_EQ(::setenv(kEnvVar, "wrong", 1), 0);
  EXPECT_THAT(registry.Open("keyfile:" + path), StatusIs(StatusCode::kPermissionDenied));
  ::unsetenv(kEnvVar);
  EXPECT_THAT(registry.Open("keyfile:"), StatusIs(StatusCode::kInvalidArgument));
}

TEST(KeyStoreRegistryTest, RejectsUnknownSchemesAndUrisWithoutOne) {
  KeyStoreRegistry registry;
  RegisterBuiltinKeyStores(&registry, kEnvVar);
  EXPECT_THAT(registry.Open("tpm:handle=0x81000001"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("unknown key store scheme 'tpm'")));
  EXPECT_THAT(registry.Open("hub.key"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(registry.Open(":x"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(registry.Open(""), StatusIs(StatusCode::kInvalidArgument));
}

TEST(KeyStoreRegistryTest, PassesTheRestOfTheUriToTheFactory) {
  KeyStoreRegistry registry;
  std::string seen;
  registry.Register("fake", [&](std::string_view rest) -> StatusOr<std::unique_ptr<KeyStore>> {
    seen = rest;
    return UnimplementedError("fake");
  });
  EXPECT_THAT(registry.Open("fake:a:b/c"), StatusIs(StatusCode::kUnimplemented));
  EXPECT_EQ(seen, "a:b/c");
}

}  // namespace
}  // namespace hdhub::keys

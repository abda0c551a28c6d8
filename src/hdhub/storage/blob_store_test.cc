#include "hdhub/storage/blob_store.h"

#include <string>

#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"
#include "hdhub/storage/memory_blob_store.h"

namespace hdhub::storage {
namespace {

using ::hdhub::testing::StatusIs;
using ::testing::HasSubstr;

TEST(ValidateObjectNameTest, AcceptsNamesOfTheAllowedAlphabet) {
  for (const char* name :
       {"a", "o/5f/5f3c", "x.parquet", "a-b_c.d/e", "0", "a..b", "a/b.", "a/_"}) {
    EXPECT_OK(ValidateObjectName(name)) << name;
  }
  EXPECT_OK(ValidateObjectName(std::string(512, 'a')));
}

TEST(ValidateObjectNameTest, RejectsEachBrokenRule) {
  for (const char* name : {"", "A", "a b", "a\\b", "a:b", "/a", "a/", "a//b", ".", "..", "a/..",
                           "../a", "a/./b", ".tmp/x", "a/.hidden"}) {
    EXPECT_THAT(ValidateObjectName(name), StatusIs(StatusCode::kInvalidArgument)) << name;
  }
  EXPECT_THAT(ValidateObjectName(std::string(513, 'a')),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("513")));
  EXPECT_THAT(ValidateObjectName(std::string("a\0b", 3)), StatusIs(StatusCode::kInvalidArgument));
}

TEST(CheckReadRangeTest, AcceptsRangesWithinAndRejectsOverflow) {
  EXPECT_OK(CheckReadRange("n", 0, 10, 10));
  EXPECT_OK(CheckReadRange("n", 10, 0, 10));
  EXPECT_THAT(CheckReadRange("n", 11, 0, 10), StatusIs(StatusCode::kOutOfRange, HasSubstr("'n'")));
  EXPECT_THAT(CheckReadRange("n", 5, UINT64_MAX, 10), StatusIs(StatusCode::kOutOfRange));
  // A reader that does not know its object's name says so plainly.
  EXPECT_THAT(CheckReadRange("", 11, 0, 10), StatusIs(StatusCode::kOutOfRange, HasSubstr("end of the object (10")));
}

TEST(BlobStoreRegistryTest, OpensRegisteredSchemes) {
  BlobStoreRegistry registry;
  RegisterBuiltinBlobStores(registry);
  ASSERT_OK_AND_ASSIGN(auto memory, registry.Open("memory:"));
  EXPECT_EQ(memory->Describe(), "memory:");
  testing::TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto file, registry.Open("file://" + dir.Sub("hub")));
  EXPECT_EQ(file->Describe(), "file://" + dir.Sub("hub"));
  ASSERT_OK(file->Put("x", AsBytes("1")));
}

TEST(BlobStoreRegistryTest, UnknownSchemeIsInvalidArgumentNamingIt) {
  BlobStoreRegistry registry;
  RegisterBuiltinBlobStores(registry);
  EXPECT_THAT(registry.Open("s4://bucket"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("s4")));
  EXPECT_THAT(registry.Open("no-scheme"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(registry.Open(":x"), StatusIs(StatusCode::kInvalidArgument));
}

TEST(BlobStoreRegistryTest, BadRestIsRejectedByTheFactory) {
  BlobStoreRegistry registry;
  RegisterBuiltinBlobStores(registry);
  EXPECT_THAT(registry.Open("memory:x"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(registry.Open("file:relative/path"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(registry.Open("file://host/path"), StatusIs(StatusCode::kInvalidArgument));
}

TEST(BlobStoreRegistryTest, RegisterReplacesAFactory) {
  BlobStoreRegistry registry;
  registry.Register("test", [](std::string_view) -> StatusOr<std::unique_ptr<BlobStore>> {
    return UnavailableError("first");
  });
  registry.Register("test", [](std::string_view rest) -> StatusOr<std::unique_ptr<BlobStore>> {
    if (rest != "abc") return InvalidArgumentError("rest");
    return std::unique_ptr<BlobStore>(std::make_unique<MemoryBlobStore>());
  });
  EXPECT_OK(registry.Open("test:abc"));
}

}  // namespace
}  // namespace hdhub::storage

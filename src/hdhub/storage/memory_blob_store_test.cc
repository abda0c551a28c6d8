#include "hdhub/storage/memory_blob_store.h"

#include "hdhub/common/status_matchers.h"
#include "hdhub/storage/blob_store_conformance.h"

namespace hdhub::storage {
namespace {

INSTANTIATE_BLOB_STORE_CONFORMANCE(Memory, [](const std::filesystem::path&) {
  return StatusOr<std::unique_ptr<BlobStore>>(std::make_unique<MemoryBlobStore>());
});

TEST(MemoryBlobStoreTest, ReaderKeepsSnapshotAfterOverwriteAndDelete) {
  MemoryBlobStore store;
  ASSERT_OK(store.Put("x", AsBytes("old")));
  ASSERT_OK_AND_ASSIGN(auto reader, store.OpenReader("x"));
  ASSERT_OK(store.Put("x", AsBytes("new!")));
  ASSERT_OK(store.Delete("x"));
  Bytes out(3);
  ASSERT_OK(reader->ReadAt(0, out));
  EXPECT_EQ(AsStringView(out), "old");
}

TEST(MemoryBlobStoreTest, WriterPublishesOnlyOnCommit) {
  MemoryBlobStore store;
  ASSERT_OK_AND_ASSIGN(auto writer, store.NewWriter("x"));
  ASSERT_OK(writer->Append(AsBytes("abc")));
  EXPECT_THAT(store.Stat("x"), testing::StatusIs(StatusCode::kNotFound));
  ASSERT_OK(writer->Commit());
  ASSERT_OK_AND_ASSIGN(ObjectInfo info, store.Stat("x"));
  EXPECT_EQ(info.size, 3u);
}

}  // namespace
}  // namespace hdhub::storage

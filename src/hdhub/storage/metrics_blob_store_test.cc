#include "hdhub/storage/metrics_blob_store.h"

#include "hdhub/common/status_matchers.h"
#include "hdhub/storage/blob_store_conformance.h"
#include "hdhub/storage/memory_blob_store.h"

namespace hdhub::storage {
namespace {

using ::hdhub::testing::StatusIs;

INSTANTIATE_BLOB_STORE_CONFORMANCE(MetricsOverMemory, [](const std::filesystem::path&) {
  return StatusOr<std::unique_ptr<BlobStore>>(
      std::make_unique<MetricsBlobStore>(std::make_unique<MemoryBlobStore>()));
});

TEST(MetricsBlobStoreTest, CountsCallsErrorsAndBytes) {
  MemoryBlobStore base;
  MetricsBlobStore store(&base);
  ASSERT_OK(store.Put("x", AsBytes("hello")));
  ASSERT_OK_AND_ASSIGN(auto writer, store.NewWriter("y"));
  ASSERT_OK(writer->Append(AsBytes("abc")));
  ASSERT_OK(writer->Commit());
  ASSERT_OK(store.Get("x"));
  ASSERT_OK(store.GetRange("x", 1, 2));
  ASSERT_OK_AND_ASSIGN(auto reader, store.OpenReader("y"));
  Bytes out(3);
  ASSERT_OK(reader->ReadAt(0, out));
  EXPECT_THAT(store.Get("missing"), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(store.Delete("missing"), StatusIs(StatusCode::kNotFound));

  BlobStoreMetrics metrics = store.Snapshot();
  EXPECT_EQ(metrics.calls_of(BlobOperation::kPut), 1u);
  EXPECT_EQ(metrics.calls_of(BlobOperation::kAppend), 1u);
  EXPECT_EQ(metrics.calls_of(BlobOperation::kCommit), 1u);
  EXPECT_EQ(metrics.calls_of(BlobOperation::kGet), 2u);
  EXPECT_EQ(metrics.errors_of(BlobOperation::kGet), 1u);
  EXPECT_EQ(metrics.errors_of(BlobOperation::kDelete), 1u);
  EXPECT_EQ(metrics.calls_of(BlobOperation::kReadAt), 1u);
  EXPECT_EQ(metrics.bytes_written, 8u);
  EXPECT_EQ(metrics.bytes_read, 5u + 2u + 3u);
}

TEST(BlobOperationNameTest, NamesEveryOperation) {
  EXPECT_EQ(BlobOperationName(BlobOperation::kPut), "Put");
  EXPECT_EQ(BlobOperationName(BlobOperation::kReadAt), "ReadAt");
  EXPECT_EQ(BlobOperationName(BlobOperation::kDelete), "Delete");
}

}  // namespace
}  // namespace hdhub::storage

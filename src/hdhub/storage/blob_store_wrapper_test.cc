#include "hdhub/storage/blob_store_wrapper.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hdhub/common/status_matchers.h"
#include "hdhub/storage/blob_store_conformance.h"
#include "hdhub/storage/memory_blob_store.h"

namespace hdhub::storage {
namespace {

using ::hdhub::testing::StatusIs;

// A wrapper that changes nothing behaves like the store it wraps.
INSTANTIATE_BLOB_STORE_CONFORMANCE(WrapperOverMemory, [](const std::filesystem::path&) {
  return StatusOr<std::unique_ptr<BlobStore>>(std::make_unique<BlobStoreWrapper>(std::make_unique<MemoryBlobStore>()));
});

// A decorator that overrides one method: Delete is refused, all else passes.
class NoDeleteBlobStore : public BlobStoreWrapper {
 public:
  using BlobStoreWrapper::BlobStoreWrapper;
  Status Delete(std::string_view name) override { return PermissionDeniedError("no delete of " + std::string(name)); }
};

TEST(BlobStoreWrapperTest, ADecoratorOverridesOneMethodAndForwardsTheRest) {
  MemoryBlobStore base;
  NoDeleteBlobStore store(&base);
  ASSERT_OK(store.Put("a", AsBytes("abc")));
  ASSERT_OK_AND_ASSIGN(auto writer, store.NewWriter("b"));
  ASSERT_OK(writer->Append(AsBytes("de")));
  ASSERT_OK(writer->Commit());
  EXPECT_THAT(store.Delete("a"), StatusIs(StatusCode::kPermissionDenied));
  ASSERT_OK_AND_ASSIGN(std::vector<ObjectInfo> listed, base.List(""));
  EXPECT_EQ(listed.size(), 2u) << "writes reached the wrapped store; the delete did not";
  ASSERT_OK_AND_ASSIGN(Bytes range, store.GetRange("a", 1, 2));
  EXPECT_EQ(AsStringView(range), "bc");
  EXPECT_EQ(store.Describe(), base.Describe());
  EXPECT_EQ(store.base(), &base);
}

TEST(BlobStoreWrapperTest, ReaderAndWriterWrappersForward) {
  MemoryBlobStore base;
  ASSERT_OK_AND_ASSIGN(auto inner_writer, base.NewWriter("x"));
  BlobWriterWrapper writer(std::move(inner_writer));
  ASSERT_OK(writer.Append(AsBytes("hello")));
  EXPECT_EQ(writer.bytes_written(), 5u);
  ASSERT_OK(writer.Commit());
  ASSERT_OK_AND_ASSIGN(auto inner_reader, base.OpenReader("x"));
  BlobReaderWrapper reader(std::move(inner_reader));
  EXPECT_EQ(reader.size(), 5u);
  Bytes out(4);
  ASSERT_OK(reader.ReadAt(1, out));
  EXPECT_EQ(AsStringView(out), "ello");
}

}  // namespace
}  // namespace hdhub::storage

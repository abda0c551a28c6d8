#include "hdhub/storage/fault_injecting_blob_store.h"

#include "hdhub/common/status_matchers.h"
#include "hdhub/storage/blob_store_conformance.h"
#include "hdhub/storage/memory_blob_store.h"

namespace hdhub::storage {
namespace {

using ::hdhub::testing::StatusIs;
using ::hdhub::testing::TestPattern;

INSTANTIATE_BLOB_STORE_CONFORMANCE(FaultInjectingOverMemory, [](const std::filesystem::path&) {
  return StatusOr<std::unique_ptr<BlobStore>>(
      std::make_unique<FaultInjectingBlobStore>(std::make_unique<MemoryBlobStore>()));
});

class FaultInjectingBlobStoreTest : public ::testing::Test {
 protected:
  MemoryBlobStore base_;
  FaultInjectingBlobStore store_{&base_};
};

TEST_F(FaultInjectingBlobStoreTest, FailNextFailsExactlyCountCallsWithoutReachingBase) {
  store_.FailNext(BlobOperation::kPut, UnavailableError("host down"), 2);
  EXPECT_THAT(store_.Put("x", AsBytes("1")), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(store_.Put("x", AsBytes("1")), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(base_.Stat("x"), StatusIs(StatusCode::kNotFound));
  EXPECT_OK(store_.Put("x", AsBytes("1")));
  EXPECT_EQ(store_.calls(BlobOperation::kPut), 3u);
  EXPECT_EQ(store_.calls(BlobOperation::kGet), 0u);
}

TEST_F(FaultInjectingBlobStoreTest, QueuedFailuresComeInOrderPerOperation) {
  ASSERT_OK(base_.Put("x", AsBytes("1")));
  store_.FailNext(BlobOperation::kGet, UnavailableError("a"));
  store_.FailNext(BlobOperation::kGet, PermissionDeniedError("b"));
  EXPECT_OK(store_.Stat("x"));
  EXPECT_THAT(store_.Get("x"), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(store_.Get("x"), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_OK(store_.Get("x"));
}

TEST_F(FaultInjectingBlobStoreTest, EveryOperationCanFail) {
  ASSERT_OK(base_.Put("x", AsBytes("abc")));
  for (size_t i = 0; i < kBlobOperationCount; ++i) {
    store_.FailNext(static_cast<BlobOperation>(i), InternalError("injected"));
  }
  EXPECT_THAT(store_.Put("y", AsBytes("1")), StatusIs(StatusCode::kInternal));
  EXPECT_THAT(store_.NewWriter("y"), StatusIs(StatusCode::kInternal));
  EXPECT_THAT(store_.Get("x"), StatusIs(StatusCode::kInternal));
  EXPECT_THAT(store_.GetRange("x", 0, 1), StatusIs(StatusCode::kInternal));
  EXPECT_THAT(store_.OpenReader("x"), StatusIs(StatusCode::kInternal));
  EXPECT_THAT(store_.Stat("x"), StatusIs(StatusCode::kInternal));
  EXPECT_THAT(store_.List(""), StatusIs(StatusCode::kInternal));
  EXPECT_THAT(store_.Delete("x"), StatusIs(StatusCode::kInternal));
  ASSERT_OK_AND_ASSIGN(auto reader, store_.OpenReader("x"));
  Bytes out(1);
  EXPECT_THAT(reader->ReadAt(0, out), StatusIs(StatusCode::kInternal));
  ASSERT_OK_AND_ASSIGN(auto writer, store_.NewWriter("y"));
  EXPECT_THAT(writer->Append(AsBytes("1")), StatusIs(StatusCode::kInternal));
  ASSERT_OK_AND_ASSIGN(auto writer2, store_.NewWriter("y"));
  EXPECT_THAT(writer2->Commit(), StatusIs(StatusCode::kInternal));
  EXPECT_THAT(base_.Stat("y"), StatusIs(StatusCode::kNotFound));
}

TEST_F(FaultInjectingBlobStoreTest, AppendLimitCutsTheWriteAndForbidsCommit) {
  ASSERT_OK(base_.Put("x", AsBytes("old")));
  store_.FailAppendsAfter(10, UnavailableError("crash"));
  ASSERT_OK_AND_ASSIGN(auto writer, store_.NewWriter("x"));
  ASSERT_OK(writer->Append(TestPattern(6, 1)));
  EXPECT_THAT(writer->Append(TestPattern(6, 2)), StatusIs(StatusCode::kUnavailable));
  EXPECT_EQ(writer->bytes_written(), 10u);
  EXPECT_THAT(writer->Commit(), StatusIs(StatusCode::kFailedPrecondition));
  writer.reset();
  ASSERT_OK_AND_ASSIGN(Bytes got, base_.Get("x"));
  EXPECT_EQ(AsStringView(got), "old");
}

TEST_F(FaultInjectingBlobStoreTest, FlipBitOnReadCorruptsOnlyThatByte) {
  Bytes data = TestPattern(100, 3);
  ASSERT_OK(base_.Put("x", data));
  store_.FlipBitOnRead(50, 3);
  Bytes expected = data;
  expected[50] ^= 0x08;
  ASSERT_OK_AND_ASSIGN(Bytes whole, store_.Get("x"));
  EXPECT_EQ(whole, expected);
  ASSERT_OK_AND_ASSIGN(Bytes range, store_.GetRange("x", 40, 20));
  EXPECT_EQ(range, Bytes(expected.begin() + 40, expected.begin() + 60));
  ASSERT_OK_AND_ASSIGN(Bytes before, store_.GetRange("x", 0, 50));
  EXPECT_EQ(before, Bytes(data.begin(), data.begin() + 50));
  ASSERT_OK_AND_ASSIGN(auto reader, store_.OpenReader("x"));
  Bytes out(1);
  ASSERT_OK(reader->ReadAt(50, out));
  EXPECT_EQ(out[0], expected[50]);
  ASSERT_OK_AND_ASSIGN(Bytes stored, base_.Get("x"));
  EXPECT_EQ(stored, data);
}

TEST_F(FaultInjectingBlobStoreTest, ClearFaultsRestoresPassThrough) {
  ASSERT_OK(base_.Put("x", AsBytes("abc")));
  store_.FailNext(BlobOperation::kGet, InternalError("x"), 5);
  store_.FlipBitOnRead(0);
  store_.FailAppendsAfter(0, InternalError("x"));
  store_.ClearFaults();
  ASSERT_OK_AND_ASSIGN(Bytes got, store_.Get("x"));
  EXPECT_EQ(AsStringView(got), "abc");
  EXPECT_OK(store_.Put("y", AsBytes("def")));
}

}  // namespace
}  // namespace hdhub::storage

#include "hdhub/storage/retrying_blob_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hdhub/common/status_matchers.h"
#include "hdhub/storage/blob_store_conformance.h"
#include "hdhub/storage/fault_injecting_blob_store.h"
#include "hdhub/storage/memory_blob_store.h"

namespace hdhub::storage {
namespace {

using ::hdhub::testing::IsOkAndHolds;
using ::hdhub::testing::StatusIs;
using ::hdhub::testing::TestPattern;
using std::chrono::milliseconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

INSTANTIATE_BLOB_STORE_CONFORMANCE(RetryingMemory, [](const std::filesystem::path&) {
  return StatusOr<std::unique_ptr<BlobStore>>(
      std::make_unique<RetryingBlobStore>(std::make_unique<MemoryBlobStore>(), RetryOptions{}, 1024));
});

// Performs the call on the base store, then reports it failed: a host whose
// answer was lost after it acted.
class LosesAnswers : public BlobStoreWrapper {
 public:
  using BlobStoreWrapper::BlobStoreWrapper;
  int lose_puts = 0;
  int lose_deletes = 0;
  Status Put(std::string_view name, ByteSpan data, WriteMode mode) override {
    Status status = BlobStoreWrapper::Put(name, data, mode);
    if (lose_puts > 0) {
      --lose_puts;
      return UnavailableError("answer lost");
    }
    return status;
  }
  Status Delete(std::string_view name) override {
    Status status = BlobStoreWrapper::Delete(name);
    if (lose_deletes > 0) {
      --lose_deletes;
      return UnavailableError("answer lost");
    }
    return status;
  }
};

class RetryingBlobStoreTest : public ::testing::Test {
 protected:
  RetryOptions Options(int attempts) {
    RetryOptions options;
    options.max_attempts = attempts;
    options.initial_backoff = milliseconds(100);
    options.max_backoff = milliseconds(1000);
    options.max_total = milliseconds(100'000);
    options.sleep = [this](milliseconds wait) { waits_.push_back(wait.count()); };
    options.jitter = [](uint64_t bound) { return bound; };  // the ceiling, to see it
    return options;
  }
  MemoryBlobStore memory_;
  std::vector<int64_t> waits_;
};

TEST_F(RetryingBlobStoreTest, TransientFailuresAreRetriedWithCappedExponentialBackoff) {
  FaultInjectingBlobStore faults(&memory_);
  RetryingBlobStore store(&faults, Options(10));
  ASSERT_OK(memory_.Put("x", TestPattern(5, 1)));
  faults.FailNext(BlobOperation::kGet, UnavailableError("503"), 6);
  EXPECT_THAT(store.Get("x"), IsOkAndHolds(TestPattern(5, 1)));
  EXPECT_THAT(waits_, ElementsAre(100, 200, 400, 800, 1000, 1000));
}

TEST_F(RetryingBlobStoreTest, GivesUpAfterMaxAttempts) {
  FaultInjectingBlobStore faults(&memory_);
  RetryingBlobStore store(&faults, Options(3));
  faults.FailNext(BlobOperation::kStat, UnavailableError("503"), 10);
  EXPECT_THAT(store.Stat("x"), StatusIs(StatusCode::kUnavailable, HasSubstr("after 3 attempts")));
  EXPECT_EQ(faults.calls(BlobOperation::kStat), 3u);
}

TEST_F(RetryingBlobStoreTest, GivesUpWhenTotalTimeWouldBeExceeded) {
  FaultInjectingBlobStore faults(&memory_);
  RetryOptions options = Options(100);
  options.max_total = milliseconds(1000);
  RetryingBlobStore store(&faults, options);
  faults.FailNext(BlobOperation::kList, UnavailableError("503"), 100);
  EXPECT_THAT(store.List(""), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(waits_, ElementsAre(100, 200, 400));  // +800 would pass 1000 ms
}

TEST_F(RetryingBlobStoreTest, JitterIsDrawnBelowTheCeiling) {
  FaultInjectingBlobStore faults(&memory_);
  RetryOptions options = Options(50);
  options.jitter = nullptr;  // the default random source
  RetryingBlobStore store(&faults, options);
  faults.FailNext(BlobOperation::kList, UnavailableError("503"), 40);
  ASSERT_OK(store.List(""));
  ASSERT_EQ(waits_.size(), 40u);
  for (size_t i = 0; i < waits_.size(); ++i)
    EXPECT_LE(waits_[i], std::min<int64_t>(int64_t{100} << std::min<size_t>(i, 20), 1000));
  EXPECT_NE(std::count(waits_.begin(), waits_.end(), waits_[39]), 40);  // not a constant
}

TEST_F(RetryingBlobStoreTest, PermanentErrorsAreNotRetried) {
  FaultInjectingBlobStore faults(&memory_);
  RetryingBlobStore store(&faults, Options(5));
  EXPECT_THAT(store.Get("missing"), StatusIs(StatusCode::kNotFound));
  faults.FailNext(BlobOperation::kGet, PermissionDeniedError("403"), 1);
  EXPECT_THAT(store.Get("missing"), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_TRUE(waits_.empty());
}

TEST_F(RetryingBlobStoreTest, CreateIfAbsentAfterLostAnswerIsOurOwnWrite) {
  LosesAnswers host(&memory_);
  host.lose_puts = 1;
  RetryingBlobStore store(&host, Options(5));
  ASSERT_OK(store.Put("once", TestPattern(10, 1), WriteMode::kIfAbsent));
  EXPECT_THAT(memory_.Get("once"), IsOkAndHolds(TestPattern(10, 1)));
}

TEST_F(RetryingBlobStoreTest, CreateIfAbsentAfterLostAnswerStillSeesOthersObject) {
  ASSERT_OK(memory_.Put("taken", TestPattern(10, 1)));
  LosesAnswers host(&memory_);
  host.lose_puts = 1;
  RetryingBlobStore store(&host, Options(5));
  EXPECT_THAT(store.Put("taken", TestPattern(10, 2), WriteMode::kIfAbsent), StatusIs(StatusCode::kAlreadyExists));
  EXPECT_THAT(memory_.Get("taken"), IsOkAndHolds(TestPattern(10, 1)));
}

TEST_F(RetryingBlobStoreTest, CreateIfAbsentWithoutAmbiguityReportsExisting) {
  ASSERT_OK(memory_.Put("taken", TestPattern(10, 1)));
  RetryingBlobStore store(&memory_, Options(5));
  // Same bytes, but no earlier attempt of ours: AlreadyExists, as the interface says.
  EXPECT_THAT(store.Put("taken", TestPattern(10, 1), WriteMode::kIfAbsent), StatusIs(StatusCode::kAlreadyExists));
}

TEST_F(RetryingBlobStoreTest, DeleteAfterLostAnswerSucceeds) {
  ASSERT_OK(memory_.Put("d", TestPattern(3, 1)));
  LosesAnswers host(&memory_);
  host.lose_deletes = 1;
  RetryingBlobStore store(&host, Options(5));
  ASSERT_OK(store.Delete("d"));
  EXPECT_THAT(store.Delete("d"), StatusIs(StatusCode::kNotFound));
}

TEST_F(RetryingBlobStoreTest, ReaderRetriesReadAt) {
  FaultInjectingBlobStore faults(&memory_);
  RetryingBlobStore store(&faults, Options(5));
  const Bytes data = TestPattern(100, 1);
  ASSERT_OK(memory_.Put("r", data));
  ASSERT_OK_AND_ASSIGN(auto reader, store.OpenReader("r"));
  faults.FailNext(BlobOperation::kReadAt, UnavailableError("reset"), 2);
  Bytes out(10);
  ASSERT_OK(reader->ReadAt(5, out));
  EXPECT_EQ(out, Bytes(data.begin() + 5, data.begin() + 15));
}

TEST_F(RetryingBlobStoreTest, SmallWriterCommitIsARetriedPut) {
  FaultInjectingBlobStore faults(&memory_);
  RetryingBlobStore store(&faults, Options(5), 1024);
  ASSERT_OK_AND_ASSIGN(auto writer, store.NewWriter("w"));
  ASSERT_OK(writer->Append(TestPattern(100, 1)));
  faults.FailNext(BlobOperation::kPut, UnavailableError("503"), 2);
  ASSERT_OK(writer->Commit());
  EXPECT_THAT(memory_.Get("w"), IsOkAndHolds(TestPattern(100, 1)));
  EXPECT_EQ(faults.calls(BlobOperation::kPut), 3u);
}

TEST_F(RetryingBlobStoreTest, LargeWriterStreamsIntoBaseWriter) {
  FaultInjectingBlobStore faults(&memory_);
  RetryingBlobStore store(&faults, Options(5), 1024);
  ASSERT_OK_AND_ASSIGN(auto writer, store.NewWriter("w"));
  ASSERT_OK(writer->Append(TestPattern(600, 1)));
  EXPECT_EQ(faults.calls(BlobOperation::kNewWriter), 0u);
  ASSERT_OK(writer->Append(TestPattern(600, 2)));
  EXPECT_EQ(faults.calls(BlobOperation::kNewWriter), 1u);
  EXPECT_EQ(writer->bytes_written(), 1200u);
  ASSERT_OK(writer->Commit());
  ASSERT_OK_AND_ASSIGN(Bytes got, memory_.Get("w"));
  EXPECT_EQ(got.size(), 1200u);
  EXPECT_EQ(faults.calls(BlobOperation::kPut), 0u);
}

}  // namespace
}  // namespace hdhub::storage

// Faults between hdhub and a real radosgw, injected at the curl level
// (S3ClientOptions::fault_hook_for_test): 503/SlowDown storms, answers lost
// after the host acted, connections cut mid-upload (single PUT and multipart
// part), stalls past the timeout. Each test checks that nothing is lost or
// half-visible and that retries succeed or fail cleanly.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "hdhub/common/status_matchers.h"
#include "hdhub/s3/s3_blob_store.h"
#include "hdhub/s3/s3_test_util.h"
#include "hdhub/storage/blob_store_conformance.h"
#include "hdhub/storage/retrying_blob_store.h"

namespace hdhub::s3 {
namespace {

using ::hdhub::testing::IsOkAndHolds;
using ::hdhub::testing::StatusIs;
using ::hdhub::testing::TestPattern;
using storage::RetryingBlobStore;
using storage::RetryOptions;
using storage::WriteMode;
using ::testing::HasSubstr;
using Kind = FaultAction::Kind;

bool IsPut(const HttpRequest& r) { return r.method == "PUT"; }
bool IsPart(const HttpRequest& r, int number) {
  for (const auto& [name, value] : r.query) {
    if (name == "partNumber" && value == std::to_string(number)) return true;
  }
  return false;
}
bool IsConditional(const HttpRequest& r) {
  for (const std::string& h : r.headers) {
    if (h.starts_with("If-None-Match")) return true;
  }
  return false;
}

// A store on radosgw whose requests pass through `hook`, wrapped in a
// RetryingBlobStore that records its waits instead of sleeping.
class S3FaultTest : public ::testing::Test {
 protected:
  void Open(FaultHookForTest hook, int attempts = 5, std::function<void(S3Options&)> adjust = nullptr) {
    auto s3 = MakeRgwStore([&](S3Options& o) {
      o.client.fault_hook_for_test = hook;
      o.request_retry.max_attempts = attempts;
      if (adjust) adjust(o);
    });
    ASSERT_OK(s3);
    s3_ = s3->get();
    RetryOptions retry;
    retry.max_attempts = attempts;
    retry.sleep = [this](std::chrono::milliseconds wait) {
      std::lock_guard<std::mutex> lock(mu_);
      waits_.push_back(wait);
    };
    store_ = std::make_unique<RetryingBlobStore>(std::move(s3).value(), retry);
  }

  S3BlobStore* s3_ = nullptr;  // owned by store_
  std::unique_ptr<RetryingBlobStore> store_;
  std::mutex mu_;
  std::vector<std::chrono::milliseconds> waits_;
};

TEST_F(S3FaultTest, SlowDownStormIsRetriedUntilPutSucceeds) {
  std::atomic<int> rejected{0};
  Open([&](const HttpRequest& r) {
    if (IsPut(r) && rejected < 3) {
      ++rejected;
      return FaultAction{.kind = Kind::kRespond, .status = 503};
    }
    return FaultAction{};
  });
  ASSERT_OK(store_->Put("storm", TestPattern(100, 1)));
  EXPECT_EQ(rejected.load(), 3);
  EXPECT_EQ(waits_.size(), 3u);
  EXPECT_THAT(store_->Get("storm"), IsOkAndHolds(TestPattern(100, 1)));
}

TEST_F(S3FaultTest, TooManyRequestsIsRetried) {
  std::atomic<int> rejected{0};
  Open([&](const HttpRequest& r) {
    if (r.method == "GET" && rejected++ == 0) return FaultAction{.kind = Kind::kRespond, .status = 429};
    return FaultAction{};
  });
  ASSERT_OK(s3_->Put("x", TestPattern(10, 1)));
  EXPECT_THAT(store_->Get("x"), IsOkAndHolds(TestPattern(10, 1)));
}

TEST_F(S3FaultTest, EndlessStormFailsCleanlyWithUnavailable) {
  Open([](const HttpRequest& r) {
    return IsPut(r) ? FaultAction{.kind = Kind::kRespond, .status = 503} : FaultAction{};
  });
  EXPECT_THAT(store_->Put("never", TestPattern(10, 1)),
              StatusIs(StatusCode::kUnavailable, HasSubstr("after 5 attempts")));
  EXPECT_THAT(store_->Stat("never"), StatusIs(StatusCode::kNotFound));
}

TEST_F(S3FaultTest, PermissionDeniedIsNotRetried) {
  Open([](const HttpRequest&) { return FaultAction{.kind = Kind::kRespond, .status = 403}; });
  EXPECT_THAT(store_->Get("x"), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_TRUE(waits_.empty());
}

TEST_F(S3FaultTest, ConditionalCreateWhoseAnswerWasLostIsNotReportedAsExisting) {
  std::atomic<int> lost{0};
  Open([&](const HttpRequest& r) {
    if (IsPut(r) && IsConditional(r) && lost++ == 0) return FaultAction{.kind = Kind::kLoseResponse};
    return FaultAction{};
  });
  ASSERT_OK(store_->Put("once", TestPattern(64, 1), WriteMode::kIfAbsent));
  EXPECT_EQ(lost.load(), 2);  // the lost one, then the retry that met our own object (412)
  EXPECT_THAT(store_->Get("once"), IsOkAndHolds(TestPattern(64, 1)));
  // Someone else's object stays AlreadyExists, ambiguity or not.
  lost = 0;
  EXPECT_THAT(store_->Put("once", TestPattern(64, 2), WriteMode::kIfAbsent), StatusIs(StatusCode::kAlreadyExists));
  EXPECT_THAT(store_->Get("once"), IsOkAndHolds(TestPattern(64, 1)));
}

TEST_F(S3FaultTest, ConditionalWriterWhoseAnswerWasLostCommits) {
  std::atomic<int> lost{0};
  Open([&](const HttpRequest& r) {
    if (IsPut(r) && IsConditional(r) && lost++ == 0) return FaultAction{.kind = Kind::kLoseResponse};
    return FaultAction{};
  });
  ASSERT_OK_AND_ASSIGN(auto writer, store_->NewWriter("w", WriteMode::kIfAbsent));
  ASSERT_OK(writer->Append(TestPattern(1000, 3)));
  ASSERT_OK(writer->Commit());
  EXPECT_THAT(store_->Get("w"), IsOkAndHolds(TestPattern(1000, 3)));
}

TEST_F(S3FaultTest, ConnectionCutMidPutLeavesNothingThenRetrySucceeds) {
  std::atomic<int> cuts{0};
  Open([&](const HttpRequest& r) {
    if (IsPut(r) && cuts++ == 0) return FaultAction{.kind = Kind::kCutUploadAfter, .bytes = 1 << 20};
    return FaultAction{};
  });
  Bytes data = TestPattern(3 << 20, 4);
  EXPECT_THAT(s3_->Put("cut", data), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(s3_->Stat("cut"), StatusIs(StatusCode::kNotFound));  // nothing half-visible
  ASSERT_OK(store_->Put("cut", data));                             // the retrying store gets through
  ASSERT_OK_AND_ASSIGN(Bytes got, store_->Get("cut"));
  EXPECT_TRUE(got == data);
}

// A copy reads its source in one GET; cut mid-body, the retrying reader asks
// for the rest only, and the sink sees each byte once.
TEST_F(S3FaultTest, StreamCutMidAnswerResumesFromTheFirstByteNotTaken) {
  std::mutex mu;
  std::vector<std::string> ranges;  // of each GET, "" for none
  std::atomic<int> cuts{0};
  Open([&](const HttpRequest& r) {
    if (r.method != "GET" || r.key.find("streamed") == std::string::npos) return FaultAction{};
    std::string range;
    for (const std::string& h : r.headers) {
      if (h.starts_with("Range: ")) range = h.substr(7);
    }
    std::lock_guard lock(mu);
    ranges.push_back(range);
    if (cuts++ < 2) return FaultAction{.kind = Kind::kCutDownloadAfter, .bytes = 3 << 20};
    return FaultAction{};
  });
  Bytes data = TestPattern(20 << 20, 7);
  ASSERT_OK(store_->Put("streamed", data));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<storage::BlobReader> reader, store_->OpenReader("streamed"));
  Bytes got;
  ASSERT_OK(reader->ReadStream(0, data.size(), [&](ByteSpan piece) {
    got.insert(got.end(), piece.begin(), piece.end());
    return OkStatus();
  }));
  EXPECT_TRUE(got == data);
  ASSERT_EQ(ranges.size(), 3u);
  EXPECT_EQ(ranges[0], "");  // the whole object: no range
  // Each retry starts where the sink stopped, past the cut.
  ASSERT_TRUE(ranges[1].starts_with("bytes="));
  ASSERT_TRUE(ranges[2].starts_with("bytes="));
  const uint64_t second = std::stoull(ranges[1].substr(6)), third = std::stoull(ranges[2].substr(6));
  EXPECT_GE(second, uint64_t{3} << 20);
  EXPECT_GE(third, second + (uint64_t{3} << 20));
  EXPECT_TRUE(ranges[2].ends_with("-" + std::to_string(data.size() - 1)));
}

TEST_F(S3FaultTest, CopyWhoseSourceAnswerIsCutStillLandsWhole) {
  std::atomic<int> cuts{0};
  Open([&](const HttpRequest& r) {
    if (r.method == "GET" && r.key.ends_with("copy-from") && cuts++ == 0) {
      return FaultAction{.kind = Kind::kCutDownloadAfter, .bytes = 1 << 20};
    }
    return FaultAction{};
  });
  Bytes data = TestPattern(12 << 20, 8);
  ASSERT_OK(store_->Put("copy-from", data));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<storage::BlobReader> reader, store_->OpenReader("copy-from"));
  ASSERT_OK(store_->PutFrom("copy-to", *reader, crypto::Sha256(data)));
  EXPECT_EQ(cuts.load(), 2);
  ASSERT_OK_AND_ASSIGN(Bytes got, store_->Get("copy-to"));
  EXPECT_TRUE(got == data);
}

TEST_F(S3FaultTest, ConnectionCutMidMultipartPartIsRetried) {
  std::atomic<int> cuts{0};
  Open([&](const HttpRequest& r) {
    if (IsPart(r, 2) && cuts++ < 2) return FaultAction{.kind = Kind::kCutUploadAfter, .bytes = 1 << 20};
    return FaultAction{};
  });
  Bytes data = TestPattern(2 * kMinPartSize + 99, 5);
  ASSERT_OK_AND_ASSIGN(auto writer, s3_->NewWriter("mpu"));
  ASSERT_OK(writer->Append(data));
  ASSERT_OK(writer->Commit());
  EXPECT_EQ(cuts.load(), 3);  // part 2: cut, cut, then through
  ASSERT_OK_AND_ASSIGN(Bytes got, store_->Get("mpu"));
  EXPECT_TRUE(got == data);
  EXPECT_THAT(s3_->CountMultipartUploadsForTest(), IsOkAndHolds(0));
}

TEST_F(S3FaultTest, MultipartThatCannotFinishIsAbortedAndInvisible) {
  Open([](const HttpRequest& r) {
    return IsPart(r, 2) ? FaultAction{.kind = Kind::kCutUploadAfter, .bytes = 4096} : FaultAction{};
  });
  ASSERT_OK(s3_->Put("mpu", TestPattern(10, 1)));  // an older version that must survive
  ASSERT_OK_AND_ASSIGN(auto writer, s3_->NewWriter("mpu"));
  Status status = writer->Append(TestPattern(3 * kMinPartSize, 6));
  if (status.ok()) status = writer->Commit();
  EXPECT_THAT(status, StatusIs(StatusCode::kUnavailable));
  writer.reset();
  EXPECT_THAT(store_->Get("mpu"), IsOkAndHolds(TestPattern(10, 1)));
  EXPECT_THAT(s3_->CountMultipartUploadsForTest(), IsOkAndHolds(0));
}

TEST_F(S3FaultTest, LostCompleteAnswerStillCommits) {
  std::atomic<int> lost{0};
  Open([&](const HttpRequest& r) {
    bool complete = r.method == "POST" && !r.query.empty() && r.query[0].first == "uploadId";
    if (complete && lost++ == 0) return FaultAction{.kind = Kind::kLoseResponse};
    return FaultAction{};
  });
  Bytes data = TestPattern(kMinPartSize + 1, 7);
  ASSERT_OK(s3_->Put("mpu", data));
  ASSERT_OK_AND_ASSIGN(Bytes got, store_->Get("mpu"));
  EXPECT_TRUE(got == data);
}

TEST_F(S3FaultTest, WriterDroppedMidMultipartAbortsUpload) {
  Open([](const HttpRequest&) { return FaultAction{}; });
  {
    ASSERT_OK_AND_ASSIGN(auto writer, s3_->NewWriter("dropped"));
    ASSERT_OK(writer->Append(TestPattern(2 * kMinPartSize + 5, 8)));
    EXPECT_THAT(s3_->CountMultipartUploadsForTest(), IsOkAndHolds(1));
  }
  EXPECT_THAT(s3_->CountMultipartUploadsForTest(), IsOkAndHolds(0));
  EXPECT_THAT(store_->Stat("dropped"), StatusIs(StatusCode::kNotFound));
}

TEST_F(S3FaultTest, StalledAnswerTimesOutAndIsRetried) {
  std::atomic<int> stalls{0};
  Open(
      [&](const HttpRequest& r) {
        if (r.method == "GET" && stalls++ == 0)
          return FaultAction{.kind = Kind::kStall, .stall = std::chrono::milliseconds(4000)};
        return FaultAction{};
      },
      3, [](S3Options& o) { o.client.request_timeout = std::chrono::milliseconds(2000); });
  ASSERT_OK(store_->Put("slow", TestPattern(10, 9)));
  EXPECT_THAT(store_->Get("slow"), IsOkAndHolds(TestPattern(10, 9)));
  // The stalled GET and at least one retry (a loaded machine may make the
  // retry time out too).
  EXPECT_GE(stalls.load(), 2);
  stalls = 0;
  EXPECT_THAT(s3_->Get("slow"), StatusIs(StatusCode::kUnavailable, HasSubstr("s3://")));
}

TEST_F(S3FaultTest, HostWithoutConditionalPutFailsUnlessSingleWriter) {
  auto no_conditional = [](const HttpRequest& r) {
    return IsConditional(r) ? FaultAction{.kind = Kind::kRespond, .status = 501} : FaultAction{};
  };
  Open(no_conditional);
  EXPECT_THAT(store_->Put("c", TestPattern(5, 1), WriteMode::kIfAbsent),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("single-writer")));
  EXPECT_THAT(store_->Stat("c"), StatusIs(StatusCode::kNotFound));
  Open(no_conditional, 5, [](S3Options& o) { o.conditional_create = ConditionalCreate::kSingleWriter; });
  ASSERT_OK(store_->Put("c", TestPattern(5, 1), WriteMode::kIfAbsent));
  EXPECT_THAT(store_->Put("c", TestPattern(5, 2), WriteMode::kIfAbsent), StatusIs(StatusCode::kAlreadyExists));
  EXPECT_THAT(store_->Get("c"), IsOkAndHolds(TestPattern(5, 1)));
}

}  // namespace
}  // namespace hdhub::s3

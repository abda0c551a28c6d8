#include "hdhub/audit/file_audit_log.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "hdhub/audit/audit_log_conformance.h"
#include "hdhub/audit/checkpoint.h"
#include "hdhub/audit/segment.h"
#include "hdhub/audit/test_util.h"
#include "hdhub/common/file_lock.h"
#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"

namespace hdhub::audit {
namespace {

using ::hdhub::audit::testing::NumberedEvent;
using ::hdhub::audit::testing::TestSigner;
using ::hdhub::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

INSTANTIATE_AUDIT_LOG_CONFORMANCE(
    File, [](const std::filesystem::path& scratch, const Clock* clock) -> StatusOr<std::unique_ptr<AuditLog>> {
      ASSIGN_OR_RETURN(auto log, FileAuditLog::Open((scratch / "audit").string(), clock, TestSigner()));
      return std::unique_ptr<AuditLog>(std::move(log));
    });

// The same behaviours when checkpoints wait for an interval (hdhub serve).
INSTANTIATE_AUDIT_LOG_CONFORMANCE(
    FileCheckpointInterval,
    [](const std::filesystem::path& scratch, const Clock* clock) -> StatusOr<std::unique_ptr<AuditLog>> {
      ASSIGN_OR_RETURN(auto log, FileAuditLog::Open((scratch / "audit").string(), clock, TestSigner(),
                                                    {.checkpoint_interval = std::chrono::milliseconds(50)}));
      return std::unique_ptr<AuditLog>(std::move(log));
    });

class FileAuditLogTest : public ::testing::Test {
 protected:
  StatusOr<std::unique_ptr<FileAuditLog>> OpenLog(FileAuditLogOptions options = {}) {
    return FileAuditLog::Open(dir_.Sub("audit"), &clock_, TestSigner(), std::move(options));
  }
  std::string SegmentPath() const { return dir_.Sub("audit") + "/" + SegmentFileName(0); }
  std::string LockPath() const { return dir_.Sub("audit") + "/" + std::string(kAuditLockFile); }
  void AppendBytes(const std::string& path, std::string_view bytes) {
    std::ofstream(path, std::ios::binary | std::ios::app) << bytes;
  }

  FakeClock clock_{TimePoint(std::chrono::seconds(1'790'000'000))};
  ::hdhub::testing::TempDir dir_;
};

TEST_F(FileAuditLogTest, AppendsAreReadableProvableAndSurviveReopen) {
  {
    ASSERT_OK_AND_ASSIGN(auto log, OpenLog());
    for (int i = 0; i < 10; ++i) ASSERT_EQ(log->Append(NumberedEvent(i)).value_or(~0ull), uint64_t(i));
  }
  ASSERT_OK_AND_ASSIGN(auto log, OpenLog());
  EXPECT_EQ(log->Size(), 10u);
  EXPECT_EQ(log->recovery().torn_bytes, 0u);
  ASSERT_OK_AND_ASSIGN(std::string entry, log->ReadEntry(4));
  ASSERT_OK_AND_ASSIGN(Entry decoded, DecodeEntry(entry));
  EXPECT_EQ(decoded.seq, 4u);
  EXPECT_EQ(decoded.event.details["n"], 4);
  ASSERT_OK_AND_ASSIGN(Hash root, log->RootHash(10));
  EXPECT_OK(VerifyInclusion(4, 10, HashLeaf(AsBytes(entry)), log->InclusionProof(4, 10).value(), root));
  EXPECT_THAT(log->ReadEntry(10), StatusIs(StatusCode::kOutOfRange));
}

TEST_F(FileAuditLogTest, OpenWaitsWhileAnotherProcessHoldsTheDirectory) {
  std::filesystem::create_directories(dir_.Sub("audit"));
  auto held = FileLock::Acquire(LockPath(), std::chrono::milliseconds(0), "test");
  ASSERT_OK(held.status());
  std::thread releaser([&held] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    FileLock gone = std::move(*held);
  });
  auto log = OpenLog({.lock_wait = std::chrono::seconds(30)});
  releaser.join();
  EXPECT_OK(log.status());
}

// Fails on a log that holds the lock for its whole life (the Acquire below).
TEST_F(FileAuditLogTest, AppendAndOpenNameTheProcessHoldingTheDirectoryTooLong) {
  ASSERT_OK_AND_ASSIGN(auto log, OpenLog({.lock_wait = std::chrono::milliseconds(100)}));
  auto held = FileLock::Acquire(LockPath(), std::chrono::milliseconds(0), "test");
  ASSERT_OK(held.status());
  const auto busy = StatusIs(StatusCode::kFailedPrecondition,
                             AllOf(HasSubstr("the audit log in " + dir_.Sub("audit") + " is busy: held by pid " +
                                             std::to_string(::getpid()) + " ("),
                                   HasSubstr(") since 20")));
  EXPECT_THAT(log->Append(NumberedEvent(0)), busy);
  EXPECT_THAT(OpenLog({.lock_wait = std::chrono::milliseconds(10)}), busy);
  EXPECT_EQ(log->Size(), 0u);
  { FileLock gone = std::move(*held); }
  // Waiting in vain wrote nothing: the log is not broken.
  EXPECT_EQ(log->Append(NumberedEvent(0)).value_or(~0ull), 0u);
}

TEST_F(FileAuditLogTest, EachBatchPublishesASignedCheckpoint) {
  std::vector<std::string> published;
  FileAuditLogOptions options;
  options.publish_checkpoint = [&](std::string_view cp) {
    published.emplace_back(cp);
    return OkStatus();
  };
  ASSERT_OK_AND_ASSIGN(auto log, OpenLog(options));
  std::vector<Event> batch = {NumberedEvent(0), NumberedEvent(1), NumberedEvent(2)};
  ASSERT_EQ(log->AppendBatch(batch).value_or(~0ull), 0u);
  ASSERT_EQ(published.size(), 2u);  // the empty log on open, then the batch
  auto verifier = Ed25519Verifier::FromVerifierKey(log->signer().VerifierKey()).value();
  ASSERT_OK_AND_ASSIGN(VerifiedCheckpoint cp, OpenSignedCheckpoint(published.back(), *verifier));
  EXPECT_EQ(cp.checkpoint.origin, "hub.test/audit");
  EXPECT_EQ(cp.checkpoint.size, 3u);
  EXPECT_EQ(cp.checkpoint.root, log->RootHash(3).value());
  std::ifstream file(dir_.Sub("audit") + "/checkpoint");
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(file), {}), published.back());
}

TEST_F(FileAuditLogTest, FailingPublishHookFailsTheAppend) {
  FileAuditLogOptions options;
  bool fail = false;
  options.publish_checkpoint = [&](std::string_view) { return fail ? UnavailableError("host down") : OkStatus(); };
  ASSERT_OK_AND_ASSIGN(auto log, OpenLog(options));
  fail = true;
  EXPECT_THAT(log->Append(NumberedEvent(0)), StatusIs(StatusCode::kUnavailable, HasSubstr("checkpoint")));
}

// The sizes of the checkpoints the hook was given, from any thread.
class PublishedSizes {
 public:
  std::function<Status(std::string_view)> Hook() {
    return [this](std::string_view note) -> Status {
      if (fail_) return UnavailableError("host down");
      auto verifier = Ed25519Verifier::FromVerifierKey(TestSigner()->VerifierKey()).value();
      ASSIGN_OR_RETURN(VerifiedCheckpoint cp, OpenSignedCheckpoint(note, *verifier));
      std::lock_guard lock(mu_);
      sizes_.push_back(cp.checkpoint.size);
      return OkStatus();
    };
  }
  std::vector<uint64_t> sizes() {
    std::lock_guard lock(mu_);
    return sizes_;
  }
  // Waits up to 10 s for a checkpoint of `size`.
  bool AwaitSize(uint64_t size) {
    for (int i = 0; i < 1000; ++i) {
      if (std::vector<uint64_t> s = sizes(); !s.empty() && s.back() == size) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
  std::atomic<bool> fail_ = false;

 private:
  std::mutex mu_;
  std::vector<uint64_t> sizes_;
};

TEST_F(FileAuditLogTest, WithAnIntervalEntriesAreDurableAtOnceAndCoveredWithinIt) {
  PublishedSizes published;
  ASSERT_OK_AND_ASSIGN(auto log, OpenLog({.publish_checkpoint = published.Hook(),
                                          .checkpoint_interval = std::chrono::milliseconds(400)}));
  for (int i = 0; i < 5; ++i) ASSERT_EQ(log->Append(NumberedEvent(i)).value_or(~0ull), uint64_t(i));
  // Not yet signed (the interval started at the opening's checkpoint).
  EXPECT_EQ(published.sizes(), std::vector<uint64_t>({0}));
  ASSERT_TRUE(published.AwaitSize(5)) << ::testing::PrintToString(published.sizes());
  EXPECT_EQ(published.sizes(), std::vector<uint64_t>({0, 5}));
  std::ifstream file(dir_.Sub("audit") + "/checkpoint");
  auto verifier = Ed25519Verifier::FromVerifierKey(log->signer().VerifierKey()).value();
  ASSERT_OK_AND_ASSIGN(VerifiedCheckpoint cp,
                       OpenSignedCheckpoint(std::string(std::istreambuf_iterator<char>(file), {}), *verifier));
  EXPECT_EQ(cp.checkpoint.size, 5u);
}

TEST_F(FileAuditLogTest, FlushAndClosingPublishWhatAnIntervalHeldBack) {
  PublishedSizes published;
  {
    ASSERT_OK_AND_ASSIGN(
        auto log, OpenLog({.publish_checkpoint = published.Hook(), .checkpoint_interval = std::chrono::hours(1)}));
    ASSERT_OK(log->Append(NumberedEvent(0)).status());
    ASSERT_OK(log->Append(NumberedEvent(1)).status());
    EXPECT_EQ(published.sizes(), std::vector<uint64_t>({0}));
    ASSERT_OK(log->Flush());
    EXPECT_EQ(published.sizes(), std::vector<uint64_t>({0, 2}));
    ASSERT_OK(log->Flush());  // nothing new: nothing signed
    ASSERT_OK(log->Append(NumberedEvent(2)).status());
  }
  EXPECT_EQ(published.sizes(), std::vector<uint64_t>({0, 2, 3}));
}

// Another process appended and published past what this log holds: its flush
// catches up and never signs a smaller checkpoint.
TEST_F(FileAuditLogTest, FlushNeverPublishesACheckpointBehindAnotherProcesss) {
  PublishedSizes published;
  ASSERT_OK_AND_ASSIGN(auto log,
                       OpenLog({.publish_checkpoint = published.Hook(), .checkpoint_interval = std::chrono::hours(1)}));
  ASSERT_OK(log->Append(NumberedEvent(0)).status());
  ASSERT_OK(log->Append(NumberedEvent(1)).status());
  {
    ASSERT_OK_AND_ASSIGN(auto other, OpenLog());
    ASSERT_OK(other->Append(NumberedEvent(2)).status());
  }
  ASSERT_OK(log->Flush());
  EXPECT_EQ(published.sizes(), std::vector<uint64_t>({0}));  // the other published size 3 itself
  auto verifier = Ed25519Verifier::FromVerifierKey(log->signer().VerifierKey()).value();
  ASSERT_OK_AND_ASSIGN(VerifiedCheckpoint cp, OpenSignedCheckpoint(log->LatestCheckpoint(), *verifier));
  EXPECT_EQ(cp.checkpoint.size, 3u);
}

TEST_F(FileAuditLogTest, AFailedDeferredPublicationFailsTheNextAppend) {
  PublishedSizes published;
  ASSERT_OK_AND_ASSIGN(auto log, OpenLog({.publish_checkpoint = published.Hook(),
                                          .checkpoint_interval = std::chrono::milliseconds(50)}));
  published.fail_ = true;
  ASSERT_OK(log->Append(NumberedEvent(0)).status());            // deferred: the host is not asked yet
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the flusher tried and failed
  EXPECT_THAT(log->Append(NumberedEvent(1)), StatusIs(StatusCode::kUnavailable, HasSubstr("checkpoint")));
  EXPECT_THAT(log->Flush(), StatusIs(StatusCode::kUnavailable));
  published.fail_ = false;
  ASSERT_OK(log->Append(NumberedEvent(2)).status());
  EXPECT_TRUE(published.AwaitSize(3));
}

TEST_F(FileAuditLogTest, ConcurrentAppendersGetDistinctDurableIndices) {
  ASSERT_OK_AND_ASSIGN(auto log, OpenLog());
  constexpr int kThreads = 8, kPerThread = 50;
  std::vector<std::vector<uint64_t>> got(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) got[t].push_back(log->Append(NumberedEvent(i)).value_or(~0ull));
    });
  }
  for (auto& th : threads) th.join();
  std::set<uint64_t> all;
  for (const auto& v : got) all.insert(v.begin(), v.end());
  EXPECT_EQ(all.size(), size_t{kThreads * kPerThread});
  EXPECT_EQ(*all.rbegin(), uint64_t{kThreads * kPerThread - 1});
  for (uint64_t i : {0, 123, 399}) EXPECT_EQ(DecodeEntry(log->ReadEntry(i).value())->seq, i);
}

TEST_F(FileAuditLogTest, SegmentsRotateAndStayReadable) {
  FileAuditLogOptions options;
  options.max_segment_bytes = 1024;
  {
    ASSERT_OK_AND_ASSIGN(auto log, OpenLog(options));
    for (int i = 0; i < 40; ++i) ASSERT_OK(log->Append(NumberedEvent(i)).status());
  }
  ASSERT_OK_AND_ASSIGN(auto segments, ListSegments(dir_.Sub("audit")));
  EXPECT_GT(segments.size(), 3u);
  ASSERT_OK_AND_ASSIGN(auto log, OpenLog(options));
  EXPECT_EQ(log->Size(), 40u);
  EXPECT_EQ(DecodeEntry(log->ReadEntry(39).value())->seq, 39u);
}

TEST_F(FileAuditLogTest, TornTailIsTruncatedAndReported) {
  { ASSERT_OK(OpenLog().value()->Append(NumberedEvent(0)).status()); }
  const auto clean_size = std::filesystem::file_size(SegmentPath());
  AppendBytes(SegmentPath(), std::string("\x00\x00\x01\x00partial", 11));
  ASSERT_OK_AND_ASSIGN(auto log, OpenLog());
  EXPECT_EQ(log->Size(), 1u);
  EXPECT_EQ(log->recovery().torn_bytes, 11u);
  EXPECT_EQ(std::filesystem::file_size(SegmentPath()), clean_size);
  ASSERT_EQ(log->Append(NumberedEvent(1)).value_or(~0ull), 1u);
}

TEST_F(FileAuditLogTest, ZeroFilledTailIsTreatedAsTorn) {
  { ASSERT_OK(OpenLog().value()->Append(NumberedEvent(0)).status()); }
  AppendBytes(SegmentPath(), std::string(100, '\0'));
  ASSERT_OK_AND_ASSIGN(auto log, OpenLog());
  EXPECT_EQ(log->Size(), 1u);
  EXPECT_EQ(log->recovery().torn_bytes, 100u);
}

TEST_F(FileAuditLogTest, SegmentWithATornHeaderIsReplaced) {
  FileAuditLogOptions options;
  options.max_segment_bytes = 1;  // every batch starts a new segment
  { auto log = OpenLog(options).value(); for (int i = 0; i < 2; ++i) ASSERT_OK(log->Append(NumberedEvent(i)).status()); }
  // A crash while creating the next segment left 5 bytes of its header.
  const std::string next = dir_.Sub("audit") + "/" + SegmentFileName(2);
  AppendBytes(next, "HDHAU");
  ASSERT_OK_AND_ASSIGN(auto log, OpenLog(options));
  EXPECT_EQ(log->Size(), 2u);
  EXPECT_EQ(log->recovery().torn_bytes, 5u);
  ASSERT_EQ(log->Append(NumberedEvent(2)).value_or(~0ull), 2u);
  EXPECT_EQ(DecodeEntry(log->ReadEntry(2).value())->seq, 2u);
}

TEST_F(FileAuditLogTest, MissingMiddleSegmentIsDataLoss) {
  FileAuditLogOptions options;
  options.max_segment_bytes = 1;
  { auto log = OpenLog(options).value(); for (int i = 0; i < 4; ++i) ASSERT_OK(log->Append(NumberedEvent(i)).status()); }
  std::filesystem::remove(dir_.Sub("audit") + "/" + SegmentFileName(1));
  EXPECT_THAT(OpenLog(options), StatusIs(StatusCode::kDataLoss, HasSubstr("missing")));
}

TEST_F(FileAuditLogTest, ASegmentRemovedWhileTheLogIsOpenFailsTheNextAppend) {
  FileAuditLogOptions options;
  options.max_segment_bytes = 1;  // every batch starts a new segment
  ASSERT_OK_AND_ASSIGN(auto log, OpenLog(options));
  for (int i = 0; i < 4; ++i) ASSERT_OK(log->Append(NumberedEvent(i)).status());
  std::filesystem::remove(dir_.Sub("audit") + "/" + SegmentFileName(1));
  EXPECT_THAT(log->Append(NumberedEvent(4)), StatusIs(StatusCode::kDataLoss, HasSubstr("is gone")));
}

TEST_F(FileAuditLogTest, TheLastSegmentReplacedWhileTheLogIsOpenFailsTheNextAppend) {
  FileAuditLogOptions options;
  options.max_segment_bytes = 1;
  ASSERT_OK_AND_ASSIGN(auto log, OpenLog(options));
  for (int i = 0; i < 4; ++i) ASSERT_OK(log->Append(NumberedEvent(i)).status());
  // The same bytes in another file, of the same size: appends would go to the old one.
  const std::string last = dir_.Sub("audit") + "/" + SegmentFileName(3);
  std::filesystem::copy_file(last, last + ".copy");
  std::filesystem::rename(last + ".copy", last);
  EXPECT_THAT(log->Append(NumberedEvent(4)), StatusIs(StatusCode::kDataLoss, HasSubstr("was replaced")));
}

TEST_F(FileAuditLogTest, CorruptedRecordInTheMiddleIsDataLoss) {
  { auto log = OpenLog().value(); for (int i = 0; i < 3; ++i) ASSERT_OK(log->Append(NumberedEvent(i)).status()); }
  std::fstream f(SegmentPath(), std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(kSegmentHeaderSize + kRecordHeaderSize + 5);
  f.put('X');
  f.close();
  EXPECT_THAT(OpenLog(), StatusIs(StatusCode::kDataLoss, HasSubstr("checksum")));
}

TEST_F(FileAuditLogTest, LogShorterThanItsCheckpointIsDataLoss) {
  { auto log = OpenLog().value(); for (int i = 0; i < 3; ++i) ASSERT_OK(log->Append(NumberedEvent(i)).status()); }
  // Cut the last acknowledged record in half: it looks torn, but the signed
  // checkpoint says it was acknowledged.
  std::filesystem::resize_file(SegmentPath(), std::filesystem::file_size(SegmentPath()) - 20);
  EXPECT_THAT(OpenLog(), StatusIs(StatusCode::kDataLoss, HasSubstr("checkpoint covers 3")));
}

// Fails the n-th Write or Sync call.
class FailingOps : public AuditFileOps {
 public:
  Status Write(int fd, std::string_view data) override {
    return --writes_left_ == 0 ? ResourceExhaustedError("disk full") : AuditFileOps::Write(fd, data);
  }
  Status Sync(int fd) override { return --syncs_left_ == 0 ? UnavailableError("EIO on fdatasync") : AuditFileOps::Sync(fd); }
  int writes_left_ = -1, syncs_left_ = -1;
};

TEST_F(FileAuditLogTest, FailedSyncFailsTheAppendAndLaterAppends) {
  FailingOps ops;
  FileAuditLogOptions options;
  options.file_ops_for_test = &ops;
  ASSERT_OK_AND_ASSIGN(auto log, OpenLog(options));
  ops.syncs_left_ = 1;
  EXPECT_THAT(log->Append(NumberedEvent(0)), StatusIs(StatusCode::kUnavailable, HasSubstr("fdatasync")));
  EXPECT_THAT(log->Append(NumberedEvent(1)), StatusIs(StatusCode::kFailedPrecondition, HasSubstr("reopened")));
  // The record reached the file before the sync failed: it is read back, by
  // this log as by any other (an attempt reported as failed may be logged).
  EXPECT_EQ(log->Size(), 1u);
}

TEST_F(FileAuditLogTest, FailedWriteFailsTheAppend) {
  FailingOps ops;
  FileAuditLogOptions options;
  options.file_ops_for_test = &ops;
  ASSERT_OK_AND_ASSIGN(auto log, OpenLog(options));
  ops.writes_left_ = 1;
  EXPECT_THAT(log->Append(NumberedEvent(0)), StatusIs(StatusCode::kResourceExhausted));
  EXPECT_EQ(log->Size(), 0u);
}

TEST_F(FileAuditLogTest, InvalidEventIsRejectedBeforeWriting) {
  ASSERT_OK_AND_ASSIGN(auto log, OpenLog());
  Event bad = NumberedEvent(0);
  bad.details["note"] = "free text here";
  EXPECT_THAT(log->Append(bad), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(log->Size(), 0u);
}

// A child appends in a loop and reports each acknowledged index through a
// pipe; it is killed with SIGKILL mid-stream. Every acknowledged entry must
// be there after reopening, and the tail must be clean.
TEST_F(FileAuditLogTest, AcknowledgedAppendsSurviveSigkill) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(fds[0]);
    auto log = OpenLog();
    if (!log.ok()) ::_exit(2);
    for (int i = 0;; ++i) {
      std::vector<Event> batch = {NumberedEvent(i), NumberedEvent(i)};
      auto index = (*log)->AppendBatch(batch);
      if (!index.ok()) ::_exit(3);
      uint64_t last = *index + 1;
      if (::write(fds[1], &last, sizeof(last)) != sizeof(last)) ::_exit(4);
    }
  }
  ::close(fds[1]);
  uint64_t acknowledged = 0, value = 0;
  while (acknowledged < 200 && ::read(fds[0], &value, sizeof(value)) == sizeof(value)) acknowledged = value;
  ::kill(child, SIGKILL);
  // Drain what the child acknowledged before it died.
  while (::read(fds[0], &value, sizeof(value)) == sizeof(value)) acknowledged = value;
  ::close(fds[0]);
  int wstatus = 0;
  ::waitpid(child, &wstatus, 0);
  ASSERT_TRUE(WIFSIGNALED(wstatus)) << "child exited early with " << WEXITSTATUS(wstatus);

  ASSERT_OK_AND_ASSIGN(auto log, OpenLog());
  EXPECT_GE(log->Size(), acknowledged + 1);
  for (uint64_t i = 0; i <= acknowledged; ++i) ASSERT_OK(DecodeEntry(log->ReadEntry(i).value()).status());
  ASSERT_OK_AND_ASSIGN(auto reopened, ScanSegment(SegmentPath(), 0, false,
                                                  [](uint64_t, std::string_view, const Hash&, uint64_t) { return OkStatus(); }));
  EXPECT_FALSE(reopened.torn_tail());
}

}  // namespace
}  // namespace hdhub::audit

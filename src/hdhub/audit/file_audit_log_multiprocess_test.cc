// Several FileAuditLogs on one directory: two objects in one process (as two
// processes see it: each has its own lock descriptions and memory), and real
// second processes made with fork(). Every test here fails on a log that
// locks its directory for as long as it is open.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "hdhub/audit/checkpoint.h"
#include "hdhub/audit/file_audit_log.h"
#include "hdhub/audit/hub_log.h"
#include "hdhub/audit/log_verifier.h"
#include "hdhub/audit/segment.h"
#include "hdhub/audit/test_util.h"
#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"

namespace hdhub::audit {
namespace {

using ::hdhub::audit::testing::NumberedEvent;
using ::hdhub::audit::testing::TestSigner;
using ::hdhub::testing::StatusIs;
using ::testing::HasSubstr;

constexpr int kThreads = 16;
constexpr int kPerThread = 25;
constexpr int kPerWriter = kThreads * kPerThread;

// Event number: which writer, which thread, which append.
int Tag(int writer, int thread, int i) { return writer * 1'000'000 + thread * 1'000 + i; }

// Appends from kThreads threads at once; true when every append succeeded.
bool AppendFromThreads(FileAuditLog& log, int writer) {
  std::atomic<bool> ok = true;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        if (!log.Append(NumberedEvent(Tag(writer, t, i))).ok()) ok = false;
      }
    });
  }
  for (auto& th : threads) th.join();
  return ok;
}

class FileAuditLogMultiProcessTest : public ::testing::Test {
 protected:
  std::string Dir() const { return dir_.Sub("audit"); }
  StatusOr<std::unique_ptr<FileAuditLog>> OpenLog(FileAuditLogOptions options = {}) {
    return FileAuditLog::Open(Dir(), &clock_, TestSigner(), std::move(options));
  }
  std::string SegmentPath(uint64_t first = 0) const { return Dir() + "/" + SegmentFileName(first); }

  // The directory verifies against its checkpoint, which covers every entry,
  // and holds each of `writers` x kPerWriter events exactly once.
  void ExpectEveryEventExactlyOnce(int writers) {
    auto verifier = Ed25519Verifier::FromVerifierKey(TestSigner()->VerifierKey()).value();
    ASSERT_OK_AND_ASSIGN(VerifyReport report, VerifyLogDirectory(Dir(), *verifier));
    EXPECT_EQ(report.entries, uint64_t(writers * kPerWriter));
    EXPECT_EQ(report.checkpoint.size, report.entries);
    std::map<int64_t, int> seen;
    ASSERT_OK(ForEachEntryReadOnly(Dir(), [&](uint64_t, std::string_view entry) {
      ASSIGN_OR_RETURN(Entry e, DecodeEntry(entry));
      ++seen[e.event.details["n"].get<int64_t>()];
      return OkStatus();
    }));
    EXPECT_EQ(seen.size(), size_t(writers * kPerWriter));
    for (int w = 0; w < writers; ++w) {
      for (int t = 0; t < kThreads; ++t) {
        for (int i = 0; i < kPerThread; ++i) EXPECT_EQ(seen[Tag(w, t, i)], 1) << Tag(w, t, i);
      }
    }
  }

  FakeClock clock_{TimePoint(std::chrono::seconds(1'790'000'000))};
  ::hdhub::testing::TempDir dir_;
};

TEST_F(FileAuditLogMultiProcessTest, TwoLogsOnOneDirectoryInterleaveAppendsFrom16ThreadsEach) {
  // Every checkpoint either log publishes, in the order they were published.
  std::mutex mu;
  std::vector<uint64_t> published;
  FileAuditLogOptions options;
  options.publish_checkpoint = [&](std::string_view note) {
    auto verifier = Ed25519Verifier::FromVerifierKey(TestSigner()->VerifierKey()).value();
    ASSIGN_OR_RETURN(VerifiedCheckpoint cp, OpenSignedCheckpoint(note, *verifier));
    std::lock_guard lock(mu);
    published.push_back(cp.checkpoint.size);
    return OkStatus();
  };
  ASSERT_OK_AND_ASSIGN(auto a, OpenLog(options));
  ASSERT_OK_AND_ASSIGN(auto b, OpenLog(options));
  bool a_ok = false, b_ok = false;
  std::thread ta([&] { a_ok = AppendFromThreads(*a, 0); });
  std::thread tb([&] { b_ok = AppendFromThreads(*b, 1); });
  ta.join();
  tb.join();
  ASSERT_TRUE(a_ok && b_ok);

  EXPECT_EQ(a->Size(), uint64_t(2 * kPerWriter));
  EXPECT_EQ(b->Size(), uint64_t(2 * kPerWriter));
  EXPECT_EQ(a->RootHash(2 * kPerWriter).value(), b->RootHash(2 * kPerWriter).value());
  EXPECT_EQ(a->LatestCheckpoint(), b->LatestCheckpoint());
  ExpectEveryEventExactlyOnce(2);
  // Checkpoints are signed and published under the lock: they never go back.
  ASSERT_FALSE(published.empty());
  EXPECT_TRUE(std::is_sorted(published.begin(), published.end()));
  EXPECT_EQ(published.back(), uint64_t(2 * kPerWriter));
}

TEST_F(FileAuditLogMultiProcessTest, TwoProcessesInterleaveAppendsFrom16ThreadsEach) {
  int go[2];
  ASSERT_EQ(::pipe(go), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(go[1]);
    char c;
    if (::read(go[0], &c, 1) != 1) ::_exit(2);
    auto log = OpenLog();
    if (!log.ok()) ::_exit(3);
    ::_exit(AppendFromThreads(**log, 1) ? 0 : 4);
  }
  ::close(go[0]);
  ASSERT_OK_AND_ASSIGN(auto log, OpenLog());
  ASSERT_EQ(::write(go[1], "g", 1), 1);
  ::close(go[1]);
  const bool ok = AppendFromThreads(*log, 0);
  int wstatus = 0;
  ::waitpid(child, &wstatus, 0);
  ASSERT_TRUE(WIFEXITED(wstatus));
  EXPECT_EQ(WEXITSTATUS(wstatus), 0) << "2: no go, 3: open failed, 4: an append failed";
  EXPECT_TRUE(ok);
  EXPECT_EQ(log->Size(), uint64_t(2 * kPerWriter));  // the read caught up with the child's appends
  ExpectEveryEventExactlyOnce(2);
}

TEST_F(FileAuditLogMultiProcessTest, EachLogReadsWhatTheOtherAppended) {
  ASSERT_OK_AND_ASSIGN(auto a, OpenLog());
  ASSERT_OK_AND_ASSIGN(auto b, OpenLog());
  std::vector<Event> batch = {NumberedEvent(0), NumberedEvent(1), NumberedEvent(2)};
  ASSERT_EQ(a->AppendBatch(batch).value_or(~0ull), 0u);
  EXPECT_EQ(b->Size(), 3u);
  EXPECT_EQ(b->ReadEntry(2).value(), a->ReadEntry(2).value());
  ASSERT_OK_AND_ASSIGN(Hash root, b->RootHash(3));
  EXPECT_EQ(root, a->RootHash(3).value());
  EXPECT_OK(VerifyInclusion(1, 3, b->LeafHash(1).value(), b->InclusionProof(1, 3).value(), root));
  EXPECT_EQ(b->LatestCheckpoint(), a->LatestCheckpoint());
  ASSERT_EQ(b->Append(NumberedEvent(3)).value_or(~0ull), 3u);
  EXPECT_OK(VerifyConsistency(3, 4, a->ConsistencyProof(3, 4).value(), root, a->RootHash(4).value()));
}

TEST_F(FileAuditLogMultiProcessTest, SegmentRolloverByOneLogIsFollowedByTheOther) {
  FileAuditLogOptions options;
  options.max_segment_bytes = 1;  // every group starts a segment
  ASSERT_OK_AND_ASSIGN(auto a, OpenLog(options));
  ASSERT_OK_AND_ASSIGN(auto b, OpenLog(options));
  for (uint64_t i = 0; i < 10; ++i) {
    FileAuditLog& log = i % 2 == 0 ? *a : *b;
    ASSERT_EQ(log.Append(NumberedEvent(int(i))).value_or(~0ull), i);
  }
  ASSERT_OK_AND_ASSIGN(auto segments, ListSegments(Dir()));
  EXPECT_EQ(segments.size(), 10u);  // one per append
  for (uint64_t i : {0, 5, 9}) {
    EXPECT_EQ(DecodeEntry(a->ReadEntry(i).value())->seq, i);
    EXPECT_EQ(DecodeEntry(b->ReadEntry(i).value())->seq, i);
  }
  auto verifier = Ed25519Verifier::FromVerifierKey(TestSigner()->VerifierKey()).value();
  EXPECT_EQ(VerifyLogDirectory(Dir(), *verifier).value().entries, 10u);
}

// Writes the first half of what it is given, then the process dies: a
// writer killed in the middle of write(), holding the lock.
class DyingOps : public AuditFileOps {
 public:
  Status Write(int fd, std::string_view data) override {
    if (!armed) return AuditFileOps::Write(fd, data);
    (void)AuditFileOps::Write(fd, data.substr(0, data.size() / 2));
    ::_exit(kDiedWriting);
  }
  static constexpr int kDiedWriting = 7;
  bool armed = false;
};

TEST_F(FileAuditLogMultiProcessTest, TornTailOfAKilledWriterIsTruncatedByTheOthersNextAppend) {
  ASSERT_OK_AND_ASSIGN(auto log, OpenLog());
  ASSERT_EQ(log->Append(NumberedEvent(0)).value_or(~0ull), 0u);
  const auto clean_size = std::filesystem::file_size(SegmentPath());
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    DyingOps ops;
    auto other = OpenLog({.file_ops_for_test = &ops});
    if (!other.ok()) ::_exit(2);
    ops.armed = true;
    (void)(*other)->Append(NumberedEvent(99));
    ::_exit(3);
  }
  int wstatus = 0;
  ::waitpid(child, &wstatus, 0);
  ASSERT_TRUE(WIFEXITED(wstatus));
  ASSERT_EQ(WEXITSTATUS(wstatus), DyingOps::kDiedWriting) << "2: the child could not open the log";
  const auto torn_size = std::filesystem::file_size(SegmentPath());
  ASSERT_GT(torn_size, clean_size);
  // Reads do not repair: the half record is not an entry, and stays.
  EXPECT_EQ(log->Size(), 1u);
  EXPECT_EQ(std::filesystem::file_size(SegmentPath()), torn_size);

  ASSERT_EQ(log->Append(NumberedEvent(1)).value_or(~0ull), 1u);
  EXPECT_EQ(log->recovery().torn_bytes, torn_size - clean_size);
  auto verifier = Ed25519Verifier::FromVerifierKey(TestSigner()->VerifierKey()).value();
  ASSERT_OK_AND_ASSIGN(VerifyReport report, VerifyLogDirectory(Dir(), *verifier));
  EXPECT_EQ(report.entries, 2u);
  EXPECT_EQ(report.torn_bytes, 0u);
  EXPECT_EQ(DecodeEntry(log->ReadEntry(1).value())->event.details["n"], 1);
}

TEST_F(FileAuditLogMultiProcessTest, RecordDamagedAfterItWasWrittenIsDataLossForTheOtherLog) {
  ASSERT_OK_AND_ASSIGN(auto a, OpenLog());
  ASSERT_OK_AND_ASSIGN(auto b, OpenLog());
  ASSERT_OK(a->Append(NumberedEvent(0)).status());
  ASSERT_EQ(b->Size(), 1u);
  const auto first_record_end = std::filesystem::file_size(SegmentPath());
  for (int i = 1; i < 4; ++i) ASSERT_OK(a->Append(NumberedEvent(i)).status());
  {
    std::fstream f(SegmentPath(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(first_record_end + kRecordHeaderSize + 3));
    f.put('X');
  }
  EXPECT_THAT(b->Append(NumberedEvent(4)), StatusIs(StatusCode::kDataLoss, HasSubstr("checksum")));
  EXPECT_THAT(b->Append(NumberedEvent(4)), StatusIs(StatusCode::kFailedPrecondition, HasSubstr("reopened")));
  EXPECT_THAT(b->RootHash(1), StatusIs(StatusCode::kDataLoss));
}

TEST_F(FileAuditLogMultiProcessTest, SegmentCutBelowWhatWasReadIsDataLossForTheOtherLog) {
  ASSERT_OK_AND_ASSIGN(auto a, OpenLog());
  ASSERT_OK_AND_ASSIGN(auto b, OpenLog());
  for (int i = 0; i < 3; ++i) ASSERT_OK(a->Append(NumberedEvent(i)).status());
  ASSERT_EQ(b->Size(), 3u);
  std::filesystem::resize_file(SegmentPath(), kSegmentHeaderSize);
  EXPECT_THAT(b->Append(NumberedEvent(3)), StatusIs(StatusCode::kDataLoss, HasSubstr("was cut")));
}

}  // namespace
}  // namespace hdhub::audit

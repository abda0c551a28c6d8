#include "hdhub/audit/audit_log_conformance.h"

#include <gmock/gmock.h>

#include <set>
#include <thread>
#include <vector>

#include "hdhub/audit/merkle.h"
#include "hdhub/audit/merkle_tree.h"
#include "hdhub/audit/test_util.h"
#include "hdhub/common/status_matchers.h"

namespace hdhub::audit::testing {

using ::hdhub::testing::StatusIs;

void AuditLogConformanceTest::SetUp() {
  auto log = GetParam().make(scratch_.path(), &clock_);
  ASSERT_OK(log);
  log_ = std::move(log).value();
}

std::string AuditLogBackendName(const ::testing::TestParamInfo<AuditLogBackend>& info) { return info.param.name; }

void PrintTo(const AuditLogBackend& backend, std::ostream* os) { *os << backend.name; }

namespace {

constexpr uint64_t kProofLogSize = 9;  // proofs for every size and index up to it

void AppendNumbered(AuditLog& log, int count) {
  for (int i = 0; i < count; ++i) ASSERT_OK(log.Append(NumberedEvent(i)).status());
}

TEST_P(AuditLogConformanceTest, AppendsGetConsecutiveIndicesFromZero) {
  EXPECT_EQ(log().Size(), 0u);
  for (uint64_t i = 0; i < 3; ++i) EXPECT_EQ(log().Append(NumberedEvent(int(i))).value_or(~0ull), i);
  EXPECT_EQ(log().Size(), 3u);
}

TEST_P(AuditLogConformanceTest, BatchIsContiguousInOrderAndReturnsItsFirstIndex) {
  AppendNumbered(log(), 1);
  const std::vector<Event> batch = {NumberedEvent(10), NumberedEvent(11), NumberedEvent(12)};
  EXPECT_EQ(log().AppendBatch(batch).value_or(~0ull), 1u);
  EXPECT_EQ(log().Size(), 4u);
  for (uint64_t i = 1; i < 4; ++i) {
    ASSERT_OK_AND_ASSIGN(Entry e, DecodeEntry(log().ReadEntry(i).value()));
    EXPECT_EQ(e.seq, i);
    EXPECT_EQ(e.event.details["n"], 9 + int(i));
  }
}

TEST_P(AuditLogConformanceTest, EntryIsTheCanonicalEncodingWithItsSeqAndTheClocksTime) {
  AppendNumbered(log(), 1);
  clock_.Advance(std::chrono::milliseconds(1500));
  const Event event = NumberedEvent(7);
  ASSERT_OK(log().Append(event).status());
  ASSERT_OK_AND_ASSIGN(std::string stored, log().ReadEntry(1));
  EXPECT_EQ(stored, EncodeEntry(event, 1, clock_.Now()));
  ASSERT_OK_AND_ASSIGN(Entry e, DecodeEntry(stored));
  EXPECT_EQ(e.time, FormatRfc3339(clock_.Now()));
}

TEST_P(AuditLogConformanceTest, BatchWithAnInvalidEventLogsNothing) {
  AppendNumbered(log(), 1);
  Event bad = NumberedEvent(1);
  bad.role = "";
  const std::vector<Event> batch = {NumberedEvent(2), bad};
  EXPECT_THAT(log().AppendBatch(batch), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(log().Append(bad), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(log().Size(), 1u);
  EXPECT_EQ(log().Append(NumberedEvent(3)).value_or(~0ull), 1u);
}

TEST_P(AuditLogConformanceTest, EmptyBatchIsInvalidArgument) {
  EXPECT_THAT(log().AppendBatch({}), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(log().Size(), 0u);
}

TEST_P(AuditLogConformanceTest, ReadsBeyondTheSizeAreOutOfRange) {
  AppendNumbered(log(), 2);
  EXPECT_THAT(log().ReadEntry(2), StatusIs(StatusCode::kOutOfRange));
  EXPECT_THAT(log().LeafHash(2), StatusIs(StatusCode::kOutOfRange));
  EXPECT_THAT(log().RootHash(3), StatusIs(StatusCode::kOutOfRange));
  EXPECT_THAT(log().InclusionProof(0, 3), StatusIs(StatusCode::kOutOfRange));
  EXPECT_THAT(log().ConsistencyProof(1, 3), StatusIs(StatusCode::kOutOfRange));
}

TEST_P(AuditLogConformanceTest, LeafHashesAndRootsAreRfc6962OverTheStoredEntries) {
  EXPECT_EQ(log().RootHash(0).value(), EmptyRootHash());
  AppendNumbered(log(), int(kProofLogSize));
  StreamingRoot expected;
  for (uint64_t i = 0; i < kProofLogSize; ++i) {
    const Hash leaf = HashLeaf(AsBytes(log().ReadEntry(i).value()));
    EXPECT_EQ(log().LeafHash(i).value(), leaf);
    expected.AppendLeaf(leaf);
    EXPECT_EQ(log().RootHash(i + 1).value(), expected.Root()) << "size " << i + 1;
  }
}

TEST_P(AuditLogConformanceTest, InclusionAndConsistencyProofsHoldForEverySize) {
  AppendNumbered(log(), int(kProofLogSize));
  for (uint64_t size = 1; size <= kProofLogSize; ++size) {
    const Hash root = log().RootHash(size).value();
    for (uint64_t i = 0; i < size; ++i) {
      EXPECT_OK(VerifyInclusion(i, size, log().LeafHash(i).value(), log().InclusionProof(i, size).value(), root))
          << i << " in " << size;
    }
    for (uint64_t size1 = 1; size1 <= size; ++size1) {
      EXPECT_OK(VerifyConsistency(size1, size, log().ConsistencyProof(size1, size).value(),
                                  log().RootHash(size1).value(), root))
          << size1 << " to " << size;
    }
  }
}

TEST_P(AuditLogConformanceTest, EarlierRootsDoNotChangeAsTheLogGrows) {
  AppendNumbered(log(), 3);
  const Hash root3 = log().RootHash(3).value();
  AppendNumbered(log(), 5);
  EXPECT_EQ(log().RootHash(3).value(), root3);
  EXPECT_NE(log().RootHash(8).value(), root3);
}

TEST_P(AuditLogConformanceTest, ConcurrentAppendersGetDistinctIndicesAndMatchingEntries) {
  constexpr int kThreads = 8, kPerThread = 20;
  std::vector<std::vector<uint64_t>> got(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) got[t].push_back(log().Append(NumberedEvent(t * 1000 + i)).value_or(~0ull));
    });
  }
  for (auto& th : threads) th.join();
  std::set<uint64_t> all;
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      const uint64_t index = got[t][i];
      all.insert(index);
      ASSERT_OK_AND_ASSIGN(Entry e, DecodeEntry(log().ReadEntry(index).value_or("")));
      EXPECT_EQ(e.seq, index);
      EXPECT_EQ(e.event.details["n"], t * 1000 + i);
    }
  }
  EXPECT_EQ(all.size(), size_t{kThreads * kPerThread});
  EXPECT_EQ(*all.rbegin(), uint64_t{kThreads * kPerThread - 1});
  EXPECT_EQ(log().Size(), uint64_t{kThreads * kPerThread});
}

}  // namespace
}  // namespace hdhub::audit::testing

#include "hdhub/audit/log_verifier.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "hdhub/audit/file_audit_log.h"
#include "hdhub/audit/segment.h"
#include "hdhub/audit/test_util.h"
#include "hdhub/common/file.h"
#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"

namespace hdhub::audit {
namespace {

using ::hdhub::audit::testing::NumberedEvent;
using ::hdhub::audit::testing::TestSigner;
using ::hdhub::testing::StatusIs;
using ::testing::HasSubstr;

// Segment bytes split into records, so tests can delete, swap or edit them
// the way someone with access to the disk would.
struct SegmentImage {
  std::string header;
  std::vector<std::string> records;
  std::string Join() const {
    std::string out = header;
    for (const auto& r : records) out += r;
    return out;
  }
};

class LogVerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = FileAuditLog::Open(Dir(), &clock_, TestSigner()).value();
    for (int i = 0; i < 6; ++i) ASSERT_OK(log->Append(NumberedEvent(i)).status());
    verifier_ = Ed25519Verifier::FromVerifierKey(log->signer().VerifierKey()).value();
  }
  std::string Dir() const { return dir_.Sub("audit"); }
  std::string Segment() const { return Dir() + "/" + SegmentFileName(0); }
  SegmentImage Read() const {
    std::string bytes = ReadFile(Segment()).value();
    SegmentImage img{bytes.substr(0, kSegmentHeaderSize), {}};
    for (size_t off = kSegmentHeaderSize; off < bytes.size();) {
      const size_t len = kRecordHeaderSize + GetBigEndian32(reinterpret_cast<const uint8_t*>(bytes.data() + off));
      img.records.push_back(bytes.substr(off, len));
      off += len;
    }
    return img;
  }
  void Write(const SegmentImage& img) { std::ofstream(Segment(), std::ios::binary | std::ios::trunc) << img.Join(); }
  // Replaces the entry of record i and fixes its stored hash, as a careful
  // forger would.
  static void ForgeEntry(SegmentImage& img, size_t i, const std::string& entry) {
    std::string rec;
    AppendRecord(entry, HashLeaf(AsBytes(entry)), rec);
    img.records[i] = rec;
  }

  FakeClock clock_{TimePoint(std::chrono::seconds(1'790'000'000))};
  ::hdhub::testing::TempDir dir_;
  std::unique_ptr<Ed25519Verifier> verifier_;
};

TEST_F(LogVerifierTest, IntactLogVerifies) {
  ASSERT_OK_AND_ASSIGN(VerifyReport r, VerifyLogDirectory(Dir(), *verifier_));
  EXPECT_EQ(r.entries, 6u);
  EXPECT_EQ(r.checkpoint.size, 6u);
}

// An event's details may name a member "seq" (the airlock's release number,
// before the entry's own in the sorted keys): the verifier reads the entry's.
TEST_F(LogVerifierTest, ASeqInsideTheDetailsIsNotTheEntrysSeq) {
  {
    auto log = FileAuditLog::Open(Dir(), &clock_, TestSigner()).value();
    Event release = NumberedEvent(6);
    release.details["seq"] = 1;
    ASSERT_OK(log->Append(release).status());
    Event first = NumberedEvent(7);
    first.details["seq"] = 0;
    ASSERT_OK(log->Append(first).status());
    ASSERT_OK(log->Flush());
  }
  ASSERT_OK_AND_ASSIGN(VerifyReport r, VerifyLogDirectory(Dir(), *verifier_));
  EXPECT_EQ(r.entries, 8u);
}

TEST_F(LogVerifierTest, DeletedLastEntryIsDetected) {
  SegmentImage img = Read();
  img.records.pop_back();
  Write(img);
  EXPECT_THAT(VerifyLogDirectory(Dir(), *verifier_), StatusIs(StatusCode::kDataLoss, HasSubstr("deleted")));
}

TEST_F(LogVerifierTest, DeletedMiddleEntryIsDetected) {
  SegmentImage img = Read();
  img.records.erase(img.records.begin() + 2);
  Write(img);
  EXPECT_THAT(VerifyLogDirectory(Dir(), *verifier_), StatusIs(StatusCode::kDataLoss));
}

TEST_F(LogVerifierTest, ReorderedEntriesAreDetected) {
  SegmentImage img = Read();
  std::swap(img.records[1], img.records[3]);
  Write(img);
  EXPECT_THAT(VerifyLogDirectory(Dir(), *verifier_), StatusIs(StatusCode::kDataLoss, HasSubstr("reordered")));
}

TEST_F(LogVerifierTest, ReorderedEntriesWithRewrittenSeqAreDetected) {
  SegmentImage img = Read();
  std::string e1 = img.records[1].substr(kRecordHeaderSize), e3 = img.records[3].substr(kRecordHeaderSize);
  auto set_seq = [](std::string e, int from, int to) {
    const std::string key = "\"seq\":" + std::to_string(from) + ",";
    return e.replace(e.find(key), key.size(), "\"seq\":" + std::to_string(to) + ",");
  };
  ForgeEntry(img, 1, set_seq(e3, 3, 1));
  ForgeEntry(img, 3, set_seq(e1, 1, 3));
  Write(img);
  EXPECT_THAT(VerifyLogDirectory(Dir(), *verifier_), StatusIs(StatusCode::kDataLoss, HasSubstr("differs from the signed checkpoint")));
}

TEST_F(LogVerifierTest, EditedEntryIsDetectedByItsChecksum) {
  std::string bytes = ReadFile(Segment()).value();
  bytes[bytes.find("\"outcome\":\"success\"") + 11] = 'S';
  std::ofstream(Segment(), std::ios::binary | std::ios::trunc) << bytes;
  EXPECT_THAT(VerifyLogDirectory(Dir(), *verifier_), StatusIs(StatusCode::kDataLoss, HasSubstr("checksum")));
}

TEST_F(LogVerifierTest, EditedEntryWithRecomputedChecksumIsDetectedByTheRoot) {
  SegmentImage img = Read();
  std::string e = img.records[2].substr(kRecordHeaderSize);
  e.replace(e.find("\"alice\""), 7, "\"mallo\"");
  ForgeEntry(img, 2, e);
  Write(img);
  EXPECT_THAT(VerifyLogDirectory(Dir(), *verifier_), StatusIs(StatusCode::kDataLoss, HasSubstr("edited")));
}

TEST_F(LogVerifierTest, CheckpointSignedByAnotherKeyIsRejected) {
  auto other = Ed25519Signer::Generate("hub.test/audit").value();
  auto other_verifier = Ed25519Verifier::FromVerifierKey(other->VerifierKey()).value();
  EXPECT_FALSE(VerifyLogDirectory(Dir(), *other_verifier).ok());
}

}  // namespace
}  // namespace hdhub::audit

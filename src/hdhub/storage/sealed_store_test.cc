#include "hdhub/storage/sealed_store.h"

#include <atomic>
#include <random>
#include <thread>

#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"
#include "hdhub/storage/blob_store_conformance.h"
#include "hdhub/storage/fault_injecting_blob_store.h"
#include "hdhub/storage/file_blob_store.h"
#include "hdhub/storage/memory_blob_store.h"
#include "hdhub/storage/metrics_blob_store.h"

namespace hdhub::storage {
namespace {

using ::hdhub::testing::StatusIs;
using ::hdhub::testing::TestPattern;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

constexpr uint32_t kSegment = crypto::kMinSegmentSize;

SecretBytes Key(uint8_t fill) { return SecretBytes(Bytes(32, fill)); }

std::unique_ptr<crypto::HmacSha256> NamesKey(uint8_t fill) {
  auto hmac = crypto::HmacSha256::Create(Key(fill));
  EXPECT_OK(hmac);
  return std::move(hmac).value();
}

class SealedStoreTest : public ::testing::Test {
 protected:
  Bytes Host(const std::string& logical) {
    auto bytes = host_.Get(sealed_.ObjectNameFor(logical));
    EXPECT_OK(bytes);
    return bytes.ok() ? *bytes : Bytes();
  }

  MemoryBlobStore host_;
  FaultInjectingBlobStore faults_{&host_};
  SealedStore sealed_{&faults_, NamesKey(7), kSegment};
  SecretBytes key_ = Key(1);
};

TEST_F(SealedStoreTest, RoundTripsAtManySizes) {
  for (size_t size :
       {0u, 1u, 15u, kSegment - 1, kSegment, kSegment + 1, 2 * kSegment, 5 * kSegment + 300}) {
    SCOPED_TRACE("size " + std::to_string(size));
    std::string name = "datasets/t/v1/part-" + std::to_string(size) + ".parquet";
    Bytes data = TestPattern(size, static_cast<uint32_t>(size));
    ASSERT_OK_AND_ASSIGN(SealedObjectInfo info, sealed_.Put(name, key_, data));
    EXPECT_EQ(info.plaintext_size, size);
    ASSERT_OK_AND_ASSIGN(Bytes got, sealed_.Get(name, key_));
    EXPECT_EQ(got, data);
    ASSERT_OK_AND_ASSIGN(uint64_t plaintext_size, sealed_.PlaintextSize(name));
    EXPECT_EQ(plaintext_size, size);
    ASSERT_OK_AND_ASSIGN(auto reader, sealed_.OpenReader(name, key_));
    EXPECT_EQ(reader->size(), size);
  }
}

TEST_F(SealedStoreTest, ReadAtReturnsEveryRange) {
  const size_t size = 6 * kSegment + 321;
  Bytes data = TestPattern(size, 3);
  ASSERT_OK(sealed_.Put("t", key_, data));
  ASSERT_OK_AND_ASSIGN(auto reader, sealed_.OpenReader("t", key_));
  for (uint64_t offset : {0ul, 1ul, 1023ul, 1024ul, 1500ul, 3071ul, 6144ul, size - 1, size}) {
    for (uint64_t length : {0ul, 1ul, 2ul, 100ul, 1024ul, 2049ul, 5000ul, 99999ul}) {
      length = std::min<uint64_t>(length, size - offset);
      Bytes out(length);
      ASSERT_OK(reader->ReadAt(offset, out)) << offset << "+" << length;
      EXPECT_TRUE(std::equal(out.begin(), out.end(), data.begin() + static_cast<long>(offset)))
          << offset << "+" << length;
    }
  }
  Bytes two(2);
  EXPECT_THAT(reader->ReadAt(size - 1, two), StatusIs(StatusCode::kOutOfRange));
}

TEST_F(SealedStoreTest, ReadAtFetchesOneRangeAndCachesPartialSegments) {
  ASSERT_OK(sealed_.Put("t", key_, TestPattern(8 * kSegment, 4)));
  ASSERT_OK_AND_ASSIGN(auto reader, sealed_.OpenReader("t", key_));
  uint64_t before = faults_.calls(BlobOperation::kReadAt);
  Bytes out(3 * kSegment);
  ASSERT_OK(reader->ReadAt(kSegment / 2, out));  // four segments, one ranged read
  EXPECT_EQ(faults_.calls(BlobOperation::kReadAt), before + 1);
  Bytes small(10);
  ASSERT_OK(reader->ReadAt(8 * kSegment - 100, small));
  ASSERT_OK(reader->ReadAt(8 * kSegment - 50, small));
  ASSERT_OK(reader->ReadAt(8 * kSegment - 10, small));
  EXPECT_EQ(faults_.calls(BlobOperation::kReadAt), before + 2);
  EXPECT_TRUE(std::equal(small.begin(), small.end(), TestPattern(8 * kSegment, 4).end() - 10));
}

TEST(SealedStoreReadTest, ReadAtFetchesExactlyTheCoveringSegments) {
  MemoryBlobStore host;
  MetricsBlobStore metrics(&host);
  SealedStore sealed(&metrics, NamesKey(7), kSegment);
  ASSERT_OK(sealed.Put("t", Key(1), TestPattern(10 * kSegment, 4)));
  ASSERT_OK_AND_ASSIGN(auto reader, sealed.OpenReader("t", Key(1)));
  uint64_t before = metrics.Snapshot().bytes_read;
  Bytes out(kSegment + 2);  // from the end of segment 2 into the start of segment 4
  ASSERT_OK(reader->ReadAt(3 * kSegment - 1, out));
  EXPECT_EQ(metrics.Snapshot().bytes_read - before, 3 * (kSegment + crypto::kSealedTagSize));
}

TEST_F(SealedStoreTest, CommitInfoDescribesTheHostObject) {
  Bytes data = TestPattern(3000, 5);
  ASSERT_OK_AND_ASSIGN(auto writer, sealed_.NewWriter("t", key_));
  ASSERT_OK(writer->Append(ByteSpan(data).first(1000)));
  ASSERT_OK(writer->Append(ByteSpan(data).subspan(1000)));
  EXPECT_EQ(writer->plaintext_written(), 3000u);
  ASSERT_OK_AND_ASSIGN(SealedObjectInfo info, writer->Commit());
  EXPECT_EQ(info.logical_name, "t");
  EXPECT_EQ(info.object_name, sealed_.ObjectNameFor("t"));
  EXPECT_EQ(info.plaintext_size, 3000u);
  Bytes host = Host("t");
  EXPECT_EQ(info.ciphertext_size, host.size());
  EXPECT_EQ(info.ciphertext_size, crypto::SealedLayout::CiphertextSizeFor(kSegment, 3000));
  EXPECT_EQ(info.ciphertext_sha256, crypto::Sha256(host));
  EXPECT_THAT(writer->Commit(), StatusIs(StatusCode::kFailedPrecondition));
}

TEST_F(SealedStoreTest, ObjectNamesRevealNothingOfTheLogicalName) {
  std::string logical = "datasets/er_prs_f/v3/part-0.parquet";
  std::string object = sealed_.ObjectNameFor(logical);
  EXPECT_THAT(object, MatchesRegex("o/[0-9a-f]{2}/[0-9a-f]{64}"));
  EXPECT_EQ(object.substr(2, 2), object.substr(5, 2));
  EXPECT_THAT(object, Not(HasSubstr("er_prs")));
  EXPECT_EQ(object, sealed_.ObjectNameFor(logical));
  EXPECT_NE(object, sealed_.ObjectNameFor("datasets/er_prs_f/v3/part-1.parquet"));
  SealedStore other_key(&host_, NamesKey(8), kSegment);
  EXPECT_NE(object, other_key.ObjectNameFor(logical));
  ASSERT_OK(sealed_.Put(logical, key_, AsBytes("rows")));
  ASSERT_OK_AND_ASSIGN(auto listed, host_.List(""));
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].name, object);
  EXPECT_THAT(AsStringView(Host(logical)), Not(HasSubstr("rows")));
}

TEST_F(SealedStoreTest, ObjectCopiedUnderAnotherNameIsDataLoss) {
  ASSERT_OK(sealed_.Put("a", key_, TestPattern(2000, 1)));
  ASSERT_OK(sealed_.Put("b", key_, TestPattern(2000, 2)));
  ASSERT_OK(host_.Put(sealed_.ObjectNameFor("b"), Host("a")));
  EXPECT_THAT(sealed_.Get("b", key_), StatusIs(StatusCode::kDataLoss, HasSubstr("'b'")));
  // A reader fails at open: it authenticates the last segment first.
  EXPECT_THAT(sealed_.OpenReader("b", key_), StatusIs(StatusCode::kDataLoss, HasSubstr("'b'")));
}

TEST_F(SealedStoreTest, FlippedBitAnywhereIsDataLoss) {
  const size_t size = 3 * kSegment + 10;
  ASSERT_OK(sealed_.Put("t", key_, TestPattern(size, 6)));
  const uint64_t ciphertext_size = crypto::SealedLayout::CiphertextSizeFor(kSegment, size);
  // Magic, segment size, salt, nonce prefix, first segment, a tag, the last byte.
  for (uint64_t offset : {0ul, 6ul, 20ul, 45ul, 48ul, 48ul + kSegment + 3ul, ciphertext_size - 1}) {
    SCOPED_TRACE("bit flipped at " + std::to_string(offset));
    faults_.FlipBitOnRead(offset, 2);
    EXPECT_THAT(sealed_.Get("t", key_), StatusIs(StatusCode::kDataLoss));
  }
}

TEST_F(SealedStoreTest, ReadAtOfAlteredSegmentIsDataLossAndReturnsNoPlaintext) {
  ASSERT_OK(sealed_.Put("t", key_, TestPattern(4 * kSegment, 6)));
  ASSERT_OK_AND_ASSIGN(auto reader, sealed_.OpenReader("t", key_));
  faults_.FlipBitOnRead(crypto::kSealedHeaderSize + 2 * (kSegment + crypto::kSealedTagSize) + 7);
  Bytes out(100, 0xee);
  EXPECT_THAT(reader->ReadAt(2 * kSegment + 50, out), StatusIs(StatusCode::kDataLoss));
  EXPECT_EQ(out, Bytes(100, 0));
  Bytes untouched(100);
  EXPECT_OK(reader->ReadAt(kSegment, untouched));
}

TEST_F(SealedStoreTest, EmptyObjectIsStillAuthenticated) {
  ASSERT_OK(sealed_.Put("empty", key_, Bytes()));
  faults_.FlipBitOnRead(crypto::kSealedHeaderSize + 3);
  EXPECT_THAT(sealed_.Get("empty", key_), StatusIs(StatusCode::kDataLoss));
}

TEST_F(SealedStoreTest, TruncatedObjectIsDataLoss) {
  const size_t size = 4 * kSegment + 100;
  ASSERT_OK(sealed_.Put("t", key_, TestPattern(size, 8)));
  Bytes full = Host("t");
  const size_t whole_segment = kSegment + crypto::kSealedTagSize;
  for (size_t cut : {size_t{1}, size_t{100}, 100 + crypto::kSealedTagSize,
                     100 + crypto::kSealedTagSize + whole_segment, full.size() - 40, full.size()}) {
    SCOPED_TRACE("cut " + std::to_string(cut));
    ASSERT_OK(host_.Put(sealed_.ObjectNameFor("t"), ByteSpan(full).first(full.size() - cut)));
    EXPECT_THAT(sealed_.Get("t", key_), StatusIs(StatusCode::kDataLoss));
  }
}

// A reader's size comes from the object's length: an object cut or extended
// to any length must fail when it is opened, before anyone trusts that size
// (DuckDB refused a 64-byte object as "too small to be a Parquet file").
TEST_F(SealedStoreTest, ObjectCutOrExtendedToAnyLengthFailsAtOpen) {
  for (size_t size : {size_t{0}, size_t{10}, size_t{kSegment}, 3 * size_t{kSegment} + 7}) {
    ASSERT_OK(sealed_.Put("t", key_, TestPattern(size, 3)));
    const Bytes full = Host("t");
    std::vector<size_t> lengths = {
        0, 1, 47, 48, 63, 64, 65, full.size() - 1, full.size() + 1, full.size() + kSegment + crypto::kSealedTagSize};
    for (size_t segment = 1; crypto::kSealedHeaderSize + segment * (kSegment + crypto::kSealedTagSize) < full.size();
         ++segment) {
      lengths.push_back(crypto::kSealedHeaderSize + segment * (kSegment + crypto::kSealedTagSize));
    }
    for (size_t length : lengths) {
      if (length == full.size()) continue;
      SCOPED_TRACE("object of " + std::to_string(size) + " bytes made " + std::to_string(length));
      Bytes changed = full;
      changed.resize(length, 0x5a);
      ASSERT_OK(host_.Put(sealed_.ObjectNameFor("t"), changed));
      EXPECT_THAT(sealed_.OpenReader("t", key_), StatusIs(StatusCode::kDataLoss));
    }
    ASSERT_OK(host_.Put(sealed_.ObjectNameFor("t"), full));
    EXPECT_OK(sealed_.OpenReader("t", key_));
  }
}

TEST_F(SealedStoreTest, WrongDataKeyIsDataLoss) {
  ASSERT_OK(sealed_.Put("t", key_, TestPattern(2000, 9)));
  EXPECT_THAT(sealed_.Get("t", Key(2)), StatusIs(StatusCode::kDataLoss));
}

TEST_F(SealedStoreTest, MissingObjectIsNotFound) {
  EXPECT_THAT(sealed_.Get("nope", key_), StatusIs(StatusCode::kNotFound, HasSubstr("'nope'")));
  EXPECT_THAT(sealed_.OpenReader("nope", key_), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(sealed_.PlaintextSize("nope"), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(sealed_.Delete("nope"), StatusIs(StatusCode::kNotFound));
}

TEST_F(SealedStoreTest, DeleteRemovesTheHostObject) {
  ASSERT_OK(sealed_.Put("t", key_, AsBytes("x")));
  ASSERT_OK(sealed_.Delete("t"));
  EXPECT_THAT(sealed_.Get("t", key_), StatusIs(StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(auto listed, host_.List(""));
  EXPECT_TRUE(listed.empty());
}

TEST_F(SealedStoreTest, UncommittedWriterLeavesNothingOnTheHost) {
  {
    ASSERT_OK_AND_ASSIGN(auto writer, sealed_.NewWriter("t", key_));
    ASSERT_OK(writer->Append(TestPattern(5 * kSegment, 1)));
  }
  ASSERT_OK_AND_ASSIGN(auto listed, host_.List(""));
  EXPECT_TRUE(listed.empty());
}

TEST_F(SealedStoreTest, IfAbsentKeepsTheFirstObject) {
  ASSERT_OK(sealed_.Put("t", key_, AsBytes("first"), WriteMode::kIfAbsent));
  EXPECT_THAT(sealed_.Put("t", key_, AsBytes("second"), WriteMode::kIfAbsent),
              StatusIs(StatusCode::kAlreadyExists));
  ASSERT_OK_AND_ASSIGN(Bytes got, sealed_.Get("t", key_));
  EXPECT_EQ(AsStringView(got), "first");
}

TEST_F(SealedStoreTest, BadKeyAndEmptyNameAreInvalidArgument) {
  EXPECT_THAT(sealed_.NewWriter("t", SecretBytes(Bytes(16, 1))),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(sealed_.NewWriter("", key_), StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(SealedStoreTest, HostFailuresSurfaceUnchanged) {
  ASSERT_OK(sealed_.Put("t", key_, TestPattern(3000, 2)));
  ASSERT_OK_AND_ASSIGN(auto reader, sealed_.OpenReader("t", key_));
  faults_.FailNext(BlobOperation::kReadAt, UnavailableError("host down"));
  Bytes out(10);
  EXPECT_THAT(reader->ReadAt(0, out), StatusIs(StatusCode::kUnavailable));
  EXPECT_OK(reader->ReadAt(0, out));
  faults_.FailAppendsAfter(100, UnavailableError("host down"));
  ASSERT_OK_AND_ASSIGN(auto writer, sealed_.NewWriter("u", key_));
  EXPECT_THAT(writer->Append(TestPattern(3000, 3)), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(writer->Commit(), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(sealed_.Get("u", key_), StatusIs(StatusCode::kNotFound));
}

TEST_F(SealedStoreTest, ConcurrentReadAtOnOneReader) {
  const size_t size = 40 * kSegment + 77;
  Bytes data = TestPattern(size, 11);
  ASSERT_OK(sealed_.Put("t", key_, data));
  ASSERT_OK_AND_ASSIGN(auto reader, sealed_.OpenReader("t", key_));
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 random(static_cast<uint32_t>(t));
      for (int i = 0; i < 200; ++i) {
        uint64_t offset = random() % size;
        Bytes out(std::min<uint64_t>(random() % 3000, size - offset));
        if (!reader->ReadAt(offset, out).ok() ||
            !std::equal(out.begin(), out.end(), data.begin() + static_cast<long>(offset))) {
          ++failures;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(SealedStoreOnFileTest, LargeObjectRoundTripsWithDefaultSegments) {
  testing::TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto host, FileBlobStore::Create(dir.path()));
  SealedStore sealed(host.get(), NamesKey(3));
  Bytes data = TestPattern(3 * crypto::kDefaultSegmentSize + 5, 12);
  ASSERT_OK(sealed.Put("big", Key(4), data));
  ASSERT_OK_AND_ASSIGN(Bytes got, sealed.Get("big", Key(4)));
  EXPECT_TRUE(got == data);
  ASSERT_OK_AND_ASSIGN(auto reader, sealed.OpenReader("big", Key(4)));
  Bytes tail(1000);
  ASSERT_OK(reader->ReadAt(data.size() - 1000, tail));
  EXPECT_TRUE(std::equal(tail.begin(), tail.end(), data.end() - 1000));
}

}  // namespace
}  // namespace hdhub::storage

#include "hdhub/crypto/streaming_aead.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <thread>
#include <vector>

#include "hdhub/common/status_matchers.h"
#include "hdhub/crypto/random.h"

namespace hdhub::crypto {
namespace {

using ::hdhub::testing::StatusIs;

constexpr uint32_t kSeg = 1024;

SecretBytes TestKey(uint8_t fill = 0x11) { return SecretBytes(Bytes(32, fill)); }

Bytes Pattern(size_t size, uint32_t seed = 1) {
  std::mt19937 rng(seed);
  Bytes out(size);
  for (auto& b : out) b = static_cast<uint8_t>(rng());
  return out;
}

// Copies segment `index` of `sealed` over segment `index` of `target`.
void CopySegment(const Bytes& from, uint64_t from_index, Bytes& to, uint64_t to_index,
                 const SealedLayout& layout) {
  const size_t size = layout.SegmentCiphertextSize(from_index);
  ASSERT_EQ(size, layout.SegmentCiphertextSize(to_index));
  std::copy_n(from.begin() + layout.SegmentCiphertextOffset(from_index), size,
              to.begin() + layout.SegmentCiphertextOffset(to_index));
}

TEST(SealedObjectTest, RoundTripsManySizes) {
  for (uint32_t seg : {kSeg, 4096u}) {
    for (size_t size : {size_t{0}, size_t{1}, size_t{seg - 1}, size_t{seg}, size_t{seg + 1},
                        size_t{2 * seg}, size_t{3 * seg}, size_t{3 * seg + 7}, size_t{10000}}) {
      const Bytes plaintext = Pattern(size);
      ASSERT_OK_AND_ASSIGN(Bytes sealed, SealAll(TestKey(), AsBytes("obj"), plaintext, seg));
      EXPECT_EQ(sealed.size(), SealedLayout::CiphertextSizeFor(seg, size)) << seg << "/" << size;
      ASSERT_OK_AND_ASSIGN(Bytes opened, UnsealAll(TestKey(), AsBytes("obj"), sealed));
      EXPECT_EQ(opened, plaintext) << seg << "/" << size;
    }
  }
}

TEST(SealedObjectTest, DefaultSegmentSizeRoundTrips) {
  const Bytes plaintext = Pattern(kDefaultSegmentSize * 2 + 5);
  ASSERT_OK_AND_ASSIGN(Bytes sealed, SealAll(TestKey(), AsBytes("obj"), plaintext));
  EXPECT_EQ(GetBigEndian32(sealed.data() + 5), kDefaultSegmentSize);
  ASSERT_OK_AND_ASSIGN(Bytes opened, UnsealAll(TestKey(), AsBytes("obj"), sealed));
  EXPECT_EQ(opened, plaintext);
}

TEST(SealedObjectTest, HeaderHasMagicVersionAndSegmentSize) {
  ASSERT_OK_AND_ASSIGN(Bytes sealed, SealAll(TestKey(), AsBytes("obj"), AsBytes("x"), kSeg));
  EXPECT_EQ(AsStringView(ByteSpan(sealed).first(4)), "HDSO");
  EXPECT_EQ(sealed[4], 0x01);
  EXPECT_EQ(GetBigEndian32(sealed.data() + 5), kSeg);
}

TEST(SealedObjectTest, ChunkedWritesProduceTheSameLayout) {
  const Bytes plaintext = Pattern(3 * kSeg + 100);
  for (size_t chunk : {size_t{1}, size_t{7}, size_t{kSeg - 1}, size_t{kSeg}, size_t{kSeg + 3}}) {
    ASSERT_OK_AND_ASSIGN(auto writer, SealWriter::Create(TestKey(), AsBytes("obj"), kSeg));
    Bytes sealed;
    for (size_t at = 0; at < plaintext.size(); at += chunk) {
      ASSERT_OK(writer->Write(
          ByteSpan(plaintext).subspan(at, std::min(chunk, plaintext.size() - at)), &sealed));
      // Completed segments are emitted as soon as a later byte arrives.
      EXPECT_GE(sealed.size() + kSeg + kSealedTagSize,
                SealedLayout::CiphertextSizeFor(kSeg, writer->plaintext_written()));
    }
    EXPECT_EQ(writer->plaintext_written(), plaintext.size());
    ASSERT_OK(writer->Finish(&sealed));
    EXPECT_EQ(sealed.size(), SealedLayout::CiphertextSizeFor(kSeg, plaintext.size()));
    ASSERT_OK_AND_ASSIGN(Bytes opened, UnsealAll(TestKey(), AsBytes("obj"), sealed));
    EXPECT_EQ(opened, plaintext) << "chunk " << chunk;
  }
}

TEST(SealedObjectTest, SealingTwiceGivesDifferentObjects) {
  ASSERT_OK_AND_ASSIGN(Bytes a, SealAll(TestKey(), AsBytes("obj"), AsBytes("same"), kSeg));
  ASSERT_OK_AND_ASSIGN(Bytes b, SealAll(TestKey(), AsBytes("obj"), AsBytes("same"), kSeg));
  EXPECT_NE(a, b);  // fresh salt and nonce prefix
}

TEST(SealReaderTest, DecryptsRandomRangesFromTheirSegmentsOnly) {
  const Bytes plaintext = Pattern(7 * kSeg + 333);
  ASSERT_OK_AND_ASSIGN(Bytes sealed, SealAll(TestKey(), AsBytes("obj"), plaintext, kSeg));
  ASSERT_OK_AND_ASSIGN(auto reader, SealReader::Create(TestKey(), AsBytes("obj"),
                                                       ByteSpan(sealed).first(48), sealed.size()));
  const SealedLayout& layout = reader->layout();
  std::mt19937 rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    uint64_t begin = rng() % plaintext.size(), end = rng() % (plaintext.size() + 1);
    if (begin > end) std::swap(begin, end);
    if (begin == end) continue;
    const uint64_t first = layout.SegmentForPlaintextOffset(begin);
    const uint64_t last = layout.SegmentForPlaintextOffset(end - 1);
    Bytes window;
    for (uint64_t i = first; i <= last; ++i) {
      Bytes out(layout.SegmentPlaintextSize(i));
      ASSERT_OK(reader->DecryptSegment(
          i, ByteSpan(sealed).subspan(layout.SegmentCiphertextOffset(i),
                                      layout.SegmentCiphertextSize(i)),
          MutableByteSpan(out)));
      window.insert(window.end(), out.begin(), out.end());
    }
    const uint64_t skip = begin - first * kSeg;
    EXPECT_TRUE(std::equal(plaintext.begin() + begin, plaintext.begin() + end,
                           window.begin() + skip));
  }
}

TEST(SealReaderTest, DecryptSegmentFromManyThreads) {
  const Bytes plaintext = Pattern(16 * kSeg + 1);
  ASSERT_OK_AND_ASSIGN(Bytes sealed, SealAll(TestKey(), AsBytes("obj"), plaintext, kSeg));
  ASSERT_OK_AND_ASSIGN(auto reader, SealReader::Create(TestKey(), AsBytes("obj"),
                                                       ByteSpan(sealed).first(48), sealed.size()));
  const SealedLayout& layout = reader->layout();
  std::vector<int> failures(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 20; ++round) {
        for (uint64_t i = 0; i < layout.segment_count; ++i) {
          Bytes out(layout.SegmentPlaintextSize(i));
          Status status = reader->DecryptSegment(
              i, ByteSpan(sealed).subspan(layout.SegmentCiphertextOffset(i),
                                          layout.SegmentCiphertextSize(i)),
              MutableByteSpan(out));
          if (!status.ok() || !std::equal(out.begin(), out.end(), plaintext.begin() + i * kSeg)) {
            ++failures[t];
          }
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_THAT(failures, ::testing::Each(0));
}

TEST(SealedObjectTest, DecryptFailsWhenLastSegmentDropped) {
  const Bytes plaintext = Pattern(3 * kSeg + 10);
  ASSERT_OK_AND_ASSIGN(Bytes sealed, SealAll(TestKey(), AsBytes("obj"), plaintext, kSeg));
  // Dropping the last segment leaves a well-sized object whose new last
  // segment was sealed with last = 0.
  Bytes truncated(sealed.begin(), sealed.end() - (10 + kSealedTagSize));
  EXPECT_THAT(UnsealAll(TestKey(), AsBytes("obj"), truncated), StatusIs(StatusCode::kDataLoss));
  // Same with an exact multiple, whose last segment is full.
  ASSERT_OK_AND_ASSIGN(Bytes even, SealAll(TestKey(), AsBytes("obj"), Pattern(3 * kSeg), kSeg));
  even.resize(even.size() - (kSeg + kSealedTagSize));
  EXPECT_THAT(UnsealAll(TestKey(), AsBytes("obj"), even), StatusIs(StatusCode::kDataLoss));
}

TEST(SealedObjectTest, DecryptFailsWhenTruncatedMidSegmentOrExtended) {
  ASSERT_OK_AND_ASSIGN(Bytes sealed, SealAll(TestKey(), AsBytes("obj"), Pattern(2 * kSeg), kSeg));
  for (size_t cut : {size_t{1}, size_t{15}, size_t{16}, size_t{17}, size_t{kSeg}}) {
    const ByteSpan shorter = ByteSpan(sealed).first(sealed.size() - cut);
    EXPECT_THAT(UnsealAll(TestKey(), AsBytes("obj"), shorter), StatusIs(StatusCode::kDataLoss))
        << cut;
  }
  EXPECT_THAT(UnsealAll(TestKey(), AsBytes("obj"), ByteSpan(sealed).first(47)),
              StatusIs(StatusCode::kDataLoss));
  Bytes longer = sealed;
  longer.insert(longer.end(), 16, 0);
  EXPECT_THAT(UnsealAll(TestKey(), AsBytes("obj"), longer), StatusIs(StatusCode::kDataLoss));
}

TEST(SealedObjectTest, DecryptFailsWhenSegmentsReordered) {
  ASSERT_OK_AND_ASSIGN(Bytes sealed, SealAll(TestKey(), AsBytes("obj"), Pattern(4 * kSeg), kSeg));
  ASSERT_OK_AND_ASSIGN(SealedLayout layout, SealedLayout::FromCiphertextSize(kSeg, sealed.size()));
  Bytes swapped = sealed;
  CopySegment(sealed, 0, swapped, 1, layout);
  CopySegment(sealed, 1, swapped, 0, layout);
  EXPECT_THAT(UnsealAll(TestKey(), AsBytes("obj"), swapped), StatusIs(StatusCode::kDataLoss));
  Bytes last_moved = sealed;  // the (full) last segment moved to the middle
  CopySegment(sealed, 3, last_moved, 2, layout);
  CopySegment(sealed, 2, last_moved, 3, layout);
  EXPECT_THAT(UnsealAll(TestKey(), AsBytes("obj"), last_moved), StatusIs(StatusCode::kDataLoss));
}

TEST(SealedObjectTest, DecryptFailsWithSegmentFromAnotherObject) {
  const Bytes plaintext = Pattern(3 * kSeg);
  ASSERT_OK_AND_ASSIGN(Bytes a, SealAll(TestKey(), AsBytes("obj"), plaintext, kSeg));
  ASSERT_OK_AND_ASSIGN(Bytes b, SealAll(TestKey(), AsBytes("obj"), plaintext, kSeg));
  ASSERT_OK_AND_ASSIGN(SealedLayout layout, SealedLayout::FromCiphertextSize(kSeg, a.size()));
  Bytes mixed = a;
  CopySegment(b, 1, mixed, 1, layout);  // same key, name and index: only the object differs
  EXPECT_THAT(UnsealAll(TestKey(), AsBytes("obj"), mixed), StatusIs(StatusCode::kDataLoss));
}

TEST(SealedObjectTest, DecryptFailsWithWrongAssociatedDataOrKey) {
  ASSERT_OK_AND_ASSIGN(Bytes sealed, SealAll(TestKey(), AsBytes("obj"), Pattern(100), kSeg));
  EXPECT_THAT(UnsealAll(TestKey(), AsBytes("obj2"), sealed), StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(UnsealAll(TestKey(), {}, sealed), StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(UnsealAll(TestKey(0x12), AsBytes("obj"), sealed), StatusIs(StatusCode::kDataLoss));
}

TEST(SealedObjectTest, DecryptFailsOnAnyFlippedBit) {
  ASSERT_OK_AND_ASSIGN(Bytes sealed,
                       SealAll(TestKey(), AsBytes("obj"), Pattern(kSeg + 20), kSeg));
  for (size_t byte = 0; byte < sealed.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      sealed[byte] ^= uint8_t(1 << bit);
      EXPECT_THAT(UnsealAll(TestKey(), AsBytes("obj"), sealed), StatusIs(StatusCode::kDataLoss))
          << "byte " << byte << " bit " << bit;
      sealed[byte] ^= uint8_t(1 << bit);
    }
  }
  ASSERT_OK(UnsealAll(TestKey(), AsBytes("obj"), sealed).status());
}

TEST(SealReaderTest, RejectsBadMagicAndVersion) {
  ASSERT_OK_AND_ASSIGN(Bytes sealed, SealAll(TestKey(), AsBytes("obj"), AsBytes("x"), kSeg));
  Bytes bad_magic = sealed;
  bad_magic[0] = 'X';
  EXPECT_THAT(SealReader::Create(TestKey(), AsBytes("obj"), bad_magic, bad_magic.size()),
              StatusIs(StatusCode::kDataLoss, ::testing::HasSubstr("magic")));
  Bytes bad_version = sealed;
  bad_version[4] = 0x02;
  EXPECT_THAT(SealReader::Create(TestKey(), AsBytes("obj"), bad_version, bad_version.size()),
              StatusIs(StatusCode::kDataLoss, ::testing::HasSubstr("version")));
  EXPECT_THAT(SealReader::Create(TestKey(), AsBytes("obj"), ByteSpan(sealed).first(47),
                                 sealed.size()),
              StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(SealReader::Create(TestKey(), AsBytes("obj"), sealed, 50),
              StatusIs(StatusCode::kDataLoss));
}

TEST(SealReaderTest, DecryptSegmentChecksIndexAndSizes) {
  ASSERT_OK_AND_ASSIGN(Bytes sealed, SealAll(TestKey(), AsBytes("obj"), Pattern(kSeg + 5), kSeg));
  ASSERT_OK_AND_ASSIGN(auto reader, SealReader::Create(TestKey(), AsBytes("obj"),
                                                       ByteSpan(sealed).first(48), sealed.size()));
  Bytes out(kSeg);
  const ByteSpan first = ByteSpan(sealed).subspan(48, kSeg + kSealedTagSize);
  EXPECT_THAT(reader->DecryptSegment(2, first, MutableByteSpan(out)),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(reader->DecryptSegment(0, first.first(kSeg), MutableByteSpan(out)),
              StatusIs(StatusCode::kDataLoss));
  Bytes small(5);
  EXPECT_THAT(reader->DecryptSegment(0, first, MutableByteSpan(small)),
              StatusIs(StatusCode::kInvalidArgument));
  // Segment 0 presented as segment 1 (the last) fails: index and flag differ.
  EXPECT_THAT(reader->DecryptSegment(1, first.first(5 + kSealedTagSize), MutableByteSpan(small)),
              StatusIs(StatusCode::kDataLoss));
  ASSERT_OK(reader->DecryptSegment(0, first, MutableByteSpan(out)));
}

TEST(SealWriterTest, RejectsBadKeySegmentSizeOrAssociatedDataAndUseAfterFinish) {
  EXPECT_THAT(SealWriter::Create(SecretBytes(Bytes(16, 1)), {}, kSeg),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(SealWriter::Create(TestKey(), {}, kMinSegmentSize - 1),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(SealWriter::Create(TestKey(), {}, kMaxSegmentSize + 1),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(SealReader::Create(SecretBytes(Bytes(16, 1)), {}, Bytes(48, 0), 64),
              StatusIs(StatusCode::kInvalidArgument));
  const Bytes long_name(kMaxSealedAssociatedDataSize + 1, 'n');
  EXPECT_THAT(SealWriter::Create(TestKey(), long_name, kSeg),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(SealReader::Create(TestKey(), long_name, Bytes(48, 0), 64),
              StatusIs(StatusCode::kInvalidArgument));
  ASSERT_OK_AND_ASSIGN(auto writer, SealWriter::Create(TestKey(), {}, kSeg));
  Bytes out;
  ASSERT_OK(writer->Finish(&out));
  EXPECT_EQ(out.size(), 64u);  // header + one empty segment
  EXPECT_THAT(writer->Write(AsBytes("late"), &out), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(writer->Finish(&out), StatusIs(StatusCode::kFailedPrecondition));
}

TEST(SealedObjectTest, LongestAssociatedDataRoundTrips) {
  const Bytes name(kMaxSealedAssociatedDataSize, 'n');
  ASSERT_OK_AND_ASSIGN(Bytes sealed, SealAll(TestKey(), name, AsBytes("x"), kSeg));
  ASSERT_OK_AND_ASSIGN(Bytes opened, UnsealAll(TestKey(), name, sealed));
  EXPECT_EQ(AsStringView(opened), "x");
}

TEST(SealedObjectTest, EmptyPlaintextHasOneAuthenticatedSegment) {
  ASSERT_OK_AND_ASSIGN(Bytes sealed, SealAll(TestKey(), AsBytes("obj"), {}, kSeg));
  ASSERT_EQ(sealed.size(), 64u);
  ASSERT_OK_AND_ASSIGN(Bytes opened, UnsealAll(TestKey(), AsBytes("obj"), sealed));
  EXPECT_TRUE(opened.empty());
  EXPECT_THAT(UnsealAll(TestKey(), AsBytes("other"), sealed), StatusIs(StatusCode::kDataLoss));
}

}  // namespace
}  // namespace hdhub::crypto

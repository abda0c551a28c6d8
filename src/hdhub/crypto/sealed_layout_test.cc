#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hdhub/common/status_matchers.h"
#include "hdhub/crypto/streaming_aead.h"

namespace hdhub::crypto {
namespace {

using ::hdhub::testing::StatusIs;

constexpr uint32_t kSeg = 1024;

TEST(SealedLayoutTest, CiphertextSizeForEdgeCases) {
  EXPECT_EQ(SealedLayout::CiphertextSizeFor(kSeg, 0), 48u + 16);
  EXPECT_EQ(SealedLayout::CiphertextSizeFor(kSeg, 1), 48u + 1 + 16);
  EXPECT_EQ(SealedLayout::CiphertextSizeFor(kSeg, kSeg - 1), 48u + kSeg - 1 + 16);
  EXPECT_EQ(SealedLayout::CiphertextSizeFor(kSeg, kSeg), 48u + kSeg + 16);
  EXPECT_EQ(SealedLayout::CiphertextSizeFor(kSeg, kSeg + 1), 48u + kSeg + 1 + 2 * 16);
  EXPECT_EQ(SealedLayout::CiphertextSizeFor(kSeg, 3 * kSeg), 48u + 3 * kSeg + 3 * 16);
}

TEST(SealedLayoutTest, FromCiphertextSizeInvertsCiphertextSizeFor) {
  for (uint64_t plaintext : {0ull, 1ull, 15ull, 16ull, 1023ull, 1024ull, 1025ull, 2048ull,
                             3071ull, 3072ull, 3073ull, 100000ull}) {
    const uint64_t size = SealedLayout::CiphertextSizeFor(kSeg, plaintext);
    ASSERT_OK_AND_ASSIGN(SealedLayout layout, SealedLayout::FromCiphertextSize(kSeg, size));
    EXPECT_EQ(layout.plaintext_size, plaintext);
    EXPECT_EQ(layout.ciphertext_size, size);
    EXPECT_EQ(layout.segment_count, plaintext == 0 ? 1 : (plaintext + kSeg - 1) / kSeg);
    // Segments tile the object exactly and their plaintexts add up.
    uint64_t offset = kSealedHeaderSize, total = 0;
    for (uint64_t i = 0; i < layout.segment_count; ++i) {
      EXPECT_EQ(layout.SegmentCiphertextOffset(i), offset);
      EXPECT_EQ(layout.SegmentCiphertextSize(i), layout.SegmentPlaintextSize(i) + kSealedTagSize);
      if (i + 1 < layout.segment_count) {
        EXPECT_EQ(layout.SegmentPlaintextSize(i), kSeg);
      }
      offset += layout.SegmentCiphertextSize(i);
      total += layout.SegmentPlaintextSize(i);
    }
    EXPECT_EQ(offset, size);
    EXPECT_EQ(total, plaintext);
  }
}

TEST(SealedLayoutTest, ExactMultipleEndsWithAFullLastSegment) {
  ASSERT_OK_AND_ASSIGN(SealedLayout layout,
                       SealedLayout::FromCiphertextSize(kSeg, 48 + 3 * (kSeg + 16)));
  EXPECT_EQ(layout.segment_count, 3u);
  EXPECT_EQ(layout.SegmentPlaintextSize(2), kSeg);
}

TEST(SealedLayoutTest, EmptyLastSegmentAfterFullOnesIsReadable) {
  // Not what SealWriter produces, but a valid size: two full segments then an
  // empty last one.
  ASSERT_OK_AND_ASSIGN(SealedLayout layout,
                       SealedLayout::FromCiphertextSize(kSeg, 48 + 2 * (kSeg + 16) + 16));
  EXPECT_EQ(layout.segment_count, 3u);
  EXPECT_EQ(layout.plaintext_size, 2u * kSeg);
  EXPECT_EQ(layout.SegmentPlaintextSize(2), 0u);
}

TEST(SealedLayoutTest, RejectsImpossibleSizes) {
  for (uint64_t size : {0ull, 47ull, 48ull, 63ull}) {
    EXPECT_THAT(SealedLayout::FromCiphertextSize(kSeg, size), StatusIs(StatusCode::kDataLoss))
        << size;
  }
  // A last segment of 1..15 bytes cannot even hold its tag.
  for (uint64_t tail = 1; tail < kSealedTagSize; ++tail) {
    EXPECT_THAT(SealedLayout::FromCiphertextSize(kSeg, 48 + (kSeg + 16) + tail),
                StatusIs(StatusCode::kDataLoss))
        << tail;
  }
  EXPECT_THAT(SealedLayout::FromCiphertextSize(kMinSegmentSize - 1, 1000),
              StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(SealedLayout::FromCiphertextSize(kMaxSegmentSize + 1, 1000),
              StatusIs(StatusCode::kDataLoss));
  // More segments than a u32 index can number.
  const uint64_t too_many = 48 + ((uint64_t{1} << 32) + 1) * (kSeg + 16);
  EXPECT_THAT(SealedLayout::FromCiphertextSize(kSeg, too_many), StatusIs(StatusCode::kDataLoss));
}

TEST(SealedLayoutTest, SegmentForPlaintextOffset) {
  ASSERT_OK_AND_ASSIGN(SealedLayout layout,
                       SealedLayout::FromCiphertextSize(
                           kSeg, SealedLayout::CiphertextSizeFor(kSeg, 2 * kSeg + 10)));
  EXPECT_EQ(layout.SegmentForPlaintextOffset(0), 0u);
  EXPECT_EQ(layout.SegmentForPlaintextOffset(kSeg - 1), 0u);
  EXPECT_EQ(layout.SegmentForPlaintextOffset(kSeg), 1u);
  EXPECT_EQ(layout.SegmentForPlaintextOffset(2 * kSeg + 9), 2u);
  EXPECT_EQ(layout.SegmentForPlaintextOffset(2 * kSeg + 10), 2u);  // the end offset
  ASSERT_OK_AND_ASSIGN(SealedLayout empty, SealedLayout::FromCiphertextSize(kSeg, 64));
  EXPECT_EQ(empty.SegmentForPlaintextOffset(0), 0u);
}

}  // namespace
}  // namespace hdhub::crypto

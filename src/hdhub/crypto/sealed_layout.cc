// SealedLayout: where segments sit in a sealed object (docs/formats/sealed-object.md §5).
#include <algorithm>
#include <limits>
#include <string>

#include "hdhub/crypto/streaming_aead.h"

namespace hdhub::crypto {
namespace {

// The segment index is a u32 in the nonce, so an object has at most 2^32 segments.
constexpr uint64_t kMaxSegmentCount = uint64_t{1} << 32;

}  // namespace

StatusOr<SealedLayout> SealedLayout::FromCiphertextSize(uint32_t segment_size,
                                                        uint64_t ciphertext_size) {
  if (segment_size < kMinSegmentSize || segment_size > kMaxSegmentSize) {
    return DataLossError("sealed object declares an unsupported segment size " +
                         std::to_string(segment_size));
  }
  if (ciphertext_size < kSealedHeaderSize + kSealedTagSize) {
    return DataLossError("sealed object of " + std::to_string(ciphertext_size) +
                         " bytes is shorter than a header and one tag (truncated?)");
  }
  // Every segment but the last is exactly full_segment bytes; the last one is
  // tag + 0..segment_size bytes. So the remainder after the full segments is
  // either 0 (the last segment is full) or at least a tag.
  const uint64_t body = ciphertext_size - kSealedHeaderSize;
  const uint64_t full_segment = uint64_t{segment_size} + kSealedTagSize;
  uint64_t count = body / full_segment;
  const uint64_t remainder = body % full_segment;
  if (remainder != 0) {
    if (remainder < kSealedTagSize) {
      return DataLossError("sealed object of " + std::to_string(ciphertext_size) +
                           " bytes ends inside a segment tag (truncated?)");
    }
    ++count;
  }
  if (count > kMaxSegmentCount) {
    return DataLossError("sealed object has more than 2^32 segments");
  }
  SealedLayout layout;
  layout.segment_size = segment_size;
  layout.ciphertext_size = ciphertext_size;
  layout.segment_count = count;
  layout.plaintext_size = body - count * kSealedTagSize;
  return layout;
}

uint64_t SealedLayout::CiphertextSizeFor(uint32_t segment_size, uint64_t plaintext_size) {
  // An empty plaintext still has one (empty) segment; otherwise the last
  // segment holds 1..segment_size bytes.
  const uint64_t count =
      plaintext_size == 0 ? 1 : (plaintext_size + segment_size - 1) / segment_size;
  return kSealedHeaderSize + plaintext_size + count * kSealedTagSize;
}

uint64_t SealedLayout::SegmentCiphertextOffset(uint64_t index) const {
  return kSealedHeaderSize + index * (uint64_t{segment_size} + kSealedTagSize);
}

size_t SealedLayout::SegmentCiphertextSize(uint64_t index) const {
  return SegmentPlaintextSize(index) + kSealedTagSize;
}

size_t SealedLayout::SegmentPlaintextSize(uint64_t index) const {
  if (index + 1 < segment_count) return segment_size;
  if (index + 1 > segment_count) return 0;  // Past the end: nothing to read.
  return static_cast<size_t>(plaintext_size - (segment_count - 1) * uint64_t{segment_size});
}

uint64_t SealedLayout::SegmentForPlaintextOffset(uint64_t plaintext_offset) const {
  // The end offset (== plaintext_size) maps to the last segment, so that a
  // range [begin, end) covers segments For(begin)..For(end - 1) and an empty
  // object still has a segment to read.
  if (segment_count == 0) return 0;
  return std::min(plaintext_offset / segment_size, segment_count - 1);
}

}  // namespace hdhub::crypto

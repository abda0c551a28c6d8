#include "hdhub/s3/copy_pipe.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>

#include "hdhub/common/status_matchers.h"
#include "hdhub/storage/memory_blob_store.h"

namespace hdhub::s3 {
namespace {

using ::hdhub::testing::StatusIs;
using ::testing::HasSubstr;

Bytes TestPattern(size_t size, uint32_t seed) {
  Bytes out(size);
  for (size_t i = 0; i < size; ++i) out[i] = uint8_t((i * 131 + seed * 7 + (i >> 9)) & 0xff);
  return out;
}

class CopyPipeTest : public ::testing::Test {
 protected:
  std::unique_ptr<storage::BlobReader> Source(const Bytes& data) {
    EXPECT_OK(store_.Put("source", data));
    auto reader = store_.OpenReader("source");
    EXPECT_OK(reader);
    return std::move(reader).value();
  }

  // Reads the pipe dry with reads of `step` bytes; the bytes, or the error
  // (`got` then holds what came before it).
  static Status Drain(CopyPipe& pipe, size_t step, Bytes& got) {
    Bytes buffer(step);
    while (true) {
      ASSIGN_OR_RETURN(size_t n, pipe.Read(buffer));
      if (n == 0) return OkStatus();
      got.insert(got.end(), buffer.begin(), buffer.begin() + std::ptrdiff_t(n));
    }
  }

  storage::MemoryBlobStore store_;
};

TEST_F(CopyPipeTest, HandsOverEveryByteInOrderThroughASmallRing) {
  Bytes data = TestPattern(200'003, 1);
  auto source = Source(data);
  for (size_t capacity : {size_t{7}, size_t{4096}, size_t{1} << 20}) {
    CopyPipe pipe(*source, crypto::Sha256(data), "target", capacity);
    Bytes got;
    ASSERT_OK(Drain(pipe, 100'000, got));
    EXPECT_TRUE(got == data) << capacity;
  }
}

TEST_F(CopyPipeTest, KeepsTheLastByteWhenTheBytesDoNotHashToTheRecord) {
  Bytes data = TestPattern(5 << 20, 2);
  Bytes other = data;
  other.back() ^= 1;
  auto source = Source(data);
  CopyPipe pipe(*source, crypto::Sha256(other), "target", 1 << 20);
  Bytes got;
  EXPECT_THAT(Drain(pipe, 65536, got), StatusIs(StatusCode::kDataLoss, HasSubstr("'target'")));
  // At most all but the last byte went: the PUT never completes.
  EXPECT_LT(got.size(), data.size());
  EXPECT_TRUE(std::equal(got.begin(), got.end(), data.begin()));
}

TEST_F(CopyPipeTest, ASourceThatFailsFailsTheRead) {
  Bytes data = TestPattern(1 << 20, 3);
  class Failing : public storage::BlobReader {
   public:
    uint64_t size() const override { return 1 << 20; }
    Status ReadAt(uint64_t offset, MutableByteSpan) override {
      return offset == 0 ? UnavailableError("the host went away") : OkStatus();
    }
  } failing;
  CopyPipe pipe(failing, crypto::Sha256(data), "target");
  Bytes got;
  EXPECT_THAT(Drain(pipe, 4096, got), StatusIs(StatusCode::kUnavailable, HasSubstr("went away")));
  EXPECT_TRUE(got.empty());
}

TEST_F(CopyPipeTest, DroppedHalfwayStopsItsReader) {
  Bytes data = TestPattern(4 << 20, 4);
  auto source = Source(data);
  {
    CopyPipe pipe(*source, crypto::Sha256(data), "target", 4096);
    Bytes buffer(1000);
    ASSERT_OK(pipe.Read(buffer).status());
  }  // the destructor returns (else the test times out): the producer, blocked on a full ring, was stopped
}

}  // namespace
}  // namespace hdhub::s3

#include "hdhub/storage/blob_store_conformance.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "hdhub/common/status_matchers.h"
#include "hdhub/crypto/hash.h"

namespace hdhub::testing {

using storage::BlobReader;
using storage::BlobWriter;
using storage::ObjectInfo;
using storage::WriteMode;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

void BlobStoreConformanceTest::SetUp() {
  auto store = GetParam().make(scratch_.path());
  ASSERT_OK(store);
  store_ = std::move(store).value();
}

std::string BlobStoreBackendName(const ::testing::TestParamInfo<BlobStoreBackend>& info) {
  return info.param.name;
}

void PrintTo(const BlobStoreBackend& backend, std::ostream* os) { *os << backend.name; }

Bytes TestPattern(size_t size, uint32_t seed) {
  Bytes out(size);
  uint32_t state = seed * 2654435761u + 1;
  for (uint8_t& b : out) {
    state = state * 1664525u + 1013904223u;
    b = static_cast<uint8_t>(state >> 24);
  }
  return out;
}

namespace {

std::vector<std::string> Names(const std::vector<ObjectInfo>& objects) {
  std::vector<std::string> names;
  for (const ObjectInfo& o : objects) names.push_back(o.name);
  return names;
}

TEST_P(BlobStoreConformanceTest, PutThenGetReturnsSameBytes) {
  Bytes all_values(256);
  for (size_t i = 0; i < all_values.size(); ++i) all_values[i] = static_cast<uint8_t>(i);
  ASSERT_OK(store().Put("dir/obj", all_values));
  ASSERT_OK_AND_ASSIGN(Bytes got, store().Get("dir/obj"));
  EXPECT_EQ(got, all_values);
  ASSERT_OK_AND_ASSIGN(ObjectInfo info, store().Stat("dir/obj"));
  EXPECT_EQ(info.name, "dir/obj");
  EXPECT_EQ(info.size, 256u);
}

TEST_P(BlobStoreConformanceTest, EmptyObjectRoundTrips) {
  ASSERT_OK(store().Put("empty", Bytes()));
  ASSERT_OK_AND_ASSIGN(Bytes got, store().Get("empty"));
  EXPECT_TRUE(got.empty());
  ASSERT_OK_AND_ASSIGN(ObjectInfo info, store().Stat("empty"));
  EXPECT_EQ(info.size, 0u);
}

TEST_P(BlobStoreConformanceTest, PutOverwriteReplacesContent) {
  ASSERT_OK(store().Put("x", TestPattern(1000, 1)));
  ASSERT_OK(store().Put("x", TestPattern(10, 2), WriteMode::kOverwrite));
  ASSERT_OK_AND_ASSIGN(Bytes got, store().Get("x"));
  EXPECT_EQ(got, TestPattern(10, 2));
}

TEST_P(BlobStoreConformanceTest, PutIfAbsentCreatesMissingObject) {
  ASSERT_OK(store().Put("x", TestPattern(10, 1), WriteMode::kIfAbsent));
  ASSERT_OK_AND_ASSIGN(Bytes got, store().Get("x"));
  EXPECT_EQ(got, TestPattern(10, 1));
}

TEST_P(BlobStoreConformanceTest, PutIfAbsentFailsAndKeepsOldContent) {
  ASSERT_OK(store().Put("x", TestPattern(10, 1)));
  EXPECT_THAT(store().Put("x", TestPattern(20, 2), WriteMode::kIfAbsent),
              StatusIs(StatusCode::kAlreadyExists, ::testing::HasSubstr("x")));
  ASSERT_OK_AND_ASSIGN(auto writer, store().NewWriter("x", WriteMode::kIfAbsent));
  ASSERT_OK(writer->Append(TestPattern(30, 3)));
  EXPECT_THAT(writer->Commit(), StatusIs(StatusCode::kAlreadyExists));
  writer.reset();
  ASSERT_OK_AND_ASSIGN(Bytes got, store().Get("x"));
  EXPECT_EQ(got, TestPattern(10, 1));
  ASSERT_OK_AND_ASSIGN(auto listed, store().List(""));
  EXPECT_THAT(Names(listed), ElementsAre("x"));
}

TEST_P(BlobStoreConformanceTest, MissingObjectIsNotFound) {
  ASSERT_OK(store().Put("other", TestPattern(4, 1)));
  EXPECT_THAT(store().Get("missing"), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(store().GetRange("missing", 0, 0), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(store().Stat("missing"), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(store().OpenReader("missing"), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(store().Delete("missing"), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(store().Get("no/such/dir"),
              StatusIs(StatusCode::kNotFound, ::testing::HasSubstr("no/such/dir")));
}

TEST_P(BlobStoreConformanceTest, DeleteRemovesObject) {
  ASSERT_OK(store().Put("d/x", TestPattern(4, 1)));
  ASSERT_OK(store().Put("d/y", TestPattern(4, 2)));
  ASSERT_OK(store().Delete("d/x"));
  EXPECT_THAT(store().Get("d/x"), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(store().Delete("d/x"), StatusIs(StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(auto listed, store().List(""));
  EXPECT_THAT(Names(listed), ElementsAre("d/y"));
}

TEST_P(BlobStoreConformanceTest, GetRangeReturnsRequestedSlice) {
  Bytes data = TestPattern(100, 7);
  ASSERT_OK(store().Put("r", data));
  ASSERT_OK_AND_ASSIGN(Bytes middle, store().GetRange("r", 10, 20));
  EXPECT_EQ(middle, Bytes(data.begin() + 10, data.begin() + 30));
  ASSERT_OK_AND_ASSIGN(Bytes tail, store().GetRange("r", 90, 10));
  EXPECT_EQ(tail, Bytes(data.begin() + 90, data.end()));
  ASSERT_OK_AND_ASSIGN(Bytes all, store().GetRange("r", 0, 100));
  EXPECT_EQ(all, data);
  ASSERT_OK_AND_ASSIGN(Bytes empty_start, store().GetRange("r", 0, 0));
  EXPECT_TRUE(empty_start.empty());
  ASSERT_OK_AND_ASSIGN(Bytes empty_end, store().GetRange("r", 100, 0));
  EXPECT_TRUE(empty_end.empty());
}

TEST_P(BlobStoreConformanceTest, GetRangePastEndIsOutOfRange) {
  ASSERT_OK(store().Put("r", TestPattern(100, 7)));
  EXPECT_THAT(store().GetRange("r", 90, 11), StatusIs(StatusCode::kOutOfRange));
  EXPECT_THAT(store().GetRange("r", 101, 0), StatusIs(StatusCode::kOutOfRange));
  EXPECT_THAT(store().GetRange("r", 1, std::numeric_limits<uint64_t>::max()),
              StatusIs(StatusCode::kOutOfRange));
}

TEST_P(BlobStoreConformanceTest, ReaderReadsAnyRange) {
  Bytes data = TestPattern(5000, 3);
  ASSERT_OK(store().Put("r", data));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<BlobReader> reader, store().OpenReader("r"));
  EXPECT_EQ(reader->size(), 5000u);
  for (uint64_t offset : {0u, 1u, 1000u, 4999u}) {
    Bytes out(std::min<uint64_t>(333, 5000 - offset));
    ASSERT_OK(reader->ReadAt(offset, out));
    EXPECT_EQ(out, Bytes(data.begin() + offset, data.begin() + offset + out.size()));
  }
  Bytes none;
  EXPECT_OK(reader->ReadAt(5000, none));
  Bytes two(2);
  EXPECT_THAT(reader->ReadAt(4999, two), StatusIs(StatusCode::kOutOfRange));
  EXPECT_THAT(reader->ReadAt(5001, none), StatusIs(StatusCode::kOutOfRange));
}

TEST_P(BlobStoreConformanceTest, ReaderNeverMixesOldAndNewContent) {
  ASSERT_OK(store().Put("r", TestPattern(4096, 1)));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<BlobReader> reader, store().OpenReader("r"));
  ASSERT_OK(store().Put("r", TestPattern(4096, 2)));
  Bytes out(4096);
  Status status = reader->ReadAt(0, out);
  if (status.ok()) {
    EXPECT_EQ(out, TestPattern(4096, 1));
  }
}

TEST_P(BlobStoreConformanceTest, ListReturnsPrefixMatchesSorted) {
  for (const char* name : {"b", "a/c", "ab", "a/b/d", "a-x", "a/bc", "a/b/c"}) {
    ASSERT_OK(store().Put(name, AsBytes(name)));
  }
  ASSERT_OK_AND_ASSIGN(auto all, store().List(""));
  EXPECT_THAT(Names(all), ElementsAre("a-x", "a/b/c", "a/b/d", "a/bc", "a/c", "ab", "b"));
  ASSERT_OK_AND_ASSIGN(auto a_b, store().List("a/b"));
  EXPECT_THAT(Names(a_b), ElementsAre("a/b/c", "a/b/d", "a/bc"));
  ASSERT_OK_AND_ASSIGN(auto a_b_dir, store().List("a/b/"));
  EXPECT_THAT(Names(a_b_dir), ElementsAre("a/b/c", "a/b/d"));
  ASSERT_OK_AND_ASSIGN(auto exact, store().List("a/bc"));
  EXPECT_THAT(Names(exact), ElementsAre("a/bc"));
  ASSERT_OK_AND_ASSIGN(auto none, store().List("zz"));
  EXPECT_TRUE(none.empty());
  ASSERT_OK_AND_ASSIGN(auto a, store().List("a"));
  EXPECT_THAT(Names(a), ElementsAre("a-x", "a/b/c", "a/b/d", "a/bc", "a/c", "ab"));
  EXPECT_EQ(a[0].size, 3u);
}

TEST_P(BlobStoreConformanceTest, InvalidNamesAreRejected) {
  std::vector<std::string> bad = {
      "",   "..", ".",   "a/../b",  "a/./b",    "a//b",        "/a",
      "a/", "A",  "a b", ".hidden", "a/.tmp/x", "caf\xc3\xa9", std::string(513, 'a')};
  for (const std::string& name : bad) {
    SCOPED_TRACE("name '" + name + "'");
    EXPECT_THAT(store().Put(name, TestPattern(1, 1)), StatusIs(StatusCode::kInvalidArgument));
    EXPECT_THAT(store().NewWriter(name), StatusIs(StatusCode::kInvalidArgument));
    EXPECT_THAT(store().Get(name), StatusIs(StatusCode::kInvalidArgument));
    EXPECT_THAT(store().GetRange(name, 0, 0), StatusIs(StatusCode::kInvalidArgument));
    EXPECT_THAT(store().OpenReader(name), StatusIs(StatusCode::kInvalidArgument));
    EXPECT_THAT(store().Stat(name), StatusIs(StatusCode::kInvalidArgument));
    EXPECT_THAT(store().Delete(name), StatusIs(StatusCode::kInvalidArgument));
  }
  ASSERT_OK_AND_ASSIGN(auto listed, store().List(""));
  EXPECT_TRUE(listed.empty());
}

TEST_P(BlobStoreConformanceTest, LongestValidNameWorks) {
  // 512 characters in components short enough for any filesystem.
  std::string name;
  while (name.size() + 101 <= 512) name += std::string(100, 'n') + "/";
  name += std::string(512 - name.size(), 'z');
  ASSERT_EQ(name.size(), 512u);
  ASSERT_OK(store().Put(name, TestPattern(3, 1)));
  ASSERT_OK_AND_ASSIGN(Bytes got, store().Get(name));
  EXPECT_EQ(got, TestPattern(3, 1));
}

TEST_P(BlobStoreConformanceTest, WriterWithoutCommitLeavesNothing) {
  {
    ASSERT_OK_AND_ASSIGN(auto writer, store().NewWriter("w/new"));
    ASSERT_OK(writer->Append(TestPattern(100, 1)));
  }
  EXPECT_THAT(store().Stat("w/new"), StatusIs(StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(auto listed, store().List(""));
  EXPECT_TRUE(listed.empty());
}

TEST_P(BlobStoreConformanceTest, WriterWithoutCommitKeepsOldObject) {
  ASSERT_OK(store().Put("w/old", TestPattern(50, 1)));
  {
    ASSERT_OK_AND_ASSIGN(auto writer, store().NewWriter("w/old"));
    ASSERT_OK(writer->Append(TestPattern(100, 2)));
  }
  ASSERT_OK_AND_ASSIGN(Bytes got, store().Get("w/old"));
  EXPECT_EQ(got, TestPattern(50, 1));
}

TEST_P(BlobStoreConformanceTest, WriterCannotBeUsedAfterCommit) {
  ASSERT_OK_AND_ASSIGN(auto writer, store().NewWriter("w"));
  ASSERT_OK(writer->Append(TestPattern(5, 1)));
  EXPECT_EQ(writer->bytes_written(), 5u);
  ASSERT_OK(writer->Commit());
  EXPECT_EQ(writer->bytes_written(), 5u);
  EXPECT_THAT(writer->Append(TestPattern(5, 2)), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(writer->Commit(), StatusIs(StatusCode::kFailedPrecondition));
  ASSERT_OK_AND_ASSIGN(Bytes got, store().Get("w"));
  EXPECT_EQ(got, TestPattern(5, 1));
}

TEST_P(BlobStoreConformanceTest, BigObjectWrittenInManyAppends) {
  constexpr size_t kSize = 6 * 1024 * 1024 + 123;
  Bytes data = TestPattern(kSize, 9);
  ASSERT_OK_AND_ASSIGN(auto writer, store().NewWriter("big/object"));
  size_t offset = 0;
  for (size_t step = 1; offset < kSize; step = step * 3 % 65521 + 1) {
    size_t n = std::min(step, kSize - offset);
    ASSERT_OK(writer->Append(ByteSpan(data).subspan(offset, n)));
    offset += n;
  }
  EXPECT_EQ(writer->bytes_written(), kSize);
  ASSERT_OK(writer->Commit());
  ASSERT_OK_AND_ASSIGN(Bytes got, store().Get("big/object"));
  EXPECT_TRUE(got == data);
  ASSERT_OK_AND_ASSIGN(Bytes slice, store().GetRange("big/object", kSize - 5000, 5000));
  EXPECT_TRUE(std::equal(slice.begin(), slice.end(), data.end() - 5000));
}

TEST_P(BlobStoreConformanceTest, ReadStreamHandsOverTheRangeInOrder) {
  Bytes data = TestPattern(size_t(storage::BlobReader::kStreamChunk) + 12345, 25);
  ASSERT_OK(store().Put("stream/obj", data));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<BlobReader> reader, store().OpenReader("stream/obj"));
  auto stream = [&](uint64_t offset, uint64_t length) -> StatusOr<Bytes> {
    Bytes got;
    RETURN_IF_ERROR(reader->ReadStream(offset, length, [&](ByteSpan piece) {
      EXPECT_FALSE(piece.empty());
      got.insert(got.end(), piece.begin(), piece.end());
      return OkStatus();
    }));
    return got;
  };
  EXPECT_THAT(stream(0, data.size()), IsOkAndHolds(data));
  EXPECT_THAT(stream(100, 5000), IsOkAndHolds(Bytes(data.begin() + 100, data.begin() + 5100)));
  EXPECT_THAT(stream(data.size() - 7, 7), IsOkAndHolds(Bytes(data.end() - 7, data.end())));
  EXPECT_THAT(stream(data.size(), 0), IsOkAndHolds(Bytes()));
  EXPECT_THAT(stream(data.size() - 10, 11), StatusIs(StatusCode::kOutOfRange));
  EXPECT_THAT(stream(data.size() + 1, 0), StatusIs(StatusCode::kOutOfRange));
}

TEST_P(BlobStoreConformanceTest, ReadStreamStopsAtTheSinksErrorAndReturnsIt) {
  Bytes data = TestPattern(size_t(storage::BlobReader::kStreamChunk) * 2, 26);
  ASSERT_OK(store().Put("stream/obj", data));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<BlobReader> reader, store().OpenReader("stream/obj"));
  // Even a retryable code: the sink's error ends the stream, never a retry.
  for (StatusCode code : {StatusCode::kDataLoss, StatusCode::kUnavailable}) {
    int calls = 0;
    EXPECT_THAT(reader->ReadStream(0, data.size(),
                                   [&](ByteSpan) {
                                     ++calls;
                                     return Status(code, "the sink is full");
                                   }),
                StatusIs(code, HasSubstr("the sink is full")));
    EXPECT_EQ(calls, 1);
  }
}

TEST_P(BlobStoreConformanceTest, PutFromCopiesAnObjectThatHashesToItsDigest) {
  // More than one copy chunk, so that the copy reads several times.
  Bytes data = TestPattern(size_t(storage::BlobReader::kStreamChunk) + 4321, 21);
  ASSERT_OK(store().Put("from/obj", data));
  ASSERT_OK(store().Put("to/obj", TestPattern(10, 22)));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<BlobReader> source, store().OpenReader("from/obj"));
  ASSERT_OK(store().PutFrom("to/obj", *source, crypto::Sha256(data)));
  ASSERT_OK_AND_ASSIGN(Bytes got, store().Get("to/obj"));
  EXPECT_EQ(got, data);
  ASSERT_OK(store().PutFrom("to/new", *source, crypto::Sha256(data)));
  EXPECT_EQ(store().Get("to/new").value(), data);
}

TEST_P(BlobStoreConformanceTest, PutFromPublishesNothingWhenTheBytesDoNotHashToTheDigest) {
  Bytes data = TestPattern(size_t(storage::BlobReader::kStreamChunk) + 17, 23);
  ASSERT_OK(store().Put("from/obj", data));
  Bytes old = TestPattern(10, 24);
  ASSERT_OK(store().Put("to/obj", old));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<BlobReader> source, store().OpenReader("from/obj"));
  Bytes other = data;
  other.back() ^= 1;  // the digest on record is of other bytes
  EXPECT_THAT(store().PutFrom("to/obj", *source, crypto::Sha256(other)),
              StatusIs(StatusCode::kDataLoss, HasSubstr("'to/obj' do not have the SHA-256 on record")));
  EXPECT_EQ(store().Get("to/obj").value(), old);
  EXPECT_THAT(store().PutFrom("to/new", *source, crypto::Sha256(other)), StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(store().Stat("to/new"), StatusIs(StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(std::vector<ObjectInfo> listed, store().List("to/"));
  EXPECT_THAT(Names(listed), ElementsAre("to/obj"));
}

TEST_P(BlobStoreConformanceTest, ConcurrentPutsAndGetsStayConsistent) {
  constexpr int kThreads = 6;
  constexpr int kRounds = 40;
  constexpr size_t kSize = 3000;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < kRounds; ++round) {
        uint32_t seed = static_cast<uint32_t>(t * 1000 + round);
        std::string own = "t" + std::to_string(t) + "/o" + std::to_string(round % 4);
        if (!store().Put(own, TestPattern(kSize, seed)).ok()) ++failures;
        auto got = store().Get(own);
        if (!got.ok() || *got != TestPattern(kSize, seed)) ++failures;
        // Everyone overwrites one shared name: each Get sees one whole version.
        if (!store().Put("shared", Bytes(kSize, static_cast<uint8_t>(t))).ok()) ++failures;
        auto shared = store().Get("shared");
        if (!shared.ok() || shared->size() != kSize ||
            std::count(shared->begin(), shared->end(), (*shared)[0]) != static_cast<long>(kSize)) {
          ++failures;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  ASSERT_OK_AND_ASSIGN(auto listed, store().List("t"));
  EXPECT_EQ(listed.size(), static_cast<size_t>(kThreads * 4));
}

TEST_P(BlobStoreConformanceTest, ConcurrentReadAtOnOneReader) {
  Bytes data = TestPattern(64 * 1024, 5);
  ASSERT_OK(store().Put("r", data));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<BlobReader> reader, store().OpenReader("r"));
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (uint64_t offset = static_cast<uint64_t>(t) * 7; offset + 500 <= data.size();
           offset += 997) {
        Bytes out(500);
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

}  // namespace
}  // namespace hdhub::testing

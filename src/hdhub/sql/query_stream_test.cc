// Query streams: DuckDB's types kept cell by cell, chunks pulled in bounded
// memory, limits, cancel and timeout ending the stream, and the query event
// written when it ends.
#include "hdhub/sql/query_stream.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <mutex>
#include <thread>

#include "hdhub/audit/audit_log.h"
#include "hdhub/common/status_matchers.h"
#include "hdhub/crypto/random.h"
#include "hdhub/sql/database.h"
#include "hdhub/sql/logged_query.h"
#include "hdhub/storage/memory_blob_store.h"

namespace hdhub::sql {
namespace {

using ::hdhub::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A query that never yields a row and runs for hours unless stopped.
constexpr char kEndless[] = "SELECT range FROM range(1000000000000) WHERE range < 0";

// Resident set size of this process, in bytes.
uint64_t ResidentBytes() {
  uint64_t pages = 0, resident = 0;
  std::ifstream("/proc/self/statm") >> pages >> resident;
  return resident * uint64_t(::sysconf(_SC_PAGESIZE));
}

class QueryStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sealed_ = std::make_unique<storage::SealedStore>(
        &host_, crypto::HmacSha256::Create(crypto::RandomSecret(32).value()).value());
    ASSERT_OK_AND_ASSIGN(db_, Database::Open(sealed_.get(), {.threads = 2, .memory_limit = "256MB"}));
  }

  // Pulls `stream` to its end; returns the outcome, counting rows.
  static Status Drain(QueryStream& stream, uint64_t* rows = nullptr) {
    while (true) {
      StatusOr<std::optional<Chunk>> chunk = stream.Next();
      if (!chunk.ok()) return chunk.status();
      if (!*chunk) return OkStatus();
      if (rows) *rows += (*chunk)->size();
    }
  }

  storage::MemoryBlobStore host_;
  std::unique_ptr<storage::SealedStore> sealed_;
  std::unique_ptr<Database> db_;
};

TEST_F(QueryStreamTest, EachTypeKindKeepsDuckDbsType) {
  ASSERT_OK_AND_ASSIGN(auto stream, db_->Stream("SELECT true AS b, -5::TINYINT AS i8, 9007199254740993 AS i64, "
                                                "18446744073709551615::UBIGINT AS u64, "
                                                "'-170141183460469231731687303715884105728'::HUGEINT AS i128, "
                                                "0.1::DOUBLE AS d, -12.340::DECIMAL(18,3) AS dec, "
                                                "'12345678901234567890.1234567890'::DECIMAL(38,10) AS wide, "
                                                "DATE '1969-12-31' AS day, "
                                                "TIMESTAMP '2021-03-04 05:06:07.000123' AS ts, 'né' AS txt, "
                                                "NULL::INTEGER AS nothing, "
                                                "'00000000-0000-0000-0000-000000000001'::UUID AS id, "
                                                "'infinity'::DATE AS forever"));
  EXPECT_THAT(stream->column_names(), ElementsAre("b", "i8", "i64", "u64", "i128", "d", "dec", "wide", "day", "ts",
                                                  "txt", "nothing", "id", "forever"));
  const std::vector<ColumnType>& types = stream->column_types();
  ASSERT_EQ(types.size(), 14u);
  std::vector<TypeKind> kinds;
  for (const ColumnType& t : types) kinds.push_back(t.kind);
  using K = TypeKind;
  EXPECT_THAT(kinds, ElementsAre(K::kBoolean, K::kInteger, K::kInteger, K::kHugeInteger, K::kHugeInteger, K::kDouble,
                                 K::kDecimal, K::kDecimal, K::kDate, K::kTimestamp, K::kText, K::kInteger, K::kOther,
                                 K::kDate));
  EXPECT_EQ(types[6], (ColumnType{.kind = K::kDecimal, .width = 18, .scale = 3, .name = "DECIMAL(18,3)"}));
  EXPECT_EQ(types[7].width, 38);
  EXPECT_EQ(types[7].scale, 10);
  EXPECT_EQ(types[9].name, "TIMESTAMP");

  ASSERT_OK_AND_ASSIGN(std::optional<Chunk> chunk, stream->Next());
  ASSERT_TRUE(chunk);
  ASSERT_EQ(chunk->size(), 1u);
  std::vector<Value> row;
  for (size_t c = 0; c < chunk->column_count(); ++c) row.push_back(chunk->Get(c, 0));
  EXPECT_EQ(row[0], Value(true));
  EXPECT_EQ(row[1], Value(int64_t{-5}));
  EXPECT_EQ(row[2], Value(int64_t{9007199254740993}));
  EXPECT_EQ(row[3], Value(Int128(18446744073709551615ull)));
  EXPECT_EQ(Int128ToString(std::get<Int128>(row[4])), "-170141183460469231731687303715884105728");
  EXPECT_EQ(row[5], Value(0.1));
  EXPECT_EQ(row[6], Value(Decimal{.unscaled = -12340, .scale = 3}));
  EXPECT_EQ(DecimalToString(std::get<Decimal>(row[7])), "12345678901234567890.1234567890");
  EXPECT_EQ(row[8], Value(Date{.days = -1}));
  EXPECT_EQ(row[9], Value(Timestamp{.micros = 1614834367000123}));
  EXPECT_EQ(row[10], Value(std::string("né")));
  EXPECT_EQ(row[11], Value(std::monostate()));
  EXPECT_EQ(row[12], Value(Rendered{"00000000-0000-0000-0000-000000000001"}));
  EXPECT_EQ(row[13], Value(Rendered{"infinity"}));
  EXPECT_TRUE(chunk->IsNull(11, 0));
  EXPECT_FALSE(chunk->IsNull(10, 0));
  EXPECT_EQ(chunk->Text(6, 0), "-12.340");
  EXPECT_EQ(chunk->Text(9, 0), "2021-03-04 05:06:07.000123");
  ASSERT_OK_AND_ASSIGN(std::optional<Chunk> end, stream->Next());
  EXPECT_FALSE(end);
}

TEST_F(QueryStreamTest, TenMillionRowsStreamInBoundedMemory) {
  constexpr uint64_t kRows = 10'000'000;
  ASSERT_OK_AND_ASSIGN(auto stream, db_->Stream("SELECT range AS i, range::VARCHAR AS s FROM range(10000000)"));
  // Collected, these rows take over 240 MB in DuckDB's own format and about
  // 2 GB as QueryResult cells; streamed, a few chunks at a time.
  constexpr uint64_t kBound = 96 << 20;
  uint64_t rows = 0, sum = 0, text_bytes = 0, baseline = 0, peak = 0;
  while (true) {
    ASSERT_OK_AND_ASSIGN(std::optional<Chunk> chunk, stream->Next());
    if (!chunk) break;
    for (size_t r = 0; r < chunk->size(); ++r) {
      sum += uint64_t(std::get<int64_t>(chunk->Get(0, r)));
      text_bytes += std::get<std::string>(chunk->Get(1, r)).size();
    }
    rows += chunk->size();
    uint64_t rss = ResidentBytes();
    if (baseline == 0) baseline = rss;
    peak = std::max(peak, rss);
  }
  EXPECT_EQ(rows, kRows);
  EXPECT_EQ(sum, kRows * (kRows - 1) / 2);
  EXPECT_EQ(stream->rows(), kRows);
  EXPECT_EQ(stream->bytes(), kRows * 8 + text_bytes);
  EXPECT_LT(peak - baseline, kBound) << "resident memory grew by " << (peak - baseline) / (1 << 20) << " MB";
}

TEST_F(QueryStreamTest, TheRowLimitEndsTheStreamWithResourceExhausted) {
  ASSERT_OK_AND_ASSIGN(auto stream, db_->Stream("SELECT range FROM range(100000)", {.max_rows = 5000}));
  uint64_t rows = 0;
  EXPECT_THAT(Drain(*stream, &rows), StatusIs(StatusCode::kResourceExhausted));
  EXPECT_GT(rows, 0u);
  EXPECT_LE(rows, 5000u);
  EXPECT_EQ(stream->rows(), rows);
  EXPECT_THAT(stream->Next(), StatusIs(StatusCode::kResourceExhausted));  // the end stays the end
  EXPECT_THAT(db_->Query("SELECT range FROM range(100000)", {.max_rows = 5000}),
              StatusIs(StatusCode::kResourceExhausted));
  ASSERT_OK_AND_ASSIGN(QueryResult exact, db_->Query("SELECT range FROM range(5000)", {.max_rows = 5000}));
  EXPECT_EQ(exact.rows.size(), 5000u);
}

TEST_F(QueryStreamTest, TheByteLimitEndsTheStreamWithResourceExhausted) {
  // 10 MB in chunks of 2048 rows (2 MB): two pass, the third would not.
  ASSERT_OK_AND_ASSIGN(auto stream,
                       db_->Stream("SELECT repeat('x', 1000) FROM range(10000)", {.max_bytes = 5'000'000}));
  EXPECT_THAT(Drain(*stream), StatusIs(StatusCode::kResourceExhausted));
  EXPECT_LE(stream->bytes(), 5'000'000u);
  EXPECT_GT(stream->bytes(), 0u);
  ASSERT_OK_AND_ASSIGN(QueryResult small,
                       db_->Query("SELECT repeat('x', 1000) FROM range(500)", {.max_bytes = 500000}));
  EXPECT_EQ(small.rows.size(), 500u);
}

TEST_F(QueryStreamTest, CancelFromAnotherThreadEndsARunningNext) {
  // The timeout only keeps a broken Cancel from hanging the test.
  ASSERT_OK_AND_ASSIGN(auto stream, db_->Stream(kEndless, {.timeout = std::chrono::seconds(60)}));
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    stream->Cancel();
  });
  EXPECT_THAT(stream->Next(), StatusIs(StatusCode::kCancelled));
  canceller.join();
  EXPECT_THAT(stream->Next(), StatusIs(StatusCode::kCancelled));
  stream.reset();
  ASSERT_OK_AND_ASSIGN(QueryResult after, db_->Query("SELECT 42"));  // the connection is usable again
  EXPECT_EQ(after.rows[0][0], "42");
}

TEST_F(QueryStreamTest, TheTimeoutEndsTheStreamWithDeadlineExceeded) {
  ASSERT_OK_AND_ASSIGN(auto stream, db_->Stream(kEndless, {.timeout = std::chrono::milliseconds(300)}));
  EXPECT_THAT(Drain(*stream), StatusIs(StatusCode::kDeadlineExceeded, HasSubstr("cancelled after 300 ms")));
}

TEST_F(QueryStreamTest, ProgressIsReportedWhileAStatementRunsAndNeverAfter) {
  // A table scan, whose progress DuckDB estimates (as it does for the
  // Parquet and CSV scans of ingests and builds; range() has none).
  ASSERT_OK(db_->Execute("CREATE TABLE t AS SELECT range AS r FROM range(5000000)"));
  std::mutex mu;
  std::vector<Progress> reports;
  std::vector<std::string> phases;
  db_->SetProgress(
      [&](const Progress& p) {
        std::lock_guard lock(mu);
        reports.push_back(p);
        phases.emplace_back(p.phase);
      },
      "counting");
  // Long enough (a second or more) for several reports every 250 ms.
  ASSERT_OK_AND_ASSIGN(QueryResult r, db_->Query("SELECT sum(hash(md5(r::VARCHAR))) FROM t"));
  size_t seen = 0;
  {
    std::lock_guard lock(mu);
    seen = reports.size();
    ASSERT_GE(seen, 1u) << "no progress reported for a statement of a second or so";
    for (const Progress& p : reports) {
      EXPECT_LE(p.fraction, 1.0);
      EXPECT_EQ(p.unit, "rows");
    }
    EXPECT_THAT(phases, ::testing::Each(std::string("counting")));
    EXPECT_TRUE(std::any_of(reports.begin(), reports.end(), [](const Progress& p) { return p.fraction >= 0; }))
        << "DuckDB's estimate never reached the listener";
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  std::lock_guard lock(mu);
  EXPECT_EQ(reports.size(), seen) << "reports went on after the statement ended";
}

TEST_F(QueryStreamTest, AnOpenStreamHoldsTheDatabaseUntilItEnds) {
  ASSERT_OK_AND_ASSIGN(auto stream, db_->Stream("SELECT range FROM range(10)"));
  EXPECT_THAT(db_->Query("SELECT 1"), StatusIs(StatusCode::kFailedPrecondition));
  ASSERT_OK(Drain(*stream));
  EXPECT_OK(db_->Query("SELECT 1").status());
  EXPECT_THAT(db_->Stream("SELECT * FROM no_such_table"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_OK(db_->Query("SELECT 1").status());  // a failed start holds nothing
}

class LoggedStreamTest : public QueryStreamTest {
 protected:
  StatusOr<std::unique_ptr<QueryStream>> Start(const std::string& sql, const QueryLimits& limits = {}) {
    return StartLoggedQuery(log_, actor_, *db_, sql, "p1", limits);
  }
  audit::Entry Last() { return audit::DecodeEntry(log_.ReadEntry(log_.Size() - 1).value()).value(); }

  FakeClock clock_{TimePoint(std::chrono::seconds(1'800'000'000))};
  audit::MemoryAuditLog log_{&clock_};
  audit::Actor actor_{"rita", "researcher"};
};

TEST_F(LoggedStreamTest, TheEventIsWrittenWhenTheStreamEnds) {
  ASSERT_OK_AND_ASSIGN(auto stream, Start("SELECT range FROM range(3000)"));
  EXPECT_EQ(log_.Size(), 0u);
  ASSERT_OK(Drain(*stream));
  ASSERT_EQ(log_.Size(), 1u);
  EXPECT_EQ(Last().event.action, "query.run");
  EXPECT_EQ(Last().event.outcome, audit::Outcome::kSuccess);
  EXPECT_EQ(Last().event.details["rows"], 3000);
  EXPECT_EQ(Last().event.details["bytes"], 3000 * 8);
  EXPECT_EQ(Last().event.project, "p1");
}

TEST_F(LoggedStreamTest, ALimitOrAnEarlyCloseIsLoggedWithItsCode) {
  ASSERT_OK_AND_ASSIGN(auto limited, Start("SELECT range FROM range(100000)", {.max_rows = 5000}));
  EXPECT_THAT(Drain(*limited), StatusIs(StatusCode::kResourceExhausted));
  EXPECT_EQ(Last().event.outcome, audit::Outcome::kError);
  EXPECT_EQ(Last().event.details["code"], "RESOURCE_EXHAUSTED");
  EXPECT_EQ(Last().event.details["rows"], limited->rows());
  limited.reset();
  EXPECT_EQ(log_.Size(), 1u);  // one event per query

  ASSERT_OK_AND_ASSIGN(auto abandoned, Start("SELECT range FROM range(100000)"));
  ASSERT_OK(abandoned->Next().status());
  abandoned.reset();
  ASSERT_EQ(log_.Size(), 2u);
  EXPECT_EQ(Last().event.details["code"], "CANCELLED");
  EXPECT_GT(Last().event.details["rows"], 0);

  EXPECT_THAT(Start("SELECT * FROM no_such_table"), StatusIs(StatusCode::kInvalidArgument));
  ASSERT_EQ(log_.Size(), 3u);
  EXPECT_EQ(Last().event.details["code"], "INVALID_ARGUMENT");
}

TEST_F(LoggedStreamTest, AQueryWhoseEventCannotBeLoggedFails) {
  ASSERT_OK_AND_ASSIGN(auto stream, Start("SELECT range FROM range(10)"));
  log_.SetFailureForTest(UnavailableError("disk gone"));
  EXPECT_THAT(Drain(*stream), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(RunLoggedQuery(log_, actor_, *db_, "SELECT 1", std::nullopt), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(Start("SELECT * FROM no_such_table"), StatusIs(StatusCode::kUnavailable));
  log_.SetFailureForTest(OkStatus());
  EXPECT_EQ(log_.Size(), 0u);
}

TEST_F(QueryStreamTest, TablesReadNamesEveryTableButTheStatementsOwnCtes) {
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> tables,
                       db_->TablesRead("WITH recent AS (SELECT * FROM stays WHERE y > 2020) "
                                       "SELECT * FROM recent JOIN people p ON p.id = recent.id "
                                       "WHERE p.id IN (SELECT id FROM opt_outs) "
                                       "UNION ALL SELECT * FROM (SELECT * FROM drugs)"));
  EXPECT_THAT(tables, ElementsAre("drugs", "opt_outs", "people", "stays"));
  EXPECT_THAT(db_->TablesRead("SELECT 1"), ::hdhub::testing::IsOkAndHolds(::testing::IsEmpty()));
  EXPECT_THAT(db_->TablesRead("SELEC nonsense"), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace hdhub::sql

// PgTextColumn (types.h) gives, for every value of a chunk's column, what
// PgText gives for the value alone: every type the mapping knows, NULLs,
// and flat, constant and dictionary vectors, over results of several chunks.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "duckdb.hpp"
#include "hdhub/pgwire/types.h"

namespace hdhub::pgwire {
namespace {

// Compares the two for every column of every chunk of `sql`'s result;
// returns the number of values compared.
size_t ExpectColumnsAsValues(duckdb::Connection& con, const std::string& sql) {
  auto result = con.SendQuery(sql);
  EXPECT_FALSE(result->HasError()) << sql << ": " << result->GetError();
  if (result->HasError()) return 0;
  size_t compared = 0;
  while (auto chunk = result->Fetch()) {
    if (chunk->size() == 0) break;
    for (size_t c = 0; c < chunk->ColumnCount(); ++c) {
      const std::vector<std::optional<std::string>> column = PgTextColumn(*chunk, c);
      EXPECT_EQ(column.size(), chunk->size()) << sql;
      if (column.size() != chunk->size()) return compared;
      for (size_t r = 0; r < chunk->size(); ++r, ++compared) {
        EXPECT_EQ(column[r], PgText(chunk->GetValue(c, r)))
            << sql << " column " << c << " (" << chunk->data[c].GetType().ToString() << ") row " << r;
      }
    }
  }
  return compared;
}

class PgTextColumnTest : public ::testing::Test {
 protected:
  void SetUp() override { con_.Query("SET TimeZone = 'UTC'"); }
  duckdb::DuckDB db_{nullptr};
  duckdb::Connection con_{db_};
};

TEST_F(PgTextColumnTest, EveryTypeAsValueByValue) {
  // 5,000 rows (three chunks), a NULL every seventh row in every column.
  const std::string sql = R"(
    SELECT
      CASE WHEN i % 7 = 0 THEN NULL ELSE i % 2 = 0 END AS b,
      CASE WHEN i % 7 = 0 THEN NULL ELSE (i % 200 - 100)::TINYINT END AS i1,
      CASE WHEN i % 7 = 0 THEN NULL ELSE (i * 7 - 16000)::SMALLINT END AS i2,
      CASE WHEN i % 7 = 0 THEN NULL ELSE (i * 100003 - 2147483647)::INTEGER END AS i4,
      CASE WHEN i % 7 = 0 THEN NULL ELSE i * -1844674407370955 END AS i8,
      CASE WHEN i % 7 = 0 THEN NULL ELSE (i % 250)::UTINYINT END AS u1,
      CASE WHEN i % 7 = 0 THEN NULL ELSE (i * 13)::USMALLINT END AS u2,
      CASE WHEN i % 7 = 0 THEN NULL ELSE (i * 858993)::UINTEGER END AS u4,
      CASE WHEN i % 7 = 0 THEN NULL ELSE i::UBIGINT * 3689348814741910 END AS u8,
      CASE WHEN i % 7 = 0 THEN NULL ELSE i::HUGEINT * -34028236692093846346337460743176 END AS h,
      CASE WHEN i % 7 = 0 THEN NULL ELSE i::UHUGEINT * 34028236692093846346337460743176 END AS uh,
      CASE WHEN i % 7 = 0 THEN NULL ELSE (i / 100 - 25)::DECIMAL(10,2) END AS d10,
      CASE WHEN i % 7 = 0 THEN NULL ELSE (i / 3)::DECIMAL(38,10) END AS d38,
      CASE WHEN i % 7 = 0 THEN NULL ELSE (i / 3 - 800)::FLOAT END AS f4,
      CASE WHEN i % 7 = 0 THEN NULL WHEN i = 1 THEN 'NaN'::DOUBLE WHEN i = 2 THEN 'inf'::DOUBLE
           WHEN i = 3 THEN -0.0::DOUBLE ELSE i * 1e-3 - 2.5e-300 * i END AS f8,
      CASE WHEN i % 7 = 0 THEN NULL ELSE 'héllo ' || i || CASE WHEN i % 5 = 0 THEN '' ELSE ' "q" \' END END AS s,
      CASE WHEN i % 7 = 0 THEN NULL ELSE ('\x00\x01' || i)::BLOB END AS bl,
      CASE WHEN i % 7 = 0 THEN NULL WHEN i = 1 THEN 'infinity'::DATE ELSE DATE '0001-01-01' + (i * 181)::INTEGER END AS dt,
      CASE WHEN i % 7 = 0 THEN NULL ELSE TIME '00:00:00' + to_microseconds(i * 17279999) END AS tm,
      CASE WHEN i % 7 = 0 THEN NULL ELSE TIMESTAMP '1900-01-01 00:00:00.5' + to_seconds(i * 863999) END AS ts,
      CASE WHEN i % 7 = 0 THEN NULL ELSE (TIMESTAMP '1900-01-01' + to_seconds(i * 863))::TIMESTAMP_S END AS ts_s,
      CASE WHEN i % 7 = 0 THEN NULL ELSE (TIMESTAMP '1900-01-01' + to_milliseconds(i * 86399))::TIMESTAMP_MS END AS ts_ms,
      CASE WHEN i % 7 = 0 THEN NULL ELSE (TIMESTAMP '2000-01-01' + to_microseconds(i * 7))::TIMESTAMP_NS END AS ts_ns,
      CASE WHEN i % 7 = 0 THEN NULL ELSE TIMESTAMPTZ '2021-03-04 05:06:07.5+00' + to_minutes(i * 77) END AS tz,
      CASE WHEN i % 7 = 0 THEN NULL ELSE to_months(i % 30 - 15) + to_days(i % 9) - to_microseconds(i * 1000003) END AS iv,
      CASE WHEN i % 7 = 0 THEN NULL ELSE ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd38' || lpad(i::VARCHAR, 4, '0'))::UUID END AS id,
      CASE WHEN i % 7 = 0 THEN NULL ELSE [i, NULL, i + 1] END AS li,
      CASE WHEN i % 7 = 0 THEN NULL ELSE ['a b', NULL, '', 'x"y' || i] END AS ls,
      CASE WHEN i % 7 = 0 THEN NULL ELSE {'k': i, 'v': 'w' || i} END AS st,
      CASE WHEN i % 7 = 0 THEN NULL ELSE MAP {'a': i} END AS mp
    FROM range(5000) r(i))";
  EXPECT_EQ(ExpectColumnsAsValues(con_, sql), 5000u * 30);
}

TEST_F(PgTextColumnTest, ConstantAndDictionaryVectors) {
  con_.Query("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')");
  // Constants over many rows; an enum; a join's dictionary vectors.
  EXPECT_EQ(ExpectColumnsAsValues(con_,
                                  "SELECT 42::INTEGER AS k, 'x' AS s, NULL::DATE AS d, 1.5::DOUBLE AS f, "
                                  "true AS b, DATE '2024-02-29' AS dt FROM range(3000)"),
            3000u * 6);
  EXPECT_EQ(ExpectColumnsAsValues(con_, "SELECT (['sad', 'ok', 'happy'])[i % 3 + 1]::mood AS m FROM range(2500) r(i)"),
            2500u);
  con_.Query("CREATE TABLE a AS SELECT i, 'n' || i AS s, (i * 2)::DECIMAL(9,3) AS d FROM range(3000) r(i)");
  con_.Query("CREATE TABLE c AS SELECT i % 100 AS i FROM range(3000) r(i)");
  EXPECT_EQ(ExpectColumnsAsValues(con_, "SELECT a.s, a.d, a.i FROM c JOIN a USING (i)"), 3000u * 3);
}

// The shortest text that reads back to the same float, in PostgreSQL's
// layout (fixed for decimal exponents in [-4, 15) for float8 and [-4, 6) for
// float4, else d.ddde±XX); the differential test checks the same layout
// against a real PostgreSQL.
TEST(PgTextFloatTest, FloatsAsPostgresWritesThem) {
  const std::vector<std::pair<double, std::string>> doubles = {
      {0.1, "0.1"},
      {1.5, "1.5"},
      {100, "100"},
      {-1234.5678, "-1234.5678"},
      {1e14, "100000000000000"},
      {123456789012345.6, "123456789012345.6"},
      {1e15, "1e+15"},
      {1.2345678901234568e17, "1.2345678901234568e+17"},
      {0.0001, "0.0001"},
      {-0.00012, "-0.00012"},
      {0.00001, "1e-05"},
      {-2.5e-300, "-2.5e-300"},
      {5e-324, "5e-324"},
      {1.7976931348623157e308, "1.7976931348623157e+308"},
      {-0.0, "-0"},
      {0.0, "0"},
      {std::numeric_limits<double>::infinity(), "Infinity"},
      {-std::numeric_limits<double>::infinity(), "-Infinity"},
      {std::numeric_limits<double>::quiet_NaN(), "NaN"},
  };
  for (const auto& [v, text] : doubles) EXPECT_EQ(PgText(duckdb::Value::DOUBLE(v)), text) << text;
  const std::vector<std::pair<float, std::string>> floats = {
      {0.1f, "0.1"},   {123456.0f, "123456"}, {1e6f, "1e+06"}, {1e7f, "1e+07"}, {3.4028235e38f, "3.4028235e+38"},
      {-0.5f, "-0.5"}, {1.5e-5f, "1.5e-05"},
  };
  for (const auto& [v, text] : floats) EXPECT_EQ(PgText(duckdb::Value::FLOAT(v)), text) << text;
}

TEST(PgTextFloatTest, EveryFiniteDoubleReadsBackExactly) {
  std::mt19937_64 bits(20261207);
  for (int i = 0; i < 200000; ++i) {
    const uint64_t b = bits();
    double v = 0;
    std::memcpy(&v, &b, sizeof v);
    if (!std::isfinite(v)) continue;
    const std::optional<std::string> text = PgText(duckdb::Value::DOUBLE(v));
    ASSERT_TRUE(text.has_value());
    double back = 0;
    const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), back);
    ASSERT_EQ(error, std::errc()) << *text;
    ASSERT_EQ(end, text->data() + text->size()) << *text;
    ASSERT_EQ(std::memcmp(&back, &v, sizeof v), 0) << *text;
  }
}

}  // namespace
}  // namespace hdhub::pgwire

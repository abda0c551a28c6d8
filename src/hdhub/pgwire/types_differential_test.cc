// pgwire/types.h against a real PostgreSQL 15 (scripts/pg-start, on
// 127.0.0.1, started once per run by the CTest fixture `postgresql`): for
// each value, the type OID and text PostgreSQL gives (through psql) equal
// what PgTypeOf and PgText give for the same value computed by DuckDB.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "duckdb.hpp"
#include "hdhub/pgwire/types.h"

namespace hdhub::pgwire {
namespace {

struct Case {
  const char* postgres;  // an expression in PostgreSQL's SQL
  const char* duckdb;    // the same value in DuckDB's
};

// Values drivers meet, edge cases of each text format included.
constexpr Case kCases[] = {
    {"true", "true"},
    {"false", "false"},
    {"7::int2", "7::SMALLINT"},
    {"(-32768)::int2", "(-32768)::SMALLINT"},
    {"2147483647::int4", "2147483647::INTEGER"},
    {"(-9223372036854775807 - 1)::int8", "(-9223372036854775807 - 1)::BIGINT"},
    {"170141183460469231731687303715884105727::numeric", "170141183460469231731687303715884105727::HUGEINT"},
    {"18446744073709551615::numeric", "18446744073709551615::UBIGINT"},
    {"1.50::numeric(10,2)", "1.50::DECIMAL(10,2)"},
    {"(-0.001)::numeric(18,3)", "(-0.001)::DECIMAL(18,3)"},
    {"0.1::float8", "0.1::DOUBLE"},
    {"1e15::float8", "1e15::DOUBLE"},
    {"1e14::float8", "1e14::DOUBLE"},
    {"1.2345678901234568e17::float8", "1.2345678901234568e17::DOUBLE"},
    {"0.0001::float8", "0.0001::DOUBLE"},
    {"0.00001::float8", "0.00001::DOUBLE"},
    {"(-2.5e-300)::float8", "(-2.5e-300)::DOUBLE"},
    {"'Infinity'::float8", "'Infinity'::DOUBLE"},
    {"'-Infinity'::float8", "'-Infinity'::DOUBLE"},
    {"'NaN'::float8", "'NaN'::DOUBLE"},
    {"1e7::float4", "1e7::FLOAT"},
    {"123456::float4", "123456::FLOAT"},
    {"0.1::float4", "0.1::FLOAT"},
    {"3.4028235e38::float4", "3.4028235e38::FLOAT"},
    {"'héllo, wörld'::text", "'héllo, wörld'::VARCHAR"},
    {"''::text", "''::VARCHAR"},
    {"'\\x0001ff'::bytea", "'\\x00\\x01\\xFF'::BLOB"},
    {"'2021-03-04'::date", "'2021-03-04'::DATE"},
    {"'0001-01-01'::date", "'0001-01-01'::DATE"},
    {"'05:06:07.123456'::time", "'05:06:07.123456'::TIME"},
    {"'2021-03-04 05:06:07'::timestamp", "'2021-03-04 05:06:07'::TIMESTAMP"},
    {"'2021-03-04 05:06:07.5'::timestamp", "'2021-03-04 05:06:07.5'::TIMESTAMP"},
    {"'2021-03-04 05:06:07.5+00'::timestamptz", "'2021-03-04 05:06:07.5+00'::TIMESTAMPTZ"},
    {"'1 year 2 mons 3 days 04:05:06.5'::interval", "INTERVAL '1 year 2 months 3 days 04:05:06.5'"},
    {"'-1 year -2 mons +3 days -04:05:06.5'::interval", "to_months(-14) + to_days(3) - to_microseconds(14706500000)"},
    {"'1 day -00:00:01'::interval", "to_days(1) - to_seconds(1)"},
    {"'0'::interval", "INTERVAL 0 SECONDS"},
    {"'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid", "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::UUID"},
    {"ARRAY[1, NULL, 3]::int4[]", "[1, NULL, 3]::INTEGER[]"},
    {"ARRAY['a b', NULL, '', 'NULL', 'x\"y', 'p\\q']::text[]", "['a b', NULL, '', 'NULL', 'x\"y', 'p\\q']"},
    {"ARRAY[1.5, 2]::float8[]", "[1.5, 2]::DOUBLE[]"},
    {"ARRAY['2021-03-04']::date[]", "['2021-03-04']::DATE[]"},
};

std::string Shell(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  ::pclose(pipe);
  return out;
}

class TypesDifferentialTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = HDHUB_PG_DIR;
    // The fixture started the cluster; pg-start on a running one prints its port.
    port_ = Shell(std::string(HDHUB_PG_START) + " " + dir_ + " 2>/dev/null");
    while (!port_.empty() && (port_.back() == '\n')) port_.pop_back();
  }

  // PostgreSQL's "<oid>|<text or \N>" of `expression`.
  std::string Postgres(const std::string& expression) {
    std::ofstream(dir_ + "/query.sql") << "\\pset null '\\\\N'\nSELECT pg_typeof(v)::oid, v FROM (SELECT " << expression
                                       << " AS v) t;\n";
    return Shell("PGPASSWORD=\"$(cat " + dir_ + "/password)\" psql -X -q -At -F '|' -h 127.0.0.1 -p " + port_ +
                 " -U postgres -d postgres -v ON_ERROR_STOP=1 -f " + dir_ + "/query.sql 2>&1");
  }

  static std::string dir_;
  static std::string port_;
};
std::string TypesDifferentialTest::dir_;
std::string TypesDifferentialTest::port_;

TEST_F(TypesDifferentialTest, EveryValueLooksAsPostgresWritesIt) {
  ASSERT_FALSE(port_.empty()) << "scripts/pg-start " << dir_ << " gave no port";
  duckdb::DuckDB db(nullptr);
  duckdb::Connection con(db);
  con.Query("SET TimeZone = 'UTC'");
  for (const Case& c : kCases) {
    std::string expected = Postgres(c.postgres);
    while (!expected.empty() && expected.back() == '\n') expected.pop_back();
    auto result = con.Query(std::string("SELECT ") + c.duckdb);
    if (result->HasError()) {
      ADD_FAILURE() << c.duckdb << ": " << result->GetError();
      continue;
    }
    const duckdb::Value value = result->GetValue(0, 0);
    const PgType type = PgTypeOf(result->types[0]);
    const std::string ours = std::to_string(type.oid) + "|" + PgText(value).value_or("\\N");
    EXPECT_EQ(ours, expected) << "PostgreSQL: " << c.postgres << "   DuckDB: " << c.duckdb;
  }
}

}  // namespace
}  // namespace hdhub::pgwire

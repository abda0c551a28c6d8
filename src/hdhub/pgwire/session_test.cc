#include "hdhub/pgwire/session.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "hdhub/common/status_matchers.h"
#include "hdhub/pgwire/session_test_util.h"

namespace hdhub::pgwire {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

using session_testing::SessionTest;
using session_testing::Trace;

TEST_F(SessionTest, SimpleQueryRunsEveryStatementAndEndsWithOneReadyForQuery) {
  EXPECT_THAT(
      Flight({Query{"SELECT id, region FROM patients WHERE id <= 2 ORDER BY id; SELECT count(*) AS n FROM patients"}}),
      ElementsAre("T id:23 region:25", "D 1|IDF", "D 2|PACA", "C SELECT 2", "T n:20", "D 5", "C SELECT 1", "Z I"));
  EXPECT_THAT(Flight({Query{""}}), ElementsAre("I", "Z I"));
  EXPECT_THAT(Flight({Query{"  ;  "}}), ElementsAre("I", "Z I"));
  // The first error ends the rest; the session goes on.
  EXPECT_THAT(Flight({Query{"SELECT 1; SELECT * FROM nowhere; SELECT 2"}}),
              ElementsAre("T 1:23", "D 1", "C SELECT 1", "E 42P01", "Z I"));
  EXPECT_THAT(Flight({Query{"SELEC 1"}}), ElementsAre("E 42601", "Z I"));
  EXPECT_THAT(Flight({Query{"SELECT 42"}}), ElementsAre("T 42:23", "D 42", "C SELECT 1", "Z I"));
}

TEST_F(SessionTest, PgJdbcFetchSizeFlightStreamsInLegsWithPortalSuspended) {
  // pgJDBC 42.5.5 with setFetchSize(2), captured (research/interfaces.md §2.1).
  EXPECT_THAT(Flight({Parse{"", "select id from patients order by id", {}}, Bind{"C_2", "", {}, {}, {}},
                      Describe{'P', "C_2"}, Execute{"C_2", 2}, Sync{}}),
              ElementsAre("1", "2", "T id:23", "D 1", "D 2", "s", "Z I"));
}

TEST_F(SessionTest, PortalsResumeWhereTheyStoppedWithinATransactionOfMessages) {
  // Without Sync in between, the portal lives: three legs, each counted alone.
  EXPECT_THAT(Flight({Parse{"", "select id from patients order by id", {}}, Bind{"P", "", {}, {}, {}}, Execute{"P", 2},
                      Execute{"P", 2}, Execute{"P", 2}, Execute{"P", 2}, Sync{}}),
              ElementsAre("1", "2", "D 1", "D 2", "s", "D 3", "D 4", "s", "D 5", "C SELECT 1", "C SELECT 0", "Z I"));
}

TEST_F(SessionTest, TwoSuspendedPortalsInterleave) {
  // DuckDB streams one result per connection: the first portal is kept whole
  // when the second starts, and both continue.
  EXPECT_THAT(
      Flight({Parse{"a", "select id from patients order by id", {}},
              Parse{"b", "select region from patients order by id desc", {}}, Bind{"A", "a", {}, {}, {}},
              Bind{"B", "b", {}, {}, {}}, Execute{"A", 1}, Execute{"B", 1}, Execute{"A", 1}, Execute{"B", 0}, Sync{}}),
      ElementsAre("1", "1", "2", "2", "D 1", "s", "D BRE", "s", "D 2", "s", "D IDF", "D IDF", "D PACA", "D IDF",
                  "C SELECT 4", "Z I"));
}

TEST_F(SessionTest, DescribeNeverRunsAndExecuteNeverSendsARowDescription) {
  // A statement whose running would fail (division by zero at run time is an
  // error in DuckDB only when evaluated) describes fine.
  EXPECT_THAT(Flight({Parse{"S_1", "select id, born from patients where id = $1", {23}}, Describe{'S', "S_1"}, Sync{}}),
              ElementsAre("1", "t 23", "T id:23 born:1082", "Z I"));
  // pgJDBC's 6th execution: binary int4 parameter, binary results, no Describe
  // (a date is days since 2000-01-01: 2010-06-07 is 3810).
  EXPECT_THAT(Flight({Bind{"", "S_1", {1}, {Bytes{0, 0, 0, 3}}, {1, 1}}, Execute{"", 0}, Sync{}}),
              ElementsAre("2", "D 0x00000003|0x00000ee2", "C SELECT 1", "Z I"));
  // The same in text; a Describe of the portal echoes Bind's formats
  // (1950-02-03 is 18229 days before 2000-01-01).
  EXPECT_THAT(Flight({Bind{"", "S_1", {}, {ToBytes("1")}, {0, 1}}, Describe{'P', ""}, Execute{"", 0}, Sync{}}),
              ElementsAre("2", "T id:23 born:1082b", "D 1|0xffffb8cb", "C SELECT 1", "Z I"));
}

TEST_F(SessionTest, AfterAnErrorEveryMessageIsSkippedUntilSync) {
  EXPECT_THAT(Flight({Parse{"", "select * from nowhere", {}}, Bind{"", "", {}, {}, {}}, Execute{"", 0},
                      Parse{"", "select 1", {}}, Sync{}, Parse{"", "select 2", {}}, Bind{"", "", {}, {}, {}},
                      Execute{"", 0}, Sync{}}),
              ElementsAre("E 42P01", "Z I", "1", "2", "D 2", "C SELECT 1", "Z I"));
  // Errors of the protocol's own: unknown statement and portal, a name used twice.
  EXPECT_THAT(Flight({Bind{"", "nope", {}, {}, {}}, Sync{}}), ElementsAre("E 26000", "Z I"));
  EXPECT_THAT(Flight({Execute{"nope", 0}, Sync{}}), ElementsAre("E 34000", "Z I"));
  EXPECT_THAT(Flight({Parse{"x", "select 1", {}}, Parse{"x", "select 2", {}}, Sync{}}),
              ElementsAre("1", "E 42P05", "Z I"));
  EXPECT_THAT(Flight({Parse{"", "select 1; select 2", {}}, Sync{}}), ElementsAre("E 22023", "Z I"));
}

TEST_F(SessionTest, ParametersInTextAndBinaryAndTheirErrors) {
  EXPECT_THAT(Flight({Parse{"q", "select count(*) from patients where region = $1 and born > $2", {0, 0}},
                      Bind{"", "q", {}, {ToBytes("IDF"), ToBytes("1960-01-01")}, {}}, Execute{"", 0}, Sync{}}),
              ElementsAre("1", "2", "D 1", "C SELECT 1", "Z I"));
  // psycopg 3 with parameter types left to the server, a NULL among them.
  EXPECT_THAT(Flight({Bind{"", "q", {}, {ToBytes("IDF"), std::nullopt}, {}}, Execute{"", 0}, Sync{}}),
              ElementsAre("2", "D 0", "C SELECT 1", "Z I"));
  // A value that is not of its type: 22P02, by number, never by content.
  Bytes out;
  Bytes wire = EncodeFrontend(Bind{"", "q", {}, {ToBytes("IDF"), ToBytes("secret-value")}, {}});
  session_.Handle('B', ByteSpan(wire).subspan(5), out);
  EXPECT_THAT(Trace(out), ElementsAre("E 22P02"));
  EXPECT_THAT(AsStringView(out), HasSubstr("parameter $2"));
  EXPECT_THAT(AsStringView(out), ::testing::Not(HasSubstr("secret-value")));
  EXPECT_THAT(Flight({Sync{}}), ElementsAre("Z I"));
  // Binary int4 of the wrong length; too few parameters.
  EXPECT_THAT(Flight({Parse{"", "select $1::INTEGER + 1", {23}}, Bind{"", "", {1}, {Bytes{1, 2}}, {}}, Sync{}}),
              ElementsAre("1", "E 22P02", "Z I"));
  EXPECT_THAT(Flight({Bind{"", "q", {}, {ToBytes("IDF")}, {}}, Sync{}}), ElementsAre("E 08P01", "Z I"));
}

TEST_F(SessionTest, BinaryResultsForTheCommonTypes) {
  EXPECT_THAT(
      Flight({Parse{"",
                    "select true, 7::SMALLINT, 8::BIGINT, 1.5::DOUBLE, 'ab'::VARCHAR, DATE '2000-01-02', "
                    "TIMESTAMP '2000-01-01 00:00:01', INTERVAL 1 DAY, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::UUID",
                    {}},
              Bind{"", "", {}, {}, {1}}, Execute{"", 0}, Sync{}}),
      ElementsAre("1", "2",
                  "D 0x01|0x0007|0x0000000000000008|0x3ff8000000000000|ab|0x00000001|0x00000000000f4240|"
                  "0x000000000000000000000001"
                  "00000000|0xa0eebc999c0b4ef8bb6d6bb9bd380a11",
                  "C SELECT 1", "Z I"));
  // numeric as numeric_send writes it (psycopg 3's binary cursors ask for
  // it): ndigits, weight, sign, dscale, base-10000 digits.
  EXPECT_THAT(Flight({Parse{"",
                            "select 1.50::DECIMAL(10,2), (-0.001)::DECIMAL(18,3), 0.00::DECIMAL(4,2), "
                            "12345678.9::DECIMAL(12,1), 170141183460469231731687303715884105727::HUGEINT",
                            {}},
                      Bind{"", "", {}, {}, {1}}, Execute{"", 0}, Sync{}}),
              ElementsAre("1", "2",
                          "D 0x000200000000000200011388|0x0001ffff40000003000a|0x0000000000000002|"
                          "0x00030001000000010"
                          "4d2162e2328|0x000a00090000000000aa0583209a01d5090d0c601c871bf620da165f",
                          "C SELECT 1", "Z I"));
  // Still no binary for a list of numbers: refused at Bind, not sent wrong.
  EXPECT_THAT(Flight({Parse{"", "select [1.5]::DECIMAL(4,1)[]", {}}, Bind{"", "", {}, {}, {1}}, Sync{}}),
              ElementsAre("1", "E 0A000", "Z I"));
}

// A large result leaves through the flusher in pieces of about kFlushBytes:
// the session never holds it whole, and the pieces put together are the
// whole answer (SELECT and COPY alike). A flusher's error ends the statement.
TEST_F(SessionTest, ALargeResultIsFlushedInPiecesAndNeverHeldWhole) {
  std::vector<Bytes> pieces;
  size_t largest = 0;
  session_.SetFlusher([&](Bytes& out) {
    largest = std::max(largest, out.size());
    pieces.push_back(out);
    out.clear();
    return OkStatus();
  });
  for (const char* sql : {"SELECT range AS i, repeat('z', 100) AS pad FROM range(50000)",
                          "COPY (SELECT range AS i, repeat('z', 100) AS pad FROM range(50000)) TO STDOUT"}) {
    pieces.clear();
    largest = 0;
    Bytes out;
    Bytes wire = EncodeFrontend(Query{sql});
    session_.Handle(char(wire[0]), ByteSpan(wire).subspan(5), out);
    EXPECT_GE(pieces.size(), 15u) << sql;
    EXPECT_LT(largest, ProtocolSession::kFlushBytes + 1024) << sql;
    EXPECT_LT(out.size(), ProtocolSession::kFlushBytes) << sql;
    Bytes whole;
    for (const Bytes& p : pieces) whole.insert(whole.end(), p.begin(), p.end());
    whole.insert(whole.end(), out.begin(), out.end());
    const std::vector<std::string> trace = Trace(whole);
    ASSERT_GE(trace.size(), 3u);
    EXPECT_EQ(trace[trace.size() - 2], std::string(sql).starts_with("COPY") ? "C COPY 50000" : "C SELECT 50000");
    EXPECT_EQ(trace.back(), "Z I");
  }
  session_.SetFlusher([](Bytes&) { return UnavailableError("the client stopped reading the rows"); });
  Bytes out;
  Bytes wire = EncodeFrontend(Query{"SELECT range, repeat('z', 100) FROM range(50000)"});
  session_.Handle(char(wire[0]), ByteSpan(wire).subspan(5), out);
  const std::vector<std::string> trace = Trace(out);
  ASSERT_GE(trace.size(), 2u);
  EXPECT_EQ(trace[trace.size() - 2].substr(0, 1), "E");
}

TEST_F(SessionTest, AMalformedMessageEndsTheSession) {
  Bytes out;
  session_.Handle('B', Bytes{0, 0, 0xff}, out);
  EXPECT_THAT(Trace(out), ElementsAre("E 08P01"));
  EXPECT_TRUE(session_.closed());
}

TEST_F(SessionTest, EngineListsTablesAndViewsWithTheirColumnsWithoutRunningThem) {
  con_.Query("CREATE VIEW idf AS SELECT id, born FROM patients WHERE region = 'IDF'");
  con_.Query("CREATE TEMP TABLE scratch (x INTEGER)");  // another schema: not listed
  ASSERT_OK_AND_ASSIGN(std::vector<TableInfo> tables, engine_.Tables());
  ASSERT_EQ(tables.size(), 2u);
  EXPECT_EQ(tables[0].name, "idf");
  ASSERT_EQ(tables[0].columns.size(), 2u);
  EXPECT_EQ(tables[0].columns[1].name, "born");
  EXPECT_EQ(tables[0].columns[1].type, duckdb::LogicalType::DATE);
  EXPECT_EQ(tables[1].name, "patients");
  EXPECT_EQ(tables[1].columns.size(), 3u);
}

TEST_F(SessionTest, CancelInterruptsTheRunningStatementAndTheSessionGoesOn) {
  std::atomic<bool> stop = false;
  std::thread canceller([&] {
    while (!stop) {
      engine_.Cancel();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  const std::vector<std::string> cancelled =
      Flight({Query{"SELECT count(*) FROM range(100000000000) a WHERE a.range % 7 = 3"}});
  stop = true;
  canceller.join();
  // As PostgreSQL: the RowDescription went out when the portal started.
  EXPECT_THAT(cancelled, ElementsAre("T count_star():20", "E 57014", "Z I"));
  EXPECT_THAT(Flight({Query{"SELECT 42"}}), ElementsAre("T 42:23", "D 42", "C SELECT 1", "Z I"));
}

TEST_F(SessionTest, StartReportsWhatClientsCheckAndRefusesAnotherEncoding) {
  Bytes out;
  ASSERT_OK(session_.Start(
      {{"user", "rita"}, {"database", "p1"}, {"application_name", "psql"}, {"client_encoding", "utf8"}}, out));
  std::map<std::string, std::string> reported;
  for (size_t pos = 0; pos < out.size();) {
    ASSERT_EQ(char(out[pos]), 'S');
    const uint32_t length = GetBigEndian32(out.data() + pos + 1);
    const char* body = reinterpret_cast<const char*>(out.data() + pos + 5);
    std::string name(body);
    reported[name] = std::string(body + name.size() + 1);
    pos += 1 + length;
  }
  EXPECT_EQ(reported["client_encoding"], "UTF8");
  EXPECT_EQ(reported["DateStyle"].substr(0, 3), "ISO");
  EXPECT_EQ(reported["application_name"], "psql");
  EXPECT_EQ(reported["session_authorization"], "rita");
  EXPECT_EQ(reported["server_version"].substr(0, 3), "15.");
  EXPECT_EQ(reported["integer_datetimes"], "on");
  EXPECT_EQ(reported["standard_conforming_strings"], "on");

  Bytes refused;
  EXPECT_THAT(session_.Start({{"client_encoding", "LATIN1"}}, refused),
              testing::StatusIs(StatusCode::kInvalidArgument, HasSubstr("UTF8")));
  EXPECT_TRUE(refused.empty());
}

// A label with accents (the SNDS dictionary's are French) reaches the
// catalog as text: it once went in as a BLOB and the conversion threw.
TEST_F(SessionTest, CatalogTakesLabelsWithAccents) {
  con_.Query("COMMENT ON TABLE patients IS 'Bénéficiaires, année de naissance'");
  EXPECT_THAT(Flight({Query{"SELECT pg_catalog.obj_description(c.oid, 'pg_class') FROM pg_catalog.pg_class c "
                            "WHERE c.relname = 'patients'"}}),
              ElementsAre(::testing::StartsWith("T "), "D 0x" + HexEncode(AsBytes("Bénéficiaires, année de naissance")),
                          "C SELECT 1", "Z I"));
}

}  // namespace
}  // namespace hdhub::pgwire

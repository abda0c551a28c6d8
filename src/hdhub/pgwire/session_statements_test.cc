// The statements ProtocolSession answers itself, message by message:
// settings, transactions, DISCARD ALL, SQL cursors, COPY and the catalog.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "hdhub/pgwire/session_test_util.h"

namespace hdhub::pgwire {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using session_testing::SessionTest;
using session_testing::Trace;

TEST_F(SessionTest, SetShowResetAreTheSessionsAndReportedOnesAreEchoed) {
  EXPECT_THAT(Flight({Query{"SET application_name = 'etl'"}}), ElementsAre("S application_name=etl", "C SET", "Z I"));
  EXPECT_THAT(Flight({Query{"SHOW application_name"}}),
              ElementsAre("T application_name:25", "D etl", "C SHOW", "Z I"));
  // pgJDBC's two statements, extended and without Describe.
  EXPECT_THAT(Flight({Parse{"", "SET extra_float_digits = 3", {}}, Bind{"", "", {}, {}, {}}, Execute{"", 1}, Sync{}}),
              ElementsAre("1", "2", "C SET", "Z I"));
  EXPECT_THAT(Flight({Query{"show extra_float_digits; set datestyle to ISO; SHOW DateStyle"}}),
              ElementsAre("T extra_float_digits:25", "D 3", "C SHOW", "C SET", "T DateStyle:25", "D ISO, MDY",
                          "C SHOW", "Z I"));
  EXPECT_THAT(Flight({Query{"SHOW TRANSACTION ISOLATION LEVEL"}}),
              ElementsAre("T transaction_isolation:25", "D read committed", "C SHOW", "Z I"));
  EXPECT_THAT(Flight({Query{"RESET application_name"}}), ElementsAre("S application_name=", "C RESET", "Z I"));
  EXPECT_THAT(Flight({Query{"SET statement_timeout = 5000; SHOW statement_timeout"}}),
              ElementsAre("C SET", "T statement_timeout:25", "D 5s", "C SHOW", "Z I"));
  EXPECT_EQ(session_.statement_timeout_ms(), 5000);
  // pgAdmin and tools: set_config answers a row.
  EXPECT_THAT(Flight({Query{"SELECT set_config('search_path', 'public', false)"}}),
              ElementsAre("T set_config:25", "D public", "C SELECT 1", "Z I"));
  EXPECT_THAT(Flight({Query{"SELECT current_setting('search_path') AS p"}}),
              ElementsAre("T p:25", "D public", "C SELECT 1", "Z I"));
  // Metabase, then pgJDBC's getTransactionIsolation().
  EXPECT_THAT(Flight({Query{"SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ UNCOMMITTED"}}),
              ElementsAre("C SET", "Z I"));
  EXPECT_THAT(Flight({Query{"SHOW TRANSACTION ISOLATION LEVEL"}}),
              ElementsAre("T transaction_isolation:25", "D read uncommitted", "C SHOW", "Z I"));
}

TEST_F(SessionTest, SettingsThisServerCannotHonourAreRefusedAndTheEngineNeverSeesASet) {
  EXPECT_THAT(Flight({Query{"SET no_such_setting = 1"}}), ElementsAre("E 42704", "Z I"));
  EXPECT_THAT(Flight({Query{"SET TimeZone = 'Europe/Paris'"}}), ElementsAre("E 22023", "Z I"));
  EXPECT_THAT(Flight({Query{"SET client_encoding = 'LATIN1'"}}), ElementsAre("E 22023", "Z I"));
  EXPECT_THAT(Flight({Query{"SET DateStyle = 'German'"}}), ElementsAre("E 22023", "Z I"));
  EXPECT_THAT(Flight({Query{"SET server_version = '16'"}}), ElementsAre("E 55P02", "Z I"));
  EXPECT_THAT(Flight({Query{"SET default_transaction_read_only = off"}}), ElementsAre("E 42501", "Z I"));
  EXPECT_THAT(Flight({Query{"SET SESSION AUTHORIZATION 'postgres'"}}), ElementsAre("E 42501", "Z I"));
  // DuckDB's own settings, in PostgreSQL's syntax or in DuckDB's.
  EXPECT_THAT(Flight({Query{"SET enable_external_access = true"}}), ElementsAre("E 42704", "Z I"));
  EXPECT_THAT(Flight({Query{"SET GLOBAL threads = 1"}}), ElementsAre("E 0A000", "Z I"));
  EXPECT_THAT(Flight({Query{"SELECT current_setting('threads')"}}), ElementsAre("T current_setting('threads'):25",
                                                                                  "D NULL", "C SELECT 1", "Z I"));
}

TEST_F(SessionTest, TransactionBlocksReportTheirStatusAndAnErrorAbortsUntilRollback) {
  EXPECT_THAT(Flight({Query{"BEGIN"}}), ElementsAre("C BEGIN", "Z T"));
  EXPECT_THAT(Flight({Query{"SELECT count(*) AS n FROM patients"}}), ElementsAre("T n:20", "D 5", "C SELECT 1", "Z T"));
  EXPECT_THAT(Flight({Query{"SELECT * FROM nowhere"}}), ElementsAre("E 42P01", "Z E"));
  EXPECT_THAT(Flight({Query{"SELECT 1"}}), ElementsAre("E 25P02", "Z E"));
  EXPECT_THAT(Flight({Parse{"", "SELECT 1", {}}, Sync{}}), ElementsAre("E 25P02", "Z E"));
  EXPECT_THAT(Flight({Query{"COMMIT"}}), ElementsAre("C ROLLBACK", "Z I"));
  EXPECT_THAT(Flight({Query{"COMMIT"}}), ElementsAre("N 25P01", "C COMMIT", "Z I"));
  EXPECT_THAT(Flight({Query{"START TRANSACTION ISOLATION LEVEL SERIALIZABLE; SHOW transaction_isolation; END"}}),
              ElementsAre("C BEGIN", "T transaction_isolation:25", "D serializable", "C SHOW", "C COMMIT", "Z I"));
  EXPECT_THAT(Flight({Query{"BEGIN; BEGIN"}}), ElementsAre("C BEGIN", "N 25001", "C BEGIN", "Z T"));
  EXPECT_THAT(Flight({Query{"ABORT"}}), ElementsAre("C ROLLBACK", "Z I"));
}

TEST_F(SessionTest, SetsInsideATransactionFollowItsEnd) {
  EXPECT_THAT(Flight({Query{"BEGIN; SET application_name = 'a'; ROLLBACK"}}),
              ElementsAre("C BEGIN", "S application_name=a", "C SET", "S application_name=", "C ROLLBACK", "Z I"));
  EXPECT_THAT(Flight({Query{"BEGIN; SET LOCAL application_name = 'b'; COMMIT"}}),
              ElementsAre("C BEGIN", "S application_name=b", "C SET", "S application_name=", "C COMMIT", "Z I"));
  EXPECT_THAT(Flight({Query{"BEGIN; SET application_name = 'c'; COMMIT"}}),
              ElementsAre("C BEGIN", "S application_name=c", "C SET", "C COMMIT", "Z I"));
  EXPECT_THAT(Flight({Query{"SET LOCAL application_name = 'd'"}}), ElementsAre("N 25P01", "C SET", "Z I"));
}

TEST_F(SessionTest, PgJdbcFetchSizeInATransactionKeepsItsPortalAcrossSync) {
  // pgJDBC 42.5.5, autocommit off, setFetchSize(2) (research/interfaces.md §2.1).
  EXPECT_THAT(Flight({Parse{"", "BEGIN", {}}, Bind{"", "", {}, {}, {}}, Execute{"", 0},
                      Parse{"", "select id from patients order by id", {}}, Bind{"C_2", "", {}, {}, {}},
                      Describe{'P', "C_2"}, Execute{"C_2", 2}, Sync{}}),
              ElementsAre("1", "2", "C BEGIN", "1", "2", "T id:23", "D 1", "D 2", "s", "Z T"));
  EXPECT_THAT(Flight({Execute{"C_2", 2}, Sync{}}), ElementsAre("D 3", "D 4", "s", "Z T"));
  EXPECT_THAT(Flight({Execute{"C_2", 2}, Sync{}}), ElementsAre("D 5", "C SELECT 1", "Z T"));
  EXPECT_THAT(Flight({Close{'P', "C_2"}, Parse{"S_3", "COMMIT", {}}, Bind{"", "S_3", {}, {}, {}}, Execute{"", 1},
                      Sync{}}),
              ElementsAre("3", "1", "2", "C COMMIT", "Z I"));
}

TEST_F(SessionTest, Psycopg2NamedCursorFlight) {
  EXPECT_THAT(Flight({Query{"DECLARE \"srv\" CURSOR WITHOUT HOLD FOR select id from patients order by id"}}),
              ElementsAre("E 25P01", "Z I"));
  EXPECT_THAT(Flight({Query{"BEGIN"}}), ElementsAre("C BEGIN", "Z T"));
  EXPECT_THAT(Flight({Query{"DECLARE \"srv\" CURSOR WITHOUT HOLD FOR select id from patients order by id"}}),
              ElementsAre("C DECLARE CURSOR", "Z T"));
  EXPECT_THAT(Flight({Query{"FETCH FORWARD 2 FROM \"srv\""}}), ElementsAre("T id:23", "D 1", "D 2", "C FETCH 2", "Z T"));
  EXPECT_THAT(Flight({Query{"MOVE 1 IN srv; FETCH NEXT srv"}}), ElementsAre("C MOVE 1", "T id:23", "D 4", "C FETCH 1",
                                                                            "Z T"));
  EXPECT_THAT(Flight({Query{"FETCH ALL FROM srv"}}), ElementsAre("T id:23", "D 5", "C FETCH 1", "Z T"));
  EXPECT_THAT(Flight({Query{"FETCH FORWARD 2 FROM srv"}}), ElementsAre("T id:23", "C FETCH 0", "Z T"));
  EXPECT_THAT(Flight({Query{"FETCH BACKWARD 1 FROM srv"}}), ElementsAre("E 0A000", "Z E"));
  EXPECT_THAT(Flight({Query{"ROLLBACK; FETCH 1 FROM srv"}}), ElementsAre("C ROLLBACK", "E 34000", "Z I"));
}

TEST_F(SessionTest, Psycopg3NamedCursorFlightDescribesTheCursorAsAPortal) {
  EXPECT_THAT(Flight({Parse{"", "BEGIN", {}}, Bind{"", "", {}, {}, {}}, Describe{'P', ""}, Execute{"", 0}, Sync{}}),
              ElementsAre("1", "2", "n", "C BEGIN", "Z T"));
  EXPECT_THAT(Flight({Parse{"", "DECLARE \"sc\" CURSOR FOR select id, born from patients order by id", {}},
                      Bind{"", "", {}, {}, {}}, Describe{'P', ""}, Execute{"", 0}, Sync{}}),
              ElementsAre("1", "2", "n", "C DECLARE CURSOR", "Z T"));
  EXPECT_THAT(Flight({Describe{'P', "sc"}, Sync{}}), ElementsAre("T id:23 born:1082", "Z T"));
  EXPECT_THAT(Flight({Parse{"", "FETCH FORWARD 2 FROM \"sc\"", {}}, Bind{"", "", {}, {}, {}}, Describe{'P', ""},
                      Execute{"", 0}, Sync{}}),
              ElementsAre("1", "2", "T id:23 born:1082", "D 1|1950-02-03", "D 2|2001-04-05", "C FETCH 2", "Z T"));
  EXPECT_THAT(Flight({Query{"CLOSE \"sc\"; COMMIT"}}), ElementsAre("C CLOSE CURSOR", "C COMMIT", "Z I"));
}

TEST_F(SessionTest, Psycopg3NamedCursorWithParametersBindsThemToTheCursorsQuery) {
  // `conn.cursor(name=...).execute("... = %s", (2,))`: the DECLARE is parsed
  // with $1 (type left to the server) and bound with its value.
  EXPECT_THAT(Flight({Query{"BEGIN"}}), ElementsAre("C BEGIN", "Z T"));
  EXPECT_THAT(
      Flight({Parse{"", "DECLARE \"sc\" CURSOR FOR select id from patients where id > $1 order by id", {0}},
              Describe{'S', ""}, Bind{"", "", {}, {ToBytes("3")}, {}}, Describe{'P', ""}, Execute{"", 0}, Sync{}}),
      ElementsAre("1", "t 23", "n", "2", "n", "C DECLARE CURSOR", "Z T"));
  EXPECT_THAT(Flight({Query{"FETCH FORWARD 5 FROM \"sc\""}}), ElementsAre("T id:23", "D 4", "D 5", "C FETCH 2", "Z T"));
  // Too few values, and $1 in a simple Query (no value at all): refused.
  EXPECT_THAT(Flight({Parse{"", "DECLARE c2 CURSOR FOR select id from patients where id > $1", {}},
                      Bind{"", "", {}, {}, {}}, Sync{}}),
              ElementsAre("1", "E 08P01", "Z E"));
  EXPECT_THAT(Flight({Query{"ROLLBACK; BEGIN; DECLARE c3 CURSOR FOR select id from patients where id > $1"}}),
              ElementsAre("C ROLLBACK", "C BEGIN", "E 42P02", "Z E"));
  EXPECT_THAT(Flight({Query{"ROLLBACK"}}), ElementsAre("C ROLLBACK", "Z I"));
}

TEST_F(SessionTest, BinaryAndHoldableCursors) {
  EXPECT_THAT(Flight({Query{"DECLARE b BINARY CURSOR WITH HOLD FOR SELECT id FROM patients ORDER BY id"}}),
              ElementsAre("C DECLARE CURSOR", "Z I"));
  EXPECT_THAT(Flight({Query{"FETCH 1 FROM b"}}), ElementsAre("T id:23b", "D 0x00000001", "C FETCH 1", "Z I"));
  EXPECT_THAT(Flight({Query{"BEGIN; COMMIT; FETCH 1 FROM b; CLOSE ALL; FETCH 1 FROM b"}}),
              ElementsAre("C BEGIN", "C COMMIT", "T id:23b", "D 0x00000002", "C FETCH 1", "C CLOSE CURSOR", "E 34000",
                          "Z I"));
}

TEST_F(SessionTest, CopyToStdoutInTextAndCsv) {
  con_.Query("INSERT INTO patients VALUES (6, NULL, 'a\tb\\c'), (7, NULL, '')");
  EXPECT_THAT(Flight({Query{"COPY (SELECT id, born, region FROM patients WHERE id IN (1, 6, 7) ORDER BY id) TO STDOUT"}}),
              ElementsAre("H", "d 1\t1950-02-03\tIDF\n", "d 6\t\\N\ta\\tb\\\\c\n", "d 7\t\\N\t\n", "c", "C COPY 3",
                          "Z I"));
  EXPECT_THAT(Flight({Query{"COPY (SELECT id, region FROM patients WHERE id IN (2, 7) ORDER BY id) TO STDOUT WITH "
                            "(FORMAT csv, HEADER)"}}),
              ElementsAre("H", "d id,region\n", "d 2,PACA\n", "d 7,\"\"\n", "c", "C COPY 2", "Z I"));
  EXPECT_THAT(Flight({Query{"copy patients (id) to stdout with (format csv, delimiter ';')"}}),
              ElementsAre("H", "d 1\n", "d 2\n", "d 3\n", "d 4\n", "d 5\n", "d 6\n", "d 7\n", "c", "C COPY 7", "Z I"));
  EXPECT_THAT(Flight({Query{"COPY patients FROM STDIN"}}), ElementsAre("E 0A000", "Z I"));
  EXPECT_THAT(Flight({Query{"COPY patients TO '/tmp/out.csv'"}}), ElementsAre("E 0A000", "Z I"));
  EXPECT_THAT(Flight({Query{"COPY (SELECT * FROM nowhere) TO STDOUT"}}), ElementsAre("E 42P01", "Z I"));
  EXPECT_THAT(Flight({Query{"LISTEN news"}}), ElementsAre("E 0A000", "Z I"));
  EXPECT_THAT(Flight({Query{"PREPARE TRANSACTION 'x'"}}), ElementsAre("E 0A000", "Z I"));
}

TEST_F(SessionTest, DiscardAllDropsStatementsPortalsCursorsAndSettings) {
  EXPECT_THAT(Flight({Parse{"s1", "select 1", {}}, Sync{}}), ElementsAre("1", "Z I"));
  EXPECT_THAT(Flight({Query{"SET application_name = 'x'; DECLARE c CURSOR WITH HOLD FOR SELECT 1; DISCARD ALL"}}),
              ElementsAre("S application_name=x", "C SET", "C DECLARE CURSOR", "S application_name=", "C DISCARD ALL",
                          "Z I"));
  EXPECT_THAT(Flight({Bind{"", "s1", {}, {}, {}}, Sync{}}), ElementsAre("E 26000", "Z I"));
  EXPECT_THAT(Flight({Query{"FETCH 1 FROM c"}}), ElementsAre("E 34000", "Z I"));
  EXPECT_THAT(Flight({Query{"BEGIN; DISCARD ALL"}}), ElementsAre("C BEGIN", "E 25001", "Z E"));
}

TEST_F(SessionTest, TheCatalogShowsTheSessionsTablesOnly) {
  con_.Query("CREATE TEMP TABLE scratch (x INTEGER)");  // not in Engine::Tables()
  EXPECT_THAT(Flight({Query{"SELECT c.relname, n.nspname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
                            "ON n.oid = c.relnamespace WHERE n.nspname !~ '^pg_' ORDER BY 1"}}),
              ElementsAre("T relname:25 nspname:25", "D patients|public", "C SELECT 1", "Z I"));
  EXPECT_THAT(Flight({Query{"SELECT table_name FROM information_schema.tables"}}),
              ElementsAre("T table_name:25", "D patients", "C SELECT 1", "Z I"));
  EXPECT_THAT(Flight({Query{"SELECT column_name, data_type FROM information_schema.columns ORDER BY ordinal_position"}}),
              ElementsAre("T column_name:25 data_type:25", "D id|integer", "D born|date", "D region|text", "C SELECT 3",
                          "Z I"));
  // Refilled when the workspace or the settings change.
  con_.Query("CREATE TABLE later (x INTEGER)");
  EXPECT_THAT(Flight({Query{"SELECT table_name FROM information_schema.tables ORDER BY 1"}}),
              ElementsAre("T table_name:25", "D later", "D patients", "C SELECT 2", "Z I"));
  EXPECT_THAT(Flight({Query{"SET application_name = 'z'; SELECT current_setting('application_name') AS a"}}),
              ElementsAre("S application_name=z", "C SET", "T a:25", "D z", "C SELECT 1", "Z I"));
  // The catalog database reads no file and sees no workspace table.
  EXPECT_THAT(Flight({Query{"SELECT * FROM pg_class, read_csv('/etc/passwd')"}}), ElementsAre("E 42501", "Z I"));
  EXPECT_THAT(Flight({Query{"SELECT * FROM pg_class, patients"}}), ElementsAre("E 42P01", "Z I"));
  EXPECT_THAT(Flight({Query{"SELECT version() LIKE 'PostgreSQL 15.%' AS v, current_schema() AS s"}}),
              ElementsAre("T v:16 s:25", "D t|public", "C SELECT 1", "Z I"));
  Bytes started;
  ASSERT_TRUE(session_.Start({{"user", "rita"}, {"database", "p1"}}, started).ok());
  EXPECT_THAT(Flight({Query{"SELECT current_user AS u, session_user AS s, current_database() AS d"}}),
              ElementsAre("T u:25 s:25 d:25", "D rita|rita|p1", "C SELECT 1", "Z I"));
}

TEST_F(SessionTest, PgJdbcDatabaseMetaDataListsTablesAndColumns) {
  // getTables(null, "public", "%", {TABLE, VIEW}) and getColumns(null, "public", "patients", "%"), as captured
  // (research/interfaces.md Appendix A.2), abridged to the clauses that matter.
  const std::string tables =
      "SELECT NULL AS TABLE_CAT, n.nspname AS TABLE_SCHEM, c.relname AS TABLE_NAME,  CASE n.nspname ~ '^pg_' OR "
      "n.nspname = 'information_schema'  WHEN true THEN 'SYSTEM TABLE' WHEN false THEN CASE c.relkind  WHEN 'r' THEN "
      "'TABLE' WHEN 'v' THEN 'VIEW' ELSE NULL END ELSE NULL END AS TABLE_TYPE, d.description AS REMARKS FROM "
      "pg_catalog.pg_namespace n, pg_catalog.pg_class c  LEFT JOIN pg_catalog.pg_description d ON (c.oid = d.objoid "
      "AND d.objsubid = 0  and d.classoid = 'pg_class'::regclass)  WHERE c.relnamespace = n.oid  AND n.nspname LIKE "
      "'public' AND c.relname LIKE '%' AND (false  OR ( c.relkind = 'r' AND n.nspname !~ '^pg_' AND n.nspname <> "
      "'information_schema' ) )  ORDER BY TABLE_TYPE,TABLE_SCHEM,TABLE_NAME ";
  EXPECT_THAT(Flight({Parse{"", tables, {}}, Bind{"", "", {}, {}, {}}, Execute{"", 0}, Sync{}}),
              ElementsAre("1", "2", "D NULL|public|patients|TABLE|NULL", "C SELECT 1", "Z I"));
  const std::string columns =
      "SELECT * FROM (SELECT n.nspname,c.relname,a.attname,a.atttypid,a.attnotnull OR (t.typtype = 'd' AND "
      "t.typnotnull) AS attnotnull,a.atttypmod,a.attlen,t.typtypmod,row_number() OVER (PARTITION BY a.attrelid "
      "ORDER BY a.attnum) AS attnum, nullif(a.attidentity, '') as attidentity,nullif(a.attgenerated, '') as "
      "attgenerated,pg_catalog.pg_get_expr(def.adbin, def.adrelid) AS adsrc,dsc.description,t.typbasetype,t.typtype  "
      "FROM pg_catalog.pg_namespace n  JOIN pg_catalog.pg_class c ON (c.relnamespace = n.oid)  JOIN "
      "pg_catalog.pg_attribute a ON (a.attrelid=c.oid)  JOIN pg_catalog.pg_type t ON (a.atttypid = t.oid)  LEFT JOIN "
      "pg_catalog.pg_attrdef def ON (a.attrelid=def.adrelid AND a.attnum = def.adnum)  LEFT JOIN "
      "pg_catalog.pg_description dsc ON (c.oid=dsc.objoid AND a.attnum = dsc.objsubid)  LEFT JOIN pg_catalog.pg_class "
      "dc ON (dc.oid=dsc.classoid AND dc.relname='pg_class')  LEFT JOIN pg_catalog.pg_namespace dn ON "
      "(dc.relnamespace=dn.oid AND dn.nspname='pg_catalog')  WHERE c.relkind in ('r','p','v','f','m') and a.attnum > 0 "
      "AND NOT a.attisdropped  AND n.nspname LIKE 'public' AND c.relname LIKE 'patients') c WHERE true  AND attname "
      "LIKE '%' ORDER BY nspname,c.relname,attnum ";
  const std::vector<std::string> trace = Flight({Parse{"", columns, {}}, Bind{"", "", {}, {}, {}}, Execute{"", 0}, Sync{}});
  ASSERT_EQ(trace.size(), 7u) << ::testing::PrintToString(trace);
  EXPECT_THAT(trace[2], HasSubstr("public|patients|id|23|f|-1|4|-1|1|"));
  EXPECT_THAT(trace[3], HasSubstr("public|patients|born|1082|"));
  EXPECT_THAT(trace[4], HasSubstr("public|patients|region|25|"));
}

TEST_F(SessionTest, CancelInterruptsACatalogQueryToo) {
  std::atomic<bool> stop = false;
  std::thread canceller([&] {
    // Once the catalog query runs (the workspace engine is idle by then).
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    while (!stop) {
      session_.Cancel();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  const std::vector<std::string> trace =
      Flight({Query{"SELECT count(*) AS n FROM pg_catalog.pg_class, range(100000000000) a WHERE a.range % 7 = 3"}});
  stop = true;
  canceller.join();
  ASSERT_GE(trace.size(), 2u);
  EXPECT_EQ(trace[trace.size() - 2], "E 57014") << ::testing::PrintToString(trace);
  EXPECT_EQ(trace.back(), "Z I");
  EXPECT_THAT(Flight({Query{"SELECT count(*) AS n FROM pg_catalog.pg_namespace"}}),
              ElementsAre("T n:20", "D 3", "C SELECT 1", "Z I"));
}

TEST(CopyLineTest, TextAndCsvEscapeAsPostgres) {
  const std::vector<std::optional<std::string>> row = {"a\tb", std::nullopt, "back\\slash\nnew", "q\"uote,"};
  EXPECT_EQ(CopyLine(row, {}), "a\\tb\t\\N\tback\\\\slash\\nnew\tq\"uote,\n");
  EXPECT_EQ(CopyLine(row, {.csv = true, .delimiter = ','}), "a\tb,,\"back\\slash\nnew\",\"q\"\"uote,\"\n");
  EXPECT_EQ(CopyLine({std::string("x|y")}, {.delimiter = '|'}), "x\\|y\n");
  // Each control character PostgreSQL escapes (8 to 13), and others as they are.
  EXPECT_EQ(CopyLine({std::string("\b\t\n\v\f\r"), std::string("\x01\x07\x0e\x1b\x7f \xc3\xa9")}, {}),
            "\\b\\t\\n\\v\\f\\r\t\x01\x07\x0e\x1b\x7f \xc3\xa9\n");
  EXPECT_EQ(CopyLine({std::string("plain value 12.5")}, {}), "plain value 12.5\n");
}

TEST_F(SessionTest, ErrorsNeverRepeatTheStatementsValues) {
  Bytes out;
  Bytes wire = EncodeFrontend(Query{"SET no_such_setting_secret = 'secret-value'"});
  session_.Handle('Q', ByteSpan(wire).subspan(5), out);
  EXPECT_THAT(Trace(out), ElementsAre("E 42704", "Z I"));
  EXPECT_THAT(AsStringView(out), Not(HasSubstr("secret-value")));
}

}  // namespace
}  // namespace hdhub::pgwire

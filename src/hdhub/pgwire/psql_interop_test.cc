// psql 15 (libpq), the client researchers will use, against this codec and
// SCRAM server: a test harness that speaks the protocol over a loopback
// socket (blocking, one connection) with pgwire/'s decoders and writer, and a
// real psql process connecting to it. It proves that libpq accepts our SCRAM
// exchange with the right token and is refused with a wrong one, and that it
// reads our ParameterStatus, RowDescription, DataRow, CommandComplete,
// ErrorResponse and ReadyForQuery messages. The query answer is the harness's
// own (the startup user, echoed): the server that runs queries is `hdhub serve`.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <thread>

#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"
#include "hdhub/pgwire/protocol.h"
#include "hdhub/pgwire/scram.h"
#include "hdhub/pgwire/session.h"
#include "hdhub/pgwire/session_socket_test_util.h"

namespace hdhub::pgwire {
namespace {

using ::testing::HasSubstr;

constexpr char kToken[] = "hdh_7_c2VjcmV0IHRva2VuIG9mIHJpdGE";

using session_testing::ReadAll;
using session_testing::ReadMessage;
using session_testing::ReadStartup;
using session_testing::WriteAll;

// What the harness saw, for the test to check.
struct Seen {
  std::string user, database;
  bool authenticated = false;
  std::string query;
};

class Harness {
 public:
  Harness() {
    listener_ = session_testing::ListenOnLoopback(port_);
    EXPECT_GE(listener_, 0);
    // Neither accept() nor a read waits for ever on a client that never comes.
    timeval timeout{.tv_sec = 30, .tv_usec = 0};
    ::setsockopt(listener_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  }
  ~Harness() { ::close(listener_); }
  int port() const { return port_; }

  // Serves one connection (and, before it, any SSLRequest answered 'N').
  Seen ServeOne(const ScramVerifier& verifier) {
    Seen seen;
    int fd = ::accept(listener_, nullptr, nullptr);
    if (fd < 0) return seen;
    timeval timeout{.tv_sec = 30, .tv_usec = 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    Serve(fd, verifier, seen);
    ::close(fd);
    return seen;
  }

 private:
  void Serve(int fd, const ScramVerifier& verifier, Seen& seen) {
    Bytes out;
    BackendWriter w(out);
    StartupMessage startup;
    for (;;) {
      auto body = ReadStartup(fd);
      if (!body) return;
      auto packet = DecodeStartup(*body);
      if (!packet.ok()) return;
      if (std::holds_alternative<SslRequest>(*packet) || std::holds_alternative<GssEncRequest>(*packet)) {
        WriteAll(fd, {uint8_t('N')});
        continue;
      }
      if (!std::holds_alternative<StartupMessage>(*packet)) return;
      startup = std::get<StartupMessage>(*packet);
      break;
    }
    seen.user = startup.parameters["user"];
    seen.database = startup.parameters["database"];
    ScramServer scram(verifier, {});
    w.AuthenticationSasl(scram.Mechanisms());
    WriteAll(fd, out);
    out.clear();

    auto refuse = [&] {
      w.ErrorResponse({.severity = "FATAL",
                       .sqlstate = "28P01",
                       .message = "password authentication failed for user \"" + seen.user + "\""});
      WriteAll(fd, out);
    };
    auto first = ReadMessage(fd);
    if (!first || first->first != 'p') return;
    auto initial = DecodeSaslInitialResponse(first->second);
    if (!initial.ok() || !initial->data) return refuse();
    auto server_first = scram.ClientFirst(initial->mechanism, AsStringView(*initial->data));
    if (!server_first.ok()) return refuse();
    w.AuthenticationSaslContinue(*server_first);
    WriteAll(fd, out);
    out.clear();
    auto final_message = ReadMessage(fd);
    if (!final_message || final_message->first != 'p') return;
    auto server_final = scram.ClientFinal(AsStringView(DecodeSaslResponse(final_message->second)));
    if (!server_final.ok()) return refuse();
    seen.authenticated = true;
    w.AuthenticationSaslFinal(*server_final);
    w.AuthenticationOk();
    for (auto [name, value] :
         std::initializer_list<std::pair<const char*, const char*>>{{"server_version", "15.18 (hdhub)"},
                                                                    {"server_encoding", "UTF8"},
                                                                    {"client_encoding", "UTF8"},
                                                                    {"DateStyle", "ISO, MDY"},
                                                                    {"integer_datetimes", "on"},
                                                                    {"standard_conforming_strings", "on"}}) {
      w.ParameterStatus(name, value);
    }
    w.BackendKeyData(42, 0x12345678);
    w.ReadyForQuery('I');
    WriteAll(fd, out);
    out.clear();

    for (;;) {
      auto message = ReadMessage(fd);
      if (!message || message->first == 'X') return;
      auto decoded = DecodeFrontend(message->first, message->second);
      if (!decoded.ok() || !std::holds_alternative<Query>(*decoded)) return;
      seen.query = std::get<Query>(*decoded).sql;
      w.RowDescription({{.name = "who", .type_oid = 25}, {.name = "n", .type_oid = 23, .type_size = 4}});
      w.DataRow({seen.user, std::nullopt});
      w.DataRow({std::string("second row"), std::string("7")});
      w.CommandComplete("SELECT 2");
      w.NoticeResponse({.severity = "NOTICE", .sqlstate = "01000", .message = "answered by the test harness"});
      w.ReadyForQuery('I');
      WriteAll(fd, out);
      out.clear();
    }
  }

  int listener_ = -1;
  int port_ = 0;

 public:
  // Serves one connection (trusted, no password) with a ProtocolSession over
  // `engine`: what `hdhub serve` does after authentication.
  void ServeSession(Engine& engine) {
    int fd = ::accept(listener_, nullptr, nullptr);
    if (fd >= 0) session_testing::ServeSessionOn(fd, engine);
  }
};

// Runs psql against the harness; returns its stdout and stderr together.
std::string RunPsql(int port, const std::string& password, const std::string& sslmode) {
  const std::string command = "PGPASSWORD='" + password + "' PGCONNECT_TIMEOUT=10 psql -X -A -F '|' " +
                              "\"host=127.0.0.1 port=" + std::to_string(port) +
                              " user=rita dbname=diab sslmode=" + sslmode + "\" -c 'SELECT who, n FROM t'";
  return testing::RunCommandForTest(command);
}

ScramVerifier RitasVerifier() { return ScramVerifier::Create(SecretBytes(AsBytes(kToken))).value(); }

TEST(PsqlInteropTest, PsqlAuthenticatesWithTheTokenAndReadsTheAnswer) {
  Harness harness;
  Seen seen;
  std::thread server([&] { seen = harness.ServeOne(RitasVerifier()); });
  const std::string output = RunPsql(harness.port(), kToken, "prefer");  // SSLRequest first, answered 'N'
  server.join();
  EXPECT_TRUE(seen.authenticated) << output;
  EXPECT_EQ(seen.user, "rita");
  EXPECT_EQ(seen.database, "diab");
  EXPECT_EQ(seen.query, "SELECT who, n FROM t");
  EXPECT_THAT(output, HasSubstr("who|n\nrita|\nsecond row|7\n(2 rows)"));
  EXPECT_THAT(output, HasSubstr("NOTICE:  answered by the test harness"));
}

TEST(PsqlInteropTest, AWrongTokenIsRefusedAndPsqlSaysSo) {
  Harness harness;
  Seen seen;
  std::thread server([&] { seen = harness.ServeOne(RitasVerifier()); });
  const std::string output = RunPsql(harness.port(), "hdh_7_not-the-token", "disable");
  server.join();
  EXPECT_FALSE(seen.authenticated);
  EXPECT_THAT(output, HasSubstr("FATAL:  password authentication failed for user \"rita\"")) << output;
  EXPECT_THAT(output, ::testing::Not(HasSubstr("second row")));
}

// Runs psql with `args` (each -c … in turn) against the harness's session.
std::string RunPsqlSession(int port, const std::string& args) {
  return testing::RunCommandForTest("PGCONNECT_TIMEOUT=10 psql -X -A -F '|' \"host=127.0.0.1 port=" + std::to_string(port) +
                    " user=rita dbname=diab sslmode=disable\" " + args);
}

class PsqlSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    con_.Query("CREATE TABLE patients (id INTEGER, born DATE, region VARCHAR, weight DECIMAL(5,1))");
    con_.Query("INSERT INTO patients VALUES (1, '1950-02-03', 'IDF', 71.5), (2, '2001-04-05', 'PA\tCA', NULL)");
    con_.Query("CREATE TABLE visits (patient INTEGER, seen TIMESTAMP)");
  }
  std::string Psql(const std::string& args) {
    std::thread server([&] { harness_.ServeSession(engine_); });
    std::string output = RunPsqlSession(harness_.port(), args);
    server.join();
    return output;
  }

  duckdb::DuckDB db_{nullptr};
  duckdb::Connection con_{db_};
  DuckDbEngine engine_{con_};
  Harness harness_;
};

TEST_F(PsqlSessionTest, BackslashDtAndDListTheSessionsTablesOnly) {
  const std::string output = Psql("-c '\\dt' -c '\\d' -c '\\dn' -c '\\l' -c '\\dt+' -c '\\du' -c '\\conninfo'");
  EXPECT_THAT(output, HasSubstr("public|patients|table|rita")) << output;
  EXPECT_THAT(output, HasSubstr("public|visits|table|rita")) << output;
  EXPECT_THAT(output, HasSubstr("public|rita")) << output;
  EXPECT_THAT(output, HasSubstr("diab|rita|UTF8")) << output;
  EXPECT_THAT(output, HasSubstr("public|visits|table|rita|permanent|heap||")) << output;  // \dt+
  EXPECT_THAT(output, HasSubstr("rita||{}")) << output;                                  // \du
  EXPECT_THAT(output, HasSubstr("You are connected to database \"diab\" as user \"rita\"")) << output;
  EXPECT_THAT(output, ::testing::Not(HasSubstr("ERROR"))) << output;
  EXPECT_THAT(output, ::testing::Not(HasSubstr("pg_class"))) << output;
}

TEST_F(PsqlSessionTest, BackslashDTableShowsColumnsWithPostgresTypeNames) {
  const std::string output = Psql("-c '\\d patients'");
  EXPECT_THAT(output, HasSubstr("Table \"public.patients\"")) << output;
  EXPECT_THAT(output, HasSubstr("id|integer")) << output;
  EXPECT_THAT(output, HasSubstr("born|date")) << output;
  EXPECT_THAT(output, HasSubstr("region|text")) << output;
  EXPECT_THAT(output, HasSubstr("weight|numeric(5,1)")) << output;
  EXPECT_THAT(output, ::testing::Not(HasSubstr("ERROR"))) << output;
}

TEST_F(PsqlSessionTest, BackslashDPlusShowsEachColumnsStorageAsPostgresDoes) {
  // PostgreSQL 15: integer and date plain, text extended, numeric main.
  const std::string output = Psql("-c '\\d+ patients'");
  EXPECT_THAT(output, HasSubstr("id|integer||||plain|")) << output;
  EXPECT_THAT(output, HasSubstr("born|date||||plain|")) << output;
  EXPECT_THAT(output, HasSubstr("region|text||||extended|")) << output;
  EXPECT_THAT(output, HasSubstr("weight|numeric(5,1)||||main|")) << output;
}

TEST_F(PsqlSessionTest, SettingsTransactionsAndCopy) {
  const std::string output = Psql(
      "-c 'SET application_name = my_analysis' -c 'SHOW application_name' -c 'BEGIN' -c 'SELECT count(*) AS n FROM "
      "patients' -c 'COMMIT' -c '\\copy (select id, region, weight from patients order by id) to stdout' "
      "-c 'SET TimeZone = \"Europe/Paris\"'");
  EXPECT_THAT(output, HasSubstr("application_name\nmy_analysis\n(1 row)")) << output;
  EXPECT_THAT(output, HasSubstr("BEGIN\nn\n2\n(1 row)\nCOMMIT")) << output;
  EXPECT_THAT(output, HasSubstr("1\tIDF\t71.5\n2\tPA\\tCA\t\\N\n")) << output;
  EXPECT_THAT(output, HasSubstr("ERROR:  invalid value for parameter \"TimeZone\"")) << output;
}

}  // namespace
}  // namespace hdhub::pgwire

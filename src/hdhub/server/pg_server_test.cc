// PgServer against real clients: psql 15 (libpq) and psycopg2 for what
// researchers run, and a raw wire client (testdata/pg_client.py) for what
// libpq never sends or cannot show (early bytes, refusals' SQLSTATEs). The
// backend is the test's own PgBackend over an in-memory DuckDB, its
// verifier derived from a fixed token; the certificate a throwaway one.
#include "hdhub/server/pg_server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <sstream>
#include <string>
#include <thread>

#include "duckdb.hpp"
#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"

namespace hdhub::server {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kToken[] = "hdh_7_c2VjcmV0IHRva2VuIG9mIHJpdGE";
constexpr char kLongQuery[] = "SELECT count(*) FROM range(1000000000000) t(i) WHERE i % 7 = 3";

std::string Shell(const std::string& command) { return testing::RunCommandForTest(command); }

// An engine that owns its DuckDB connection.
class OwningEngine final : public pgwire::Engine {
 public:
  explicit OwningEngine(duckdb::DuckDB& db) : connection_(db), engine_(connection_) {}
  StatusOr<std::vector<std::string>> Split(std::string_view sql) override { return engine_.Split(sql); }
  StatusOr<std::shared_ptr<pgwire::Prepared>> Prepare(std::string_view sql) override { return engine_.Prepare(sql); }
  StatusOr<std::unique_ptr<pgwire::Rows>> Execute(pgwire::Prepared& p, std::vector<duckdb::Value> v) override {
    return engine_.Execute(p, std::move(v));
  }
  StatusOr<std::vector<pgwire::TableInfo>> Tables() override { return engine_.Tables(); }
  void Cancel() override { engine_.Cancel(); }

 private:
  duckdb::Connection connection_;
  pgwire::DuckDbEngine engine_;
};

// rita, whose token is kToken, may work in project "diab"; nobody else exists.
class TestBackend final : public PgBackend {
 public:
  TestBackend()
      : rita_(pgwire::ScramVerifier::Create(SecretBytes(AsBytes(kToken))).value()),
        mock_key_(crypto::HmacSha256::Create(SecretBytes(AsBytes("mock key of the test"))).value()) {
    duckdb::Connection(db_).Query("SET threads = 1");
  }
  PgAccount Credentials(std::string_view user) override {
    if (user == "rita") return {pgwire::ScramCredentials::Of(rita_), {"rita-token"}};
    return {pgwire::ScramCredentials::Mock(*mock_key_, user), {}};
  }
  StatusOr<std::unique_ptr<pgwire::Engine>> Open(const PgLogin& login) override {
    std::lock_guard<std::mutex> lock(mu_);
    logins_.push_back(login);
    if (!login.proof_ok) return UnauthenticatedError("bad proof");
    if (login.database != "diab") return PermissionDeniedError("not a member");
    return std::unique_ptr<pgwire::Engine>(std::make_unique<OwningEngine>(db_));
  }
  std::vector<PgLogin> logins() {
    std::lock_guard<std::mutex> lock(mu_);
    return logins_;
  }

 private:
  duckdb::DuckDB db_{nullptr};
  pgwire::ScramVerifier rita_;
  std::unique_ptr<crypto::HmacSha256> mock_key_;
  std::mutex mu_;
  std::vector<PgLogin> logins_;
};

// The log lines, kept for the test to wait on and to search.
class CapturedLog {
 public:
  Logger::Sink Sink() {
    return [this](std::string_view line) {
      std::lock_guard<std::mutex> lock(mu_);
      lines_.emplace_back(line);
      changed_.notify_all();
    };
  }
  std::string All() {
    std::lock_guard<std::mutex> lock(mu_);
    std::string all;
    for (const auto& l : lines_) all += l + "\n";
    return all;
  }
  // Waits (up to 30 s) until a line holds `text`.
  bool WaitFor(const std::string& text) {
    std::unique_lock<std::mutex> lock(mu_);
    return changed_.wait_for(lock, std::chrono::seconds(30), [&] {
      for (const auto& l : lines_) {
        if (l.find(text) != std::string::npos) return true;
      }
      return false;
    });
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<std::string> lines_;
};

class PgServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    const std::string out = Shell(
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=localhost "
        "-addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout " +
        dir_->Sub("key.pem") + " -out " + dir_->Sub("cert.pem"));
    ASSERT_TRUE(std::filesystem::exists(dir_->Sub("cert.pem"))) << out;
  }
  static void TearDownTestSuite() { delete dir_; }

  void StartServer(ServeConfig config = Config()) {
    ASSERT_OK_AND_ASSIGN(server_, PgServer::Create(std::move(config), backend_, logger_));
    port_ = server_->ports().at(0);
    thread_ = std::thread([this] { server_->Run(); });
  }
  void TearDown() override {
    if (server_ != nullptr) server_->Stop();
    if (thread_.joinable()) thread_.join();
    // Nothing secret in the log, ever.
    EXPECT_THAT(log_.All(), AllOf(Not(HasSubstr(kToken)), Not(HasSubstr("range(")), Not(HasSubstr("6 * 7"))));
  }

  static ServeConfig Config() {
    ServeConfig config;
    config.listen = {{"127.0.0.1", 0}};
    config.tls = {.certificate = dir_->Sub("cert.pem"), .key = dir_->Sub("key.pem")};
    config.allowed_networks = {ParseNetwork("127.0.0.0/8").value()};
    config.worker_threads = 2;
    config.shutdown_grace = std::chrono::seconds(1);
    return config;
  }

  std::string Psql(const std::string& options, const std::string& password, const std::string& sql,
                   const std::string& user = "rita") {
    return Shell("PGPASSWORD='" + password +
                 "' PGCONNECT_TIMEOUT=10 psql -X -A -t \"host=localhost "
                 "hostaddr=127.0.0.1 port=" +
                 std::to_string(port_) + " user=" + user + " dbname=diab " + options + "\" -c '" + sql + "'");
  }
  std::string Client(const std::string& mode, const std::string& args = "") {
    return Shell("/usr/bin/python3 " + (testing::SourceDir() / "src/hdhub/server/testdata/pg_client.py").string() +
                 " " + mode + " " + std::to_string(port_) + " " + args);
  }
  std::string Ca() const { return dir_->Sub("cert.pem"); }

  static testing::TempDir* dir_;
  TestBackend backend_;
  CapturedLog log_;
  Logger logger_{log_.Sink()};
  std::unique_ptr<PgServer> server_;
  std::thread thread_;
  int port_ = 0;
};
testing::TempDir* PgServerTest::dir_ = nullptr;

TEST_F(PgServerTest, PsqlRunsQueriesOverTlsWithTheToken) {
  StartServer();
  EXPECT_EQ(Psql("sslmode=require", kToken, "SELECT 40 + 2 AS answer"), "42\n");
  const auto logins = backend_.logins();
  ASSERT_EQ(logins.size(), 1u);
  EXPECT_EQ(logins[0].user, "rita");
  EXPECT_EQ(logins[0].database, "diab");
  EXPECT_EQ(logins[0].client_address, "127.0.0.1");
  EXPECT_TRUE(logins[0].proof_ok);
  EXPECT_EQ(logins[0].key_id, "rita-token");
}

TEST_F(PgServerTest, ALargeResultArrivesWholeAndInOrder) {
  // About 2 MB of rows: several buffers handed to the socket while the next
  // ones are rendered, and none lost, repeated or reordered.
  StartServer();
  const std::string out = Psql("sslmode=require", kToken, "SELECT i FROM range(300000) t(i)");
  std::istringstream lines(out);
  std::string line;
  int64_t expected = 0;
  while (std::getline(lines, line)) {
    ASSERT_EQ(line, std::to_string(expected)) << "row " << expected;
    ++expected;
  }
  EXPECT_EQ(expected, 300000);
}

TEST_F(PgServerTest, AClientLeavingMidResultEndsItsSessionAndTheServerGoesOn) {
  StartServer();
  EXPECT_EQ(Client("leave-mid-result", Ca() + " " + kToken), "left\n");
  EXPECT_TRUE(log_.WaitFor("connection.closed")) << log_.All();
  EXPECT_EQ(Psql("sslmode=require", kToken, "SELECT 40 + 2 AS answer"), "42\n");
}

TEST_F(PgServerTest, StopEndsASessionWhoseClientStoppedReadingMidResult) {
  // The client reads one row of a large result, then nothing for 15 s: the
  // server's write of the rows cannot finish, and Stop must not wait for it.
  StartServer();
  std::string answer;
  std::thread client([&] { answer = Client("stop-reading", Ca() + " " + kToken); });
  ASSERT_TRUE(log_.WaitFor("auth.ok"));
  std::this_thread::sleep_for(std::chrono::seconds(2));  // the socket's buffers fill
  const auto stop = std::chrono::steady_clock::now();
  server_->Stop();
  thread_.join();
  const auto stopped_after = std::chrono::steady_clock::now() - stop;
  client.join();
  // Within the grace (1 s) and the cancel, not when the client reads again.
  EXPECT_LT(stopped_after, std::chrono::seconds(10)) << log_.All();
  EXPECT_EQ(answer, "closed\n");
}

TEST_F(PgServerTest, PsqlVerifiesTheCertificateAndBindsTheChannel) {
  StartServer();
  EXPECT_EQ(Psql("sslmode=verify-full sslrootcert=" + Ca() + " channel_binding=require", kToken,
                 "SELECT count(*) FROM range(5)"),
            "5\n");
}

TEST_F(PgServerTest, AWrongTokenAndAnUnknownUserAreRefusedAlike) {
  StartServer();
  EXPECT_THAT(Psql("sslmode=require", "hdh_7_not-the-token", "SELECT 1"),
              HasSubstr("FATAL:  password authentication failed for user \"rita\""));
  EXPECT_THAT(Psql("sslmode=require", kToken, "SELECT 1", "mallory"),
              HasSubstr("FATAL:  password authentication failed for user \"mallory\""));
  EXPECT_EQ(Client("scram", Ca() + " rita hdh_7_not-the-token"),
            "28P01 password authentication failed for user \"rita\"\n");
  EXPECT_EQ(Client("scram", Ca() + " mallory " + kToken),
            "28P01 password authentication failed for user \"mallory\"\n");
  EXPECT_EQ(Client("scram", Ca() + " rita " + kToken), "ok\n");
  // Every attempt reached the backend (to be audited); only the last proof held.
  const auto logins = backend_.logins();
  ASSERT_EQ(logins.size(), 5u);
  for (size_t i = 0; i < 4; ++i) EXPECT_FALSE(logins[i].proof_ok) << i;
  EXPECT_TRUE(logins[4].proof_ok);
}

TEST_F(PgServerTest, ANewerMinorVersionOrPqOptionsGetNegotiateProtocolVersion) {
  StartServer();
  // 'v': we speak 3.0, "_pq_.grease" not recognised; then authentication goes on ('R').
  EXPECT_EQ(Client("negotiate", Ca()), "v 0 1 _pq_.grease R\n");
}

TEST_F(PgServerTest, APlaintextStartupIsRefusedTlsRequired) {
  StartServer();
  EXPECT_THAT(Psql("sslmode=disable", kToken, "SELECT 1"), HasSubstr("FATAL:  TLS required"));
  EXPECT_THAT(Client("tls-required"), HasSubstr("28000 TLS required"));
  EXPECT_TRUE(backend_.logins().empty());
}

TEST_F(PgServerTest, BytesSentWithTheSslRequestCloseTheConnection) {
  StartServer();
  EXPECT_EQ(Client("bytes-after-ssl"), "closed\n");
  EXPECT_TRUE(log_.WaitFor("bytes_before_handshake"));
}

TEST_F(PgServerTest, GssEncryptionIsDeclinedThenTlsOffered) {
  StartServer();
  EXPECT_EQ(Client("gssenc"), "N S\n");
}

TEST_F(PgServerTest, ACancelRequestCancelsTheStatementAndTheSessionGoesOn) {
  StartServer();
  EXPECT_EQ(Client("cancel", Ca() + " " + kToken), "57014 42\n");
  EXPECT_TRUE(log_.WaitFor("\"reason\":\"cancelled\""));
}

TEST_F(PgServerTest, AConnectionOverTheLimitIsRefused53300) {
  ServeConfig config = Config();
  config.max_connections = 1;
  StartServer(std::move(config));
  std::thread busy([&] { Client("long-query", Ca() + " " + kToken); });
  ASSERT_TRUE(log_.WaitFor("auth.ok"));
  EXPECT_EQ(Client("first-error"), "53300 sorry, too many clients already\n");
  server_->Stop();
  busy.join();
}

TEST_F(PgServerTest, AnAddressOutsideTheAllowedNetworksIsRefused) {
  ServeConfig config = Config();
  config.allowed_networks = {ParseNetwork("10.0.0.0/8").value()};
  StartServer(std::move(config));
  EXPECT_EQ(Client("first-error"), "28000 no access from this address\n");
  EXPECT_TRUE(backend_.logins().empty());
}

TEST_F(PgServerTest, AClientSilentBeforeAuthenticationIsClosedAtTheAuthTimeout) {
  ServeConfig config = Config();
  config.auth_timeout = std::chrono::seconds(1);
  StartServer(std::move(config));
  EXPECT_EQ(Client("first-error"), "closed\n");
  EXPECT_TRUE(log_.WaitFor("\"reason\":\"auth_timeout\""));
}

TEST_F(PgServerTest, AnIdleSessionEndsAtTheIdleTimeout57P05) {
  ServeConfig config = Config();
  config.idle_timeout = std::chrono::seconds(1);
  StartServer(std::move(config));
  EXPECT_EQ(Client("idle", Ca() + " rita " + kToken), "57P05 terminating connection due to idle-session timeout\n");
}

TEST_F(PgServerTest, AnOversizedMessageIsRefused08P01) {
  ServeConfig config = Config();
  config.max_message_bytes = 1 << 20;
  StartServer(std::move(config));
  EXPECT_EQ(Client("oversized", Ca() + " rita " + kToken), "08P01 invalid message length (at most 1048576 bytes)\n");
}

TEST_F(PgServerTest, StopCancelsARunningStatementAfterTheGraceAndTells57P01) {
  StartServer();
  std::string answer;
  std::thread client([&] { answer = Client("long-query", Ca() + " " + kToken); });
  ASSERT_TRUE(log_.WaitFor("auth.ok"));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the statement starts
  server_->Stop();
  thread_.join();  // Run returns: every connection closed
  client.join();
  EXPECT_EQ(answer, "57P01 terminating connection due to administrator command\n") << log_.All();
  EXPECT_TRUE(log_.WaitFor("server.cancelling_statements"));
}

TEST_F(PgServerTest, StopEndsAnIdleSession57P01) {
  StartServer();
  std::string output;
  // psql reads its second statement 3 s later: the session is idle when Stop comes.
  std::thread client([&] {
    output = Shell("(echo 'SELECT 1;'; sleep 3; echo 'SELECT 2;') | PGPASSWORD='" + std::string(kToken) +
                   "' psql -X -A -t \"host=localhost hostaddr=127.0.0.1 port=" + std::to_string(port_) +
                   " user=rita dbname=diab sslmode=require\"");
  });
  ASSERT_TRUE(log_.WaitFor("auth.ok"));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  server_->Stop();
  thread_.join();
  client.join();
  EXPECT_THAT(output, HasSubstr("terminating connection due to administrator command")) << output;
}

}  // namespace
}  // namespace hdhub::server

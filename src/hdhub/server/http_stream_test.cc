// The HTTP API's project queries stream as the PG wire's do (the engine of
// Service::OpenPgEngine), and the per-account limits of the HTTP API
// (AccountAdmission): end to end, an HttpServer over a real hub, curl as the
// client (http_server_test_fixture.h).
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "hdhub/server/http_admission.h"
#include "hdhub/server/http_server_test_fixture.h"
#include "hdhub/server/limits.h"

namespace hdhub::server {
namespace {

using http_test::HttpServerTest;
using http_test::json;
using http_test::Reply;
using ::testing::HasSubstr;

// Rows large enough that the engine does not read them all ahead (8 MiB).
std::string PaddedRows(uint64_t rows) {
  // chr(120), 'x': the body goes to curl between single quotes.
  return "{\"sql\": \"SELECT range AS i, repeat(chr(120), 100) AS pad FROM range(" + std::to_string(rows) + ")\"}";
}

class HttpStreamTest : public HttpServerTest {
 protected:
  // The query.start and query.run events from entry `from` on, with a
  // query.run's code ("" when it succeeded). Read through the service, which
  // may be called while the server writes.
  std::vector<std::string> QueryEvents(uint64_t from) {
    auto raw = svc_->AuditEntries(ctx("carl"), {.action = "query."});
    EXPECT_OK(raw.status());
    std::vector<std::string> out;
    for (const std::string& bytes : raw.value_or(std::vector<std::string>{})) {
      StatusOr<audit::Entry> e = audit::DecodeEntry(bytes);
      if (!e.ok() || e->seq < from) continue;
      if (e->event.action == "query.start") out.push_back("query.start");
      if (e->event.action == "query.run") out.push_back("query.run" + e->event.details.value("code", std::string()));
    }
    return out;
  }

  // Waits (up to a minute) until the events since `from` end with `last`.
  bool WaitForEvent(uint64_t from, const std::string& last) {
    for (int i = 0; i < 600; ++i) {
      const std::vector<std::string> events = QueryEvents(from);
      if (!events.empty() && events.back() == last) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  // This process's resident memory, in bytes (VmRSS).
  static uint64_t ResidentBytes() {
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);) {
      if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
    }
    return 0;
  }

  static size_t LineCount(const std::string& body) { return size_t(std::count(body.begin(), body.end(), '\n')); }

  // A limiter over the fake clock (it stands still: no bucket refills),
  // kept until the fixture goes, after TearDown stopped the server.
  Limiter* MakeLimiter(const LimitsConfig& config) {
    limiter_ = std::make_unique<Limiter>(config, &clock_);
    return limiter_.get();
  }

  std::unique_ptr<Limiter> limiter_;
};

// Far more rows than [serve.query]'s default max_rows (0 here: no limit, as
// a PG client would get them): announced by a durable query.start before
// the first row, streamed, and logged by query.run with every row counted.
TEST_F(HttpStreamTest, ALargeResultIsAnnouncedStreamedAndLoggedAtItsEnd) {
  BuiltProject();
  StartServer(1u << 20, 1u << 20, QueryLimits{.max_rows = 0, .max_bytes = 0});
  constexpr uint64_t kRows = 400'000;  // 4 times the default max_rows
  const uint64_t before = LogSize();
  const Reply r = Call("POST", "/api/v1/projects/p1/queries", tokens_["rita"], PaddedRows(kRows));
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
  EXPECT_EQ(LineCount(r.body), kRows + 1);  // the header line, then every row
  EXPECT_THAT(r.body.substr(r.body.size() - 200), HasSubstr("[" + std::to_string(kRows - 1) + ",\"xxx"));
  EXPECT_EQ(QueryEvents(before), (std::vector<std::string>{"query.start", "query.run"}));
  uint64_t rows = 0;
  for (const audit::Entry& e : EntriesSince(before)) {
    if (e.event.action == "query.run") rows = e.event.details.value("rows", uint64_t{0});
  }
  EXPECT_EQ(rows, kRows);
}

// As on the PG wire, [serve.query] max_rows still bounds a statement: a
// streamed result beyond it ends with an error line, the body cut short.
TEST_F(HttpStreamTest, AStreamedResultBeyondMaxRowsEndsWithAnErrorLine) {
  BuiltProject();
  StartServer(1u << 20, 1u << 20, QueryLimits{.max_rows = 150'000, .max_bytes = 0});
  const Reply r = Call("POST", "/api/v1/projects/p1/queries", tokens_["rita"], PaddedRows(400'000));
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
  ASSERT_FALSE(r.body.empty());
  const size_t last = r.body.rfind('\n', r.body.size() - 2);
  const json error = json::parse(r.body.substr(last + 1), nullptr, false);
  EXPECT_EQ(error["error"].value("status", 0), 429) << r.body.substr(last + 1);
  EXPECT_LE(LineCount(r.body), 150'000u + 2);
}

// A client reading slowly holds the stream: the rows leave while the query
// still runs (query.start, no query.run yet), the server's memory stays
// bounded, the account's one request slot is taken (another of its requests
// gets 429, another account's is served), and when the client goes away
// the query ends CANCELLED and the slot is free again.
TEST_F(HttpStreamTest, ASlowClientStreamsWithBoundedMemoryAndLeavingCancelsTheQuery) {
  BuiltProject();
  StartServer(1u << 20, 1u << 20, QueryLimits{.max_rows = 0, .max_bytes = 0},
              MakeLimiter({.max_connections_per_account = 1, .requests_per_second = 0}));
  const uint64_t rss_before = ResidentBytes();
  const uint64_t before = LogSize();
  // 3 million rows of 110 bytes: about 330 MB of NDJSON; the client reads 200 KB/s.
  const std::string body_file = tmp_.Sub("slow-body");
  const std::string pid = testing::RunCommandForTest(Curl(body_file, "POST", "/api/v1/projects/p1/queries",
                                                          tokens_["rita"], PaddedRows(3'000'000), "--limit-rate 200k") +
                                                     " >/dev/null 2>&1 & echo $!");
  ASSERT_TRUE(WaitForEvent(before, "query.start"));
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_EQ(QueryEvents(before), std::vector<std::string>{"query.start"}) << "rows leave while the query runs";
  EXPECT_GT(std::filesystem::file_size(body_file), 0u);
  EXPECT_LT(ResidentBytes(), rss_before + (256u << 20)) << "the result is not held in memory";

  const Reply busy = Call("GET", "/api/v1/me", tokens_["rita"]);
  ExpectProblem(busy, 429);
  EXPECT_EQ(busy.headers.count("retry-after") ? busy.headers.at("retry-after") : "", "1");
  EXPECT_EQ(busy.Json().value("detail", ""), kAccountBusy);
  EXPECT_EQ(Call("GET", "/api/v1/me", tokens_["oscar"]).status, 200) << "another account, the same address";

  testing::RunCommandForTest("kill " + pid);
  ASSERT_TRUE(WaitForEvent(before, "query.runCANCELLED")) << ::testing::PrintToString(QueryEvents(before));
  for (int i = 0; i < 100 && Call("GET", "/api/v1/me", tokens_["rita"]).status != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(Call("GET", "/api/v1/me", tokens_["rita"]).status, 200) << "the slot is given back";
}

// One account over its request rate gets 429 (Retry-After, logged), while
// another account from the same address is served and a request without a
// valid token is still 401.
TEST_F(HttpStreamTest, AnAccountOverItsRateGets429WhileAnotherFromTheSameAddressIsServed) {
  StartServer(1u << 20, 1u << 20, {},
              MakeLimiter({.requests_per_second = 1,
                           .request_burst = 3,
                           .requests_per_second_per_address = 0}));  // no limit per address
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Call("GET", "/api/v1/me", tokens_["rita"]).status, 200) << i;
  const Reply refused = Call("GET", "/api/v1/me", tokens_["rita"]);
  ExpectProblem(refused, 429);
  EXPECT_EQ(refused.headers.count("retry-after") ? refused.headers.at("retry-after") : "", "1");
  EXPECT_EQ(refused.Json().value("detail", ""), kAccountRateExceeded);
  EXPECT_EQ(Call("GET", "/api/v1/me", tokens_["oscar"]).status, 200);
  ExpectProblem(Call("GET", "/api/v1/me"), 401);
  ExpectProblem(Call("GET", "/api/v1/me", "hdh_0000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), 401);
  EXPECT_EQ(Call("GET", "/api/v1/health").status, 200);
  std::lock_guard<std::mutex> lock(log_mu_);
  bool logged = false;
  for (const std::string& line : log_) {
    logged = logged || (line.find("\"http.refused\"") != std::string::npos &&
                        line.find("too_many_requests_for_account") != std::string::npos &&
                        line.find(refused.headers.at("x-request-id")) != std::string::npos);
  }
  EXPECT_TRUE(logged) << "the refusal is logged with its request id";
}

}  // namespace
}  // namespace hdhub::server

// The floor under pgbench's trivial script on hdhub serve (issue 10): what
// one `SELECT 1` costs in DuckDB alone, in-process, one thread, and what one
// small durable append (write + fdatasync, as the audit log makes each
// statement's entry durable before its answer) costs on the disk of DIR.
// No TLS, no wire protocol, no policy, no audit log: the parts hdhub cannot
// go below while every statement runs in DuckDB and is audited durably.
//
//   hdhub_statement_floor_bench --dir DIR [--statements N]
//
// Prints one line per measure (microseconds per statement, median of 5
// rounds of N) and the rates they allow: one client in a row (DuckDB plus
// the append), and two cores kept busy by DuckDB alone.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "duckdb.hpp"

namespace {

[[noreturn]] void Usage(const char* why) {
  std::fprintf(stderr,
               "hdhub_statement_floor_bench: %s\nusage: hdhub_statement_floor_bench --dir DIR [--statements N]\n", why);
  std::exit(2);
}

// Microseconds per call of `one`, median of 5 rounds of `n` calls.
double MedianMicros(int n, const std::function<void()>& one) {
  std::vector<double> rounds;
  for (int r = 0; r < 5; ++r) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) one();
    const auto end = std::chrono::steady_clock::now();
    rounds.push_back(std::chrono::duration<double, std::micro>(end - start).count() / n);
  }
  std::sort(rounds.begin(), rounds.end());
  return rounds[2];
}

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "hdhub_statement_floor_bench: %s failed\n", what);
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir;
  int n = 5000;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--dir" && i + 1 < argc) {
      dir = argv[++i];
    } else if (a == "--statements" && i + 1 < argc) {
      n = std::atoi(argv[++i]);
    } else {
      Usage(("unknown argument " + a).c_str());
    }
  }
  if (dir.empty() || n <= 0) Usage("--dir is required and --statements must be positive");

  duckdb::DuckDB db(nullptr);
  duckdb::Connection con(db);
  Check(!con.Query("SET threads = 1")->HasError(), "SET threads");
  const double prepare_execute = MedianMicros(n, [&] {
    auto prepared = con.Prepare("SELECT 1");
    auto result = prepared->Execute();
    Check(result->Fetch() != nullptr, "SELECT 1");
  });
  auto prepared = con.Prepare("SELECT 1");
  const double execute = MedianMicros(n, [&] {
    auto result = prepared->Execute();
    Check(result->Fetch() != nullptr, "SELECT 1");
  });

  const std::string path = (std::filesystem::path(dir) / "statement_floor.append").string();
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
  Check(fd >= 0, "open");
  const std::string entry(256, 'e');  // about one audit entry
  const double durable_append = MedianMicros(std::max(1, n / 5), [&] {
    Check(::write(fd, entry.data(), entry.size()) == ssize_t(entry.size()), "write");
    Check(::fdatasync(fd) == 0, "fdatasync");
  });
  ::close(fd);
  std::filesystem::remove(path);

  std::printf("duckdb_prepare_execute_us=%.1f\n", prepare_execute);
  std::printf("duckdb_execute_prepared_us=%.1f\n", execute);
  std::printf("durable_append_us=%.1f\n", durable_append);
  std::printf("one_client_ceiling_tps=%.0f\n", 1e6 / (prepare_execute + durable_append));
  std::printf("two_cores_duckdb_only_ceiling_tps=%.0f\n", 2e6 / prepare_execute);
  return 0;
}

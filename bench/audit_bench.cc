// hdhub_audit_bench [--max N] [--dir DIR]: the audit log's costs, as a table.
//
//   durable append rate  AppendBatch(1000) and 16 threads calling Append(),
//                        every acknowledged event written and fdatasync'ed
//   proof generation     inclusion and consistency proofs from stored hashes
//   full verification    VerifyLogDirectory: re-read, re-hash, rebuild the tree,
//                        check the signed checkpoint
// at 10^4, 10^5 and 10^6 entries (up to --max). Logs go to a fresh directory
// under DIR (default $TMPDIR or /tmp) and are removed afterwards.
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "hdhub/audit/ed25519.h"
#include "hdhub/audit/file_audit_log.h"
#include "hdhub/audit/log_verifier.h"

namespace {

using namespace ::hdhub;         // NOLINT: a benchmark
using namespace ::hdhub::audit;  // NOLINT
using Clock = std::chrono::steady_clock;

constexpr size_t kBatch = 1000;
constexpr int kThreads = 16;
constexpr int kProofSamples = 10000;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

Event BenchEvent(uint64_t i) {
  Event e;
  e.actor = "researcher-" + std::to_string(i % 97);
  e.role = "researcher";
  e.action = "query.run";
  e.objects = {{"workspace", "ws-" + std::to_string(i % 13)}, {"dataset", "dcir"}};
  e.project = "p-2026-" + std::to_string(i % 7);
  e.details = {{"rows", i % 5000}, {"bytes", i * 31 % 100000}};
  e.free_text = "SELECT count(*) FROM dcir WHERE id = " + std::to_string(i);
  return e;
}

// The same key for every open of a log (Open checks its own checkpoint).
std::unique_ptr<NoteSigner> BenchSigner() {
  static const SecretBytes kSeed(ByteSpan(reinterpret_cast<const uint8_t*>("hdhub audit benchmark key seed!!"), 32));
  return Ed25519Signer::FromSeed("bench.hdhub/audit", kSeed).value();
}

void Row(const std::string& what, uint64_t n, const std::string& value) {
  std::cout << std::left << std::setw(44) << what << std::right << std::setw(10) << n << "  " << value << "\n";
}

std::string Rate(double events, double seconds) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(0) << events / seconds << " events/s";
  return s.str();
}

std::string Micros(double seconds, double count) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(2) << seconds * 1e6 / count << " us/proof";
  return s.str();
}

std::string Millis(double seconds) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(0) << seconds * 1e3 << " ms";
  return s.str();
}

// Appends `n` events in batches; returns the elapsed time.
double FillBatched(FileAuditLog& log, uint64_t n) {
  std::vector<Event> batch;
  for (size_t i = 0; i < kBatch; ++i) batch.push_back(BenchEvent(i));
  const auto start = Clock::now();
  for (uint64_t done = 0; done < n; done += kBatch) {
    if (!log.AppendBatch(std::span<const Event>(batch.data(), std::min<uint64_t>(kBatch, n - done))).ok()) {
      std::cerr << "append failed\n";
      std::exit(1);
    }
  }
  return Seconds(start);
}

double ThreadedAppends(FileAuditLog& log, int per_thread) {
  const auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&log, per_thread, t] {
      for (int i = 0; i < per_thread; ++i) {
        if (!log.Append(BenchEvent(uint64_t(t) * per_thread + i)).ok()) std::exit(1);
      }
    });
  }
  for (auto& th : threads) th.join();
  return Seconds(start);
}

void ProofTimes(const FileAuditLog& log, uint64_t n) {
  std::mt19937_64 rng(42);
  auto start = Clock::now();
  for (int i = 0; i < kProofSamples; ++i) {
    if (!log.InclusionProof(rng() % n, n).ok()) std::exit(1);
  }
  Row("inclusion proof (random index, size n)", n, Micros(Seconds(start), kProofSamples));
  start = Clock::now();
  for (int i = 0; i < kProofSamples; ++i) {
    if (!log.ConsistencyProof(1 + rng() % (n - 1), n).ok()) std::exit(1);
  }
  Row("consistency proof (random m -> n)", n, Micros(Seconds(start), kProofSamples));
}

void Scale(const std::string& base, uint64_t n) {
  const std::string dir = base + "/log-" + std::to_string(n);
  FakeClock fake(TimePoint(std::chrono::seconds(1'790'000'000)));
  std::string vkey;
  {
    auto log = FileAuditLog::Open(dir, &fake, BenchSigner()).value();
    vkey = log->signer().VerifierKey();
    Row("durable append, batches of 1000", n, Rate(double(n), FillBatched(*log, n)));
    ProofTimes(*log, n);
  }
  auto verifier = Ed25519Verifier::FromVerifierKey(vkey).value();
  auto start = Clock::now();
  auto report = VerifyLogDirectory(dir, *verifier);
  const double verify_s = Seconds(start);
  if (!report.ok() || report->entries != n) {
    std::cerr << "verification failed: " << report.status() << "\n";
    std::exit(1);
  }
  Row("full verification (read, hash, tree, sig)", n, Millis(verify_s));
  start = Clock::now();
  if (!FileAuditLog::Open(dir, &fake, BenchSigner()).ok()) std::exit(1);
  Row("open (scan + tree rebuild), for reference", n, Millis(Seconds(start)));
  std::filesystem::remove_all(dir);
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t max = 1'000'000;
  const char* tmp = std::getenv("TMPDIR");
  std::string base = tmp != nullptr ? tmp : "/tmp";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--max") == 0) max = std::strtoull(argv[i + 1], nullptr, 10);
    if (std::strcmp(argv[i], "--dir") == 0) base = argv[i + 1];
  }
  base += "/hdhub-audit-bench-" + std::to_string(::getpid());
  std::filesystem::create_directories(base);
  std::cout << std::left << std::setw(44) << "measure" << std::right << std::setw(10) << "entries" << "  result\n"
            << std::string(80, '-') << "\n";
  {
    FakeClock fake(TimePoint(std::chrono::seconds(1'790'000'000)));
    auto log = FileAuditLog::Open(base + "/threads", &fake, BenchSigner()).value();
    constexpr int kPerThread = 2000;
    Row("durable append, 16 threads x Append()", kThreads * kPerThread,
        Rate(double(kThreads) * kPerThread, ThreadedAppends(*log, kPerThread)));
  }
  for (uint64_t n = 10'000; n <= max; n *= 10) Scale(base, n);
  std::filesystem::remove_all(base);
  return 0;
}

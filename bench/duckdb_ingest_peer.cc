// Ingest peer (a), DuckDB alone: the transfer CSV read by DuckDB, its
// pseudonym column replaced by SHA-256(secret || value) and written as one
// plain Parquet file on local disk. No validation, no sealing, no catalog:
// the floor of what DuckDB itself costs for the same rows.
//
//   hdhub_duckdb_ingest_peer --csv FILE --out FILE.parquet [--threads T]
//                            [--column BEN_NIR_PSA] [--codec default|zstd]
//
// Prints one line: "rows=<n> seconds=<s> rows_per_s=<r>". The secret is
// random per run (16 bytes, hex); it only has to be unknown to the data.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include "duckdb.hpp"

namespace {

struct Options {
  std::string csv;
  std::string out;
  std::string column = "BEN_NIR_PSA";
  std::string codec = "default";
  int threads = 2;
};

[[noreturn]] void Usage(const char* why) {
  std::fprintf(stderr, "hdhub_duckdb_ingest_peer: %s\n", why);
  std::fprintf(stderr,
               "usage: hdhub_duckdb_ingest_peer --csv FILE --out FILE.parquet [--threads T] "
               "[--column NAME] [--codec default|zstd]\n");
  std::exit(2);
}

Options Parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; i += 2) {
    std::string a = argv[i];
    if (i + 1 >= argc) Usage(("missing value after " + a).c_str());
    std::string v = argv[i + 1];
    if (a == "--csv") o.csv = v;
    else if (a == "--out") o.out = v;
    else if (a == "--threads") o.threads = std::atoi(v.c_str());
    else if (a == "--column") o.column = v;
    else if (a == "--codec") o.codec = v;
    else Usage(("unknown option " + a).c_str());
  }
  if (o.csv.empty() || o.out.empty()) Usage("--csv and --out are required");
  if (o.threads < 1) Usage("--threads must be at least 1");
  if (o.codec != "default" && o.codec != "zstd") Usage("--codec is default or zstd");
  return o;
}

std::string RandomHex(size_t bytes) {
  std::random_device rd;
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < bytes; ++i) {
    unsigned b = rd() & 0xff;
    out += kHex[b >> 4];
    out += kHex[b & 0xf];
  }
  return out;
}

std::string Literal(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

std::string Identifier(const std::string& s) {
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

void Run(duckdb::Connection& con, const std::string& sql, duckdb::unique_ptr<duckdb::MaterializedQueryResult>* out) {
  auto result = con.Query(sql);
  if (result->HasError()) {
    std::fprintf(stderr, "hdhub_duckdb_ingest_peer: %s\n", result->GetError().c_str());
    std::exit(3);
  }
  if (out != nullptr) *out = std::move(result);
}

}  // namespace

int main(int argc, char** argv) {
  Options o = Parse(argc, argv);
  std::filesystem::remove(o.out);
  duckdb::DuckDB db(nullptr);
  duckdb::Connection con(db);
  Run(con, "SET threads = " + std::to_string(o.threads), nullptr);

  const std::string column = Identifier(o.column);
  const std::string copy = "COPY (SELECT * REPLACE (sha256(" + Literal(RandomHex(16)) + " || " + column + ") AS " +
                           column + ") FROM read_csv(" + Literal(o.csv) + ")) TO " + Literal(o.out) +
                           (o.codec == "zstd" ? " (FORMAT parquet, COMPRESSION zstd)" : " (FORMAT parquet)");
  auto start = std::chrono::steady_clock::now();
  duckdb::unique_ptr<duckdb::MaterializedQueryResult> result;
  Run(con, copy, &result);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  long long rows = result->GetValue(0, 0).GetValue<int64_t>();
  std::printf("rows=%lld seconds=%.3f rows_per_s=%.0f\n", rows, seconds, double(rows) / seconds);
  return 0;
}

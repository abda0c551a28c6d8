// Sealed scan benchmark: the same Parquet table read by DuckDB plain from local
// disk and sealed on a file:// host through hdhub://, side by side in one run.
//
//   hdhub_sealed_scan_bench [--rows N] [--reps R] [--dir D] [--threads T] [--segment-kib K]
//
// Prints, for a group-by and a filtered count (and the write itself), the
// median time of each side over R runs and the ratio sealed/plain. DuckDB's
// external file cache is off for the main figures, so every sealed scan
// decrypts again (the honest worst case); a last line shows the cache on.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "hdhub/crypto/hash.h"
#include "hdhub/crypto/random.h"
#include "hdhub/sql/database.h"
#include "hdhub/storage/file_blob_store.h"
#include "hdhub/storage/sealed_store.h"

namespace {

using hdhub::Status;
using Clock = std::chrono::steady_clock;

struct Options {
  long rows = 20'000'000;
  int reps = 5;
  int threads = 2;
  uint32_t segment_kib = hdhub::crypto::kDefaultSegmentSize / 1024;
  std::string dir = "/tmp/hdhub-bench-scan";
};

Options Parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--rows") o.rows = std::atol(argv[i + 1]);
    else if (a == "--reps") o.reps = std::atoi(argv[i + 1]);
    else if (a == "--threads") o.threads = std::atoi(argv[i + 1]);
    else if (a == "--dir") o.dir = argv[i + 1];
    else if (a == "--segment-kib") o.segment_kib = uint32_t(std::atoi(argv[i + 1]));
  }
  return o;
}

void Check(const Status& s, const char* what) {
  if (s.ok()) return;
  std::fprintf(stderr, "bench: %s: %s\n", what, s.ToString().c_str());
  std::exit(1);
}

double TimeQuery(hdhub::sql::Database& db, const std::string& sql) {
  auto start = Clock::now();
  Check(db.Query(sql).status(), sql.c_str());
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// A table shaped like ER_PRS_F's most used columns.
std::string SourceSql(long rows) {
  return "SELECT lpad(CAST(hash(i % " + std::to_string(std::max(rows / 18, 1L)) +
         ") % 100000000000000000 AS VARCHAR), 17, '0') AS BEN_NIR_PSA, "
         "DATE '2019-01-01' + CAST(i % 1826 AS INTEGER) AS EXE_SOI_DTD, "
         "CAST(1000 + (hash(i) % 900) AS INTEGER) AS PRS_NAT_REF, "
         "CAST(1 + i % 3 AS INTEGER) AS PRS_ACT_QTE, "
         "round((hash(i * 7) % 20000) / 100.0, 2) AS PRS_PAI_MNT, "
         "CAST(1 + (hash(i * 3) % 2) AS INTEGER) AS BEN_SEX_COD, "
         "CAST(1920 + (hash(i * 5) % 100) AS INTEGER) AS BEN_NAI_ANN, "
         "lpad(CAST(1 + hash(i * 11) % 95 AS VARCHAR), 3, '0') AS BEN_RES_DPT "
         "FROM range(" + std::to_string(rows) + ") t(i)";
}

struct Query {
  const char* name;
  std::string sql;  // with {T} for the table expression
};

std::string Bind(const std::string& sql, const std::string& table) {
  std::string out = sql;
  size_t at = out.find("{T}");
  out.replace(at, 3, table);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  Options o = Parse(argc, argv);
  std::filesystem::remove_all(o.dir);
  std::filesystem::create_directories(o.dir);
  auto host = hdhub::storage::FileBlobStore::Create(o.dir + "/host");
  Check(host.status(), "host");
  auto name_key = hdhub::crypto::RandomSecret(32);
  Check(name_key.status(), "key");
  auto names = hdhub::crypto::HmacSha256::Create(*name_key);
  Check(names.status(), "hmac");
  hdhub::storage::SealedStore sealed(host->get(), std::move(names).value(), o.segment_kib * 1024);
  auto db = hdhub::sql::Database::Open(&sealed, {.threads = o.threads});
  Check(db.status(), "duckdb");
  auto dek = hdhub::crypto::RandomSecret(32);
  Check(dek.status(), "dek");
  Check((*db)->keys().Grant("bench/", std::move(dek).value(), hdhub::sql::Access::kReadWrite), "grant");

  const std::string plain = "'" + o.dir + "/plain.parquet'";
  const std::string sealed_path = "'hdhub://bench/er_prs_f.parquet'";
  std::printf("rows=%ld threads=%d reps=%d segment=%u KiB (median seconds)\n", o.rows, o.threads, o.reps,
              o.segment_kib);
  std::printf("%-22s %10s %10s %8s\n", "operation", "plain", "sealed", "ratio");

  std::vector<double> wp, ws;
  for (int r = 0; r < std::max(1, o.reps / 2); ++r) {
    wp.push_back(TimeQuery(**db, "COPY (" + SourceSql(o.rows) + ") TO " + plain + " (FORMAT parquet)"));
    ws.push_back(TimeQuery(**db, "COPY (" + SourceSql(o.rows) + ") TO " + sealed_path + " (FORMAT parquet)"));
  }
  std::printf("%-22s %10.3f %10.3f %8.3f\n", "write (COPY TO)", Median(wp), Median(ws), Median(ws) / Median(wp));

  const std::vector<Query> queries = {
      {"group-by", "SELECT PRS_NAT_REF, count(*), sum(PRS_PAI_MNT), avg(PRS_ACT_QTE) FROM {T} GROUP BY 1"},
      {"filtered count",
       "SELECT count(*) FROM {T} WHERE EXE_SOI_DTD BETWEEN DATE '2021-01-01' AND DATE '2021-12-31' "
       "AND BEN_SEX_COD = 2 AND PRS_PAI_MNT > 50"},
      {"distinct people", "SELECT count(DISTINCT BEN_NIR_PSA) FROM {T}"},
  };
  for (bool cache : {false, true}) {
    Check((*db)->Execute(std::string("SET enable_external_file_cache = ") + (cache ? "true" : "false")), "cache");
    for (const Query& q : queries) {
      std::vector<double> tp, ts;
      TimeQuery(**db, Bind(q.sql, sealed_path));  // warm the page cache for both sides
      TimeQuery(**db, Bind(q.sql, plain));
      for (int r = 0; r < o.reps; ++r) {
        tp.push_back(TimeQuery(**db, Bind(q.sql, plain)));
        ts.push_back(TimeQuery(**db, Bind(q.sql, sealed_path)));
      }
      std::string label = std::string(q.name) + (cache ? " (cache)" : "");
      std::printf("%-22s %10.3f %10.3f %8.3f\n", label.c_str(), Median(tp), Median(ts), Median(ts) / Median(tp));
    }
  }
  std::filesystem::remove_all(o.dir);
  return 0;
}

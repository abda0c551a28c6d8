// Sealed scan benchmark: the same Parquet table read by DuckDB plain from local
// disk and sealed on a file:// host through hdhub://, side by side in one run.
//
//   hdhub_sealed_scan_bench [--rows N] [--reps R] [--dir D] [--threads T] [--segment-kib K] [--s3 URI]
//
// With --s3 s3://BUCKET/PREFIX?endpoint=… (credentials in HDHUB_S3_*), the
// sealed table is also written to that S3 host and every query run there
// too: a column "s3" and the ratio s3/sealed, the cost of the host being
// remote object storage rather than a local directory.
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
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hdhub/crypto/hash.h"
#include "hdhub/crypto/random.h"
#include "hdhub/s3/s3_blob_store.h"
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
  std::string s3;
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
    else if (a == "--s3")
      o.s3 = argv[i + 1];
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

// A DuckDB instance over a sealed store on `host`, with the bench's data key.
struct SealedSide {
  std::unique_ptr<hdhub::storage::BlobStore> host;
  std::unique_ptr<hdhub::storage::SealedStore> sealed;
  std::unique_ptr<hdhub::sql::Database> db;
};

SealedSide OpenSide(std::unique_ptr<hdhub::storage::BlobStore> host, const Options& o,
                    const hdhub::SecretBytes& name_key, const hdhub::SecretBytes& dek) {
  SealedSide side{.host = std::move(host)};
  auto names = hdhub::crypto::HmacSha256::Create(name_key);
  Check(names.status(), "hmac");
  side.sealed =
      std::make_unique<hdhub::storage::SealedStore>(side.host.get(), std::move(names).value(), o.segment_kib * 1024);
  auto db = hdhub::sql::Database::Open(side.sealed.get(), {.threads = o.threads});
  Check(db.status(), "duckdb");
  side.db = std::move(db).value();
  Check(side.db->keys().Grant("bench/", hdhub::SecretBytes(dek.span()), hdhub::sql::Access::kReadWrite), "grant");
  return side;
}

int main(int argc, char** argv) {
  Options o = Parse(argc, argv);
  std::filesystem::remove_all(o.dir);
  std::filesystem::create_directories(o.dir);
  auto name_key = hdhub::crypto::RandomSecret(32);
  Check(name_key.status(), "key");
  auto dek = hdhub::crypto::RandomSecret(32);
  Check(dek.status(), "dek");
  auto host = hdhub::storage::FileBlobStore::Create(o.dir + "/host");
  Check(host.status(), "host");
  SealedSide local = OpenSide(std::move(host).value(), o, *name_key, *dek);
  std::optional<SealedSide> remote;
  if (!o.s3.empty()) {
    if (!o.s3.starts_with("s3:")) Check(hdhub::InvalidArgumentError("--s3 takes an s3:// URI"), "--s3");
    auto s3 = hdhub::s3::S3BlobStore::FromUri(std::string_view(o.s3).substr(3));
    Check(s3.status(), "s3 host");
    remote = OpenSide(std::move(s3).value(), o, *name_key, *dek);
  }
  hdhub::sql::Database& db = *local.db;

  const std::string plain = "'" + o.dir + "/plain.parquet'";
  const std::string sealed_path = "'hdhub://bench/er_prs_f.parquet'";
  std::printf("rows=%ld threads=%d reps=%d segment=%u KiB (median seconds)%s\n", o.rows, o.threads, o.reps,
              o.segment_kib, remote ? "; s3: the sealed table on the S3 host" : "");
  std::printf("%-22s %10s %10s %8s", "operation", "plain", "sealed", "ratio");
  if (remote) std::printf(" %10s %9s", "s3", "s3/sealed");
  std::printf("\n");
  auto row = [&](const std::string& label, double p, double sealed, double s3) {
    std::printf("%-22s %10.3f %10.3f %8.3f", label.c_str(), p, sealed, sealed / p);
    if (remote) std::printf(" %10.3f %9.3f", s3, s3 / sealed);
    std::printf("\n");
  };

  std::vector<double> wp, ws, w3;
  for (int r = 0; r < std::max(1, o.reps / 2); ++r) {
    wp.push_back(TimeQuery(db, "COPY (" + SourceSql(o.rows) + ") TO " + plain + " (FORMAT parquet)"));
    ws.push_back(TimeQuery(db, "COPY (" + SourceSql(o.rows) + ") TO " + sealed_path + " (FORMAT parquet)"));
    if (remote) {
      w3.push_back(TimeQuery(*remote->db, "COPY (" + SourceSql(o.rows) + ") TO " + sealed_path + " (FORMAT parquet)"));
    }
  }
  row("write (COPY TO)", Median(wp), Median(ws), remote ? Median(w3) : 0);

  const std::vector<Query> queries = {
      {"group-by", "SELECT PRS_NAT_REF, count(*), sum(PRS_PAI_MNT), avg(PRS_ACT_QTE) FROM {T} GROUP BY 1"},
      {"filtered count",
       "SELECT count(*) FROM {T} WHERE EXE_SOI_DTD BETWEEN DATE '2021-01-01' AND DATE '2021-12-31' "
       "AND BEN_SEX_COD = 2 AND PRS_PAI_MNT > 50"},
      {"distinct people", "SELECT count(DISTINCT BEN_NIR_PSA) FROM {T}"},
  };
  for (bool cache : {false, true}) {
    const std::string set = std::string("SET enable_external_file_cache = ") + (cache ? "true" : "false");
    Check(db.Execute(set), "cache");
    if (remote) Check(remote->db->Execute(set), "cache");
    for (const Query& q : queries) {
      std::vector<double> tp, ts, t3;
      TimeQuery(db, Bind(q.sql, sealed_path));  // warm the page cache for both sides
      TimeQuery(db, Bind(q.sql, plain));
      if (remote) TimeQuery(*remote->db, Bind(q.sql, sealed_path));
      for (int r = 0; r < o.reps; ++r) {
        tp.push_back(TimeQuery(db, Bind(q.sql, plain)));
        ts.push_back(TimeQuery(db, Bind(q.sql, sealed_path)));
        if (remote) t3.push_back(TimeQuery(*remote->db, Bind(q.sql, sealed_path)));
      }
      row(std::string(q.name) + (cache ? " (cache)" : ""), Median(tp), Median(ts), remote ? Median(t3) : 0);
    }
  }
  std::filesystem::remove_all(o.dir);
  return 0;
}

// CsvIngester: turns one CSV extract into a new immutable dataset version,
// sealed Parquet on the host, recorded in the catalog (hub side, DESIGN §3).
//
//   1. hash the file: a re-ingest of the same bytes is detected, not repeated;
//   2. check the header against the Table Schema (table_plan.h);
//   3. open a pending version with a fresh data key (stored only wrapped);
//   4. in one pass, DuckDB reads the CSV, checks every value against its
//      field (type, length, range, enumeration, pattern, nomenclature),
//      re-keys pseudonym columns to P2, drops or coarsens quasi-identifiers
//      (column_rules.h) and COPYs the result to
//      'hdhub://datasets/<name>/v<n>/part-0.parquet', sealed as it streams;
//   5. refused values follow the request's InvalidPolicy; when there are
//      any, a second pass finds their lines for the report;
//   6. the ingest is logged (ingest.run), then the version is committed
//      with its report.
// Any failure after 3 deletes what was written and discards the version; a
// process killed in between leaves a pending version that CleanupPending()
// (run first by every ingest) removes. Readers only see committed versions.
// Ingests of one hub take turns (a lock file), so one never cleans up
// another's pending version.
//
// Ownership: borrows the key store, sealed store, catalog and audit log,
// which must outlive it. Thread-safety: one ingest at a time per object.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hdhub/audit/audit_log.h"
#include "hdhub/catalog/catalog.h"
#include "hdhub/common/progress.h"
#include "hdhub/common/status.h"
#include "hdhub/ingest/report.h"
#include "hdhub/ingest/table_schema.h"
#include "hdhub/keys/key_store.h"
#include "hdhub/storage/sealed_store.h"

namespace hdhub::sql {
class Database;
}  // namespace hdhub::sql

namespace hdhub::sql {
class Database;
class ValueTally;
}  // namespace hdhub::sql

namespace hdhub::ingest {

struct IngestRequest {
  std::string dataset;  // catalog name, e.g. "ER_PRS_F"
  std::string csv_path;
  std::string schema_path;  // Table Schema JSON
  std::string schema_text;  // or the schema itself (e.g. kOptOutSchemaJson); wins when set
  char delimiter = ',';
  InvalidPolicy on_invalid = InvalidPolicy::kFail;
  // Directory of nomenclature files; empty: "<schema dir>/../nomenclatures"
  // when it exists, else no nomenclature is checked (the report says so).
  std::string nomenclatures_dir;
  // The dataset's schema changes with this version (else a schema that
  // differs from the current version's is refused).
  bool new_schema_version = false;
  // A file with no row to store becomes the current (empty) version (else it
  // is refused and the current version stays).
  bool allow_empty = false;
  // The file is a reference table (a nomenclature: codes and their labels,
  // no person), e.g. IR_PHA_R: every column is stored as it comes, nothing
  // re-keyed, dropped or coarsened, and a project whose scope names it reads
  // it whole. Refused when a column is a pseudonym or the table has record
  // identifiers (column_rules.h). A dataset is a reference dataset, or not,
  // for all its versions.
  bool reference = false;
  ProgressFn progress;  // the sealing pass's progress, when set (common/progress.h)
};

struct IngestResult {
  std::string dataset;
  int64_t version = 0;
  uint64_t rows = 0;
  bool already_ingested = false;  // the same bytes were ingested before: `version` is that one
  IngestReport report;
};

struct IngesterOptions {
  std::string lock_path;  // empty: no inter-process lock (tests)
  int threads = 0;        // DuckDB threads; 0: all cores
  std::string temp_root;  // where to spill (encrypted); empty: no spilling
};

// The context a dataset version's data key is wrapped under:
// "dataset/<name>/v<version>", so a wrapped key opens only for its version.
std::string DataKeyContext(std::string_view dataset, int64_t version);
// Where a dataset version's objects live: "datasets/<name>/v<n>/".
std::string VersionPrefix(std::string_view dataset, int64_t version);
// Every logical name an ingest of that version may write (the part and its
// temporary name), recorded or not: what a killed ingest may leave.
std::vector<std::string> PossibleVersionObjects(std::string_view dataset, int64_t version);
// Whether the version was ingested as a reference table (its report says so).
bool IsReferenceVersion(const catalog::VersionRecord& version);
// How errors name a dataset version: "dataset <name> version <n>".
std::string VersionLabel(std::string_view dataset, int64_t version);
// Makes a committed dataset version readable in `db`: its data key unwrapped
// and granted (read only) for the version's prefix, with its recorded objects
// (so that one the host lost or damaged is DataLoss naming the dataset and
// version, here or when a query reads it), and `view` (SQL, already quoted)
// created over its objects; no view for a version without objects.
Status MountVersion(sql::Database& db, keys::KeyStore& keys, std::string_view dataset,
                    const catalog::VersionWithObjects& version, const std::string& view);
// The HMAC purpose of the hub's stage-2 pseudonymization key.
inline constexpr char kStageTwoPurpose[] = "pseudonym/stage2";

class CsvIngester {
 public:
  CsvIngester(keys::KeyStore* keys, storage::SealedStore* store, catalog::Catalog* catalog, audit::AuditLog* log,
              audit::Actor actor, IngesterOptions options = {})
      : keys_(keys), store_(store), catalog_(catalog), log_(log), actor_(std::move(actor)), options_(options) {}

  // InvalidArgument (naming file, line and field, never a value) for a
  // malformed file, or for refused values under InvalidPolicy::kFail: nothing
  // is then left on the host or in the catalog. Unavailable / DataLoss from
  // the host; the audit log's errors when the ingest cannot be logged.
  StatusOr<IngestResult> Ingest(const IngestRequest& request);

  // Deletes the objects of every pending version (a crashed ingest) and
  // discards them. Returns how many versions were cleaned.
  StatusOr<int> CleanupPending();

 private:
  // InvalidArgument when `schema` is another table's, or differs from the
  // dataset's current version's without request.new_schema_version, or when
  // the request is (or is not) a reference table and the dataset is not (is).
  Status CheckSchemaFitsDataset(const IngestRequest& request, const TableSchema& schema, std::string_view schema_json);
  struct Prepared;
  StatusOr<IngestResult> Write(const IngestRequest& request, Prepared& prepared);
  // The COPY into the version's prefix, the diagnosis when values were
  // refused, the objects recorded, the event logged, the commit.
  Status Seal(const IngestRequest& request, Prepared& prepared, sql::Database& db, const sql::ValueTally& tally,
              SecretBytes dek, IngestResult* result);
  Status Diagnose(const IngestRequest& request, Prepared& prepared, sql::Database* db, IngestReport* report);
  Status DeleteVersionObjects(std::string_view dataset, int64_t version);
  Status LogIngest(const IngestRequest& request, const IngestResult& result, const Status& outcome);

  keys::KeyStore* keys_;
  storage::SealedStore* store_;
  catalog::Catalog* catalog_;
  audit::AuditLog* log_;
  audit::Actor actor_;
  IngesterOptions options_;
};

}  // namespace hdhub::ingest

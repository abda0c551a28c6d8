// CsvIngester: turns one CSV extract into a new immutable dataset version,
// sealed Parquet on the host, recorded in the catalog.
//
//   1. hash the file (a re-ingest of the same bytes is detected, not repeated);
//   2. check the header against the Table Schema (missing or unknown columns);
//   3. check every value converts to its column's type, reporting the first
//      bad ones by line and field, never by value;
//   4. open a pending version with a fresh data key (stored only wrapped);
//   5. COPY … TO 'hdhub://datasets/<name>/v<n>/part-0.parquet' through DuckDB;
//   6. record the sealed objects and commit the version.
// Any failure after 4 deletes what was written and discards the version; a
// process killed in between leaves a pending version that CleanupPending()
// (run before every ingest) removes. Readers only ever see committed versions.
//
// Ownership: borrows the key store, sealed store and catalog, which must
// outlive it. Thread-safety: one ingest at a time per CsvIngester.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hdhub/catalog/catalog.h"
#include "hdhub/common/status.h"
#include "hdhub/ingest/table_schema.h"
#include "hdhub/keys/key_store.h"
#include "hdhub/storage/sealed_store.h"

namespace hdhub::ingest {

struct IngestRequest {
  std::string dataset;      // catalog name, e.g. "ER_PRS_F"
  std::string csv_path;
  std::string schema_path;  // Table Schema JSON
  char delimiter = ',';
};

struct IngestResult {
  std::string dataset;
  int64_t version = 0;
  uint64_t rows = 0;
  bool already_ingested = false;  // the same bytes were ingested before: `version` is that one
};

// The context a dataset version's data key is wrapped under.
std::string DataKeyContext(std::string_view dataset, std::string_view source_digest);
// Where a dataset version's objects live: "datasets/<name>/v<n>/".
std::string VersionPrefix(std::string_view dataset, int64_t version);

class CsvIngester {
 public:
  CsvIngester(keys::KeyStore* keys, storage::SealedStore* store, catalog::Catalog* catalog)
      : keys_(keys), store_(store), catalog_(catalog) {}

  // InvalidArgument (naming file, line and field) for a malformed file or a
  // value that does not fit the schema: nothing is then left on the host or
  // in the catalog. Unavailable / DataLoss from the host.
  StatusOr<IngestResult> Ingest(const IngestRequest& request);

  // Deletes the objects of every pending version (a crashed ingest) and
  // discards them. Returns how many versions were cleaned.
  StatusOr<int> CleanupPending();

 private:
  Status DeleteVersionObjects(std::string_view dataset, int64_t version);

  keys::KeyStore* keys_;
  storage::SealedStore* store_;
  catalog::Catalog* catalog_;
};

}  // namespace hdhub::ingest

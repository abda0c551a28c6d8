// Pseudonymizer: stage 1 of DESIGN §3, run at the data source, so that raw
// identifiers never leave it. Reads a source extract (docs/formats/
// source-extract.md), checks every identity, and writes the extract to
// transfer:
//
//   source extract: NIR, NAI_DTE, SEX_COD, then the table's fields without
//                   its person-pseudonym columns (column_rules.h);
//   transfer file:  the table's fields in schema order, each person-pseudonym
//                   column holding P1 = HMAC-SHA256(K_source, NIR ‖ YYYYMMDD ‖
//                   sex) as 64 hex digits; NIR and birth date are gone.
//
// An extract that already carries SNDS pseudonyms (the table's own fields,
// e.g. BEN_NIR_PSA of 17 characters) passes through, its pseudonyms checked.
// A row whose identity is refused (NIR structure or key, birth date, sex, a
// NIR that contradicts the birth date or sex) is left out and reported by
// line and reason, never by value; with `strict`, any refusal fails the whole
// file. The output appears atomically (temporary file, fsync, rename) and
// only on success.
//
// Ownership: borrows the stage-1 key, which must outlive it. Thread-safety:
// one run at a time per object.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hdhub/common/progress.h"
#include "hdhub/common/status.h"
#include "hdhub/crypto/hash.h"
#include "hdhub/ingest/report.h"

namespace hdhub::ingest {

// The HMAC purpose of the source's stage-1 key (in its own key file).
inline constexpr char kStageOnePurpose[] = "pseudonym/stage1";

struct PseudonymizeRequest {
  std::string input_path;
  std::string schema_path;  // the table's Table Schema
  std::string schema_text;  // or the schema itself (e.g. kOptOutSchemaJson); wins when set
  std::string output_path;
  char delimiter = ',';
  bool strict = false;  // any refused row fails the whole file
  ProgressFn progress;  // the pass's progress, when set (common/progress.h)
};

struct PseudonymizeResult {
  bool identities_given = false;    // false: SNDS pseudonyms (or no person column) passed through
  bool has_person_columns = false;  // the table names a person (BEN_NIR_PSA, NIR_ANO_17, …)
  IngestReport report;              // rows read/stored/rejected; issues per check
};

class Pseudonymizer {
 public:
  // `temp_root`: where DuckDB may spill, encrypted (empty: no spilling).
  explicit Pseudonymizer(const crypto::HmacSha256* k_source, int threads = 0, std::string temp_root = "")
      : k_source_(k_source), threads_(threads), temp_root_(std::move(temp_root)) {}

  // InvalidArgument naming file, line and field for a malformed extract, a
  // header that is neither a source extract nor an SNDS extract of the
  // schema, or (strict) any refused row; AlreadyExists when the output exists.
  StatusOr<PseudonymizeResult> Run(const PseudonymizeRequest& request);

 private:
  const crypto::HmacSha256* k_source_;
  int threads_;
  std::string temp_root_;
};

}  // namespace hdhub::ingest

// What an ingest (or a pseudonymization run) found in its input: rows read,
// stored and rejected, and for each field whose values were refused how
// many, the first line and what was expected. Never a value. Kept with the
// dataset version in the catalog (report_json) and printed by the CLI.
//
// Value types; thread-compatible.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/common/status.h"

namespace hdhub::ingest {

// What to do with a row holding a value its schema refuses.
enum class InvalidPolicy {
  kFail,       // refuse the whole file; nothing is written (the default)
  kRejectRow,  // leave the row out, count it, report where it was
  kSetNull,    // store NULL for that value, count it, report where it was
};
std::string_view PolicyName(InvalidPolicy policy);  // "fail", "reject-row", "set-null"
StatusOr<InvalidPolicy> ParsePolicy(std::string_view name);

struct FieldIssue {
  std::string field;
  uint64_t count = 0;       // refused values
  uint64_t first_line = 0;  // line of the first one (header = line 1)
  std::string reason;       // why, e.g. "expected a date" or "check key does not match"
};

struct IngestReport {
  InvalidPolicy policy = InvalidPolicy::kFail;
  bool reference = false;  // a reference table (csv_ingest.h, IngestRequest::reference)
  uint64_t rows_read = 0;
  uint64_t rows_stored = 0;
  uint64_t rows_rejected = 0;
  std::vector<FieldIssue> issues;
  std::vector<std::string> pseudonymized;  // columns re-keyed
  std::vector<std::string> dropped;        // columns never stored
  std::vector<std::string> generalised;    // columns coarsened
  // Columns kept as they are at the hub and re-keyed per project in every
  // workspace (column_rules.h, RecordIdentifierColumns).
  std::vector<std::string> record_identifiers;
  std::vector<std::string> unchecked_nomenclatures;

  nlohmann::json ToJson() const;
  // "field X: 3 values refused (<reason>), first at line 12; …" (at most
  // `max_fields` fields, then "and N more").
  std::string IssuesText(size_t max_fields = 5) const;
};

}  // namespace hdhub::ingest

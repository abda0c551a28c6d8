// Fused value checks for ingest: one vectorised DuckDB function per stored
// type that parses a field's raw text, applies every check of its Table
// Schema field (type, required, lengths, range, enumeration, nomenclature)
// in one loop, and returns the typed value (NULL when missing). A refused
// value goes to the ValueTally: counted and stored as NULL, or, in fail mode,
// the statement aborts naming the field. This is the fast path of
// TablePlan::WriteSelect; field_sql.h's expressions say the same in SQL and
// remain the reference (and the path for patterns, custom date formats and
// row rejection), and a test holds the two to the same answers.
//
//   hdhub_value_bigint(field, raw)  hdhub_value_double(field, raw)
//   hdhub_value_varchar(field, raw) hdhub_value_boolean(field, raw)
//   hdhub_value_integer(field, raw) (years)   hdhub_value_date(field, raw) (ISO)
//
// Ownership: the rules and the tally are borrowed and must outlive the
// Database. Thread-safety: the functions are called from DuckDB's threads;
// rules are read-only, the tally is atomic.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "hdhub/common/status.h"
#include "hdhub/ingest/table_schema.h"
#include "hdhub/sql/database.h"
#include "hdhub/sql/functions.h"

namespace hdhub::ingest {

struct ValueRule {
  enum class Kind { kString, kInteger, kNumber, kBoolean, kYear, kIsoDate };
  Kind kind = Kind::kString;
  bool required = false;
  std::vector<std::string> missing = {""};
  std::optional<int64_t> min_length, max_length;  // in characters (UTF-8 code points)
  std::optional<double> minimum, maximum;
  std::unordered_set<std::string> enum_values;  // empty: no enumeration
  const sql::CodeSet* codes = nullptr;          // nomenclature, when checked
};

// The rule for `field` when it can take the fused path (no pattern, no
// strptime format, not a datetime), or nullopt.
std::optional<ValueRule> FusedRule(const Field& field, const std::vector<std::string>& missing_values,
                                   const sql::CodeSet* codes);
// The SQL call for field number `index` with that rule, e.g.
// "hdhub_value_bigint(12, \"PRS_NAT_REF\")".
std::string FusedCall(const ValueRule& rule, size_t index, const std::string& column);

// Registers the hdhub_value_* functions over `rules` (indexed by field
// number; entries for fields not on the fast path are never called).
Status RegisterValueFunctions(sql::Database& db, const std::vector<ValueRule>* rules, sql::ValueTally* tally);

// For tests: the fused verdict on one value, as text ("refused", "NULL" or
// the value as DuckDB would print it).
std::string CheckValueForTest(const ValueRule& rule, std::string_view raw);

}  // namespace hdhub::ingest

// The SQL that ingest runs for each field of a Table Schema: whether a raw
// CSV value is acceptable, and what is stored for it. Evaluated by DuckDB,
// vectorised, with hdhub's functions (sql/functions.h) for pseudonyms and
// nomenclature codes.
//
// Types as stored in Parquet:
//   integer BIGINT, number DOUBLE, boolean BOOLEAN (0/1, true/false),
//   year INTEGER (4 digits), date DATE (default YYYY-MM-DD, or the field's
//   strptime format when it has day, month and year), datetime TIMESTAMP;
//   a yearmonth (YYYYMM), a month-only date ("%m") and strings stay VARCHAR,
//   checked against their shape; a pseudonym column becomes a UUID (P2).
// A value listed in the schema's missingValues (by default the empty
// string) is NULL, and invalid only when the field is required.
//
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "hdhub/ingest/column_rules.h"
#include "hdhub/ingest/table_schema.h"

namespace hdhub::ingest {

struct FieldSql {
  std::string type;      // DuckDB type of the stored column
  std::string invalid;   // SQL boolean, never NULL: the raw value is refused
  std::string stored;    // SQL value stored for an accepted raw value
  std::string expected;  // what an accepted value looks like, for reports
};

// `code_set`: the index, among the code sets registered with the database,
// of the field's nomenclature when it is checked.
FieldSql BuildFieldSql(const Field& field, ColumnTreatment treatment, const std::vector<std::string>& missing_values,
                       std::optional<int> code_set);

// `value` (SQL of the field's stored type `type`) as the treatment keeps it:
// a kMonth date truncated to its month; anything else unchanged.
std::string Generalised(const std::string& value, ColumnTreatment treatment, const std::string& type);

// The DuckDB type a field is stored as (treatment kKeep or kMonth).
std::string DuckDbType(const Field& field);

}  // namespace hdhub::ingest

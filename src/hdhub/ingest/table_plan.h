// TablePlan: how one CSV extract becomes a sealed table, as SQL over
// CsvSource::ReadSql(): for each schema field, the check of its raw text and
// what is stored (column_rules.h, field_sql.h), then the SELECT that writes
// the table under an InvalidPolicy and the one that diagnoses refused values
// with their line numbers.
//
// Field numbers (for hdhub_invalid) are indices into fields(). Value type.
#pragma once

#include <string>
#include <vector>

#include "hdhub/common/status.h"
#include "hdhub/ingest/column_rules.h"
#include "hdhub/ingest/csv_source.h"
#include "hdhub/ingest/field_sql.h"
#include "hdhub/ingest/nomenclature.h"
#include "hdhub/ingest/report.h"
#include "hdhub/ingest/table_schema.h"
#include "hdhub/ingest/value_functions.h"
#include "hdhub/sql/query_result.h"

namespace hdhub::ingest {

struct PlannedField {
  Field field;
  ColumnRule rule;
  FieldSql sql;
};

class TablePlan {
 public:
  // InvalidArgument, naming the file, when the header lacks a schema field
  // or has a column the schema does not know. A `reference` table keeps
  // every column as it comes (no column rule applies).
  static StatusOr<TablePlan> Make(const std::string& table, const TableSchema& schema, const CsvSource& source,
                                  const Nomenclatures& nomenclatures, bool reference = false);

  const std::vector<PlannedField>& fields() const { return fields_; }
  // The fused value checks of the fields that take the fast path
  // (value_functions.h), indexed by field number.
  const std::vector<ValueRule>& rules() const { return rules_; }

  // SELECT … FROM <source>: every stored field under its name, with refused
  // values counted (kSetNull), thrown (kFail) or their rows left out
  // (kRejectRow). Under kFail and kSetNull a field takes the fused path
  // (hdhub_value_*) when it can, else its SQL expressions with hdhub_invalid;
  // kRejectRow uses the SQL expressions and hdhub_reject.
  std::string WriteSelect(const CsvSource& source, InvalidPolicy policy) const;

  // One row: rows read, then per checked field (in fields() order, dropped
  // ones skipped) the first line and count of refused values. Run it on one
  // thread so that line numbers follow the file.
  std::string DiagnoseSelect(const CsvSource& source) const;
  // Reads DiagnoseSelect's row into the report (rows_read and issues).
  void ReadDiagnosis(const std::vector<sql::Cell>& row, IngestReport* report) const;

  // Columns by treatment, for the report.
  void DescribeTreatments(IngestReport* report) const;

 private:
  std::string table_;
  bool reference_ = false;
  std::vector<PlannedField> fields_;
  std::vector<ValueRule> rules_;  // per field; used where fused_[i]
  std::vector<bool> fused_;
};

}  // namespace hdhub::ingest

// Nomenclatures: the code sets a Table Schema's fields refer to (a field's
// "nomenclature" is "IR_NAT_V", or "IR_SEX_V:SEX_COD" naming the column), read
// from a directory of SNDS nomenclature files: <NAME>.csv (';'-separated, a
// header line) with <NAME>.json (a Table Schema whose primaryKey is the code
// column when the field names none).
//
// A nomenclature the directory does not hold is not checked and is listed in
// missing(), so the ingest report says so. Value type.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "hdhub/common/status.h"
#include "hdhub/ingest/table_schema.h"
#include "hdhub/sql/functions.h"

namespace hdhub::ingest {

class Nomenclatures {
 public:
  // Loads what `schema` needs from `dir` (which may be empty: nothing is
  // checked). InvalidArgument naming the file and line for a malformed
  // nomenclature file.
  static StatusOr<Nomenclatures> Load(const std::string& dir, const TableSchema& schema);

  // The index of `field`'s code set in sets(), when it is checked.
  std::optional<int> SetFor(const Field& field) const;
  const std::vector<sql::CodeSet>& sets() const { return sets_; }
  const std::vector<std::string>& missing() const { return missing_; }

 private:
  std::vector<std::string> keys_;  // "NAME:COLUMN", parallel to sets_
  std::vector<sql::CodeSet> sets_;
  std::vector<std::string> missing_;
};

}  // namespace hdhub::ingest

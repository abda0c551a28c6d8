// A workspace's data dictionary: the table hdhub_columns, one row per column
// of every table the project reads (its scope's tables and reference
// tables), with the column's type in the workspace and, from the Table
// Schema the dataset version was ingested with, its label, description and
// nomenclature. The columns hdhub adds (a line key) are described by hdhub.
// Written by the workspace build beside the tables; a session shows it as
// the view hdhub_columns.
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hdhub/projects/extract_sql.h"

namespace hdhub::projects {

inline constexpr std::string_view kColumnsTable = "hdhub_columns";

struct DictionaryTable {
  std::string table;
  std::vector<Column> columns;  // as the workspace holds them (name, DuckDB type)
  std::string schema_json;      // the Table Schema of the dataset version read ("{}" or other: no labels)
};

// SELECT table_name, column_name, type, label, description, nomenclature
// (all VARCHAR; label, description and nomenclature NULL when unknown), in
// table then column order.
std::string DictionarySelect(const std::vector<DictionaryTable>& tables);

}  // namespace hdhub::projects

// TableSchema: a table's columns as described by a Frictionless Table Schema
// JSON file (the SNDS schemas in shared/snds/schemas/ are of this kind). Their
// mapping to DuckDB is field_sql.h's.
//
// Value type; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/common/status.h"

namespace hdhub::ingest {

struct Field {
  std::string name;
  std::string type;                // string, integer, number, boolean, date, datetime, year, yearmonth
  std::string format = "default";  // or a strptime pattern for dates ("%d%m%Y")
  bool required = false;
  std::optional<int64_t> min_length, max_length;
  std::optional<double> minimum, maximum;
  std::string pattern;  // a regular expression the whole value must match; empty: none
  std::vector<std::string> enum_values;
  std::string nomenclature;  // e.g. "IR_CIM_V"; "-" or empty when none
  // The field's documentation, for the data dictionary (hdhub_columns,
  // catalog show): its "title" (a short label) and "description".
  std::string title;
  std::string description;

  // A short human label: the title, else the description (the SNDS schemas
  // give a one-line description and no title); empty when neither is given.
  const std::string& Label() const { return title.empty() ? description : title; }
  // The nomenclature the field's codes come from, or empty ("-" is none).
  std::string Nomenclature() const { return nomenclature == "-" ? std::string() : nomenclature; }
};

struct TableSchema {
  std::string name;  // e.g. "ER_PRS_F"
  std::vector<Field> fields;
  std::vector<std::string> primary_key;
  std::vector<std::string> missing_values = {""};

  // InvalidArgument naming `source` and the field index when the JSON is not
  // a Table Schema (no fields, a field without a name or with an unknown type,
  // duplicate names).
  static StatusOr<TableSchema> Parse(std::string_view json_text, std::string_view source);
  // NotFound / PermissionDenied for the file; Parse's errors otherwise.
  static StatusOr<TableSchema> Load(const std::string& path);
  // `text` when it is not empty (named "built-in schema"), else Load(path).
  static StatusOr<TableSchema> LoadOrParse(const std::string& path, std::string_view text);

  const Field* Find(std::string_view name) const;
};

// The text of a schema file. NotFound / PermissionDenied naming the file.
StatusOr<std::string> ReadSchemaText(const std::string& path);

}  // namespace hdhub::ingest

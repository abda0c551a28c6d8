// A frame (docs/airlock-workflow.md §2.1): the author's SQL over the
// project's workspace, one row per unit, with the person behind each row, the
// dimension columns and, for sums, an amount. This file parses and validates
// the declaration, writes the two queries the service runs in the author's
// session (the frame wrapped so that no pseudonym leaves it, and the
// reference tables of nomenclature dimensions), and turns the declaration and
// the reference rows into the airlock's dimensions (airlock::Dimension).
// frame_data.h maps the frame's rows onto those dimensions; table_output.h
// reads the table outputs declared over a frame.
//
// A pure library: no SQLite, no DuckDB, no I/O. Errors are InvalidArgument
// naming the frame, the dimension and the field, never a value of the data
// or of the reference tables (reference rows are named by position).
//
// Thread-safety: values and pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/airlock/atom_space.h"
#include "hdhub/common/status.h"
#include "hdhub/exports/certificate.h"

namespace hdhub::exports {

// The unit whose rows are people, one each: the only one counted (`count`).
inline constexpr std::string_view kUnitPerson = "person";
// The most codes a `values`, `range` or `bands` dimension may declare.
inline constexpr int64_t kMaxDeclaredCodes = 10000;
// Range bounds and band edges lie within ±kMaxDeclaredInteger.
inline constexpr int64_t kMaxDeclaredInteger = int64_t{1} << 31;
inline constexpr int kMaxFrameDimensions = 16;
inline constexpr size_t kMaxFrameSqlBytes = 65536;

enum class DimensionKind { kValues, kRange, kBands, kNomenclature };
// "values", "range", "bands", "nomenclature".
std::string_view ToString(DimensionKind kind);

// A reference table of the scope and its columns (SQL identifiers).
struct Nomenclature {
  std::string table;
  std::string code;
  std::string parent;  // empty: no parent column
};

struct FrameDimension {
  std::string name;    // [a-z][a-z0-9_-]{0,63}
  std::string column;  // a SQL identifier: a column of the frame's SQL
  DimensionKind kind = DimensionKind::kValues;
  std::vector<std::string> values;  // kValues: the codes, in order
  int64_t from = 0;                 // kRange: from..to, inclusive
  int64_t to = 0;
  std::vector<int64_t> bands;  // kBands: the lower edges, strictly increasing
  Nomenclature nomenclature;   // kNomenclature
  std::vector<int> prefixes;   // kNomenclature: prefix lengths, strictly increasing
};

struct FrameDeclaration {
  std::string name;                   // [a-z][a-z0-9_-]{0,63}
  std::string unit;                   // "person", or another name ("person_year_class", "stay")
  std::string person;                 // SQL identifier: the P3 column
  std::string sql;                    // the author's SELECT, as given
  std::optional<std::string> amount;  // SQL identifier; never with unit person
  std::vector<FrameDimension> dimensions;

  bool unit_is_person() const { return unit == kUnitPerson; }
};

// [A-Za-z_][A-Za-z0-9_]{0,63}: a column or table name safe to double-quote.
bool IsSqlIdentifier(std::string_view name);

// Parses and validates a frame declaration (a JSON object: frame, unit,
// person, sql, optional amount, dimensions; each dimension name, column and
// exactly one of values, range, bands, nomenclature, plus prefixes with a
// nomenclature without parent; values are non-empty and not "*", which
// stands for a dimension summed over). InvalidArgument naming the frame, the
// dimension and the field for malformed JSON, an unknown or missing field, a
// name or identifier out of its pattern, a range with from > to or more than
// kMaxDeclaredCodes codes, bands not strictly increasing, prefixes not
// strictly increasing positive lengths, a repeated dimension name or column
// (columns compare case-insensitively, as DuckDB does), or an amount with unit
// person.
StatusOr<FrameDeclaration> ParseFrame(std::string_view json_text);

// Hex SHA-256 of the frame's SQL text (export_frame.sql_sha256, the
// certificate's frames[].sql_sha256).
std::string FrameSqlSha256(const FrameDeclaration& frame);

// The query the service runs in the author's session: the frame's SQL
// wrapped so that persons leave only as ranks,
//   SELECT dense_rank() OVER (ORDER BY "person") AS contributor,
//          CAST("col0" AS VARCHAR) AS d0, ... [, CAST("amount" AS DOUBLE) AS amount]
//   FROM (
//   <sql>
//   ) AS frame
// one output column per dimension in declared order. The SQL sits on lines of
// its own so that a trailing `--` comment cannot swallow the closing
// parenthesis. The SQL itself is not checked here (SqlGuard does, in the
// service). A NULL person is one rank like any other.
std::string FrameQuery(const FrameDeclaration& frame);

// For a nomenclature dimension, the query that fetches its reference rows:
//   SELECT DISTINCT CAST("code" AS VARCHAR)[, CAST("parent" AS VARCHAR)] FROM "table"
// InvalidArgument for another kind of dimension.
StatusOr<std::string> ReferenceQuery(const FrameDimension& dimension);

// One row of ReferenceQuery's answer.
struct ReferenceRow {
  std::optional<std::string> code;
  std::optional<std::string> parent;  // only with a parent column
};
// The rows of each nomenclature dimension, by dimension name.
using ReferenceRows = std::map<std::string, std::vector<ReferenceRow>>;

// The airlock's dimensions of `frame`, in declared order (docs §2.1's table):
// values as listed; range the integers from..to; bands "a-b" per band and
// "e+" for the last; nomenclature every code of the reference rows under its
// parent (parents that are not codes are top-level codes, and so is a code
// whose parent is NULL or empty) or under the prefixes of the declared
// lengths shorter than it (a prefix is one code however many codes share it;
// a prefix equal to a reference code is that code). Codes are ordered by
// depth, then by code, so the result does not depend on the order of the
// rows. InvalidArgument naming frame and dimension for rows missing for a
// nomenclature dimension or given for another, no rows, a NULL or empty code
// or the code "*" (by row position), a code under two parents, or a
// hierarchy the airlock refuses (a cycle through the parents).
StatusOr<std::vector<airlock::Dimension>> BuildDimensions(const FrameDeclaration& frame, const ReferenceRows& refs);

// The frame as the certificate and the table CSV describe it (certificate.h).
Frame CertificateFrame(const FrameDeclaration& frame, std::vector<airlock::Dimension> dimensions);

// The measures of a table output (certificate.h's kMeasure* names).
enum class Measure { kCount, kUnits, kSum };
std::string_view ToString(Measure measure);
// InvalidArgument for a name other than count, units, sum.
StatusOr<Measure> ParseMeasure(std::string_view name);
// OK when `frame` supports `measure` (§2.1): count for unit person only,
// units and sum for other units, sum with an amount column. InvalidArgument
// naming the frame otherwise.
Status CheckMeasure(const FrameDeclaration& frame, Measure measure);

}  // namespace hdhub::exports

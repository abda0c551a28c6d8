// CsvSource: one CSV extract as hdhub reads it, the same way for
// pseudonymize (at the source) and ingest (at the hub).
//
//   - the header line is read and checked here (UTF-8, quoting, no empty or
//     repeated name), so a wrong header is reported by column number before
//     DuckDB sees the file;
//   - the rows are read by DuckDB's CSV reader in strict mode, every column
//     as text (types are the schema's business, checked in SQL), so a row with
//     a wrong column count, bad quoting, invalid UTF-8 or an oversize line is
//     an error with its line number;
//   - DuckDB's error messages quote the offending line: ScrubCsvError keeps
//     the diagnosis and the line number, never the content.
//
// Value type; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hdhub/common/status.h"
#include "hdhub/common/utf8.h"  // ValidUtf8Prefix, used with the reader

namespace hdhub::ingest {

// The identity columns of a source extract (docs/formats/source-extract.md),
// which pseudonymize replaces before the file leaves the source.
inline constexpr char kSourceNir[] = "NIR";
inline constexpr char kSourceBirthDate[] = "NAI_DTE";
inline constexpr char kSourceSex[] = "SEX_COD";

// A line longer than this is refused (DuckDB's max_line_size).
inline constexpr uint64_t kMaxLineBytes = 1 << 20;

struct CsvSource {
  std::string path;
  char delimiter = ',';
  std::vector<std::string> header;  // column names, in file order

  // Reads the header line. NotFound when the file cannot be read;
  // InvalidArgument naming the file for an empty file, a header that is not
  // UTF-8, or bad quoting. CheckHeader() checks the names.
  static StatusOr<CsvSource> Open(const std::string& path, char delimiter = ',');

  // A DuckDB table expression reading every data row, all columns VARCHAR.
  std::string ReadSql() const;
  // The same, with "__line" (the record's line number, header = line 1)
  // first; only in file order when the query runs on one thread.
  std::string ReadSqlWithLines() const;

  // Index of `column` in the header, or -1.
  int Find(std::string_view column) const;

  // InvalidArgument unless the header holds exactly the `expected` columns
  // (in any order), each once: naming an empty or repeated name, or the
  // first column of the file that is not expected, by its position, or the first expected one missing by its name
  // (names from `what`, e.g. "ER_PRS_F"). A header cell is never quoted: in a
  // file without its header line it is a value. When no cell is an expected
  // name, the message says the header line seems to be missing.
  Status CheckHeader(const std::vector<std::string>& expected, std::string_view what) const;
};

// The diagnosis of a DuckDB CSV error without the quoted line: "<path>, line
// N: malformed CSV: <reason>" (InvalidArgument).
Status ScrubCsvError(const Status& duckdb_error, const std::string& path);

}  // namespace hdhub::ingest

// QueryResult: a whole result in memory, collected from a QueryStream, for
// callers that want rows (the CLI's tables, hdhub's own small queries). Each
// Cell keeps DuckDB's text and the typed value side by side, so people see
// DuckDB's rendering and programs (--json) see numbers, booleans and NULL.
// Its size is bounded by the stream's limits (rows, bytes).
//
// A Cell reads like the std::optional<std::string> it replaced (the text;
// nullopt for NULL), so code written for text cells keeps working; new code
// reads value().
//
// Values; thread-safety that of std::vector.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hdhub/common/status.h"
#include "hdhub/sql/query_stream.h"
#include "hdhub/sql/value.h"

namespace hdhub::sql {

class Cell {
 public:
  Cell() = default;  // NULL
  Cell(std::nullopt_t) {}
  // A text cell (std::string value): hand-built tables of strings.
  Cell(std::string text) : value_(text), text_(std::move(text)) {}
  Cell(const char* text) : Cell(std::string(text)) {}
  Cell(std::optional<std::string> text) : Cell(text ? Cell(std::move(*text)) : Cell()) {}
  // A typed cell with its text.
  Cell(Value value, std::string text) : value_(std::move(value)), text_(std::move(text)) {}
  // A typed cell whose text is ToText(value); NULL for std::monostate.
  static Cell Of(Value value);

  const Value& value() const { return value_; }
  const std::optional<std::string>& text() const { return text_; }
  bool is_null() const { return !text_.has_value(); }

  // std::optional<std::string>'s reading API, over the text.
  bool has_value() const { return text_.has_value(); }
  explicit operator bool() const { return text_.has_value(); }
  const std::string& operator*() const { return *text_; }
  const std::string* operator->() const { return &*text_; }
  std::string value_or(std::string_view fallback) const { return text_ ? *text_ : std::string(fallback); }
  operator const std::optional<std::string>&() const { return text_; }  // NOLINT: kept implicit for old callers

  // A NULL cell equals no string.
  friend bool operator==(const Cell& cell, std::string_view text) { return cell.text_ && *cell.text_ == text; }
  friend std::ostream& operator<<(std::ostream& os, const Cell& cell) { return os << cell.value_or("NULL"); }

 private:
  Value value_;
  std::optional<std::string> text_;
};

struct QueryResult {
  std::vector<std::string> column_names;
  std::vector<std::string> column_types;  // DuckDB's type names
  std::vector<std::vector<Cell>> rows;
};

// Reads `stream` to its end into a QueryResult; the stream's error otherwise.
StatusOr<QueryResult> Collect(QueryStream& stream);

}  // namespace hdhub::sql

// Building CSV lines fast for wide tables whose columns are mostly empty or
// constant.
//
// A RowLayout is compiled once per table: the columns a writer sets ("holes")
// and, between them, literal text (separators, constant values, empty
// columns) merged into chunks. A RowBuilder fills the holes of one line with
// values formatted in place (std::to_chars, calendar writers) and appends
// chunk, value, chunk, … to a ByteBuffer. Values set between BeginPerson()
// and BeginRows() are kept for every row of that person: BeginRows() bakes
// them into the person's own chunks, so each row only fills the holes left;
// values set after are cleared by each EndRow().
//
// Values never contain ',', '"' or line breaks (codes, numbers, dates), so
// no field is quoted (RFC 4180 quotes only when needed).
//
// Setting a column that the layout does not declare settable is a
// programming error and aborts, like reading the value of an error StatusOr.
//
// Thread-safety: a RowLayout is immutable and shared; a RowBuilder and a
// ByteBuffer belong to one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hdhub/synth/calendar.h"

namespace hdhub::synth {

// Appends without zero-filling; grows geometrically.
class ByteBuffer {
 public:
  // A write position with room for `n` more bytes; finish with Commit().
  char* Reserve(size_t n);
  void Commit(const char* end) { size_ = static_cast<size_t>(end - data_.get()); }
  std::string_view view() const { return {data_.get(), size_}; }
  size_t size() const { return size_; }
  void clear() { size_ = 0; }

 private:
  std::unique_ptr<char[]> data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

struct FixedValue {
  int column;
  std::string value;
};

class RowLayout {
 public:
  // `columns` in output order; `fixed` columns carry the same text on every
  // row; `settable` columns are filled by a RowBuilder (empty when not set);
  // every other column is always empty.
  RowLayout(std::span<const std::string_view> columns, std::vector<FixedValue> fixed, std::vector<int> settable);

  // The header line, columns separated by ',', ending in '\n'.
  const std::string& header() const { return header_; }
  size_t holes() const { return holes_; }
  // The hole of `column`, or -1 when it is not settable.
  int HoleOf(int column) const { return hole_of_column_[static_cast<size_t>(column)]; }
  std::string_view Chunk(size_t i) const {
    return std::string_view(literal_).substr(chunk_start_[i], chunk_start_[i + 1] - chunk_start_[i]);
  }

 private:
  std::string header_;
  std::string literal_;                // the chunks between holes
  std::vector<uint32_t> chunk_start_;  // holes() + 2 offsets into literal_
  size_t holes_ = 0;
  std::vector<int> hole_of_column_;
};

class RowBuilder {
 public:
  explicit RowBuilder(const RowLayout* layout);

  void BeginPerson();  // forgets every value
  // Values set so far are kept for each following row of the person; a
  // column set here cannot be set again per row.
  void BeginRows();

  void Text(int column, std::string_view v);
  void Int(int column, int64_t v);
  void Padded(int column, int64_t v, int width);  // zero-padded on the left, v >= 0
  void Cents(int column, int64_t cents);          // 1234 -> "12.34"
  void IsoDate(int column, const CivilDate& d);
  void DdMmYyyy(int column, const CivilDate& d);
  void Month(int column, const CivilDate& d);
  void YearMonth(int column, const CivilDate& d);
  void Year(int column, const CivilDate& d);
  void DateTime(int column, const CivilDate& d, int seconds_of_day);

  // Appends the line to `out` and clears the values set since BeginRows()
  // (which EndRow() calls first when it was not called for this person).
  void EndRow(ByteBuffer& out);

 private:
  struct Value {
    uint32_t offset = 0;
    uint32_t size = 0;
  };
  char* Slot(size_t max_size);
  void Set(int column, const char* begin, const char* end);
  // Formats a value of at most `max_size` characters with write(out) -> end.
  template <typename Writer>
  void Format(int column, size_t max_size, Writer write) {
    char* p = Slot(max_size);
    Set(column, p, write(p));
  }

  const RowLayout* layout_;
  std::unique_ptr<char[]> arena_;
  size_t arena_used_ = 0;
  bool in_rows_ = false;
  std::vector<Value> person_values_;  // per layout hole, set before BeginRows()
  // After BeginRows(): the layout with the person's values baked in.
  std::string literal_;  // chunks, then slack bytes
  size_t literal_size_ = 0;
  std::vector<uint32_t> chunk_start_;  // row holes + 2 offsets into literal_
  std::vector<int> row_hole_;          // layout hole -> row hole, -1 when baked
  std::vector<Value> row_values_;      // per row hole
};

}  // namespace hdhub::synth

// Typed SQL values as hdhub hands them out of DuckDB (query_stream.h,
// query_result.h): DuckDB's types are kept, not flattened to text, so that a
// front end (JSON, PG wire, HTTP paging) and the airlock's disclosure checks
// see integers, decimals, dates and NULL for what they are.
//
// A Value is a std::variant; its alternative says its kind:
//   std::monostate  SQL NULL (whatever the column's type)
//   bool            BOOLEAN
//   int64_t         TINYINT … BIGINT, UTINYINT … UINTEGER
//   Int128          HUGEINT, UBIGINT
//   double          FLOAT, DOUBLE
//   Decimal         DECIMAL(w,s): the unscaled integer and the scale
//   Date            DATE: days since 1970-01-01 (finite dates only)
//   Timestamp       TIMESTAMP: microseconds since 1970-01-01 00:00 (finite only)
//   std::string     VARCHAR (and ENUM labels)
//   Rendered        anything else (UUID, INTERVAL, TIME, BLOB, lists, structs,
//                   UHUGEINT, TIMESTAMP WITH TIME ZONE, ±infinity dates…),
//                   as DuckDB renders it
//
// Values own their bytes; thread-safety is that of std::variant (a const
// Value may be read from any thread).
#pragma once

#include <cstdint>
#include <string>
#include <variant>

namespace hdhub::sql {

enum class TypeKind { kNull, kBoolean, kInteger, kHugeInteger, kDouble, kDecimal, kDate, kTimestamp, kText, kOther };

// A result column's type: its kind, for DECIMAL its width and scale, and
// DuckDB's name for it ("DECIMAL(18,3)", "TIMESTAMP WITH TIME ZONE"…).
// A column of kind kNull (SELECT NULL) holds only NULLs.
struct ColumnType {
  TypeKind kind = TypeKind::kOther;
  uint8_t width = 0;  // DECIMAL only
  uint8_t scale = 0;  // DECIMAL only
  std::string name;
  bool operator==(const ColumnType&) const = default;
};

__extension__ typedef __int128 Int128;  // GCC and Clang; DuckDB's HUGEINT range

struct Decimal {
  Int128 unscaled = 0;  // the value is unscaled / 10^scale
  uint8_t scale = 0;
  bool operator==(const Decimal&) const = default;
};
struct Date {
  int32_t days = 0;  // since 1970-01-01
  bool operator==(const Date&) const = default;
};
struct Timestamp {
  int64_t micros = 0;  // since 1970-01-01 00:00:00, no time zone
  bool operator==(const Timestamp&) const = default;
};
struct Rendered {
  std::string text;  // DuckDB's rendering of a value of another type
  bool operator==(const Rendered&) const = default;
};

using Value =
    std::variant<std::monostate, bool, int64_t, Int128, double, Decimal, Date, Timestamp, std::string, Rendered>;

// The kind of the alternative `value` holds (kNull for std::monostate).
TypeKind KindOf(const Value& value);

// Exact decimal text: "-170141183460469231731687303715884105728", "-12.340".
std::string Int128ToString(Int128 value);
std::string DecimalToString(const Decimal& value);
// ISO 8601: "2021-03-04", "2021-03-04T05:06:07" or "…T05:06:07.000123".
std::string IsoDate(Date date);
std::string IsoTimestamp(Timestamp timestamp);

// Text for people, as DuckDB would print it for the common kinds ("NULL"
// for NULL; a timestamp with a space, not a "T", between date and time;
// a double in its shortest exact form).
std::string ToText(const Value& value);

}  // namespace hdhub::sql

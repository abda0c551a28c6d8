// DuckDB's types and values as a PostgreSQL client sees them: the type OID,
// size and modifier of a RowDescription field, and a value's text format
// exactly as PostgreSQL 15 writes it (DateStyle ISO, IntervalStyle postgres,
// TimeZone UTC, extra_float_digits 1), so that drivers parse what they get.
// research/interfaces.md §6 items 8-9; checked against a real PostgreSQL 15
// by types_differential_test.
//
//   BOOLEAN→bool 16 ('t'/'f'); TINYINT, SMALLINT→int2 21; INTEGER,
//   UTINYINT, USMALLINT→int4 23; BIGINT, UINTEGER→int8 20; HUGEINT,
//   UBIGINT, UHUGEINT, DECIMAL→numeric 1700 (DECIMAL(p,s): typmod
//   ((p<<16)|s)+4); FLOAT→float4 700; DOUBLE→float8 701 (shortest exact
//   digits, Infinity, -Infinity, NaN); VARCHAR, ENUM, anything without a
//   PostgreSQL twin→text 25; BLOB→bytea 17 (\x…); DATE→1082; TIME→1083;
//   TIMESTAMP (any precision)→1114; TIMESTAMPTZ→1184; INTERVAL→1186
//   ("1 year 2 mons 3 days 04:05:06"); UUID→2950; a LIST of a mapped type→
//   its array type ({1,2,NULL}, elements quoted when they must be), other
//   lists→text.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/common/status.h"

namespace duckdb {
class DataChunk;
class LogicalType;
class Value;
}  // namespace duckdb

namespace hdhub::pgwire {

struct PgType {
  uint32_t oid = 25;
  int16_t size = -1;  // bytes; -1 for variable length
  int32_t modifier = -1;
};

PgType PgTypeOf(const duckdb::LogicalType& type);

// The value in PostgreSQL's text format; nullopt for NULL.
std::optional<std::string> PgText(const duckdb::Value& value);
// PgText of each value of column `column` of `chunk`, in row order, made for
// the whole column at once (a result's rows go out by the million): where
// PgText is DuckDB's own text, by DuckDB's vectorised cast to VARCHAR (the
// cast Value::ToString runs for one value); booleans and floats read
// directly; bytea, intervals and lists value by value.
std::vector<std::optional<std::string>> PgTextColumn(duckdb::DataChunk& chunk, size_t column);

// The value in PostgreSQL's binary format (the wire's "format 1"): bool,
// int2/4/8, float4/8, text, bytea, date, time, timestamp(tz), interval and
// uuid; nullopt for NULL. Unimplemented for other types (numeric, arrays):
// the caller refuses to bind them in binary (SQLSTATE 0A000).
StatusOr<std::optional<std::string>> PgBinary(const duckdb::Value& value);
// Whether PgBinary handles values of this type.
bool HasBinaryFormat(const duckdb::LogicalType& type);

// A parameter sent by a client (Bind), as the value of `type` the statement
// expects: text (format 0) is cast by DuckDB's rules; binary (format 1) is
// decoded by `oid` (the type the client declared in Parse; 0: by `type`).
// InvalidArgument (SQLSTATE 22P02) for bytes that are not such a value,
// naming the parameter by number, never by content.
StatusOr<duckdb::Value> FromPg(std::string_view bytes, int16_t format, uint32_t oid, const duckdb::LogicalType& type,
                               size_t number);

}  // namespace hdhub::pgwire

// Internal to the directory: prepared statements with their parameters bound
// in one call; stored times are microseconds (ToMicros, common/clock.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "hdhub/catalog/sqlite.h"
#include "hdhub/common/bytes.h"
#include "hdhub/common/clock.h"

namespace hdhub::directory::internal {

inline std::optional<TimePoint> OptionalTime(const catalog::Statement& row, int column) {
  if (row.ColumnIsNull(column)) return std::nullopt;
  return FromMicros(row.ColumnInt64(column));
}

inline Status Bind(catalog::Statement& s, int index, std::string_view v) { return s.BindText(index, v); }
inline Status Bind(catalog::Statement& s, int index, int64_t v) { return s.BindInt64(index, v); }
inline Status Bind(catalog::Statement& s, int index, ByteSpan v) { return s.BindBlob(index, v); }
inline Status Bind(catalog::Statement& s, int index, std::optional<TimePoint> v) {
  return v ? s.BindInt64(index, ToMicros(*v)) : s.BindNull(index);
}

// `sql` prepared with `args` bound to ?1, ?2, ... in order.
template <typename... Args>
StatusOr<catalog::Statement> Prepare(catalog::Database& db, std::string_view sql, const Args&... args) {
  ASSIGN_OR_RETURN(catalog::Statement statement, db.Prepare(sql));
  int index = 0;
  Status status;
  ((status = status.ok() ? Bind(statement, ++index, args) : status), ...);
  RETURN_IF_ERROR(status);
  return statement;
}

// Runs `sql` with `args` to completion (INSERT, UPDATE, DELETE).
template <typename... Args>
Status Execute(catalog::Database& db, std::string_view sql, const Args&... args) {
  ASSIGN_OR_RETURN(catalog::Statement statement, Prepare(db, sql, args...));
  return statement.Run();
}

}  // namespace hdhub::directory::internal

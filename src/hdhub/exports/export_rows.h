// Internal to ExportStore (export_store.cc, export_release.cc): statements
// with their parameters bound in one call, rows read into values, and the
// field checks that mirror export_schema.cc's CHECKs (InvalidArgument naming
// the column, never its value). Callers hold the store's mutex.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "hdhub/catalog/sqlite.h"
#include "hdhub/common/bytes.h"
#include "hdhub/common/status.h"

namespace hdhub::exports::internal {

// A parameter: NULL, an integer, a text or a blob. Texts and blobs are copied
// when bound (SQLITE_TRANSIENT), so temporaries are fine.
using SqlArg = std::variant<std::monostate, int64_t, std::string_view, ByteSpan>;

// `sql` prepared with `args` bound to ?1, ?2, ... in order.
StatusOr<catalog::Statement> Query(catalog::Database& db, std::string_view sql, std::initializer_list<SqlArg> args);
// Runs `sql` with `args` to completion; returns the rows it changed.
StatusOr<int64_t> Execute(catalog::Database& db, std::string_view sql, std::initializer_list<SqlArg> args);

template <typename T>
using RowReader = std::function<StatusOr<T>(const catalog::Statement&)>;

// Every row `sql` with `args` gives, each made by `read` (whose error stops
// it). One statement reads one consistent snapshot.
template <typename T>
StatusOr<std::vector<T>> SelectAll(catalog::Database& db, std::string_view sql, std::initializer_list<SqlArg> args,
                                   const RowReader<T>& read) {
  ASSIGN_OR_RETURN(catalog::Statement statement, Query(db, sql, args));
  std::vector<T> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, statement.Step());
    if (!row) return out;
    ASSIGN_OR_RETURN(T value, read(statement));
    out.push_back(std::move(value));
  }
}

// The first row; NotFound("<what> is unknown") when none.
template <typename T>
StatusOr<T> SelectOne(catalog::Database& db, std::string_view sql, std::initializer_list<SqlArg> args,
                      const RowReader<T>& read, std::string_view what) {
  ASSIGN_OR_RETURN(catalog::Statement statement, Query(db, sql, args));
  ASSIGN_OR_RETURN(bool row, statement.Step());
  if (!row) return NotFoundError(std::string(what) + " is unknown");
  return read(statement);
}

// Field checks: OK, or InvalidArgument naming `column`.
Status CheckName(std::string_view column, std::string_view value);     // [a-z][a-z0-9_-]{0,63}
Status CheckProject(std::string_view column, std::string_view value);  // [a-z][a-z0-9-]{0,63}
Status CheckAccount(std::string_view column, std::string_view value);  // 1-64 characters
Status CheckSha256(std::string_view column, std::string_view value);   // 64 lower-case hex digits
// A JSON text; `object` asks for an object.
Status CheckJson(std::string_view column, std::string_view value, bool object);

// A stored field that does not parse: DataLoss naming table, column and key.
Status Damaged(std::string_view table, std::string_view column, std::string_view key);

}  // namespace hdhub::exports::internal

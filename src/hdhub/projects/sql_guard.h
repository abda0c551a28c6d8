// SqlGuard: what a researcher's SQL may read in a project session (issue
// 14). A session's views are the only way to the workspace's rows, because
// they hide the people opted out after the build (session.h); the sandbox
// alone would let a statement read a workspace object by its path. So a
// statement must be a SELECT (DESCRIBE, SUMMARIZE, PIVOT, SHOW are), and it
// may name tables and views, never a path ('hdhub://…', 'x.parquet'), never
// hdhub's own tables (hdhub_private_*), and as table functions only those that
// generate rows (range, generate_series, unnest): none that reads a file or
// runs SQL text (read_parquet, query, query_table…).
//
// The check reads DuckDB's own parse tree (json_serialize_sql in a private
// instance that holds no key and reads nothing), walked whole, so a name in
// a subquery, a CTE or a lateral join is seen like one at the top.
//
// A check depends on the statement's text alone (the instance holds
// nothing), so the verdicts of the last kRemembered statements are kept and
// a repeated statement (a client's SELECT 1, the same dashboard query, a
// statement prepared and then run) is not parsed again.
//
// Ownership: owns its instance. Thread-safety: one Check at a time.
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <string_view>

#include "hdhub/common/status.h"
#include "hdhub/sql/database.h"

namespace hdhub::projects {

class SqlGuard {
 public:
  // Internal when DuckDB cannot be started.
  static StatusOr<std::unique_ptr<SqlGuard>> Create(storage::SealedStore* sealed);

  // OK, or PermissionDenied naming what the statement may not do, or
  // InvalidArgument for SQL that does not parse.
  Status Check(std::string_view sql);

 private:
  // Statements remembered, and the longest text remembered (a longer one is
  // checked every time: the memory stays bounded).
  static constexpr size_t kRemembered = 32;
  static constexpr size_t kLongestRemembered = 4096;
  struct Verdict {
    std::string sql;
    Status status;
  };

  explicit SqlGuard(std::unique_ptr<sql::Database> parser) : parser_(std::move(parser)) {}
  Status Parse(std::string_view sql);

  std::unique_ptr<sql::Database> parser_;
  std::deque<Verdict> remembered_;  // the most recently checked first
};

}  // namespace hdhub::projects

#include "hdhub/sql/logged_query.h"

#include <chrono>

namespace hdhub::sql {

StatusOr<QueryResult> RunLoggedQuery(audit::AuditLog& log, const audit::Actor& actor, Database& db,
                                     std::string_view sql, const std::optional<std::string>& project,
                                     const QueryLimits& limits) {
  auto start = std::chrono::steady_clock::now();
  StatusOr<QueryResult> result = db.Query(sql, limits);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  audit::Event e{
      .actor = actor.id, .role = actor.role, .action = "query.run", .project = project, .free_text = std::string(sql)};
  e.details["duration_ms"] = ms.count();
  if (result.ok()) {
    e.details["rows"] = result->rows.size();
  } else {
    bool denied = result.status().code() == StatusCode::kPermissionDenied;
    e.outcome = denied ? audit::Outcome::kDenied : audit::Outcome::kError;
    e.details["code"] = std::string(StatusCodeName(result.status().code()));
  }
  RETURN_IF_ERROR(log.Append(e).status());
  return result;
}

}  // namespace hdhub::sql

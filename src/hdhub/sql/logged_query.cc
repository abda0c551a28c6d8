#include "hdhub/sql/logged_query.h"

#include <chrono>

#include "hdhub/audit/recorder.h"

namespace hdhub::sql {
namespace {

audit::Event QueryEvent(const audit::Actor& actor, const std::string& sql, const std::optional<std::string>& project,
                        const StreamSummary& end, std::chrono::steady_clock::time_point start) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  audit::Event e{.actor = actor.id, .role = actor.role, .action = "query.run", .project = project, .free_text = sql};
  e.details["duration_ms"] = ms.count();
  e.details["rows"] = end.rows;
  e.details["bytes"] = end.bytes;
  audit::ApplyOutcome(e, end.status);
  return e;
}

}  // namespace

StatusOr<std::unique_ptr<QueryStream>> StartLoggedQuery(audit::AuditLog& log, const audit::Actor& actor, Database& db,
                                                        std::string_view sql, const std::optional<std::string>& project,
                                                        const QueryLimits& limits) {
  QueryStream::EndHook record = [&log, actor, text = std::string(sql), project,
                                 start = std::chrono::steady_clock::now()](const StreamSummary& end) {
    return log.Append(QueryEvent(actor, text, project, end, start)).status();
  };
  StatusOr<std::unique_ptr<QueryStream>> stream = db.Stream(sql, limits);
  if (!stream.ok()) {
    RETURN_IF_ERROR(record(StreamSummary{.status = stream.status()}));
    return stream;
  }
  (*stream)->SetEndHook(std::move(record));
  return stream;
}

StatusOr<std::vector<std::string>> LoggedStatements(audit::AuditLog& log, const audit::Actor& actor, Database& db,
                                                    std::string_view sql, const std::optional<std::string>& project) {
  StatusOr<std::vector<std::string>> statements = db.Statements(sql);
  if (statements.ok()) return statements;
  StreamSummary refused{.status = statements.status()};
  RETURN_IF_ERROR(
      log.Append(QueryEvent(actor, std::string(sql), project, refused, std::chrono::steady_clock::now())).status());
  return statements;
}

StatusOr<QueryResult> RunLoggedQuery(audit::AuditLog& log, const audit::Actor& actor, Database& db,
                                     std::string_view sql, const std::optional<std::string>& project,
                                     const QueryLimits& limits) {
  ASSIGN_OR_RETURN(std::unique_ptr<QueryStream> stream, StartLoggedQuery(log, actor, db, sql, project, limits));
  return Collect(*stream);
}

}  // namespace hdhub::sql

#include "hdhub/sql/logged_query.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <functional>

#include "duckdb.hpp"
#include "hdhub/audit/recorder.h"
#include "hdhub/common/bytes.h"
#include "hdhub/crypto/hash.h"

namespace hdhub::sql {
namespace {

constexpr size_t kMaxLoggedTables = 64;  // audit arrays hold at most 64 values
constexpr size_t kMaxTableName = 128;

bool IsLoggableName(std::string_view name) {
  if (name.empty() || name.size() > kMaxTableName) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' || c == ':' || c == '/';
  });
}

// What the event says was read: the datasets (a catalog query's views are
// named after them) or, in a project, the workspace's tables. A name outside
// the audit alphabet is logged by its hash.
nlohmann::json TablesDetail(const std::vector<std::string>& tables) {
  nlohmann::json out = nlohmann::json::array();
  for (const std::string& t : tables) {
    if (out.size() == kMaxLoggedTables) break;
    out.push_back(IsLoggableName(t) ? t : "sha256:" + HexEncode(crypto::Sha256(AsBytes(t))));
  }
  return out;
}

audit::Event QueryEvent(const audit::Actor& actor, const std::string& sql, const std::optional<std::string>& project,
                        const StreamSummary& end, std::chrono::steady_clock::time_point start,
                        const std::optional<std::vector<std::string>>& tables = std::nullopt) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  audit::Event e{.actor = actor.id, .role = actor.role, .action = "query.run", .project = project, .free_text = sql};
  if (tables) e.details[project ? "tables" : "datasets"] = TablesDetail(*tables);
  e.details["duration_ms"] = ms.count();
  e.details["rows"] = end.rows;
  e.details["bytes"] = end.bytes;
  audit::ApplyOutcome(e, end.status);
  return e;
}

// Starts the stream with `begin` and logs it as StartLoggedQuery says.
StatusOr<std::unique_ptr<QueryStream>> StartLogged(
    audit::AuditLog& log, const audit::Actor& actor, Database& db, std::string_view sql,
    const std::optional<std::string>& project, const std::function<StatusOr<std::unique_ptr<QueryStream>>()>& begin) {
  // Named before it runs (parsed only); a text that does not parse fails
  // below and is logged without them.
  StatusOr<std::vector<std::string>> read = db.TablesRead(sql);
  std::optional<std::vector<std::string>> tables;
  if (read.ok()) tables = std::move(*read);
  QueryStream::EndHook record = [&log, actor, text = std::string(sql), project, tables,
                                 start = std::chrono::steady_clock::now()](const StreamSummary& end) {
    return log.Append(QueryEvent(actor, text, project, end, start, tables)).status();
  };
  StatusOr<std::unique_ptr<QueryStream>> stream = begin();
  if (!stream.ok()) {
    RETURN_IF_ERROR(record(StreamSummary{.status = stream.status()}));
    return stream;
  }
  (*stream)->SetEndHook(std::move(record));
  (*stream)->SetAnnounceHook([&log, actor, text = std::string(sql), project, tables]() {
    audit::Event e{
        .actor = actor.id, .role = actor.role, .action = "query.start", .project = project, .free_text = text};
    if (tables) e.details[project ? "tables" : "datasets"] = TablesDetail(*tables);
    return log.Append(std::move(e)).status();
  });
  return stream;
}

}  // namespace

StatusOr<std::unique_ptr<QueryStream>> StartLoggedQuery(audit::AuditLog& log, const audit::Actor& actor, Database& db,
                                                        std::string_view sql, const std::optional<std::string>& project,
                                                        const QueryLimits& limits) {
  return StartLoggedQuery(log, actor, db, sql, {}, project, limits);
}

StatusOr<std::unique_ptr<QueryStream>> StartLoggedQuery(audit::AuditLog& log, const audit::Actor& actor, Database& db,
                                                        std::string_view sql,
                                                        const std::vector<duckdb::Value>& parameters,
                                                        const std::optional<std::string>& project,
                                                        const QueryLimits& limits) {
  return StartLogged(log, actor, db, sql, project, [&] { return db.Stream(sql, parameters, limits); });
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

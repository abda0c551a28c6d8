// Logged queries: SQL run in a Database on behalf of `actor`, recorded as one
// query.run event (text hash, rows and bytes delivered, duration, outcome:
// denied for a refused access, error otherwise with its code, e.g. CANCELLED,
// DEADLINE_EXCEEDED, or RESOURCE_EXHAUSTED for a limit), with the project
// when there is one.
//
// The event is written when the stream ends (its last Next(), or its
// destruction when the consumer stops early), or at once when the query fails
// to start. A query whose event cannot be logged fails: the stream's last
// Next() returns the log's error instead of the end, and RunLoggedQuery
// returns a result only once its event is durable. A streaming consumer has
// received the earlier chunks by then; one that must not pass rows on before
// the event is durable (a network front end) waits for the end first, or
// calls the stream's Announce(), which makes a query.start event (actor,
// project, text hash, what it reads) durable before any row is handed on;
// query.run still follows at the end with the rows and bytes delivered.
//
// Ownership: the log must outlive the streams. Thread-safety: as Database.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/audit/audit_log.h"
#include "hdhub/sql/database.h"

namespace hdhub::sql {

StatusOr<std::unique_ptr<QueryStream>> StartLoggedQuery(audit::AuditLog& log, const audit::Actor& actor, Database& db,
                                                        std::string_view sql, const std::optional<std::string>& project,
                                                        const QueryLimits& limits = {});
// One statement with its parameters ($1, $2, …): the event holds the
// statement's hash as for any query, never the parameters' values.
StatusOr<std::unique_ptr<QueryStream>> StartLoggedQuery(audit::AuditLog& log, const audit::Actor& actor, Database& db,
                                                        std::string_view sql,
                                                        const std::vector<duckdb::Value>& parameters,
                                                        const std::optional<std::string>& project,
                                                        const QueryLimits& limits);

// The statements of `sql` (Database::Statements), to be run one at a time
// with StartLoggedQuery. A refusal (a text that does not parse, a statement
// the instance refuses) is logged as one query.run event for the whole text.
StatusOr<std::vector<std::string>> LoggedStatements(audit::AuditLog& log, const audit::Actor& actor, Database& db,
                                                    std::string_view sql, const std::optional<std::string>& project);

// StartLoggedQuery, collected (query_result.h).
StatusOr<QueryResult> RunLoggedQuery(audit::AuditLog& log, const audit::Actor& actor, Database& db,
                                     std::string_view sql, const std::optional<std::string>& project,
                                     const QueryLimits& limits = {});

}  // namespace hdhub::sql

// RunLoggedQuery: runs SQL in a Database and logs query.run by `actor` (text
// hash, rows returned, duration, outcome: denied for a refused access), with
// the project when there is one. The result is returned only once its event
// is durable: a query whose event cannot be logged fails.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "hdhub/audit/audit_log.h"
#include "hdhub/sql/database.h"

namespace hdhub::sql {

StatusOr<QueryResult> RunLoggedQuery(audit::AuditLog& log, const audit::Actor& actor, Database& db,
                                     std::string_view sql, const std::optional<std::string>& project,
                                     const QueryLimits& limits = {});

}  // namespace hdhub::sql

// Rendering results for people (aligned text tables) and for programs (JSON).
#pragma once

#include <ostream>
#include <string>

#include "hdhub/sql/database.h"

namespace hdhub::cli {

// An aligned table with a header rule; NULL shown as "NULL"; numbers right-aligned.
void PrintTable(const sql::QueryResult& result, std::ostream& out);
// {"columns":[{"name":..,"type":..}],"rows":[[..],..]}; cells as JSON strings or null.
void PrintJson(const sql::QueryResult& result, std::ostream& out);
// On standard output: JSON when `json` (the global --json), a table otherwise.
void PrintResult(const sql::QueryResult& result, bool json);

}  // namespace hdhub::cli

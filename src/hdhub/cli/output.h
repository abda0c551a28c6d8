// Rendering results for people (aligned text tables) and for programs (JSON).
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "hdhub/sql/database.h"  // QueryResult, for the commands that print one

namespace hdhub::cli {

// An aligned table with a header rule; NULL shown as "NULL"; numbers right-aligned.
void PrintTable(const sql::QueryResult& result, std::ostream& out);
// {"columns":[{"name":..,"type":..}],"rows":[[..],..]}, each cell as its
// type says (JsonValue).
void PrintJson(const sql::QueryResult& result, std::ostream& out);
// A typed value in JSON: NULL as null, booleans as booleans, numbers as
// numbers, dates and timestamps as ISO 8601 strings ("2021-03-04",
// "2021-03-04T05:06:07"), text as strings. A number a double cannot hold
// exactly (an integer beyond ±2^53, a decimal of more than 15 significant
// digits) and a non-finite double are strings of their exact decimal text
// ("9007199254740993", "inf"), so that no JSON reader silently rounds them.
// Other types are strings of DuckDB's rendering.
nlohmann::json JsonValue(const sql::Value& value);
// PrintJson's document.
nlohmann::json ResultJson(const sql::QueryResult& result);
// On standard output: JSON when `json` (the global --json), a table otherwise.
void PrintResult(const sql::QueryResult& result, bool json);
// Statement `index` (from 0) of `count`, as PrintResult, flushed at once so
// that each result is out before the next statement runs. With several: the
// table is headed "-- statement i of n", the JSON document (one a line) has
// "statement": i and "of": n besides its columns and rows.
void PrintStatementResult(const sql::QueryResult& result, size_t index, size_t count, bool json);

}  // namespace hdhub::cli

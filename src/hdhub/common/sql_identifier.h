// SQL text: an identifier in double quotes, any double quote inside doubled
// (SQL standard; DuckDB and SQLite alike). Callers validate names first where
// a name comes from a user: quoting keeps the text well formed, not meaningful.
#pragma once

#include <string>
#include <string_view>

namespace hdhub {

std::string QuoteIdentifier(std::string_view name);

}  // namespace hdhub

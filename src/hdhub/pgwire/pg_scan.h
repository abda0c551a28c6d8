// PostgreSQL's scanner (libpg_query's pg_query_scan), as a list of tokens
// with their byte offsets: what the classifier and the catalog rewriter
// (classify.h) read statements with, so that strings, quoted names and
// comments are never mistaken for keywords.
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hdhub::pgwire {

struct PgToken {
  int start = 0;
  int end = 0;
  int kind = 0;  // pg_query.proto's Token: an ASCII code, or one of these
};
inline constexpr int kPgIdent = 258;
inline constexpr int kPgSconst = 261;
inline constexpr int kPgTypecast = 268;
inline constexpr int kPgCollate = 334;
inline constexpr int kPgCursor = 366;
inline constexpr int kPgFor = 424;
inline constexpr int kPgOperator = 545;

// The tokens of `sql`; empty when it does not scan.
std::vector<PgToken> PgScan(const std::string& sql);

std::string AsciiLower(std::string_view s);

}  // namespace hdhub::pgwire

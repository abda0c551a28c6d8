// The SQL of a workspace build (workspace_builder.h): which rows of a source
// table belong to a project, and what each kept column becomes. Source
// tables are views named "src_<TABLE>"; the build has created the temporary
// tables "excluded" (opted-out pseudonyms) and "population" (pseudonyms that
// pass the population filters) when they apply.
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "hdhub/common/status.h"
#include "hdhub/projects/scope.h"
#include "hdhub/projects/table_profiles.h"

namespace hdhub::projects {

struct Column {
  std::string name;
  std::string type;  // DuckDB type as DESCRIBE prints it, e.g. "UUID"
};

struct ExtractContext {
  const ProjectScope* scope = nullptr;
  bool has_population = false;  // the temp table "population" exists
  bool has_exclusions = false;  // the temp table "excluded" exists
};

inline std::string SourceView(std::string_view table) { return "src_" + std::string(table); }

// The condition (on alias `t`) that keeps a row of a person table.
std::string PersonFilter(const TableProfile& profile, const ExtractContext& ctx, std::string_view alias = "t");

// The full condition on alias `t` for `profile`'s table: its person filter,
// or for a detail table the existence of a kept parent row.
std::string RowFilter(const TableProfile& profile, const ExtractContext& ctx);

// The SELECT list: the wanted columns ("*" for all) plus the person and join
// keys; UUID columns re-keyed with hdhub_p3, record identifiers
// (ingest/column_rules.h) with hdhub_link.
// InvalidArgument naming a wanted column the source does not have.
StatusOr<std::string> Projection(const TableProfile& profile, const std::vector<Column>& source,
                                 const std::vector<std::string>& wanted);

// SELECT <projection> FROM src_<T> t [JOIN line_key lk] WHERE <row filter>,
// ordered by the profile's order_by column if the scope gives it, then by
// the line number, the person or the link keys (re-keyed, so that no two
// projects hold their rows in the same order).
StatusOr<std::string> ExtractSelect(const TableProfile& profile, const std::vector<Column>& source,
                                    const std::vector<std::string>& wanted, const ExtractContext& ctx);

// SELECT <the wanted columns> FROM src_<table> t, for a reference table (a
// nomenclature ingested with --reference): whole and as stored, since it
// holds no person and no record. InvalidArgument as Projection's.
StatusOr<std::string> ReferenceSelect(std::string_view table, const std::vector<Column>& source,
                                      const std::vector<std::string>& wanted);

// Whether the scope gives `column` of `table` (named, or "*").
bool Authorised(const ProjectScope& scope, std::string_view table, std::string_view column);

// The per-project hash of a row's line key columns on `alias`
// (hdhub_link of their texts joined by '|').
std::string LineHash(const TableProfile& profile, std::string_view alias);

// CREATE TEMP TABLE line_key (h, k): for each distinct line of `owner` (a
// person table with a line key) kept by the scope, its hash h and its
// workspace number k = a per-project offset + 2^20 x its rank, ranked by
// the owner's line-order detail column when the scope gives it, then by the
// line's person (re-keyed, as in the workspace), then by h.
// ExtractSelect joins every line-keyed table to it.
std::string LineKeySql(const TableProfile& owner, const std::vector<Column>& owner_columns, const ExtractContext& ctx);

// CREATE TEMP TABLE population AS … from src_IR_BEN_R under the scope's
// population filters (and without the excluded).
std::string PopulationSql(const PopulationFilter& filter, bool has_exclusions);

}  // namespace hdhub::projects

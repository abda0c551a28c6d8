// How each SNDS table enters a project workspace: its person pseudonym (the
// column that says whose row it is), the year a row belongs to, and for a
// table without a person column the parent table whose rows it details
// (ER_PHA_F details ER_PRS_F lines; T_MCOaaB/D detail T_MCOaaC stays), so
// that population, opt-out and year filters reach every row. Which columns
// are re-keyed per project, so that two projects cannot link rows any more
// than people, is declared with the table's columns: pseudonyms (UUID) and
// record identifiers (ingest/column_rules.h).
//
// A table without a profile cannot be in a scope (its rows could not be
// filtered), unless it is a reference table (a nomenclature ingested with
// --reference: no person, no record; copied whole). Names starting with
// kHdhubTablePrefix are hdhub's own in a workspace (hdhub_columns, hidden
// tables). Constant data; thread-safe.
#pragma once

#include <string_view>
#include <vector>

namespace hdhub::projects {

inline constexpr std::string_view kHdhubTablePrefix = "hdhub_";

struct TableProfile {
  std::string_view table;
  std::string_view person;                    // person pseudonym column; empty for a detail table
  std::string_view year_column;               // the date whose year a row belongs to; empty: no year filter
  std::string_view parent;                    // for a detail table: the table it details
  std::vector<std::string_view> parent_keys;  // columns shared with the parent (compared as text)
  std::vector<std::string_view> row_keys;     // what detail tables join on: always kept
  // A one-column join key added to the workspace table, so that a 9-column
  // join becomes a BIGINT one: the lines of the person table that owns it
  // (ER_PRS_F) are numbered in workspace order from a per-project offset,
  // and its detail table (ER_PHA_F) gets the number of its line.
  std::string_view line_key;
  std::vector<std::string_view> line_key_columns;
  // The workspace table's physical order, when the column is in the scope:
  // the column cohort queries filter on most, so that the row groups' min/max
  // statistics let a scan skip what a filter excludes (a clustered index).
  std::string_view order_by;
  // For the owner of a line key: the lines are numbered in the order of this
  // detail column (the drug a claim line dispensed), when the scope gives it,
  // so that the lines a detail filter selects have neighbouring numbers and
  // a join from the filtered details reads only their row groups.
  std::string_view line_order_table;
  std::string_view line_order_column;
};

// NotFound-like: nullptr when the table has no profile.
const TableProfile* ProfileFor(std::string_view table);
// The tables that have one, in build order (parents first).
std::vector<std::string_view> ProfiledTables();

}  // namespace hdhub::projects

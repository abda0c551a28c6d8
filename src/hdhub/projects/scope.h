// ProjectScope: what an authorisation lets a project see, as structured data
// (never free SQL): the tables and, for each, the columns; the years of care;
// and the population, as filters on the beneficiary referential (IR_BEN_R).
//
//   {"tables": {"ER_PRS_F": ["EXE_SOI_DTD", "PRS_NAT_REF"], "IR_BEN_R": ["*"]},
//    "years": {"from": 2019, "to": 2023},
//    "population": {"sex": [2], "birth_year": {"from": 1950, "to": 1980},
//                   "departments": ["075", "093"]}}
//
// "*" means every column. A table's person pseudonym and the keys that link
// it to its parent table are always included (re-keyed per project), so the
// tables of a workspace join. Format: docs/formats/projects.md. Value type.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/common/status.h"

namespace hdhub::projects {

struct YearRange {
  int from = 0;
  int to = 0;
};

struct PopulationFilter {
  std::vector<int> sexes;                // BEN_SEX_COD values; empty: any
  std::optional<YearRange> birth_years;  // BEN_NAI_ANN
  std::vector<std::string> departments;  // BEN_RES_DPT codes, e.g. "075"
  bool empty() const { return sexes.empty() && !birth_years && departments.empty(); }
};

struct ProjectScope {
  std::map<std::string, std::vector<std::string>> tables;  // table -> columns
  std::optional<YearRange> years;                          // of care, inclusive
  PopulationFilter population;

  // InvalidArgument naming the offending field: not an object, no table, an
  // unknown key, a table or column name outside [A-Za-z0-9_], a year range
  // reversed or outside 1900..2100, a sex other than 1 or 2, a department
  // that is not 2-3 characters of [0-9AB].
  static StatusOr<ProjectScope> Parse(std::string_view json);
  // Canonical JSON (sorted keys, no spaces): equal scopes, equal text.
  std::string ToJson() const;
  // SHA-256 of ToJson(), hex: what approvals and provenance refer to.
  std::string Digest() const;
};

}  // namespace hdhub::projects

// Test-only: the frame of docs/airlock-workflow.md §2.1 and reference rows
// taken from the SNDS nomenclatures (IR_DPT_V's departments and regions,
// ATC codes of IR_PHA_R), shared by the frame tests.
#pragma once

#include <nlohmann/json.hpp>

#include "hdhub/exports/frame.h"

namespace hdhub::exports::testing {

// §2.1's example, verbatim.
inline nlohmann::json A10Frame() {
  return nlohmann::json::parse(R"({"frame": "a10", "unit": "person_year_class", "person": "person",
 "sql": "SELECT p.BEN_NIR_PSA AS person, year(p.EXE_SOI_DTD) AS year, p.BEN_SEX_COD AS sex, year(p.EXE_SOI_DTD) - CAST(p.BEN_NAI_ANN AS INTEGER) AS age, p.BEN_RES_DPT AS dept, r.PHA_ATC_C07 AS atc FROM ER_PHA_F a JOIN ER_PRS_F p USING (DCIR_LINE_KEY) JOIN IR_PHA_R r ON a.PHA_PRS_C13 = r.PHA_CIP_C13 WHERE r.PHA_ATC_C07 LIKE 'A10%' GROUP BY ALL",
 "dimensions": [
   {"name": "year", "column": "year", "range": {"from": 2019, "to": 2023}},
   {"name": "sex", "column": "sex", "values": ["1", "2", "0", "9"]},
   {"name": "age", "column": "age", "bands": [0, 18, 40, 65, 80]},
   {"name": "dept", "column": "dept", "nomenclature": {"table": "IR_DPT_V", "code": "GEO_DPT_COD", "parent": "GEO_REG_COD"}},
   {"name": "atc", "column": "atc", "nomenclature": {"table": "IR_PHA_R", "code": "PHA_ATC_C07"}, "prefixes": [1, 3, 4, 5]}]})");
}

// Rows of IR_DPT_V (GEO_DPT_COD, GEO_REG_COD) and IR_PHA_R (PHA_ATC_C07).
inline ReferenceRows A10References() {
  return {{"dept", {{"001", "84"}, {"02A", "94"}, {"069", "84"}, {"075", "11"}, {"092", "11"}}},
          {"atc", {{"A10BA02", std::nullopt}, {"A10BB01", std::nullopt}}}};
}

}  // namespace hdhub::exports::testing

// The drug reference table of a synthetic extract: IR_PHA_R.csv, one row per
// CIP13 code the pharmacy dispenses (drugs.h) with its ATC class, shaped like
// the SNDS drug nomenclature IR_PHA_R, and IR_PHA_R.json, its Table Schema,
// so that a cohort is defined by ATC class (PHA_ATC_C07 LIKE 'A10%') as on
// the real SNDS. The columns are seven of the real IR_PHA_R's, with its
// names and types (schema-snds, nomenclatures/DREES/IR_PHA_R.json, which
// describes no column: the labels and descriptions are ours). The ATC codes
// are the WHO's; their labels are the French ones, upper case and without
// accents as IR_PHA_R gives them. The file is ';'-separated like the SNDS
// nomenclature files, so an extract's folder can serve as a nomenclature
// folder for ER_PHA_F's PHA_PRS_C13.
//
// Constant data and pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hdhub::synth {

inline constexpr std::string_view kDrugReferenceTable = "IR_PHA_R";

struct AtcClass {
  std::string_view code;   // ATC level 5 (chemical substance): 7 characters, e.g. "A10BA02"
  std::string_view label;  // e.g. "METFORMINE"
};
struct AtcGroup {
  std::string_view code;   // ATC level 2 (therapeutic subgroup): 3 characters, e.g. "A10"
  std::string_view label;  // e.g. "MEDICAMENTS DU DIABETE"
};

// The class of an ATC level-5 code, and the subgroup of its first three
// characters; nullopt for a code the table does not hold.
std::optional<AtcClass> FindAtcClass(std::string_view code);
std::optional<AtcGroup> FindAtcGroup(std::string_view code);

// IR_PHA_R.csv: a header line, then one line per drug of kDrugs.
std::string DrugReferenceCsv();
// IR_PHA_R.json: its Table Schema (names, types, labels, descriptions, key).
std::string DrugReferenceSchemaJson();

}  // namespace hdhub::synth

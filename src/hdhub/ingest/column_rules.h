// What the hub does to each column of an extract before sealing it: stage 2
// of the pseudonymization (DESIGN §3) and the generalisation of
// quasi-identifiers. Rules go by column name, for every table where the
// column appears (the SNDS names a column the same way in every table), and
// are listed with their reasons in docs/pseudonymization.md.
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hdhub/ingest/table_schema.h"

namespace hdhub::ingest {

enum class ColumnTreatment {
  kKeep,       // validated against its schema and stored as its type
  kPseudonym,  // a transfer pseudonym (P1 or SNDS): stored as P2 (UUID)
  kDrop,       // a direct or fine-grained identifier: never stored
  kMonth,      // a date kept to its month (the first day of the month)
};

struct ColumnRule {
  ColumnTreatment treatment = ColumnTreatment::kKeep;
  std::string_view reason;  // for the ingest report
};

ColumnRule RuleFor(std::string_view table, std::string_view column);

// The columns that carry the pseudonym of the row's person, which a source
// extract does not have and pseudonymize computes from its identity columns
// (e.g. BEN_NIR_PSA in ER_PRS_F). Other pseudonym columns (a mother's, a
// linkage id) are secondary: a source leaves them empty.
std::vector<std::string> PersonPseudonymColumns(const TableSchema& schema);

// Record identifiers (docs/formats/projects.md, "Record identifiers"): per
// table, the columns other than a pseudonym that identify a person (a
// practitioner, a twin rank), a claim line (the DCIR join keys), a stay
// (ETA_NUM, RSA_NUM, SEJ_NUM), an establishment, an employer, a death
// certificate or any other record: the Table Schema's primary and foreign
// keys (nomenclature references aside) and the identifier-like fields. They
// are stored at the hub as they come, and re-keyed with the project's key in
// every workspace (the same value gives the same re-keyed value within a
// project, in all its tables, and unrelated values in two projects).
// Empty for a table without any.
const std::vector<std::string_view>& RecordIdentifierColumns(std::string_view table);
bool IsRecordIdentifier(std::string_view table, std::string_view column);

}  // namespace hdhub::ingest

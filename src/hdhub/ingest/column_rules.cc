#include "hdhub/ingest/column_rules.h"

#include <array>

namespace hdhub::ingest {
namespace {

struct NamedRule {
  std::string_view column;
  ColumnRule rule;
  bool person = false;  // carries the pseudonym of the row's own person
};

constexpr std::array<NamedRule, 10> kRules = {{
    {"BEN_NIR_PSA", {ColumnTreatment::kPseudonym, "beneficiary pseudonym, re-keyed (stage 2)"}, true},
    {"BEN_NIR_ANO", {ColumnTreatment::kPseudonym, "beneficiary pseudonym, re-keyed (stage 2)"}, true},
    {"ASS_NIR_ANO", {ColumnTreatment::kPseudonym, "insured person's pseudonym, re-keyed (stage 2)"}, true},
    {"NIR_ANO_17", {ColumnTreatment::kPseudonym, "patient pseudonym, re-keyed (stage 2)"}, true},
    {"BEN_IDT_ANO", {ColumnTreatment::kPseudonym, "linkage pseudonym, re-keyed (stage 2)"}},
    {"NIR_ANO_MAM", {ColumnTreatment::kPseudonym, "mother's pseudonym, re-keyed (stage 2)"}},
    {"BEN_RES_COM", {ColumnTreatment::kDrop, "commune of residence: generalised to its department (BEN_RES_DPT)"}},
    {"DCD_COM_COD", {ColumnTreatment::kDrop, "commune of death: generalised to its department (DCD_DPT_COD)"}},
    {"BDI_COD", {ColumnTreatment::kDrop, "postcode of residence: generalised to its department (BDI_DEP)"}},
    {"BEN_DCD_DTE", {ColumnTreatment::kMonth, "date of death: kept to its month"}},
}};

}  // namespace

ColumnRule RuleFor(std::string_view table, std::string_view column) {
  for (const NamedRule& r : kRules) {
    if (r.column == column) return r.rule;
  }
  return ColumnRule{};
}

std::vector<std::string> PersonPseudonymColumns(const TableSchema& schema) {
  std::vector<std::string> out;
  for (const Field& f : schema.fields) {
    for (const NamedRule& r : kRules) {
      if (r.person && r.column == f.name) out.push_back(f.name);
    }
  }
  return out;
}

}  // namespace hdhub::ingest

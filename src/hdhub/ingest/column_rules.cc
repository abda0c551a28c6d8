#include "hdhub/ingest/column_rules.h"

#include <algorithm>
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

// The DCIR's claim-line key (the primary key of ER_PRS_F, the foreign key of
// its detail tables), followed by `more`.
std::vector<std::string_view> DcirLineKeyAnd(std::vector<std::string_view> more) {
  std::vector<std::string_view> out = {"FLX_DIS_DTD", "FLX_TRT_DTD", "FLX_EMT_TYP", "FLX_EMT_NUM", "FLX_EMT_ORD",
                                       "ORG_CLE_NUM", "DCT_ORD_NUM", "PRS_ORD_NUM", "REM_TYP_AFF"};
  out.insert(out.end(), more.begin(), more.end());
  return out;
}

struct TableIdentifiers {
  std::string_view table;
  std::vector<std::string_view> columns;
};

// Why each is there: docs/formats/projects.md. Practitioners (PFS_*_NUM,
// PRS_MTT_NUM, PSP_PPS_NUM), establishments (ETB_PRE_FIN, ETA_NUM), an
// employer (IJR_EMP_NUM), a complementary insurer (ORG_CPL_NUM), an
// accident at work (NUM_DAT_AT), a death certificate (DCD_IDT_ENC), ranks
// that tell people of one pseudonym apart (BEN_RNG_GEM, RNG_BEN, RNG_NAI).
const std::vector<TableIdentifiers>& Identifiers() {
  static const std::vector<TableIdentifiers> kIdentifiers = {
      {"IR_BEN_R", {"BEN_RNG_GEM"}},
      {"ER_PRS_F", DcirLineKeyAnd({"BEN_RNG_GEM", "PFS_EXE_NUM", "PFS_PRE_NUM", "PRS_MTT_NUM", "PSP_PPS_NUM",
                                   "ETB_PRE_FIN", "IJR_EMP_NUM"})},
      {"ER_PHA_F", DcirLineKeyAnd({"PHA_ORD_NUM"})},
      {"ER_CAM_F", DcirLineKeyAnd({"CAM_ORD_NUM"})},
      {"ER_ETE_F", DcirLineKeyAnd({})},
      {"T_MCOaaA", {"ETA_NUM", "RSA_NUM", "RSS_NUM"}},
      {"T_MCOaaB", {"ETA_NUM", "RSA_NUM", "RSS_NUM"}},
      {"T_MCOaaC", {"ETA_NUM", "RSA_NUM", "SEJ_NUM", "NUM_DAT_AT", "ORG_CPL_NUM", "RNG_BEN", "RNG_NAI"}},
      {"T_MCOaaD", {"ETA_NUM", "RSA_NUM", "RSS_NUM"}},
      {"KI_CCI_R", {"DCD_IDT_ENC"}},
      {"KI_ECD_R", {"DCD_IDT_ENC"}},
  };
  return kIdentifiers;
}

}  // namespace

const std::vector<std::string_view>& RecordIdentifierColumns(std::string_view table) {
  static const std::vector<std::string_view> kNone;
  for (const TableIdentifiers& t : Identifiers()) {
    if (t.table == table) return t.columns;
  }
  return kNone;
}

bool IsRecordIdentifier(std::string_view table, std::string_view column) {
  const std::vector<std::string_view>& columns = RecordIdentifierColumns(table);
  return std::find(columns.begin(), columns.end(), column) != columns.end();
}

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

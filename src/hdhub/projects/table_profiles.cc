#include "hdhub/projects/table_profiles.h"

namespace hdhub::projects {
namespace {

// The DCIR's line key: what links a pharmacy detail (ER_PHA_F) to its claim
// line (ER_PRS_F). Record identifiers, re-keyed per project.
const std::vector<std::string_view> kDcirKeys = {"FLX_DIS_DTD", "FLX_TRT_DTD", "FLX_EMT_TYP",
                                                 "FLX_EMT_NUM", "FLX_EMT_ORD", "ORG_CLE_NUM",
                                                 "DCT_ORD_NUM", "PRS_ORD_NUM", "REM_TYP_AFF"};
constexpr std::string_view kDcirLineKey = "DCIR_LINE_KEY";
const std::vector<std::string_view> kStayKeys = {"ETA_NUM", "RSA_NUM"};

const std::vector<TableProfile>& Profiles() {
  static const std::vector<TableProfile> kProfiles = {
      {.table = "IR_BEN_R", .person = "BEN_NIR_PSA"},
      {.table = "ER_PRS_F",
       .person = "BEN_NIR_PSA",
       .year_column = "EXE_SOI_DTD",
       .row_keys = kDcirKeys,
       .line_key = kDcirLineKey,
       .line_key_columns = kDcirKeys,
       .line_order_table = "ER_PHA_F",
       .line_order_column = "PHA_PRS_C13"},
      {.table = "ER_PHA_F",
       .parent = "ER_PRS_F",
       .parent_keys = kDcirKeys,
       .line_key = kDcirLineKey,
       .line_key_columns = kDcirKeys,
       .order_by = "PHA_PRS_C13"},
      {.table = "T_MCOaaC", .person = "NIR_ANO_17", .year_column = "EXE_SOI_DTD", .row_keys = kStayKeys},
      {.table = "T_MCOaaB", .parent = "T_MCOaaC", .parent_keys = kStayKeys, .order_by = "DGN_PAL"},
      {.table = "T_MCOaaD", .parent = "T_MCOaaC", .parent_keys = kStayKeys},
      {.table = "KI_CCI_R", .person = "BEN_NIR_ANO", .year_column = "BEN_DCD_DTE"},
  };
  return kProfiles;
}

}  // namespace

const TableProfile* ProfileFor(std::string_view table) {
  for (const TableProfile& p : Profiles()) {
    if (p.table == table) return &p;
  }
  return nullptr;
}

std::vector<std::string_view> ProfiledTables() {
  std::vector<std::string_view> out;
  for (const TableProfile& p : Profiles()) out.push_back(p.table);
  return out;
}

}  // namespace hdhub::projects

// The output columns of every file of a source extract, in order
// (docs/formats/source-extract.md). Person tables start with the identity a
// source holds (NIR, NAI_DTE, SEX_COD), then their Table Schema's fields in
// schema order without the person-pseudonym columns a source does not have;
// the other tables are exactly their schema's fields. The test
// synth_schema_test.cc checks these lists against /work/shared/snds/schemas.
//
// ColumnOf() resolves a name at compile time, so a writer cannot name a
// column that is not in its table.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace hdhub::synth {

// The files of an extract, in the order they are listed in the manifest.
enum class OutputFile : int { kIrBenR, kErPrsF, kErPhaF, kTMcoA, kTMcoB, kTMcoC, kTMcoD, kKiCciR, kOptOut };
inline constexpr int kOutputFiles = 9;
inline constexpr std::array<std::string_view, kOutputFiles> kTableNames = {
    "IR_BEN_R", "ER_PRS_F", "ER_PHA_F", "T_MCOaaA", "T_MCOaaB", "T_MCOaaC", "T_MCOaaD", "KI_CCI_R", "OPTOUT"};
inline constexpr int Index(OutputFile f) { return static_cast<int>(f); }

// The position of `name` in `columns`; a name that is not there does not compile.
template <size_t N>
consteval int ColumnOf(const std::array<std::string_view, N>& columns, std::string_view name) {
  for (size_t i = 0; i < N; ++i) {
    if (columns[i] == name) return static_cast<int>(i);
  }
  throw "no such column in this table";
}

// OPTOUT: the people who object to research use.
inline constexpr std::array<std::string_view, 3> kOptOutColumns = {"NIR", "NAI_DTE", "SEX_COD"};

// IR_BEN_R: identity columns, then the schema without BEN_NIR_PSA, BEN_NIR_ANO, ASS_NIR_ANO.
inline constexpr std::array<std::string_view, 21> kIrBenRColumns = {
    "NIR", "NAI_DTE", "SEX_COD", "BEN_RNG_GEM", "BEN_IDT_ANO", "BEN_IDT_TOP", "BEN_IDT_MAJ", "BEN_CDI_NIR",
    "BEN_NAI_ANN", "BEN_NAI_MOI", "BEN_SEX_COD", "BEN_DCD_DTE", "BEN_DCD_AME", "ORG_AFF_BEN", "BEN_RES_DPT",
    "BEN_RES_COM", "BEN_TOP_CNS", "MAX_TRT_DTD", "ORG_CLE_NEW", "BEN_DTE_INS", "BEN_DTE_MAJ"
};

// ER_PRS_F: identity columns, then the schema without BEN_NIR_PSA.
inline constexpr std::array<std::string_view, 124> kErPrsFColumns = {
    "NIR", "NAI_DTE", "SEX_COD", "BEN_AMA_COD", "BEN_CDI_NIR", "BEN_CMU_CAT", "BEN_CMU_ORG", "BEN_CMU_TOP",
    "BEN_DCD_AME", "BEN_DCD_DTE", "BEN_EHP_TOP", "BEN_IAT_CAT", "BEN_NAI_ANN", "BEN_PAI_CMU", "BEN_RNG_GEM",
    "BEN_QAF_COD", "BEN_RES_COM", "BEN_RES_DPT", "BEN_SEX_COD", "ORG_AFF_BEN", "PRS_REJ_TOP", "EXE_SOI_AMD",
    "EXE_SOI_AMF", "EXE_SOI_DTD", "EXE_SOI_DTF", "PRE_PRE_AMD", "PRE_PRE_DTD", "PRS_GRS_DTD", "PRS_HOS_AMD",
    "PRS_HOS_DTD", "BSE_REM_BSE", "BSE_REM_MNT", "BSE_REM_PRU", "BSE_REM_SGN", "CPL_REM_BSE", "CPL_REM_MNT",
    "CPL_REM_PRU", "CPL_REM_SGN", "PRS_ACT_CFT", "PRS_ACT_COG", "PRS_ACT_NBR", "PRS_ACT_QTE", "PRS_DEP_MNT",
    "PRS_ETA_RAC", "PRS_PAI_MNT", "RGO_MOD_MNT", "ORB_BSE_NUM", "ORL_BSE_NUM", "RGM_COD", "RGM_GRG_COD",
    "ACC_TIE_IND", "BSE_FJH_TYP", "BSE_PRS_NAT", "CPL_AFF_COD", "CPL_ANO_COD", "CPL_FJH_TYP", "CPL_MAJ_TOP",
    "CPL_PRS_NAT", "DPN_QLF", "DRG_MOD", "DRG_NAT", "EXE_LIE_COD", "EXO_MTF", "IJR_EMP_NUM", "IJR_RVL_NAT",
    "MTM_NAT", "ORG_CLE_NEW", "PRE_REN_COD", "PRS_CRD_OPT", "PRS_DPN_QLP", "PRS_NAT_REF", "PRS_OPS_TRF",
    "PRS_PDS_QCP", "PRS_PDS_QTP", "PRS_PPF_COD", "PRS_PRE_MTT", "PRS_REF_KIN", "PRS_TOP_ENP", "PRS_TYP_KIN",
    "RGO_ASU_NAT", "RGO_ENV_TYP", "RGO_FTA_COD", "RGO_MIN_TAU", "RGO_REM_TAU", "RGO_THE_TAU", "ETB_PRE_FIN",
    "PFS_EXE_NUM", "PFS_PRE_NUM", "PRS_MTT_NUM", "PSE_ACT_NAT", "PSE_CNV_COD", "PSE_REF_ADH", "PSE_SPE_COD",
    "PSE_STJ_COD", "PSP_ACT_NAT", "PSP_CNV_COD", "PSP_PPS_NUM", "PSP_REF_ADH", "PSP_SPE_COD", "PSP_STJ_COD",
    "PSP_SVI_PPS", "DCT_ORD_NUM", "FLX_DIS_DTD", "FLX_EMT_NUM", "FLX_EMT_ORD", "FLX_EMT_TYP", "FLX_TRT_DTD",
    "ORG_CLE_NUM", "PRS_ORD_NUM", "REM_TYP_AFF", "BEN_DRT_SPF", "BEN_ACS_TOP", "EXE_CTX_PFS", "PRS_TYP_MAJ",
    "EXE_CTX_BEN", "CPL_FTA_COD", "BEN_CTA_TYP", "PRS_DRA_AME", "DRG_AFF_NAT", "PRS_MNT_MAJ", "PRE_IND_PEL",
    "PRS_DIS_PRE", "CPL_REM_TAU", "PRS_QTT_MAJ"
};

// ER_PHA_F: exactly the schema's fields.
inline constexpr std::array<std::string_view, 23> kErPhaFColumns = {
    "ORG_CLE_NEW", "PHA_ACT_PRU", "PHA_ACT_QSN", "PHA_CPA_PCP", "PHA_DEC_PRU", "PHA_DEC_QSU", "PHA_DEC_TOP",
    "PHA_IDE_CPL", "PHA_MOD_PRN", "PHA_ORD_NUM", "PHA_PRS_C13", "PHA_PRS_IDE", "PHA_SEQ_RNV", "PHA_SUB_MTF",
    "DCT_ORD_NUM", "FLX_DIS_DTD", "FLX_EMT_NUM", "FLX_EMT_ORD", "FLX_EMT_TYP", "FLX_TRT_DTD", "ORG_CLE_NUM",
    "PRS_ORD_NUM", "REM_TYP_AFF"
};

// T_MCOaaA: exactly the schema's fields.
inline constexpr std::array<std::string_view, 15> kTMcoAColumns = {
    "ACV_ACT", "ANP_ACT", "CDC_ACT", "CMP_DAT", "DOC_ACT", "ENT_DAT_DEL", "ETA_NUM", "EXT_PMSI", "MOD_ACT",
    "NBR_EXE_ACT", "PHA_ACT", "REM_EXP_ACT", "RSA_NUM", "RSS_NUM", "RUM_SEQ"
};

// T_MCOaaB: exactly the schema's fields.
inline constexpr std::array<std::string_view, 94> kTMcoBColumns = {
    "AGE_ANN", "AGE_GES", "AGE_JOU", "ANT_SUP_NBR", "AUT_PGV_NBR", "BDI_COD", "BDI_DEP", "BEB_SEJ", "BEH_NBJ",
    "CAI_SUP_NBR", "COD_SEX", "DEL_REG_ENT", "DGN_PAL", "DGN_REL", "DOS_TYP", "ENT_MOD", "ENT_PRV", "ETA_NUM",
    "ETE_GHS_NUM", "EXB_NBJ", "GHS_9615_ACT", "GHS_HS_INNOV", "GHS_NUM", "GRC_GHM", "GRC_RET", "GRC_VER",
    "GRG_GHM", "GRG_RET", "GRG_VER", "INNOV_NUM", "MACH_TYP_RAD", "NBR_ACT", "NBR_DGN", "NBR_RUM", "NBR_SEA",
    "NBR_SUP_NN1", "NBR_SUP_NN2", "NBR_SUP_NN3", "NBR_SUP_REA", "NBR_SUP_REP", "NBR_SUP_SOI", "NBR_SUP_SRC",
    "NBR_SUP_STF", "PAS_LIT_DED", "PLO_ACT", "POI_NAI", "RSA_NUM", "RSS_NUM", "RTH_SUP_NBR", "SEJ_COD_CONF",
    "SEJ_NBJ", "SEJ_TYP", "SEQ_RUM", "SOR_ANN", "SOR_DES", "SOR_MOD", "SOR_MOI", "SUP_ENT_DPA", "SUP_ENT_DPC",
    "SUP_ENT_HEM", "SUP_HEM_HS", "SUP_RAD_PED", "TAR_SEQ_NUM", "TOP_AVASTIN", "TOP_DEF_CARD",
    "TOP_GHS_MIN_SUS", "TOP_VLV_AOR", "TYP_GEN_RSA", "UHCD_TOP", "NBR_NAIS_ANT", "GHS_9512_ACT",
    "GHS_9515_ACT", "GHS_9511_ACT", "GHS_9619_ACT", "GHS_9610_ACT", "NBR_IVG_ANT", "GHS_9620_ACT",
    "NBR_SUP_SSC", "GHS_9622_ACT", "GHM_24707Z_ACT", "GHS_9621_ACT", "NBR_SEA_SROS", "GHM_24706Z_ACT",
    "GHM_24705Z_ACT", "FAIS_NBR", "GHS_9611_ACT", "GHS_9612_ACT", "GHS_9510_ACT", "GHS_9524_ACT", "DLY_ACT",
    "GHS_6523_ACT", "NBR_SUP_SRA", "COD_IGS", "ANN_IVG_PREC"
};

// T_MCOaaC: identity columns, then the schema without NIR_ANO_17.
inline constexpr std::array<std::string_view, 42> kTMcoCColumns = {
    "NIR", "NAI_DTE", "SEX_COD", "COH_NAI_RET", "COH_SEX_RET", "DAT_RET", "ENT_DAT", "ETA_NUM", "ETA_NUM_RET",
    "EXE_SOI_AMD", "EXE_SOI_AMF", "EXE_SOI_DTD", "EXE_SOI_DTF", "FHO_RET", "FOR_NUM", "HOS_NN_MAM",
    "HOS_NNE_RET", "HOS_ORG_RET", "HOS_PLO", "NAI_RET", "NIR_ANO_MAM", "NIR_RET", "NUM_DAT_AT",
    "NUM_DAT_AT_RET", "ORG_CPL_NUM", "ORG_CPL_NUM_RET", "PMS_RET", "RNG_BEN", "RNG_BEN_RET", "RNG_NAI",
    "RNG_NAI_RET", "RSA_NUM", "SEJ_MER_RET", "SEJ_NUM", "SEJ_RET", "SEX_RET", "SOR_ANN", "SOR_DAT", "SOR_MOI",
    "VID_HOSP_FOR", "ENT_AM", "SOR_AM"
};

// T_MCOaaD: exactly the schema's fields.
inline constexpr std::array<std::string_view, 5> kTMcoDColumns = {
    "ASS_DGN", "DGN_ASS_NUM", "ETA_NUM", "RSA_NUM", "RSS_NUM"
};

// KI_CCI_R: identity columns, then the schema without BEN_NIR_ANO.
inline constexpr std::array<std::string_view, 51> kKiCciRColumns = {
    "NIR", "NAI_DTE", "SEX_COD", "DCD_IDT_ENC", "DCD_IDT_TOP", "BEN_IDT_ANO", "BEN_IDT_TOP", "FLX_PER_ANN",
    "CER_VER_NUM", "TRT_STA_COD", "TYP_CER_COD", "CER_SUP_TYP", "TYP_VOL_COD", "DCD_DPT_COD", "DCD_COM_COD",
    "BEN_RES_DPT", "BEN_RES_COM", "BEN_DCD_DTE", "BEN_DCD_AME", "DCD_LIE_COD", "BEN_NAI_ANN", "BEN_NAI_MOI",
    "BEN_SEX_COD", "PFV_ACP_COD", "CAT_PCS_COD", "ETA_MAR_COD", "DCD_CIM_COD", "DCD_CAU_COD", "DCD_GRS_COD",
    "DCD_GRS_DEL", "DCD_LIE_LIB", "DCD_ATT_COD", "NEO_APG_SCO", "NEO_GES_AGE", "NEO_NAI_POI", "RNG_NAI_TYP",
    "GRS_ORD_NUM", "ACC_LIA_COD", "ACC_PST_COD", "ACC_DEB_COD", "MOD_ACC_COD", "HOS_TRF_TOP", "MER_NAI_ANN",
    "MER_PFS_COD", "MER_PFG_LIB", "MER_MAR_COD", "MER_SIT_TOP", "TOT_GRS_NBR", "TOT_ACC_NBR", "PER_PFS_COD",
    "PER_PFG_LIB"
};
}  // namespace hdhub::synth

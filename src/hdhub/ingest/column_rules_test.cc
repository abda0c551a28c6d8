// Every key of the SNDS Table Schemas is declared: a pseudonym (re-keyed at
// the hub and per project) or a record identifier (re-keyed per project), so
// that no workspace column can link two projects' rows (issue 14, hole 1).
#include "hdhub/ingest/column_rules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "hdhub/common/temp_dir.h"

namespace hdhub::ingest {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> Fields(const nlohmann::json& fields) {
  if (fields.is_string()) return {fields.get<std::string>()};
  return fields.get<std::vector<std::string>>();
}

// The primary key and the foreign keys that do not point at a nomenclature.
std::set<std::string> Keys(const nlohmann::json& schema) {
  std::set<std::string> out;
  if (schema.contains("primaryKey")) {
    for (const std::string& f : Fields(schema["primaryKey"])) out.insert(f);
  }
  for (const nlohmann::json& fk : schema.value("foreignKeys", nlohmann::json::array())) {
    if (fk.value("description", "") == "Nomenclature") continue;
    for (const std::string& f : Fields(fk["fields"])) out.insert(f);
  }
  return out;
}

TEST(ColumnRulesTest, EveryKeyOfEverySndsTableSchemaIsAPseudonymOrARecordIdentifier) {
  fs::path schemas = testing::SharedDir() / "snds" / "schemas";
  ASSERT_TRUE(fs::exists(schemas)) << "shared/snds is missing beside the checkout";
  int tables = 0;
  for (const auto& entry : fs::directory_iterator(schemas)) {
    std::ifstream in(entry.path());
    nlohmann::json schema = nlohmann::json::parse(in);
    std::string table = entry.path().stem();
    ++tables;
    for (const std::string& key : Keys(schema)) {
      bool pseudonym = RuleFor(table, key).treatment == ColumnTreatment::kPseudonym;
      EXPECT_TRUE(pseudonym || IsRecordIdentifier(table, key)) << table << "." << key << " is a key, undeclared";
    }
    // Every declared identifier is a column of its table.
    for (std::string_view column : RecordIdentifierColumns(table)) {
      bool found = false;
      for (const nlohmann::json& f : schema["fields"]) found = found || f["name"] == column;
      EXPECT_TRUE(found) << table << " has no column " << column;
    }
  }
  EXPECT_GE(tables, 11);
}

TEST(ColumnRulesTest, StaysClaimLinesAndPractitionersAreRecordIdentifiers) {
  for (const char* column : {"ETA_NUM", "RSA_NUM", "SEJ_NUM"}) EXPECT_TRUE(IsRecordIdentifier("T_MCOaaC", column));
  for (const char* column : {"FLX_DIS_DTD", "ORG_CLE_NUM", "DCT_ORD_NUM", "PFS_EXE_NUM", "ETB_PRE_FIN"}) {
    EXPECT_TRUE(IsRecordIdentifier("ER_PRS_F", column)) << column;
  }
  EXPECT_FALSE(IsRecordIdentifier("ER_PRS_F", "EXE_SOI_DTD"));
  EXPECT_FALSE(IsRecordIdentifier("T_MCOaaB", "DGN_PAL"));
  EXPECT_TRUE(RecordIdentifierColumns("NOT_A_TABLE").empty());
}

}  // namespace
}  // namespace hdhub::ingest

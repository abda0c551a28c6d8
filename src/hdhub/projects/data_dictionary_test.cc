// Reference tables in workspaces and the data dictionary (hdhub_columns): a
// nomenclature ingested with --reference is copied whole into the
// workspaces whose scope names it, and only those; every column of every
// workspace table is listed with its label and description.
#include "hdhub/projects/data_dictionary.h"

#include "hdhub/common/file.h"
#include "hdhub/projects/scope_check.h"
#include "hdhub/projects/workspace_fixture.h"

namespace hdhub::projects {
namespace {

using directory::Role;
using ::hdhub::testing::StatusIs;
using ::testing::HasSubstr;

// A drug nomenclature: the fixture's three dispensed codes and one never
// dispensed, two of them antidiabetics (ATC A10).
constexpr char kDrugSchema[] =
    R"js({"name": "IR_PHA_R", "primaryKey": ["PHA_CIP_C13"], "fields": [)js"
    R"js({"name": "PHA_CIP_C13", "type": "integer", "title": "CIP13 code", "description": "Code CIP (13 caractères)"},)js"
    R"js({"name": "PHA_ATC_C07", "type": "string", "title": "ATC class", "description": "Classe ATC de niveau 5"},)js"
    R"js({"name": "PHA_ATC_L07", "type": "string", "description": "Libellé ATC"}]})js";
constexpr char kDrugs[] =
    "SELECT * FROM (VALUES (3400936318525, 'A10BA02', 'METFORMINE'), (3400936318526, 'A10BB09', 'GLICLAZIDE'), "
    "(3400936318527, 'C10AA05', 'ATORVASTATINE'), (3400936318999, 'N02BE01', 'PARACETAMOL')) "
    "t(PHA_CIP_C13, PHA_ATC_C07, PHA_ATC_L07)";

class DataDictionaryTest : public WorkspaceFixture {
 protected:
  void SetUp() override {
    WorkspaceFixture::SetUp();
    WriteDataset("IR_PHA_R", kDrugs, kDrugSchema, R"({"reference": true})");
    // A second version of ER_PHA_F, recorded with the SNDS schema.
    WriteDataset("ER_PHA_F", PharmacySelect(),
                 ReadFile((hdhub::testing::SharedDir() / "snds/schemas/ER_PHA_F.json").string()).value());
  }
  static constexpr char kWithDrugs[] =
      R"({"tables": {"ER_PRS_F": ["EXE_SOI_DTD"], "ER_PHA_F": ["PHA_PRS_C13"], "IR_PHA_R": ["*"]}})";
};

TEST_F(DataDictionaryTest, AReferenceTableNamedByTheScopeIsReadWholeAndUnchanged) {
  CreateApproved("p1", kWithDrugs);
  ASSERT_OK(Builder().Build(ops1_, Role::kOperator, "p1").status());
  ASSERT_OK_AND_ASSIGN(auto s, Session(rita_, "p1"));
  EXPECT_EQ(Column(*s, "SELECT PHA_CIP_C13 || ' ' || PHA_ATC_C07 || ' ' || PHA_ATC_L07 FROM IR_PHA_R"),
            (std::set<std::string>{"3400936318525 A10BA02 METFORMINE", "3400936318526 A10BB09 GLICLAZIDE",
                                   "3400936318527 C10AA05 ATORVASTATINE", "3400936318999 N02BE01 PARACETAMOL"}));
  // A cohort by ATC class is the cohort by its codes.
  const std::string by_class =
      "SELECT count(DISTINCT DCIR_LINE_KEY) FROM ER_PHA_F JOIN IR_PHA_R ON PHA_PRS_C13 = PHA_CIP_C13 "
      "WHERE PHA_ATC_C07 LIKE 'A10%'";
  const std::string by_codes =
      "SELECT count(DISTINCT DCIR_LINE_KEY) FROM ER_PHA_F WHERE PHA_PRS_C13 IN (3400936318525, 3400936318526)";
  EXPECT_EQ(Scalar(*s, by_class), Scalar(*s, by_codes));
  EXPECT_NE(Scalar(*s, by_codes), "0");
}

TEST_F(DataDictionaryTest, AWorkspaceWhoseScopeDoesNotNameAReferenceTableCannotReadIt) {
  CreateApproved("p1", R"({"tables": {"ER_PRS_F": ["EXE_SOI_DTD"], "ER_PHA_F": ["PHA_PRS_C13"]}})");
  CreateApproved("p2", kWithDrugs);
  ASSERT_OK(Builder().Build(ops1_, Role::kOperator, "p1").status());
  ASSERT_OK(Builder().Build(ops1_, Role::kOperator, "p2").status());  // another project has it
  ASSERT_OK_AND_ASSIGN(auto s, Session(rita_, "p1"));
  EXPECT_THAT(s->tables(), ::testing::Not(::testing::Contains("IR_PHA_R")));
  EXPECT_THAT(s->Query("SELECT count(*) FROM IR_PHA_R"), ::testing::Not(hdhub::testing::IsOk()));
  EXPECT_EQ(Scalar(*s, "SELECT count(*) FROM hdhub_columns WHERE table_name = 'IR_PHA_R'"), "0");
  WorkspaceRecord ws = projects_->LatestReadyWorkspace("p1").value();
  for (const WorkspaceObject& o : ws.objects) EXPECT_NE(o.table, "IR_PHA_R");
}

TEST_F(DataDictionaryTest, HdhubColumnsListsEveryColumnWithItsLabelAndDescription) {
  CreateApproved("p1", kWithDrugs);
  ASSERT_OK(Builder().Build(ops1_, Role::kOperator, "p1").status());
  ASSERT_OK_AND_ASSIGN(auto s, Session(rita_, "p1"));
  for (const std::string& table : s->tables()) {
    if (table == kColumnsTable) continue;
    EXPECT_EQ(Column(*s, "SELECT column_name || ' ' || type FROM hdhub_columns WHERE table_name = '" + table + "'"),
              Column(*s, "SELECT column_name || ' ' || column_type FROM (DESCRIBE " + table + ")"))
        << table;
  }
  EXPECT_EQ(Scalar(*s, "SELECT label || ' / ' || description FROM hdhub_columns WHERE column_name = 'PHA_ATC_C07'"),
            "ATC class / Classe ATC de niveau 5");
  EXPECT_EQ(Scalar(*s, "SELECT label FROM hdhub_columns WHERE column_name = 'PHA_ATC_L07'"), "Libellé ATC");
  EXPECT_EQ(Scalar(*s, "SELECT label || ' / ' || nomenclature FROM hdhub_columns WHERE column_name = 'PHA_PRS_C13'"),
            "Code CIP de la pharmacie de ville (13 Caractères) / IR_PHA_R");
  EXPECT_EQ(Scalar(*s, "SELECT count(*) FROM hdhub_columns WHERE column_name = 'DCIR_LINE_KEY' AND label IS NOT NULL"),
            "2");
  // ER_PRS_F's version has no schema: its columns are listed, without labels.
  EXPECT_EQ(Scalar(*s,
                   "SELECT count(*) || ' ' || count(label) FROM hdhub_columns WHERE table_name = 'ER_PRS_F' "
                   "AND column_name <> 'DCIR_LINE_KEY'"),
            Scalar(*s, "SELECT (count(*) - 1) || ' 0' FROM (DESCRIBE ER_PRS_F)"));
}

TEST_F(DataDictionaryTest, OnlyReferenceTablesEnterAWorkspaceWithoutAProfile) {
  WriteDataset("IR_NOT_REF", kDrugs, kDrugSchema);  // the same rows, not ingested as a reference table
  for (const std::string table : {"IR_NOT_REF", "hdhub_columns"}) {
    auto scope = ProjectScope::Parse(R"({"tables": {")" + table + R"(": ["*"]}})").value();
    EXPECT_THAT(CheckScopeAgainstCatalog(scope, *catalog_),
                StatusIs(StatusCode::kInvalidArgument, HasSubstr("tables." + table)));
  }
  auto good = ProjectScope::Parse(R"({"tables": {"IR_PHA_R": ["PHA_ATC_C07"]}})").value();
  EXPECT_OK(CheckScopeAgainstCatalog(good, *catalog_));
  auto unknown_column = ProjectScope::Parse(R"({"tables": {"IR_PHA_R": ["NOPE"]}})").value();
  EXPECT_THAT(CheckScopeAgainstCatalog(unknown_column, *catalog_), StatusIs(StatusCode::kInvalidArgument));
  // The build checks again (the catalog may have changed since the project was recorded).
  CreateApproved("p1", R"({"tables": {"IR_NOT_REF": ["*"]}})");
  EXPECT_THAT(Builder().Build(ops1_, Role::kOperator, "p1"), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace hdhub::projects

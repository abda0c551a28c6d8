// Reference tables (IngestRequest::reference): nomenclatures such as the
// SNDS's IR_DPT_V or a drug table, ingested as they come (nothing re-keyed,
// dropped or coarsened), and never a table that holds people or records.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "hdhub/ingest/ingest_fixture.h"
#include "hdhub/sql/database.h"

namespace hdhub::ingest {
namespace {

using ::hdhub::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class ReferenceIngestTest : public IngestFixture {
 protected:
  std::string Nomenclature(const std::string& file) {
    return (testing::SharedDir() / "snds" / "nomenclatures" / file).string();
  }

  // A postcode nomenclature: BDI_COD is a quasi-identifier in an extract
  // (dropped there), a plain code here.
  IngestRequest Postcodes(const std::string& schema_fields, bool reference) {
    std::string schema = dir_.Sub("BDI_V.json");
    std::ofstream(schema) << R"({"name":"BDI_V","primaryKey":["BDI_COD"],"fields":[)" << schema_fields << "]}";
    std::string csv = dir_.Sub("BDI_V.csv");
    std::ofstream(csv, std::ios::binary) << "BDI_COD;BDI_DEP;BDI_LIB\n75001;075;PARIS 1ER\n93200;093;SAINT-DENIS\n";
    return {.dataset = "BDI_V", .csv_path = csv, .schema_path = schema, .delimiter = ';', .reference = reference};
  }
  static constexpr char kPostcodeFields[] =
      R"({"name":"BDI_COD","type":"string"},{"name":"BDI_DEP","type":"string"},{"name":"BDI_LIB","type":"string"})";

  // Every row of the latest version of `dataset`, as text, sorted.
  std::vector<std::string> Rows(const std::string& dataset, const std::string& columns) {
    catalog::VersionWithObjects v = catalog_->LatestCommittedVersion(dataset).value();
    auto db = sql::Database::Open(sealed_.get()).value();
    EXPECT_OK(MountVersion(*db, *keys_, dataset, v, "t"));
    sql::QueryResult r = db->Query("SELECT concat_ws(';', " + columns + ") FROM t ORDER BY 1").value();
    std::vector<std::string> out;
    for (const auto& row : r.rows) out.push_back(row.at(0).value_or("NULL"));
    return out;
  }
};

TEST_F(ReferenceIngestTest, ASharedNomenclatureIsStoredExactlyAsItComes) {
  ASSERT_OK_AND_ASSIGN(IngestResult r, ingester_->Ingest({.dataset = "IR_DPT_V",
                                                          .csv_path = Nomenclature("IR_DPT_V.csv"),
                                                          .schema_path = Nomenclature("IR_DPT_V.json"),
                                                          .delimiter = ';',
                                                          .reference = true}));
  std::ifstream in(Nomenclature("IR_DPT_V.csv"));
  std::vector<std::string> expected;
  std::string line;
  std::getline(in, line);  // the header
  while (std::getline(in, line)) expected.push_back(line);
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(r.rows, expected.size());
  EXPECT_EQ(Rows("IR_DPT_V", "GEO_DPT_COD, GEO_REG_COD, GEO_DPT_LIB, TEC_COL"), expected);
  catalog::VersionWithObjects v = catalog_->LatestCommittedVersion("IR_DPT_V").value();
  EXPECT_TRUE(IsReferenceVersion(v.version));
  EXPECT_EQ(nlohmann::json::parse(v.version.report_json)["reference"], true);
}

TEST_F(ReferenceIngestTest, NoColumnRuleAppliesToAReferenceTable) {
  // As an extract, the postcode column is dropped…
  ASSERT_OK_AND_ASSIGN(IngestResult extract, ingester_->Ingest(Postcodes(kPostcodeFields, false)));
  EXPECT_THAT(extract.report.dropped, ::testing::Contains("BDI_COD"));
  EXPECT_FALSE(IsReferenceVersion(catalog_->LatestCommittedVersion("BDI_V").value().version));
  // …as a reference table (another dataset of the same schema), kept as it is.
  IngestRequest request = Postcodes(kPostcodeFields, true);
  request.dataset = "BDI_V_REF";
  ASSERT_OK_AND_ASSIGN(IngestResult reference, ingester_->Ingest(request));
  EXPECT_THAT(reference.report.dropped, IsEmpty());
  EXPECT_THAT(reference.report.pseudonymized, IsEmpty());
  EXPECT_THAT(reference.report.record_identifiers, IsEmpty());
  EXPECT_THAT(Rows("BDI_V_REF", "BDI_COD, BDI_DEP, BDI_LIB"),
              ::testing::ElementsAre("75001;075;PARIS 1ER", "93200;093;SAINT-DENIS"));
}

TEST_F(ReferenceIngestTest, ATableOfPeopleOrRecordsIsNeverAReferenceTable) {
  // A person's pseudonym: the table holds people.
  IngestRequest people = Postcodes(std::string(kPostcodeFields) + R"(,{"name":"BEN_NIR_PSA","type":"string"})", true);
  std::ofstream(people.csv_path, std::ios::binary) << "BDI_COD;BDI_DEP;BDI_LIB;BEN_NIR_PSA\n75001;075;P;x\n";
  EXPECT_THAT(ingester_->Ingest(people),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("BEN_NIR_PSA is a person's pseudonym")));
  // A table with record identifiers (claim lines), whatever its columns.
  IngestRequest records = Postcodes(kPostcodeFields, true);
  records.dataset = "ER_PHA_F";
  std::ofstream(records.schema_path) << R"({"name":"ER_PHA_F","fields":[)" << kPostcodeFields << "]}";
  EXPECT_THAT(ingester_->Ingest(records), StatusIs(StatusCode::kInvalidArgument, HasSubstr("record identifiers")));
  EXPECT_THAT(catalog_->ListPendingVersions().value(), IsEmpty());
  EXPECT_FALSE(catalog_->LatestCommittedVersion("ER_PHA_F").ok());
  EXPECT_FALSE(catalog_->LatestCommittedVersion("BDI_V").ok());
}

TEST_F(ReferenceIngestTest, ADatasetKeepsItsKind) {
  ASSERT_OK(ingester_->Ingest(Postcodes(kPostcodeFields, true)).status());
  IngestRequest extract = Postcodes(kPostcodeFields, false);
  std::ofstream(extract.csv_path, std::ios::binary) << "BDI_COD;BDI_DEP;BDI_LIB\n75002;075;PARIS 2E\n";
  EXPECT_THAT(ingester_->Ingest(extract), StatusIs(StatusCode::kInvalidArgument, HasSubstr("with --reference")));
  extract.reference = true;
  ASSERT_OK_AND_ASSIGN(IngestResult second, ingester_->Ingest(extract));
  EXPECT_EQ(second.version, 2);
  EXPECT_TRUE(IsReferenceVersion(catalog_->LatestCommittedVersion("BDI_V").value().version));
}

}  // namespace
}  // namespace hdhub::ingest

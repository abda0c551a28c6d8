// The drug reference table a synthetic extract carries (IR_PHA_R.csv and its
// schema): every CIP13 code dispensed is in it with exactly one ATC class,
// real-shaped, and an ATC class finds the drugs of a planted condition.
#include "hdhub/synth/drug_reference.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <sstream>

#include "hdhub/synth/drugs.h"
#include "hdhub/synth/synth_test_util.h"

namespace hdhub::synth {
namespace {

using namespace ::hdhub::synth::testing;  // NOLINT: test helpers

std::vector<std::string> Split(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream in(line);
  for (std::string cell; std::getline(in, cell, ';');) out.push_back(cell);
  return out;
}

// IR_PHA_R.csv's rows by CIP13, each a map of column to value; fails the
// test on a repeated code.
std::map<std::string, std::map<std::string, std::string>> ReadReference(const std::string& path) {
  std::stringstream in(ReadFile(path));
  std::string line;
  std::getline(in, line);
  std::vector<std::string> header = Split(line);
  std::map<std::string, std::map<std::string, std::string>> out;
  while (std::getline(in, line)) {
    std::vector<std::string> cells = Split(line);
    EXPECT_EQ(cells.size(), header.size()) << line;
    std::map<std::string, std::string> row;
    for (size_t i = 0; i < header.size() && i < cells.size(); ++i) row[header[i]] = cells[i];
    EXPECT_TRUE(out.emplace(row["PHA_CIP_C13"], row).second) << "CIP13 listed twice: " << row["PHA_CIP_C13"];
  }
  return out;
}

class DrugReferenceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<hdhub::testing::TempDir>();
    GenerateOrDie(dir_->Sub("x"), 3000, 11, 2);
  }
  static void TearDownTestSuite() { dir_.reset(); }
  static std::string Path(const std::string& file) { return dir_->Sub("x/" + file); }
  static inline std::unique_ptr<hdhub::testing::TempDir> dir_;
};

TEST_F(DrugReferenceTest, EveryDispensedCodeMapsToExactlyOneRealShapedAtcClass) {
  auto reference = ReadReference(Path("IR_PHA_R.csv"));
  EXPECT_EQ(reference.size(), kDrugs.size());
  std::set<std::string> dispensed;
  ForEachRow(Path("ER_PHA_F.csv"),
             [&](Fields f) { dispensed.insert(std::string(f[ColumnOf(kErPhaFColumns, "PHA_PRS_C13")])); });
  ASSERT_FALSE(dispensed.empty());
  const std::regex level5("[A-Z][0-9]{2}[A-Z]{2}[0-9]{2}"), level2("[A-Z][0-9]{2}");
  for (const std::string& cip13 : dispensed) {
    auto it = reference.find(cip13);
    ASSERT_NE(it, reference.end()) << "CIP13 " << cip13 << " is dispensed but not in IR_PHA_R";
    const auto& row = it->second;
    EXPECT_TRUE(std::regex_match(row.at("PHA_ATC_C07"), level5)) << cip13;
    EXPECT_TRUE(std::regex_match(row.at("PHA_ATC_C03"), level2)) << cip13;
    EXPECT_EQ(row.at("PHA_ATC_C03"), row.at("PHA_ATC_C07").substr(0, 3));
    EXPECT_FALSE(row.at("PHA_ATC_L07").empty()) << cip13;
    EXPECT_FALSE(row.at("PHA_ATC_L03").empty()) << cip13;
    EXPECT_EQ(row.at("PHA_PRS_IDE"), cip13.substr(5, 7));
  }
  // One label per class, whichever drug carries it.
  std::map<std::string, std::string> label_of;
  for (const auto& [cip13, row] : reference) {
    auto it = label_of.emplace(row.at("PHA_ATC_C07"), row.at("PHA_ATC_L07")).first;
    EXPECT_EQ(it->second, row.at("PHA_ATC_L07")) << row.at("PHA_ATC_C07");
  }
  EXPECT_EQ(label_of.at("A10BA02"), "METFORMINE");
  EXPECT_EQ(FindAtcGroup("A10BA02")->label, "MEDICAMENTS DU DIABETE");
}

TEST_F(DrugReferenceTest, AnAtcClassFindsExactlyTheDrugsOfAPlantedCondition) {
  auto reference = ReadReference(Path("IR_PHA_R.csv"));
  nlohmann::json manifest = ReadJson(Path("manifest.json"));
  std::map<std::string, std::set<std::string>> by_condition;
  for (const auto& c : manifest["conditions"]) {
    for (const auto& code : c["drug_codes"]) by_condition[c["id"].get<std::string>()].insert(code.get<std::string>());
  }
  std::set<std::string> antidiabetics;  // ATC A10: drugs used in diabetes
  for (const auto& [cip13, row] : reference) {
    if (row.at("PHA_ATC_C07").starts_with("A10")) antidiabetics.insert(cip13);
  }
  EXPECT_EQ(antidiabetics, by_condition["type2_diabetes"]);
  EXPECT_EQ(manifest["files"]["IR_PHA_R"]["rows"], reference.size());
  EXPECT_EQ(manifest["files"]["IR_PHA_R"]["reference"], true);
}

TEST_F(DrugReferenceTest, TheSchemaDescribesTheFileWithTheSndsNamesAndTypes) {
  nlohmann::json schema = ReadJson(Path("IR_PHA_R.json"));
  EXPECT_EQ(schema["name"], "IR_PHA_R");
  EXPECT_EQ(schema["primaryKey"], nlohmann::json::array({"PHA_CIP_C13"}));
  // The real IR_PHA_R's types (schema-snds, nomenclatures/DREES/IR_PHA_R.json), in its column order.
  const std::vector<std::pair<std::string, std::string>> snds = {
      {"PHA_CIP_C13", "integer"}, {"PHA_PRS_IDE", "integer"}, {"PHA_MED_NOM", "string"}, {"PHA_ATC_C07", "string"},
      {"PHA_ATC_L07", "string"},  {"PHA_ATC_C03", "string"},  {"PHA_ATC_L03", "string"}};
  std::vector<std::pair<std::string, std::string>> fields;
  for (const auto& f : schema["fields"]) {
    fields.emplace_back(f["name"].get<std::string>(), f["type"].get<std::string>());
    EXPECT_FALSE(f.value("title", "").empty()) << f["name"];
    EXPECT_FALSE(f.value("description", "").empty()) << f["name"];
  }
  EXPECT_EQ(fields, snds);
  std::stringstream csv(ReadFile(Path("IR_PHA_R.csv")));
  std::string header;
  std::getline(csv, header);
  std::vector<std::string> names;
  for (const auto& [name, type] : snds) names.push_back(name);
  EXPECT_EQ(Split(header), names);
}

}  // namespace
}  // namespace hdhub::synth

// A 20 000-person extract joined as the SNDS is: DCIR lines by their nine
// keys, PMSI stays by (ETA_NUM, RSA_NUM); care rates as the brief asks; the
// planted conditions found exactly as manifest.json says.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "hdhub/synth/calendar.h"
#include "hdhub/synth/synth_test_util.h"

namespace hdhub::synth {
namespace {

using namespace ::hdhub::synth::testing;  // NOLINT: test helpers

const std::vector<std::string> kDcirKeys = {"FLX_DIS_DTD", "FLX_TRT_DTD", "FLX_EMT_TYP", "FLX_EMT_NUM", "FLX_EMT_ORD",
                                            "ORG_CLE_NUM", "DCT_ORD_NUM", "PRS_ORD_NUM", "REM_TYP_AFF"};
const std::set<std::string> kPharmacyNatures = {"3313", "3312", "3341"};

std::vector<size_t> Positions(const std::string& path, const std::vector<std::string>& names) {
  auto col = ColumnMap(ReadHeader(path));
  std::vector<size_t> out;
  for (const std::string& n : names) out.push_back(static_cast<size_t>(col.at(n)));
  return out;
}

std::string Key(Fields row, const std::vector<size_t>& positions) {
  std::string key;
  for (size_t p : positions) {
    key += row[p];
    key += '|';
  }
  return key;
}

class LinksTest : public LargeExtractTest {};

TEST_F(LinksTest, DcirKeysAreUniqueAndEveryPharmacyRowJoinsItsLine) {
  std::vector<size_t> keys = Positions(Path("ER_PRS_F"), kDcirKeys);
  size_t nature = Positions(Path("ER_PRS_F"), {"BSE_PRS_NAT"})[0];
  std::unordered_set<std::string> lines;
  std::unordered_map<std::string, int> pharmacy_rows;  // pharmacy line key -> ER_PHA_F rows
  int64_t duplicates = 0;
  ForEachRow(Path("ER_PRS_F"), [&](Fields row) {
    std::string key = Key(row, keys);
    if (kPharmacyNatures.contains(std::string(row[nature]))) pharmacy_rows[key] = 0;
    if (!lines.insert(std::move(key)).second) ++duplicates;
  });
  EXPECT_EQ(duplicates, 0);
  std::vector<size_t> pha_keys = Positions(Path("ER_PHA_F"), kDcirKeys);
  size_t order = Positions(Path("ER_PHA_F"), {"PHA_ORD_NUM"})[0];
  int64_t orphans = 0;
  std::unordered_set<std::string> drug_lines;
  ForEachRow(Path("ER_PHA_F"), [&](Fields row) {
    std::string key = Key(row, pha_keys);
    auto it = pharmacy_rows.find(key);
    if (it == pharmacy_rows.end()) {
      ++orphans;
      return;
    }
    ++it->second;
    if (!drug_lines.insert(key + std::string(row[order])).second) ++duplicates;
  });
  EXPECT_EQ(orphans, 0);
  EXPECT_EQ(duplicates, 0);
  int64_t without_drugs = 0;
  for (const auto& [key, n] : pharmacy_rows) without_drugs += n == 0;
  EXPECT_GT(pharmacy_rows.size(), lines.size() / 5);
  EXPECT_EQ(without_drugs, 0);
}

// Rows of `table` per stay key (ETA_NUM, RSA_NUM); counts keys absent from `stays` in *orphans.
template <typename Stays>
std::unordered_map<std::string, int> RowsPerStay(const std::string& path, const Stays& stays, int64_t* orphans) {
  std::vector<size_t> keys = Positions(path, {"ETA_NUM", "RSA_NUM"});
  std::unordered_map<std::string, int> rows;
  ForEachRow(path, [&](Fields row) {
    std::string key = Key(row, keys);
    if (!stays.contains(key)) ++*orphans;
    ++rows[key];
  });
  return rows;
}

TEST_F(LinksTest, StaysJoinByEstablishmentAndRsaNumber) {
  std::vector<size_t> b_keys = Positions(Path("T_MCOaaB"), {"ETA_NUM", "RSA_NUM", "NBR_DGN", "NBR_ACT"});
  std::unordered_map<std::string, std::pair<int, int>> stays;  // key -> (NBR_DGN, NBR_ACT)
  int64_t duplicates = 0;
  ForEachRow(Path("T_MCOaaB"), [&](Fields row) {
    std::string key = Key(row, {b_keys[0], b_keys[1]});
    std::pair counts(std::stoi(std::string(row[b_keys[2]])), std::stoi(std::string(row[b_keys[3]])));
    if (!stays.emplace(key, counts).second) ++duplicates;
  });
  std::vector<size_t> c_keys = Positions(Path("T_MCOaaC"), {"ETA_NUM", "RSA_NUM"});
  std::unordered_set<std::string> identities;
  int64_t orphans = 0;
  ForEachRow(Path("T_MCOaaC"), [&](Fields row) {
    std::string key = Key(row, c_keys);
    if (!stays.contains(key)) ++orphans;
    if (!identities.insert(key).second) ++duplicates;
  });
  EXPECT_EQ(identities.size(), stays.size());  // one T_MCOaaC row per stay
  std::unordered_map<std::string, int> associated = RowsPerStay(Path("T_MCOaaD"), stays, &orphans);
  std::unordered_map<std::string, int> acts = RowsPerStay(Path("T_MCOaaA"), stays, &orphans);
  int64_t wrong_count = 0;
  for (const auto& [key, counts] : stays) {
    int found_diagnoses = associated.contains(key) ? associated.at(key) : 0;
    int found_acts = acts.contains(key) ? acts.at(key) : 0;
    if (found_diagnoses != counts.first || found_diagnoses > 3 || found_acts != counts.second) ++wrong_count;
  }
  EXPECT_GT(stays.size(), 1000u);
  EXPECT_EQ(duplicates, 0);
  EXPECT_EQ(orphans, 0);
  EXPECT_EQ(wrong_count, 0);
}

TEST_F(LinksTest, CareRatesMatchTheBrief) {
  nlohmann::json manifest = ReadJson(Dir() + "/manifest.json");
  double person_years = 0;
  for (const auto& [year, y] : manifest["population"].items()) person_years += y["person_years"].get<double>();
  double lines = manifest["files"]["ER_PRS_F"]["rows"].get<double>();
  double stays = manifest["files"]["T_MCOaaB"]["rows"].get<double>();
  EXPECT_NEAR(lines / person_years, 18, 2);
  EXPECT_NEAR(stays / person_years, 0.16, 0.02);

  // More care for the old: lines per person in 2021 by age that year.
  size_t day = Positions(Path("ER_PRS_F"), {"EXE_SOI_DTD"})[0];
  std::map<bool, double> lines_by_age, people_by_age;  // key: aged 75+
  int mid = FromCivil(2021, 7, 1);
  for (const auto& [nir, p] : People()) {
    if (p.birth < mid && p.death > FromCivil(2021, 12, 31)) people_by_age[AgeInYears(p.birth, mid) >= 75] += 1;
  }
  ForEachRow(Path("ER_PRS_F"), [&](Fields row) {
    if (row[day].substr(0, 4) != "2021") return;
    const RegisteredPerson& p = People().at(std::string(row[0]));
    if (p.death > FromCivil(2021, 12, 31) && p.birth < mid) lines_by_age[AgeInYears(p.birth, mid) >= 75] += 1;
  });
  EXPECT_GT(lines_by_age[true] / people_by_age[true], 1.5 * lines_by_age[false] / people_by_age[false]);
}

using TreatedPeople = std::map<std::pair<std::string, std::string>, std::set<std::string>>;

// (condition, year) -> the NIRs with a dispensation of the condition's drugs
// that year, found by joining ER_PHA_F to its ER_PRS_F line.
TreatedPeople TreatedFromFiles(const std::string& dir, const nlohmann::json& manifest) {
  std::unordered_map<std::string, std::string> condition_of_drug;
  for (const auto& c : manifest["conditions"]) {
    for (const auto& code : c["drug_codes"]) condition_of_drug[code.get<std::string>()] = c["id"];
  }
  std::vector<size_t> keys = Positions(dir + "/ER_PRS_F.csv", kDcirKeys);
  size_t day = Positions(dir + "/ER_PRS_F.csv", {"EXE_SOI_DTD"})[0];
  std::unordered_map<std::string, std::pair<std::string, std::string>> line_owner;  // key -> (NIR, year)
  ForEachRow(dir + "/ER_PRS_F.csv", [&](Fields row) {
    line_owner.emplace(Key(row, keys), std::pair(std::string(row[0]), std::string(row[day].substr(0, 4))));
  });
  TreatedPeople treated;
  std::vector<size_t> pha_keys = Positions(dir + "/ER_PHA_F.csv", kDcirKeys);
  size_t code = Positions(dir + "/ER_PHA_F.csv", {"PHA_PRS_C13"})[0];
  ForEachRow(dir + "/ER_PHA_F.csv", [&](Fields row) {
    auto c = condition_of_drug.find(std::string(row[code]));
    if (c == condition_of_drug.end()) return;
    const auto& [nir, year] = line_owner.at(Key(row, pha_keys));
    treated[{c->second, year}].insert(nir);
  });
  return treated;
}

TEST_F(LinksTest, PlantedConditionsAreFoundAsTheManifestSays) {
  nlohmann::json manifest = ReadJson(Dir() + "/manifest.json");
  TreatedPeople treated = TreatedFromFiles(Dir(), manifest);
  for (const auto& c : manifest["conditions"]) {
    for (const auto& [year, expected] : c["per_year"].items()) {
      const std::set<std::string>& found = treated[{c["id"], year}];
      int64_t not_opted_out = 0;
      for (const std::string& nir : found) not_opted_out += !People().at(nir).opted_out;
      EXPECT_EQ(static_cast<int64_t>(found.size()), expected["treated"].get<int64_t>()) << c["id"] << " " << year;
      EXPECT_EQ(not_opted_out, expected["treated_not_opted_out"].get<int64_t>()) << c["id"] << " " << year;
      EXPECT_LE(expected["treated"].get<int64_t>(), expected["prevalent"].get<int64_t>());
      EXPECT_GT(expected["treated"].get<int64_t>(), 0);
    }
  }
  // Diabetes reaches about 15 % after 70.
  int64_t old = 0, old_treated = 0;
  int mid = FromCivil(2023, 7, 1);
  for (const auto& [nir, p] : People()) {
    if (p.birth >= mid || AgeInYears(p.birth, mid) < 70 || p.death < FromCivil(2023, 12, 31)) continue;
    ++old;
    old_treated += treated[{"type2_diabetes", "2023"}].contains(nir);
  }
  EXPECT_NEAR(static_cast<double>(old_treated) / old, 0.15, 0.03);
}

TEST_F(LinksTest, InfarctionStaysAreCountedAsTheManifestSays) {
  nlohmann::json manifest = ReadJson(Dir() + "/manifest.json");
  std::string infarction = manifest["conditions"][1]["icd10"]["infarction_stay_principal"];
  std::map<std::string, int64_t> stays;  // year -> stays
  std::vector<size_t> b = Positions(Path("T_MCOaaB"), {"DGN_PAL", "SOR_ANN"});
  ForEachRow(Path("T_MCOaaB"), [&](Fields row) {
    if (row[b[0]] == infarction) ++stays[std::string(row[b[1]])];
  });
  int64_t total = 0;
  for (const auto& [year, expected] : manifest["conditions"][1]["per_year"].items()) {
    EXPECT_EQ(stays[year], expected["infarction_stays"].get<int64_t>()) << year;
    total += stays[year];
  }
  EXPECT_GT(total, 0);
}

TEST_F(LinksTest, ManifestRowCountsMatchTheFiles) {
  nlohmann::json manifest = ReadJson(Dir() + "/manifest.json");
  int64_t total = 0;
  for (const auto& [table, file] : manifest["files"].items()) {
    int64_t rows = CountRows(Dir() + "/" + file["file"].get<std::string>());
    EXPECT_EQ(rows, file["rows"].get<int64_t>()) << table;
    if (!file.value("reference", false)) total += rows;  // the drug reference table is not the extract's
  }
  EXPECT_EQ(total, manifest["total_rows"].get<int64_t>());
  EXPECT_EQ(manifest["people"].get<int64_t>(), kPeople);
  EXPECT_EQ(manifest["files"]["IR_BEN_R"]["rows"].get<int64_t>(), kPeople);
  EXPECT_EQ(manifest["files"]["OPTOUT"]["rows"].get<int64_t>(), manifest["opt_out_people"].get<int64_t>());
}

}  // namespace
}  // namespace hdhub::synth

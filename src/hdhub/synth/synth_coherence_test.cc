// A 20 000-person extract read back as a researcher would: identities agree
// across tables, NIRs are valid and coherent, nobody gets care before birth
// or after death, and the population looks like France's.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>

#include "hdhub/pseudo/nir.h"
#include "hdhub/synth/calendar.h"
#include "hdhub/synth/synth_test_util.h"

namespace hdhub::synth {
namespace {

using namespace ::hdhub::synth::testing;  // NOLINT: test helpers


class CoherenceTest : public LargeExtractTest {};

TEST_F(CoherenceTest, NirsAreValidUniqueAndCoherentWithBirthAndSex) {
  auto col = ColumnMap(ReadHeader(Path("IR_BEN_R")));
  std::set<std::string> nirs;
  std::map<std::string, int64_t> birthplaces;  // "2A", "97", "99", …
  int64_t incoherent = 0;
  ForEachRow(Path("IR_BEN_R"), [&](Fields row) {
    std::string_view nir = row[0];
    CivilDate birth = ToCivil(DaysFromIso(row[1]));
    char yy[3], mm[3];
    WriteTwoDigits(yy, birth.year % 100);
    WriteTwoDigits(mm, birth.month);
    bool ok = pseudo::CheckNir(nir) == pseudo::NirError::kOk && nir.substr(0, 1) == row[2] &&
              nir.substr(1, 2) == std::string_view(yy, 2) && nir.substr(3, 2) == std::string_view(mm, 2) &&
              row[static_cast<size_t>(col.at("BEN_SEX_COD"))] == row[2] &&
              row[static_cast<size_t>(col.at("BEN_NAI_ANN"))] == row[1].substr(0, 4) &&
              row[static_cast<size_t>(col.at("BEN_NAI_MOI"))] == row[1].substr(5, 2);
    if (!ok) ++incoherent;
    nirs.insert(std::string(nir));
    ++birthplaces[std::string(nir.substr(5, 2))];
  });
  EXPECT_EQ(incoherent, 0);
  EXPECT_EQ(static_cast<int64_t>(nirs.size()), kPeople);
  EXPECT_GT(birthplaces["2A"] + birthplaces["2B"] + birthplaces["20"], 0);  // Corsica
  EXPECT_GT(birthplaces["97"], 0);                                        // overseas
  double abroad = static_cast<double>(birthplaces["99"]) / kPeople;
  EXPECT_GT(abroad, 0.05);
  EXPECT_LT(abroad, 0.15);
}

TEST_F(CoherenceTest, EveryPersonRowAgreesWithTheRegister) {
  for (std::string table : {"ER_PRS_F", "T_MCOaaC", "KI_CCI_R", "OPTOUT"}) {
    int64_t rows = 0, unknown = 0, different = 0;
    ForEachRow(Path(table), [&](Fields row) {
      ++rows;
      auto it = People().find(std::string(row[0]));
      if (it == People().end()) {
        ++unknown;
      } else if (it->second.birth != DaysFromIso(row[1]) || it->second.sex != (row[2] == "1" ? 1 : 2)) {
        ++different;
      }
    });
    EXPECT_GT(rows, 0) << table;
    EXPECT_EQ(unknown, 0) << table;
    EXPECT_EQ(different, 0) << table;
  }
}

TEST_F(CoherenceTest, NoCareBeforeBirthOrAfterDeath) {
  auto prs = ColumnMap(ReadHeader(Path("ER_PRS_F")));
  size_t care = static_cast<size_t>(prs.at("EXE_SOI_DTD"));
  size_t prescribed = static_cast<size_t>(prs.at("PRE_PRE_DTD"));
  int64_t outside = 0;
  ForEachRow(Path("ER_PRS_F"), [&](Fields row) {
    const RegisteredPerson& p = People().at(std::string(row[0]));
    int day = DaysFromIso(row[care]);
    if (day < p.birth || day > p.death) ++outside;
    if (!row[prescribed].empty() && DaysFromIso(row[prescribed]) < p.birth) ++outside;
  });
  EXPECT_EQ(outside, 0);
  auto mco = ColumnMap(ReadHeader(Path("T_MCOaaC")));
  ForEachRow(Path("T_MCOaaC"), [&](Fields row) {
    const RegisteredPerson& p = People().at(std::string(row[0]));
    int entry = DaysFromDdMmYyyy(row[static_cast<size_t>(mco.at("ENT_DAT"))]);
    int exit = DaysFromDdMmYyyy(row[static_cast<size_t>(mco.at("SOR_DAT"))]);
    if (entry < p.birth || exit > p.death || exit < entry) ++outside;
  });
  EXPECT_EQ(outside, 0);
}

TEST_F(CoherenceTest, EachDeathHasOneCauseRowAndHospitalDeathsEndThatDay) {
  int64_t deaths = 0;
  for (const auto& [nir, p] : People()) deaths += p.death != RegisteredPerson::kNoDeath;
  auto cci = ColumnMap(ReadHeader(Path("KI_CCI_R")));
  std::set<std::string> dead;
  int64_t wrong_date = 0;
  ForEachRow(Path("KI_CCI_R"), [&](Fields row) {
    dead.insert(std::string(row[0]));
    if (People().at(std::string(row[0])).death != DaysFromIso(row[static_cast<size_t>(cci.at("BEN_DCD_DTE"))])) {
      ++wrong_date;
    }
  });
  EXPECT_GT(deaths, 0);
  EXPECT_EQ(static_cast<int64_t>(dead.size()), deaths);
  EXPECT_EQ(CountRows(Path("KI_CCI_R")), deaths);
  EXPECT_EQ(wrong_date, 0);

  // Stays ending in death (SOR_MOD 9) end on the day of death.
  auto b = ColumnMap(ReadHeader(Path("T_MCOaaB")));
  std::set<std::string> died_in_stay;  // ETA_NUM|RSA_NUM
  ForEachRow(Path("T_MCOaaB"), [&](Fields row) {
    if (row[static_cast<size_t>(b.at("SOR_MOD"))] == "9") {
      died_in_stay.insert(std::string(row[static_cast<size_t>(b.at("ETA_NUM"))]) + "|" +
                          std::string(row[static_cast<size_t>(b.at("RSA_NUM"))]));
    }
  });
  auto c = ColumnMap(ReadHeader(Path("T_MCOaaC")));
  int64_t checked = 0, wrong = 0;
  ForEachRow(Path("T_MCOaaC"), [&](Fields row) {
    std::string key = std::string(row[static_cast<size_t>(c.at("ETA_NUM"))]) + "|" +
                      std::string(row[static_cast<size_t>(c.at("RSA_NUM"))]);
    if (!died_in_stay.contains(key)) return;
    ++checked;
    if (DaysFromDdMmYyyy(row[static_cast<size_t>(c.at("SOR_DAT"))]) != People().at(std::string(row[0])).death) ++wrong;
  });
  EXPECT_GT(checked, deaths / 4);  // about half of deaths are in hospital
  EXPECT_EQ(checked, static_cast<int64_t>(died_in_stay.size()));
  EXPECT_EQ(wrong, 0);
}

TEST_F(CoherenceTest, PopulationLooksLikeFrance) {
  int start = FromCivil(2019, 1, 1);
  std::map<std::string, double> share;
  double alive = 0, men = 0, old = 0, old_women = 0, opted_out = 0;
  for (const auto& [nir, p] : People()) {
    opted_out += p.opted_out;
    if (p.birth >= start) continue;
    int age = AgeInYears(p.birth, start);
    ++alive;
    men += p.sex == 1;
    share[age < 20 ? "0-19" : age < 60 ? "20-59" : "60+"] += 1;
    if (age >= 80) {
      ++old;
      old_women += p.sex == 2;
    }
  }
  // INSEE 2019: 24 % under 20, 50 % 20-59, 26 % 60 and over; 48.4 % men; women are 64 % of the 80+.
  EXPECT_NEAR(share["0-19"] / alive, 0.235, 0.025);
  EXPECT_NEAR(share["20-59"] / alive, 0.50, 0.03);
  EXPECT_NEAR(share["60+"] / alive, 0.265, 0.025);
  EXPECT_NEAR(men / alive, 0.485, 0.015);
  EXPECT_NEAR(old_women / old, 0.63, 0.05);
  EXPECT_NEAR(opted_out / kPeople, 0.01, 0.003);

  nlohmann::json manifest = ReadJson(Dir() + "/manifest.json");
  for (const auto& [year, y] : manifest["population"].items()) {
    double alive_in_year = y["alive"].get<double>();
    EXPECT_NEAR(y["deaths"].get<double>() / alive_in_year, 0.0095, 0.003) << year;
    EXPECT_NEAR(y["births"].get<double>() / alive_in_year, 0.0106, 0.003) << year;
  }
}

}  // namespace
}  // namespace hdhub::synth

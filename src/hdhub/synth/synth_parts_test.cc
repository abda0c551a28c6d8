// The parts of the generator: calendar formats, CSV rows, identities,
// condition schedules and drug codes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "hdhub/pseudo/nir.h"
#include "hdhub/synth/calendar.h"
#include "hdhub/synth/conditions.h"
#include "hdhub/synth/csv_row.h"
#include "hdhub/synth/drugs.h"
#include "hdhub/synth/identity.h"

namespace hdhub::synth {
namespace {

std::string Format(char* (*writer)(char*, const CivilDate&), Day d) {
  char buffer[32];
  return std::string(buffer, writer(buffer, ToCivil(d)));
}

TEST(CalendarTest, WritesTheSchemaFormats) {
  Day d = FromCivil(2007, 1, 2);
  EXPECT_EQ(Format(WriteIsoDate, d), "2007-01-02");
  EXPECT_EQ(Format(WriteDdMmYyyy, d), "02012007");
  EXPECT_EQ(Format(WriteMonth, d), "01");
  EXPECT_EQ(Format(WriteYearMonth, d), "200701");
  EXPECT_EQ(Format(WriteYear, d), "2007");
  char buffer[32];
  EXPECT_EQ(std::string(buffer, WriteDateTime(buffer, ToCivil(FromCivil(2019, 12, 31)), 22 * 3600 + 12 * 60 + 17)),
            "31Dec2019:22:12:17");
  EXPECT_EQ(Format(WriteIsoDate, FromCivil(1912, 2, 29)), "1912-02-29");
}

TEST(CalendarTest, AgesCountCompletedYearsAndMonths) {
  Day birth = FromCivil(2000, 3, 15);
  EXPECT_EQ(AgeInYears(birth, FromCivil(2020, 3, 14)), 19);
  EXPECT_EQ(AgeInYears(birth, FromCivil(2020, 3, 15)), 20);
  EXPECT_EQ(AgeInMonths(birth, FromCivil(2000, 4, 14)), 0);
  EXPECT_EQ(AgeInMonths(birth, FromCivil(2001, 4, 15)), 13);
  CivilDate next = NextMonthStart(ToCivil(FromCivil(2023, 12, 17)));
  EXPECT_EQ(FromCivil(next.year, next.month, next.day), FromCivil(2024, 1, 1));
}

TEST(CsvRowTest, FillsHolesBetweenFixedAndEmptyColumns) {
  constexpr std::array<std::string_view, 5> kColumns = {"A", "B", "C", "D", "E"};
  RowLayout layout(kColumns, {{1, "fixed"}}, {0, 3});
  EXPECT_EQ(layout.header(), "A,B,C,D,E\n");
  RowBuilder row(&layout);
  ByteBuffer out;
  row.BeginPerson();
  row.Text(0, "person");
  row.BeginRows();
  row.Cents(3, 1205);
  row.EndRow(out);
  row.EndRow(out);  // the row value is gone, the person value stays
  row.BeginPerson();
  row.Padded(3, 42, 5);
  row.BeginRows();
  row.EndRow(out);
  EXPECT_EQ(out.view(), "person,fixed,,12.05,\nperson,fixed,,,\n,fixed,,00042,\n");
}

TEST(CsvRowTest, SettingAColumnThatIsNotAHoleOrIsAlreadyKeptAborts) {
  constexpr std::array<std::string_view, 2> kColumns = {"A", "B"};
  RowLayout layout(kColumns, {}, {0});
  RowBuilder row(&layout);
  EXPECT_DEATH(row.Int(1, 7), "");
  row.BeginPerson();
  row.Int(0, 1);
  row.BeginRows();
  EXPECT_DEATH(row.Int(0, 2), "");  // kept for the whole person
}

TEST(IdentityTest, NirsAreValidAndNeverRepeat) {
  IdentityAllocator allocator(42, {2019, 2023}, 0.01);
  std::set<std::string> seen;
  int opted_out = 0;
  constexpr int kPeople = 200000;
  for (int i = 0; i < kPeople; ++i) {
    Identity who = allocator.Next();
    ASSERT_EQ(who.index, i);
    ASSERT_EQ(pseudo::CheckNir(who.Nir()), pseudo::NirError::kOk) << i;
    ASSERT_TRUE(seen.insert(std::string(who.Nir())).second) << "NIR repeated at person " << i;
    opted_out += who.opted_out;
  }
  EXPECT_NEAR(opted_out / double(kPeople), 0.01, 0.002);
}

TEST(IdentityTest, AnIdentityDependsOnlyOnTheSeedAndIndex) {
  IdentityAllocator a(1, {2019, 2023}, 0.01);
  IdentityAllocator b(1, {2019, 2023}, 0.01);
  IdentityAllocator c(2, {2019, 2023}, 0.01);
  for (int i = 0; i < 100; ++i) {
    Identity x = a.Next();
    Identity y = b.Next();
    Identity z = c.Next();
    EXPECT_EQ(x.Nir(), y.Nir());
    EXPECT_EQ(x.birth, y.birth);
    EXPECT_FALSE(x.birth == z.birth && x.Nir() == z.Nir());
  }
}

TEST(ConditionsTest, RefillsDoNotDependOnHowTheSpanIsCut) {
  ConditionState s;
  s.onset = FromCivil(2015, 6, 1);
  s.refill_days = 30;
  s.schedule_key = 99;
  std::vector<Day> whole, by_year;
  ForEachRefill(s, Condition::kDiabetes, FromCivil(2019, 1, 1), FromCivil(2023, 12, 31),
                [&](Day d) { whole.push_back(d); });
  for (int y = 2019; y <= 2023; ++y) {
    ForEachRefill(s, Condition::kDiabetes, YearStart(y), YearEnd(y), [&](Day d) { by_year.push_back(d); });
  }
  EXPECT_EQ(whole, by_year);
  EXPECT_NEAR(whole.size(), 5 * 365 / 30.0, 2);
  for (size_t i = 1; i < whole.size(); ++i) EXPECT_GT(whole[i], whole[i - 1]);
}

TEST(ConditionsTest, DiabetesPrevalenceRisesWithAge) {
  auto share = [](int age) {
    int with = 0;
    constexpr int kDraws = 20000;
    Day birth = FromCivil(1940, 1, 1);
    Day at = birth + static_cast<Day>(age * 365.25);
    for (int i = 0; i < kDraws; ++i) {
      Rng rng(9, static_cast<uint64_t>(i), Stream::kLife);
      with += DrawCondition(rng, Condition::kDiabetes, 1 + i % 2, birth).HasBy(at);
    }
    return static_cast<double>(with) / kDraws;
  };
  EXPECT_LT(share(25), 0.01);
  EXPECT_NEAR(share(50), 0.05, 0.01);
  EXPECT_NEAR(share(75), 0.16, 0.015);
}

TEST(DrugsTest, CipCodesAre13DigitsWithAnEanCheckDigit) {
  EXPECT_EQ(Cip13(9500011), 3400995000110);
  EXPECT_EQ(Cip13(9510108), 3400995101084);
  std::set<int64_t> codes;
  for (const Drug& d : kDrugs) {
    int64_t code = Cip13(d.cip7);
    EXPECT_EQ(std::to_string(code).substr(0, 5), "34009");
    EXPECT_EQ(std::to_string(code).size(), 13u);
    EXPECT_TRUE(codes.insert(code).second) << d.name;
  }
}

}  // namespace
}  // namespace hdhub::synth

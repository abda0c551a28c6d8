// A frame's rows mapped onto its dimensions (FrameDataBuilder), table outputs
// over it (ParseTableOutput), and the whole pure path end to end: declaration,
// dimensions, rows, MeasureData, airlock::Protect, the certificate's CSV.
#include "hdhub/exports/frame_data.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "hdhub/airlock/protection.h"
#include "hdhub/common/status_matchers.h"
#include "hdhub/exports/certificate.h"
#include "hdhub/exports/frame_test_util.h"
#include "hdhub/exports/table_output.h"

namespace hdhub::exports {
namespace {

using ::hdhub::testing::IsOk;
using ::hdhub::testing::StatusIs;
using nlohmann::json;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using Values = std::vector<std::optional<std::string>>;

// People (unit person): sex, age bands, department under region.
json CohortFrame() {
  return json::parse(R"({"frame": "cohort", "unit": "person", "person": "person",
    "sql": "SELECT BEN_NIR_PSA AS person, BEN_SEX_COD AS sex, 2023 - BEN_NAI_ANN AS age, BEN_RES_DPT AS dept FROM IR_BEN_R",
    "dimensions": [
      {"name": "sex", "column": "sex", "values": ["1", "2"]},
      {"name": "age", "column": "age", "bands": [0, 18, 40, 65, 80]},
      {"name": "dept", "column": "dept", "nomenclature": {"table": "IR_DPT_V", "code": "GEO_DPT_COD", "parent": "GEO_REG_COD"}}]})");
}

// Stays with their cost: sex and department.
json StaysFrame() {
  json j = CohortFrame();
  j["frame"] = "stays";
  j["unit"] = "stay";
  j["amount"] = "cost";
  j["dimensions"].erase(1);
  return j;
}

struct Built {
  FrameDeclaration frame;
  std::vector<airlock::Dimension> dimensions;
  FrameDataBuilder builder;
};

Built Build(const json& declaration) {
  FrameDeclaration frame = ParseFrame(declaration.dump()).value();
  ReferenceRows refs{{"dept", testing::A10References().at("dept")}};
  std::vector<airlock::Dimension> dims = BuildDimensions(frame, refs).value();
  FrameDataBuilder builder = FrameDataBuilder::Create(frame, dims).value();
  return {std::move(frame), std::move(dims), std::move(builder)};
}

std::map<std::vector<std::string>, int64_t> CountsOf(const airlock::MeasureData& data) {
  std::map<std::vector<std::string>, int64_t> out;
  for (const airlock::AtomCount& c : data.counts) out[c.leaves] += c.count;
  return out;
}

TEST(FrameDataTest, BandsSplitAt18AndTheLastBandIsOpen) {
  Built b = Build(CohortFrame());
  uint64_t person = 0;
  for (const char* age : {"0", "17", "18", "79", "80", "104"}) {
    ASSERT_OK(b.builder.Add(++person, Values{"1", age, "075"}, std::nullopt));
  }
  ASSERT_OK_AND_ASSIGN(airlock::MeasureData data, b.builder.Finish(Measure::kCount));
  EXPECT_EQ(data.kind, airlock::MeasureKind::kCount);
  using Leaves = std::vector<std::string>;
  const std::map<Leaves, int64_t> expected = {
      {{"1", "0-17", "075"}, 2}, {{"1", "18-39", "075"}, 1}, {{"1", "65-79", "075"}, 1}, {{"1", "80+", "075"}, 2}};
  EXPECT_EQ(CountsOf(data), expected);
}

TEST(FrameDataTest, AValueThatIsNotALeafIsRefusedWithoutNamingIt) {
  Built b = Build(CohortFrame());
  const Status region = b.builder.Add(1, Values{"1", "45", "11"}, std::nullopt);  // a region, not a department
  EXPECT_THAT(region,
              StatusIs(StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("frame cohort, dimension dept: a value is not one of"), Not(HasSubstr("11")))));
  const Status unlisted = b.builder.Add(1, Values{"7QX", "45", "075"}, std::nullopt);
  EXPECT_THAT(unlisted, StatusIs(StatusCode::kInvalidArgument,
                                 AllOf(HasSubstr("frame cohort, dimension sex"), Not(HasSubstr("7QX")))));
  const Status fraction = b.builder.Add(1, Values{"1", "45.5", "075"}, std::nullopt);
  EXPECT_THAT(fraction,
              StatusIs(StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("dimension age: a value is not a whole number"), Not(HasSubstr("45.5")))));
  const Status below = b.builder.Add(1, Values{"1", "-3", "075"}, std::nullopt);
  EXPECT_THAT(below,
              StatusIs(StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("dimension age: a value is below the first band"), Not(HasSubstr("-3")))));
  EXPECT_EQ(b.builder.rows(), 0);
}

TEST(FrameDataTest, ANullValueIsRefused) {
  Built b = Build(CohortFrame());
  EXPECT_THAT(b.builder.Add(1, Values{"1", "45", std::nullopt}, std::nullopt),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("frame cohort, dimension dept: a value is NULL")));
  EXPECT_THAT(b.builder.Add(1, Values{"1", "45"}, std::nullopt),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("frame cohort: a row has 2 dimension values, not 3")));
  EXPECT_THAT(b.builder.Add(1, Values{"1", "45", "075"}, 2.0),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("the frame has none")));
}

TEST(FrameDataTest, APersonInTwoRowsOfAPersonFrameIsRefused) {
  Built b = Build(CohortFrame());
  ASSERT_OK(b.builder.Add(7, Values{"1", "45", "075"}, std::nullopt));
  const Status again = b.builder.Add(7, Values{"2", "30", "069"}, std::nullopt);
  EXPECT_THAT(again,
              StatusIs(StatusCode::kInvalidArgument,
                       ::testing::Eq(std::string("a person appears twice in frame cohort, whose unit is person"))));
  EXPECT_EQ(b.builder.rows(), 1);
}

std::vector<std::tuple<std::vector<std::string>, uint64_t, double>> Flat(const airlock::MeasureData& data) {
  std::vector<std::tuple<std::vector<std::string>, uint64_t, double>> out;
  for (const airlock::Contribution& c : data.contributions) out.emplace_back(c.leaves, c.contributor, c.value);
  return out;
}

struct StayRow {
  uint64_t person;
  Values values;
  std::optional<double> cost;
};
const std::vector<StayRow> kStays = {{1, {"1", "075"}, 10.0},
                                     {1, {"1", "075"}, 5.5},
                                     {2, {"1", "075"}, 3.0},
                                     {1, {"2", "069"}, 1.0},
                                     {1, {"1", "075"}, 0.25}};

TEST(FrameDataTest, UnitsCountRowsAndSumsAddAmountsPerPersonAndAtom) {
  Built b = Build(StaysFrame());
  for (const StayRow& r : kStays) ASSERT_OK(b.builder.Add(r.person, r.values, r.cost));
  ASSERT_OK_AND_ASSIGN(airlock::MeasureData units, b.builder.Finish(Measure::kUnits));
  using Leaves = std::vector<std::string>;
  using C = std::tuple<Leaves, uint64_t, double>;
  EXPECT_EQ(units.kind, airlock::MeasureKind::kMagnitude);
  EXPECT_THAT(Flat(units), ElementsAre(C{{"1", "075"}, 1, 3.0}, C{{"1", "075"}, 2, 1.0}, C{{"2", "069"}, 1, 1.0}));
  ASSERT_OK_AND_ASSIGN(airlock::MeasureData sum, b.builder.Finish(Measure::kSum));
  EXPECT_THAT(Flat(sum), ElementsAre(C{{"1", "075"}, 1, 15.75}, C{{"1", "075"}, 2, 3.0}, C{{"2", "069"}, 1, 1.0}));
  EXPECT_THAT(b.builder.Finish(Measure::kCount), StatusIs(StatusCode::kInvalidArgument, HasSubstr("frame stays")));
}

TEST(FrameDataTest, TheOrderOfTheRowsDoesNotChangeTheData) {
  Built forward = Build(StaysFrame());
  Built backward = Build(StaysFrame());
  for (const StayRow& r : kStays) ASSERT_OK(forward.builder.Add(r.person, r.values, r.cost));
  for (auto r = kStays.rbegin(); r != kStays.rend(); ++r)
    ASSERT_OK(backward.builder.Add(r->person, r->values, r->cost));
  EXPECT_EQ(Flat(forward.builder.Finish(Measure::kSum).value()), Flat(backward.builder.Finish(Measure::kSum).value()));
}

TEST(FrameDataTest, SumsRefuseNegativeAndNullAmounts) {
  Built negative = Build(StaysFrame());
  ASSERT_OK(negative.builder.Add(1, Values{"1", "075"}, -4.0));
  EXPECT_THAT(negative.builder.Finish(Measure::kSum),
              StatusIs(StatusCode::kFailedPrecondition,
                       AllOf(HasSubstr("frame stays: an amount is negative"), Not(HasSubstr("4")))));
  EXPECT_THAT(negative.builder.Finish(Measure::kUnits), IsOk());
  Built null = Build(StaysFrame());
  ASSERT_OK(null.builder.Add(1, Values{"1", "075"}, std::nullopt));
  EXPECT_THAT(null.builder.Finish(Measure::kSum),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("an amount is NULL")));
  EXPECT_THAT(null.builder.Finish(Measure::kUnits), IsOk());
}

TEST(FrameDataTest, DimensionsOfAnotherFrameAreRefused) {
  Built b = Build(CohortFrame());
  std::vector<airlock::Dimension> dims = b.dimensions;
  dims.pop_back();
  EXPECT_THAT(FrameDataBuilder::Create(b.frame, dims), StatusIs(StatusCode::kInvalidArgument));
  dims = b.dimensions;
  dims[1].codes.pop_back();  // one band short
  EXPECT_THAT(FrameDataBuilder::Create(b.frame, dims),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("dimension age")));
}

json SexOutput() {
  return json::parse(R"({"output": "o", "kind": "table", "frame": "cohort", "measure": "count",
    "tables": [{"id": "by-sex", "dimensions": [{"dimension": "sex"}]},
               {"id": "women-by-region", "dimensions": [{"dimension": "sex", "filter": "2"},
                                                        {"dimension": "dept", "codes": ["11", "84"]}]}]})");
}

TEST(TableOutputTest, TablesGetTheOutputsPrefixAndKeepTheirCodes) {
  Built b = Build(CohortFrame());
  ASSERT_OK_AND_ASSIGN(TableOutput out, ParseTableOutput(SexOutput().dump(), b.frame, b.dimensions));
  EXPECT_EQ(out.measure, Measure::kCount);
  EXPECT_EQ(out.declaration.name, "o");
  EXPECT_EQ(out.declaration.measure, "count");
  ASSERT_EQ(out.tables.size(), 2u);
  EXPECT_EQ(out.tables[0].id, "o/by-sex");
  EXPECT_EQ(out.declaration.tables[0].id, "by-sex");
  EXPECT_EQ(out.tables[1].id, "o/women-by-region");
  ASSERT_EQ(out.tables[1].dimensions.size(), 2u);
  EXPECT_THAT(out.tables[1].dimensions[0].codes, ElementsAre("2"));
  EXPECT_THAT(out.tables[1].dimensions[1].codes, ElementsAre("11", "84"));
}

TEST(TableOutputTest, UnknownDimensionsCodesAndMeasuresAreRefused) {
  Built b = Build(CohortFrame());
  auto parse = [&](const json& j) { return ParseTableOutput(j.dump(), b.frame, b.dimensions); };
  json j = SexOutput();
  j["tables"][0]["dimensions"][0]["dimension"] = "atc";
  EXPECT_THAT(parse(j),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("output o, table by-sex: dimension atc is not")));
  j = SexOutput();
  j["tables"][1]["dimensions"][1]["codes"] = json::array({"11", "X75Q"});
  EXPECT_THAT(parse(j),
              StatusIs(StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("table women-by-region, dimension dept: a code"), Not(HasSubstr("X75Q")))));
  j = SexOutput();
  j["measure"] = "units";
  EXPECT_THAT(parse(j), StatusIs(StatusCode::kInvalidArgument, HasSubstr("output o: frame cohort: measure units")));
  j = SexOutput();
  j["frame"] = "a10";
  EXPECT_THAT(parse(j), StatusIs(StatusCode::kInvalidArgument, HasSubstr("output o: field frame")));
  j = SexOutput();
  j["tables"][1]["dimensions"][0]["codes"] = json::array({"1"});
  EXPECT_THAT(parse(j), StatusIs(StatusCode::kInvalidArgument, HasSubstr("field filter cannot be combined")));
  j = SexOutput();
  j["tables"][1]["id"] = "by-sex";
  EXPECT_THAT(parse(j), StatusIs(StatusCode::kInvalidArgument, HasSubstr("table by-sex is declared twice")));
  j = SexOutput();
  j["tables"][0]["dimensions"].push_back(json::object({{"dimension", "sex"}}));
  EXPECT_THAT(parse(j), StatusIs(StatusCode::kInvalidArgument, HasSubstr("dimension sex is listed twice")));
  j = SexOutput();
  j["kind"] = "figure";
  EXPECT_THAT(parse(j), StatusIs(StatusCode::kInvalidArgument, HasSubstr("field kind is not table")));
  j = SexOutput();
  j["tables"][0]["title"] = "x";
  EXPECT_THAT(parse(j), StatusIs(StatusCode::kInvalidArgument, HasSubstr("table by-sex: unknown field title")));
}

// docs §10's "TenPeopleSuppressedElevenPublished", through a frame.
TEST(FrameEndToEndTest, TenPeopleAreSuppressedAndElevenPublished) {
  Built b = Build(CohortFrame());
  const char* depts[] = {"001", "02A", "069", "075", "092"};
  uint64_t person = 0;
  for (int i = 0; i < 10; ++i) ASSERT_OK(b.builder.Add(++person, Values{"1", "45", depts[i % 5]}, std::nullopt));
  for (int i = 0; i < 11; ++i) ASSERT_OK(b.builder.Add(++person, Values{"2", "30", depts[i % 5]}, std::nullopt));
  json j = SexOutput();
  j["tables"].erase(1);
  ASSERT_OK_AND_ASSIGN(TableOutput out, ParseTableOutput(j.dump(), b.frame, b.dimensions));
  ASSERT_OK_AND_ASSIGN(airlock::MeasureData data, b.builder.Finish(out.measure));
  ASSERT_OK_AND_ASSIGN(airlock::ProtectionResult result,
                       airlock::Protect({.dimensions = b.dimensions, .tables = out.tables, .data = data}));
  ASSERT_EQ(result.outcome, airlock::Outcome::kPass);
  const Frame frame = CertificateFrame(b.frame, b.dimensions);
  ASSERT_OK_AND_ASSIGN(Output output, BuildTableOutput(out.declaration, frame, result));
  EXPECT_EQ(RenderTableCsv(frame, output), "table,sex,age,dept,value\nby-sex,1,*,*,\nby-sex,2,*,*,11\n");
}

}  // namespace
}  // namespace hdhub::exports

// Frame declarations: parsing and its errors, the two queries, and the
// airlock dimensions of every kind (docs/airlock-workflow.md §2.1), on the
// SNDS reference tables' real columns and codes (IR_DPT_V, IR_SEX_V, ATC).
#include "hdhub/exports/frame.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hdhub/common/status_matchers.h"
#include "hdhub/exports/frame_test_util.h"
#include "hdhub/exports/request_flow.h"

namespace hdhub::exports {
namespace {

using ::hdhub::testing::IsOk;
using ::hdhub::testing::StatusIs;
using nlohmann::json;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace ::hdhub::exports::testing;  // NOLINT: the shared fixtures of the frame tests

std::vector<std::string> CodesOf(const airlock::Dimension& d) {
  std::vector<std::string> out;
  for (const airlock::Code& c : d.codes) out.push_back(c.code);
  return out;
}

std::string ParentOf(const airlock::Dimension& d, const std::string& code) {
  for (const airlock::Code& c : d.codes) {
    if (c.code == code) return c.parent;
  }
  return "(absent)";
}

TEST(FrameTest, ParsesTheWorkflowExample) {
  ASSERT_OK_AND_ASSIGN(FrameDeclaration f, ParseFrame(A10Frame().dump()));
  EXPECT_EQ(f.name, "a10");
  EXPECT_EQ(f.unit, "person_year_class");
  EXPECT_FALSE(f.unit_is_person());
  EXPECT_EQ(f.person, "person");
  EXPECT_FALSE(f.amount.has_value());
  ASSERT_EQ(f.dimensions.size(), 5u);
  EXPECT_EQ(f.dimensions[0].kind, DimensionKind::kRange);
  EXPECT_EQ(f.dimensions[0].from, 2019);
  EXPECT_EQ(f.dimensions[0].to, 2023);
  EXPECT_THAT(f.dimensions[1].values, ElementsAre("1", "2", "0", "9"));
  EXPECT_THAT(f.dimensions[2].bands, ElementsAre(0, 18, 40, 65, 80));
  EXPECT_EQ(f.dimensions[3].nomenclature.table, "IR_DPT_V");
  EXPECT_EQ(f.dimensions[3].nomenclature.parent, "GEO_REG_COD");
  EXPECT_EQ(f.dimensions[4].nomenclature.code, "PHA_ATC_C07");
  EXPECT_THAT(f.dimensions[4].prefixes, ElementsAre(1, 3, 4, 5));
  EXPECT_EQ(FrameSqlSha256(f).size(), 64u);
}

TEST(FrameTest, QueryWrapsTheSqlSoOnlyRanksOfPersonsLeave) {
  ASSERT_OK_AND_ASSIGN(FrameDeclaration f, ParseFrame(A10Frame().dump()));
  EXPECT_EQ(FrameQuery(f),
            "SELECT dense_rank() OVER (ORDER BY \"person\") AS contributor, CAST(\"year\" AS VARCHAR) AS d0, "
            "CAST(\"sex\" AS VARCHAR) AS d1, CAST(\"age\" AS VARCHAR) AS d2, CAST(\"dept\" AS VARCHAR) AS d3, "
            "CAST(\"atc\" AS VARCHAR) AS d4 FROM (\n" +
                f.sql + "\n) AS frame");
}

TEST(FrameTest, QueryCarriesTheAmountAsADouble) {
  json j = A10Frame();
  j["amount"] = "cost";
  ASSERT_OK_AND_ASSIGN(FrameDeclaration f, ParseFrame(j.dump()));
  EXPECT_THAT(FrameQuery(f), HasSubstr("CAST(\"atc\" AS VARCHAR) AS d4, CAST(\"cost\" AS DOUBLE) AS amount FROM (\n"));
}

TEST(FrameTest, ReferenceQueriesReadCodesAndParentsAsText) {
  ASSERT_OK_AND_ASSIGN(FrameDeclaration f, ParseFrame(A10Frame().dump()));
  EXPECT_THAT(
      ReferenceQuery(f.dimensions[3]),
      ::hdhub::testing::IsOkAndHolds(std::string(
          "SELECT DISTINCT CAST(\"GEO_DPT_COD\" AS VARCHAR), CAST(\"GEO_REG_COD\" AS VARCHAR) FROM \"IR_DPT_V\"")));
  EXPECT_THAT(ReferenceQuery(f.dimensions[4]),
              ::hdhub::testing::IsOkAndHolds(
                  std::string("SELECT DISTINCT CAST(\"PHA_ATC_C07\" AS VARCHAR) FROM \"IR_PHA_R\"")));
  EXPECT_THAT(ReferenceQuery(f.dimensions[1]), StatusIs(StatusCode::kInvalidArgument, HasSubstr("dimension sex")));
}

struct BadFrame {
  std::string what;
  std::string pointer;  // JSON pointer into the example
  json value;           // null: remove the member
  std::string message;
};

class FrameErrorTest : public ::testing::TestWithParam<BadFrame> {};

TEST_P(FrameErrorTest, IsRefusedNamingFrameDimensionAndField) {
  json j = A10Frame();
  const BadFrame& bad = GetParam();
  const json::json_pointer ptr(bad.pointer);
  if (bad.value.is_null()) {
    j[ptr.parent_pointer()].erase(ptr.back());
  } else {
    j[ptr] = bad.value;
  }
  StatusOr<FrameDeclaration> f = ParseFrame(j.dump());
  EXPECT_THAT(f, StatusIs(StatusCode::kInvalidArgument, HasSubstr(bad.message))) << bad.what;
  // A valid name may be named (names reach the log by design); anything
  // else the author wrote must not be echoed.
  if (bad.value.is_string() && !IsExportName(bad.value.get<std::string>())) {
    EXPECT_THAT(f.status().message(), Not(HasSubstr(bad.value.get<std::string>())));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Declarations, FrameErrorTest,
    ::testing::Values(
        BadFrame{"column with a quote", "/dimensions/0/column", "year\" OR 1=1",
                 "frame a10, dimension year: field column"},
        BadFrame{"column with a space", "/dimensions/0/column", "my year", "frame a10, dimension year: field column"},
        BadFrame{"table with a space", "/dimensions/3/nomenclature/table", "IR DPT V",
                 "frame a10, dimension dept, field nomenclature: field table"},
        BadFrame{"person with a quote", "/person", "per\"son", "frame a10: field person"},
        BadFrame{"frame name in capitals", "/frame", "A10!", "frame: field frame is not a name"},
        BadFrame{"dimension name", "/dimensions/1/name", "Sex", "frame a10, dimension 2: field name"},
        BadFrame{"range reversed", "/dimensions/0/range", json{{"from", 2023}, {"to", 2019}},
                 "frame a10, dimension year: field range has from greater than to"},
        BadFrame{"range too wide", "/dimensions/0/range", json{{"from", 0}, {"to", 10000}},
                 "dimension year: field range spans more than 10000 codes"},
        BadFrame{"range not whole", "/dimensions/0/range/from", 2019.5, "field range: field from"},
        BadFrame{"range unknown field", "/dimensions/0/range/step", 1, "field range: unknown field step"},
        BadFrame{"bands not increasing", "/dimensions/2/bands", json{0, 40, 18},
                 "dimension age: field bands is not strictly"},
        BadFrame{"bands repeated", "/dimensions/2/bands", json{0, 18, 18},
                 "dimension age: field bands is not strictly"},
        BadFrame{"no band", "/dimensions/2/bands", json::array(), "dimension age: field bands must hold 1"},
        BadFrame{"prefix zero", "/dimensions/4/prefixes", json{0, 3}, "dimension atc: field prefixes"},
        BadFrame{"prefixes decreasing", "/dimensions/4/prefixes", json{3, 1}, "dimension atc: field prefixes is not"},
        BadFrame{"prefixes with a parent", "/dimensions/3/prefixes", json::array({1}),
                 "dimension dept: field prefixes cannot"},
        BadFrame{"prefixes without nomenclature", "/dimensions/1/prefixes", json::array({1}),
                 "dimension sex: field prefixes needs"},
        BadFrame{"values repeated", "/dimensions/1/values", json{"1", "1"},
                 "dimension sex: field values lists a code twice"},
        BadFrame{"values empty code", "/dimensions/1/values", json{"1", ""}, "dimension sex: field values holds"},
        BadFrame{"values star", "/dimensions/1/values", json{"1", "*"}, "dimension sex: field values holds"},
        BadFrame{"values numbers", "/dimensions/1/values", json{1, 2}, "dimension sex: field values holds"},
        BadFrame{"two kinds", "/dimensions/1/bands", json::array({0}), "dimension sex: needs exactly one of"},
        BadFrame{"no kind", "/dimensions/1/values", nullptr, "dimension sex: needs exactly one of"},
        BadFrame{"repeated name", "/dimensions/1/name", "year", "frame a10: dimension year is declared twice"},
        BadFrame{"repeated column, other case", "/dimensions/1/column", "YEAR",
                 "dimension sex: field column is already"},
        BadFrame{"column is the person", "/dimensions/1/column", "Person", "dimension sex: field column is already"},
        BadFrame{"unknown top field", "/units", "x", "frame a10: unknown field units"},
        BadFrame{"unknown field, odd name", "/ex tra", "x", "frame a10: an unknown field"},
        BadFrame{"unknown dimension field", "/dimensions/0/label", "x", "dimension year: unknown field label"},
        BadFrame{"unknown nomenclature field", "/dimensions/3/nomenclature/label", "x",
                 "dimension dept, field nomenclature: unknown field label"},
        BadFrame{"blank sql", "/sql", "  \n", "frame a10: field sql is empty"},
        BadFrame{"missing person", "/person", nullptr, "frame a10: field person is missing"},
        BadFrame{"no dimension", "/dimensions", json::array(), "frame a10: field dimensions must hold 1"}),
    [](const ::testing::TestParamInfo<BadFrame>& info) { return "Case" + std::to_string(info.index); });

TEST(FrameTest, AmountWithUnitPersonIsRefusedEvenWhenValid) {
  json j = A10Frame();
  j["unit"] = "person";
  EXPECT_THAT(ParseFrame(j.dump()), IsOk());
  j["amount"] = "cost";
  EXPECT_THAT(ParseFrame(j.dump()), StatusIs(StatusCode::kInvalidArgument, HasSubstr("field amount is not allowed")));
}

TEST(FrameTest, MalformedJsonIsRefused) {
  EXPECT_THAT(ParseFrame("{\"frame\": \"a10\""), StatusIs(StatusCode::kInvalidArgument, HasSubstr("not valid JSON")));
  EXPECT_THAT(ParseFrame("[]"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("not a JSON object")));
}

TEST(FrameDimensionsTest, ValuesRangesAndBandsGiveFlatCodes) {
  ASSERT_OK_AND_ASSIGN(FrameDeclaration f, ParseFrame(A10Frame().dump()));
  ASSERT_OK_AND_ASSIGN(std::vector<airlock::Dimension> dims, BuildDimensions(f, A10References()));
  ASSERT_EQ(dims.size(), 5u);
  EXPECT_EQ(dims[0].name, "year");
  EXPECT_THAT(CodesOf(dims[0]), ElementsAre("2019", "2020", "2021", "2022", "2023"));
  EXPECT_THAT(CodesOf(dims[1]), ElementsAre("1", "2", "0", "9"));  // IR_SEX_V.SEX_COD, as declared
  EXPECT_THAT(CodesOf(dims[2]), ElementsAre("0-17", "18-39", "40-64", "65-79", "80+"));
  for (int i = 0; i < 3; ++i) {
    for (const airlock::Code& c : dims[i].codes) EXPECT_EQ(c.parent, "") << dims[i].name;
  }
}

TEST(FrameDimensionsTest, DepartmentsSitUnderTheirRegions) {
  ASSERT_OK_AND_ASSIGN(FrameDeclaration f, ParseFrame(A10Frame().dump()));
  ASSERT_OK_AND_ASSIGN(std::vector<airlock::Dimension> dims, BuildDimensions(f, A10References()));
  // Regions first (top level), then departments, each level sorted.
  EXPECT_THAT(CodesOf(dims[3]), ElementsAre("11", "84", "94", "001", "02A", "069", "075", "092"));
  EXPECT_EQ(ParentOf(dims[3], "075"), "11");
  EXPECT_EQ(ParentOf(dims[3], "092"), "11");
  EXPECT_EQ(ParentOf(dims[3], "069"), "84");
  EXPECT_EQ(ParentOf(dims[3], "02A"), "94");
  EXPECT_EQ(ParentOf(dims[3], "11"), "");
}

TEST(FrameDimensionsTest, AtcCodesSitUnderTheirPrefixLevels) {
  ASSERT_OK_AND_ASSIGN(FrameDeclaration f, ParseFrame(A10Frame().dump()));
  ASSERT_OK_AND_ASSIGN(std::vector<airlock::Dimension> dims, BuildDimensions(f, A10References()));
  const airlock::Dimension& atc = dims[4];
  EXPECT_THAT(CodesOf(atc), ElementsAre("A", "A10", "A10B", "A10BA", "A10BB", "A10BA02", "A10BB01"));
  EXPECT_EQ(ParentOf(atc, "A10BA02"), "A10BA");
  EXPECT_EQ(ParentOf(atc, "A10BA"), "A10B");
  EXPECT_EQ(ParentOf(atc, "A10B"), "A10");
  EXPECT_EQ(ParentOf(atc, "A10"), "A");
  EXPECT_EQ(ParentOf(atc, "A"), "");
  EXPECT_EQ(ParentOf(atc, "A10BB01"), "A10BB");
}

TEST(FrameDimensionsTest, TheOrderOfReferenceRowsDoesNotMatter) {
  ASSERT_OK_AND_ASSIGN(FrameDeclaration f, ParseFrame(A10Frame().dump()));
  ReferenceRows refs = A10References();
  ASSERT_OK_AND_ASSIGN(std::vector<airlock::Dimension> a, BuildDimensions(f, refs));
  for (auto& [name, rows] : refs) std::reverse(rows.begin(), rows.end());
  refs["dept"].push_back(refs["dept"].front());  // a repeated row changes nothing either
  ASSERT_OK_AND_ASSIGN(std::vector<airlock::Dimension> b, BuildDimensions(f, refs));
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].codes.size(), b[i].codes.size());
    for (size_t k = 0; k < a[i].codes.size(); ++k) {
      EXPECT_EQ(a[i].codes[k].code, b[i].codes[k].code);
      EXPECT_EQ(a[i].codes[k].parent, b[i].codes[k].parent);
    }
  }
}

TEST(FrameDimensionsTest, BadReferenceRowsAreRefusedByPosition) {
  ASSERT_OK_AND_ASSIGN(FrameDeclaration f, ParseFrame(A10Frame().dump()));
  ReferenceRows refs = A10References();
  refs["dept"][2].code = std::nullopt;
  EXPECT_THAT(BuildDimensions(f, refs), StatusIs(StatusCode::kInvalidArgument,
                                                 HasSubstr("frame a10, dimension dept: reference row 3 has a NULL")));
  refs = A10References();
  refs["atc"][1].code = "";
  EXPECT_THAT(BuildDimensions(f, refs),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("dimension atc: reference row 2 has a NULL or empty")));
  refs = A10References();
  refs["dept"].push_back({"075", "84"});
  EXPECT_THAT(BuildDimensions(f, refs), StatusIs(StatusCode::kInvalidArgument, HasSubstr("a second parent")));
  refs = A10References();
  refs["dept"] = {{"075", "11"}, {"11", "075"}};
  EXPECT_THAT(BuildDimensions(f, refs),
              StatusIs(StatusCode::kInvalidArgument, AllOf(HasSubstr("dimension dept"), Not(HasSubstr("075")))));
  refs = A10References();
  refs.erase("atc");
  EXPECT_THAT(BuildDimensions(f, refs),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("dimension atc: the reference rows are missing")));
  refs = A10References();
  refs["sex"] = {{"1", std::nullopt}};
  EXPECT_THAT(BuildDimensions(f, refs),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("dimension sex, which is not")));
  refs = A10References();
  refs["dept"].clear();
  EXPECT_THAT(BuildDimensions(f, refs), StatusIs(StatusCode::kInvalidArgument, HasSubstr("has no rows")));
}

TEST(FrameMeasureTest, CountIsForPeopleAndSumNeedsAnAmount) {
  ASSERT_OK_AND_ASSIGN(FrameDeclaration f, ParseFrame(A10Frame().dump()));
  EXPECT_THAT(CheckMeasure(f, Measure::kUnits), IsOk());
  EXPECT_THAT(CheckMeasure(f, Measure::kCount), StatusIs(StatusCode::kInvalidArgument, HasSubstr("frame a10")));
  EXPECT_THAT(CheckMeasure(f, Measure::kSum), StatusIs(StatusCode::kInvalidArgument, HasSubstr("amount")));
  f.amount = "cost";
  EXPECT_THAT(CheckMeasure(f, Measure::kSum), IsOk());
  f.unit = "person";
  f.amount.reset();
  EXPECT_THAT(CheckMeasure(f, Measure::kCount), IsOk());
  EXPECT_THAT(CheckMeasure(f, Measure::kUnits), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseMeasure("sum"), ::hdhub::testing::IsOkAndHolds(Measure::kSum));
  EXPECT_THAT(ParseMeasure("mean"), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace hdhub::exports

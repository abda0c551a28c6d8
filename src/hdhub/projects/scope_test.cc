#include "hdhub/projects/scope.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hdhub/common/status_matchers.h"

namespace hdhub::projects {
namespace {

using ::hdhub::testing::StatusIs;
using ::testing::HasSubstr;

TEST(ScopeTest, ParsesAndIsCanonical) {
  ASSERT_OK_AND_ASSIGN(ProjectScope a,
                       ProjectScope::Parse(R"({"population": {"sex": [2, 1], "departments": ["093", "075"],
      "birth_year": {"from": 1950, "to": 1980}}, "years": {"from": 2019, "to": 2023},
      "tables": {"ER_PRS_F": ["PRS_NAT_REF", "EXE_SOI_DTD", "EXE_SOI_DTD"], "IR_BEN_R": ["*"]}})"));
  EXPECT_EQ(a.tables.at("ER_PRS_F"), (std::vector<std::string>{"EXE_SOI_DTD", "PRS_NAT_REF"}));
  EXPECT_EQ(a.years->from, 2019);
  EXPECT_EQ(a.population.sexes, (std::vector<int>{1, 2}));
  ASSERT_OK_AND_ASSIGN(ProjectScope b, ProjectScope::Parse(a.ToJson()));
  EXPECT_EQ(a.ToJson(), b.ToJson());
  EXPECT_EQ(a.Digest(), b.Digest());
  ASSERT_OK_AND_ASSIGN(ProjectScope c, ProjectScope::Parse(R"({"tables": {"ER_PRS_F": ["*"]}})"));
  EXPECT_NE(a.Digest(), c.Digest());
  EXPECT_TRUE(c.population.empty());
}

TEST(ScopeTest, RefusesWhatIsNotAScopeNamingTheField) {
  EXPECT_THAT(ProjectScope::Parse("[]"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ProjectScope::Parse("{}"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("tables")));
  EXPECT_THAT(ProjectScope::Parse(R"({"tables": {"ER_PRS_F": []}})"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("tables.ER_PRS_F")));
  EXPECT_THAT(ProjectScope::Parse(R"({"tables": {"ER PRS": ["*"]}})"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ProjectScope::Parse(R"({"tables": {"A": ["x; DROP TABLE y"]}})"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ProjectScope::Parse(R"({"tables": {"A": ["*"]}, "years": {"from": 2023, "to": 2019}})"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("years")));
  EXPECT_THAT(ProjectScope::Parse(R"({"tables": {"A": ["*"]}, "population": {"sex": [3]}})"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("sex")));
  EXPECT_THAT(ProjectScope::Parse(R"({"tables": {"A": ["*"]}, "population": {"departments": ["75'"]}})"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("departments")));
  EXPECT_THAT(ProjectScope::Parse(R"({"tables": {"A": ["*"]}, "population": {"sql": "1=1"}})"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("unknown filter")));
  EXPECT_THAT(ProjectScope::Parse(R"({"tables": {"A": ["*"]}, "where": "1=1"})"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("unknown key")));
}

// A number beyond an int is refused, never wrapped: 4294969296 once became
// the year 2000 and 4294967297 the sex 1.
TEST(ScopeTest, RefusesNumbersBeyondAnIntInsteadOfWrappingThem) {
  EXPECT_THAT(ProjectScope::Parse(R"({"tables": {"A": ["*"]}, "years": {"from": 4294969296, "to": 2020}})"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("years")));
  EXPECT_THAT(ProjectScope::Parse(R"({"tables": {"A": ["*"]}, "years": {"from": 2019, "to": 18446744073709551615}})"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("years")));
  EXPECT_THAT(ProjectScope::Parse(R"({"tables": {"A": ["*"]}, "population": {"sex": [4294967297]}})"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("sex")));
}

}  // namespace
}  // namespace hdhub::projects

#include "hdhub/airlock/disclosure_rules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "hdhub/common/status_matchers.h"

namespace hdhub::airlock {
namespace {

using ::hdhub::testing::IsOk;
using ::hdhub::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using json = nlohmann::json;

StatusOr<DisclosureRules> Parse(std::string_view text, const DisclosureRules& base = {}) {
  return DisclosureRules::FromJson(json::parse(text), base);
}

// Every member differs from the defaults, each in the stricter direction.
DisclosureRules StricterOnEveryMember() {
  return DisclosureRules{.min_count = 20,
                         .zeros = Outcome::kSuppress,
                         .dominance_n = 3,
                         .dominance_k_percent = 87.5,
                         .p_percent = 12.25,
                         .negative_contributions = Outcome::kSuppress,
                         .min_residual_dof = 30,
                         .max_rows = 100,
                         .max_bytes = 4096};
}

// Each JSON text is refused with InvalidArgument and a message holding its part.
void ExpectEachRefused(const std::vector<std::pair<std::string, std::string>>& cases) {
  for (const auto& [text, message] : cases) {
    EXPECT_THAT(Parse(text), StatusIs(StatusCode::kInvalidArgument, HasSubstr(message))) << text;
  }
}

TEST(AirlockDisclosureRulesTest, DefaultsAreTheIssuesSafeDefaults) {
  DisclosureRules r;
  EXPECT_EQ(r.min_count, 11);
  EXPECT_EQ(r.zeros, Outcome::kReview);
  EXPECT_EQ(r.dominance_n, 2);
  EXPECT_EQ(r.dominance_k_percent, 90.0);
  EXPECT_EQ(r.p_percent, 10.0);
  EXPECT_EQ(r.negative_contributions, Outcome::kReview);
  EXPECT_EQ(r.min_residual_dof, 10);
  EXPECT_EQ(r.max_rows, 5000);
  EXPECT_EQ(r.max_bytes, 16 * 1024 * 1024);
  EXPECT_THAT(r.Validate(), IsOk());
}

TEST(AirlockDisclosureRulesTest, ToJsonWritesEveryMember) {
  EXPECT_EQ(DisclosureRules{}.ToJson(), json::parse(R"({"min_count": 11, "zeros": "review", "dominance_n": 2,
      "dominance_k_percent": 90.0, "p_percent": 10.0, "negative_contributions": "review",
      "min_residual_dof": 10, "max_rows": 5000, "max_bytes": 16777216})"));
}

TEST(AirlockDisclosureRulesTest, FromJsonReadsBackWhatToJsonWrote) {
  const DisclosureRules r = StricterOnEveryMember();
  ASSERT_OK_AND_ASSIGN(DisclosureRules back, DisclosureRules::FromJson(r.ToJson()));
  EXPECT_EQ(back, r);
}

TEST(AirlockDisclosureRulesTest, FromJsonKeepsTheBaseForMembersItDoesNotName) {
  EXPECT_THAT(Parse("{}"), ::hdhub::testing::IsOkAndHolds(DisclosureRules{}));
  DisclosureRules base{.min_count = 15, .p_percent = 20};
  ASSERT_OK_AND_ASSIGN(DisclosureRules r, Parse(R"({"max_rows": 10, "zeros": "pass"})", base));
  EXPECT_EQ(r.min_count, 15);
  EXPECT_EQ(r.p_percent, 20);
  EXPECT_EQ(r.max_rows, 10);
  EXPECT_EQ(r.zeros, Outcome::kPass);
}

TEST(AirlockDisclosureRulesTest, FromJsonAcceptsAWholeNumberWrittenWithAFraction) {
  ASSERT_OK_AND_ASSIGN(DisclosureRules r, Parse(R"({"min_count": 12.0, "dominance_k_percent": 85})"));
  EXPECT_EQ(r.min_count, 12);
  EXPECT_EQ(r.dominance_k_percent, 85.0);
}

TEST(AirlockDisclosureRulesTest, FromJsonRefusesWhatIsNotAnObject) {
  for (const char* text : {"[]", "null", "11", "\"min_count\""}) {
    EXPECT_THAT(Parse(text), StatusIs(StatusCode::kInvalidArgument, HasSubstr("JSON object"))) << text;
  }
}

TEST(AirlockDisclosureRulesTest, FromJsonRefusesAnUnknownMemberNamingIt) {
  EXPECT_THAT(Parse(R"({"min_count": 11, "threshold": 5})"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("unknown member \"threshold\"")));
  // Names are exact: no case folding, no aliases.
  EXPECT_THAT(Parse(R"({"Min_Count": 11})"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("\"Min_Count\"")));
}

TEST(AirlockDisclosureRulesTest, FromJsonRefusesAValueOfTheWrongTypeNamingTheMember) {
  ExpectEachRefused({
      {R"({"min_count": "11"})", "\"min_count\" must be a whole number"},
      {R"({"min_count": 11.5})", "\"min_count\" must be a whole number"},
      {R"({"min_count": true})", "\"min_count\" must be a whole number"},
      {R"({"max_bytes": 1e30})", "\"max_bytes\" must be a whole number"},
      {R"({"dominance_n": null})", "\"dominance_n\" must be a whole number"},
      {R"({"dominance_k_percent": "90"})", "\"dominance_k_percent\" must be a number"},
      {R"({"p_percent": [10]})", "\"p_percent\" must be a number"},
      {R"({"zeros": 1})", "\"zeros\" must be a string"},
      {R"({"zeros": "maybe"})", "\"zeros\": unknown outcome \"maybe\""},
      {R"({"negative_contributions": false})", "\"negative_contributions\" must be a string"},
  });
}

TEST(AirlockDisclosureRulesTest, FromJsonRefusesAValueOutOfRangeNamingTheMember) {
  ExpectEachRefused({
      {R"({"min_count": 0})", "\"min_count\" must be at least 1"},
      {R"({"min_count": -11})", "\"min_count\" must be at least 1"},
      {R"({"zeros": "refuse"})", "\"zeros\" must be"},
      {R"({"dominance_n": 0})", "\"dominance_n\" must be at least 1"},
      {R"({"dominance_k_percent": 0})", "\"dominance_k_percent\" must be more than 0 and at most 100"},
      {R"({"dominance_k_percent": -5})", "\"dominance_k_percent\""},
      {R"({"dominance_k_percent": 100.5})", "\"dominance_k_percent\""},
      {R"({"p_percent": 0})", "\"p_percent\" must be more than 0 and less than 100"},
      {R"({"p_percent": 100})", "\"p_percent\""},
      {R"({"negative_contributions": "pass"})", "\"negative_contributions\" must be"},
      {R"({"negative_contributions": "refuse"})", "\"negative_contributions\" must be"},
      {R"({"min_residual_dof": 0})", "\"min_residual_dof\" must be at least 1"},
      {R"({"max_rows": 0})", "\"max_rows\" must be at least 1"},
      {R"({"max_bytes": -1})", "\"max_bytes\" must be at least 1"},
  });
}

TEST(AirlockDisclosureRulesTest, FromJsonAcceptsTheEndsOfEachRange) {
  EXPECT_THAT(Parse(R"({"min_count": 1, "dominance_n": 1, "min_residual_dof": 1, "max_rows": 1, "max_bytes": 1})"),
              IsOk());
  EXPECT_THAT(Parse(R"({"dominance_k_percent": 100})"), IsOk());
  EXPECT_THAT(Parse(R"({"dominance_k_percent": 0.001, "p_percent": 99.999})"), IsOk());
  EXPECT_THAT(Parse(R"({"p_percent": 0.001})"), IsOk());
  EXPECT_THAT(Parse(R"({"min_count": 9223372036854775807})"), IsOk());
}

TEST(AirlockDisclosureRulesTest, ValidateRefusesNotANumber) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_THAT((DisclosureRules{.dominance_k_percent = nan}).Validate(),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("dominance_k_percent")));
  EXPECT_THAT((DisclosureRules{.p_percent = nan}).Validate(),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("p_percent")));
  EXPECT_THAT((DisclosureRules{.p_percent = inf}).Validate(), StatusIs(StatusCode::kInvalidArgument));
}

TEST(AirlockTightenTest, AcceptsTheHubsOwnRules) {
  EXPECT_THAT(Tighten(DisclosureRules{}, DisclosureRules{}), ::hdhub::testing::IsOkAndHolds(DisclosureRules{}));
}

TEST(AirlockTightenTest, AcceptsAProjectStricterOnEveryMember) {
  const DisclosureRules strict = StricterOnEveryMember();
  EXPECT_THAT(Tighten(DisclosureRules{}, strict), ::hdhub::testing::IsOkAndHolds(strict));
}

// Each member loosened by the smallest step, alone: refused, naming it.
TEST(AirlockTightenTest, RefusesEachMemberLoosenedAlone) {
  const std::vector<std::pair<std::string, std::function<void(DisclosureRules&)>>> cases = {
      {"min_count", [](DisclosureRules& r) { r.min_count = 10; }},
      {"zeros", [](DisclosureRules& r) { r.zeros = Outcome::kPass; }},
      {"dominance_n", [](DisclosureRules& r) { r.dominance_n = 1; }},
      {"dominance_k_percent", [](DisclosureRules& r) { r.dominance_k_percent = std::nextafter(90.0, 100.0); }},
      {"p_percent", [](DisclosureRules& r) { r.p_percent = std::nextafter(10.0, 0.0); }},
      {"min_residual_dof", [](DisclosureRules& r) { r.min_residual_dof = 9; }},
      {"max_rows", [](DisclosureRules& r) { r.max_rows = kDefaultMaxRows + 1; }},
      {"max_bytes", [](DisclosureRules& r) { r.max_bytes = kDefaultMaxBytes + 1; }},
  };
  for (const auto& [member, loosen] : cases) {
    DisclosureRules project;
    loosen(project);
    ASSERT_THAT(project.Validate(), IsOk()) << member;
    EXPECT_THAT(Tighten(DisclosureRules{}, project),
                StatusIs(StatusCode::kInvalidArgument, HasSubstr("\"" + member + "\" is")))
        << member;
  }
  // negative_contributions has only review and suppress: loosen from a hub at suppress.
  DisclosureRules hub{.negative_contributions = Outcome::kSuppress};
  EXPECT_THAT(Tighten(hub, DisclosureRules{}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("\"negative_contributions\" is")));
}

TEST(AirlockTightenTest, NamesBothValues) {
  EXPECT_THAT(Tighten(DisclosureRules{}, DisclosureRules{.min_count = 5}),
              StatusIs(StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("\"min_count\" is 5 for the project, 11 for the hub"), HasSubstr("tighten"))));
  EXPECT_THAT(
      Tighten(DisclosureRules{.zeros = Outcome::kSuppress}, DisclosureRules{}),
      StatusIs(StatusCode::kInvalidArgument, HasSubstr("\"zeros\" is \"review\" for the project, \"suppress\"")));
}

TEST(AirlockTightenTest, RefusesRulesOutOfRangeOnEitherSide) {
  EXPECT_THAT(Tighten(DisclosureRules{.min_count = 0}, DisclosureRules{}),
              StatusIs(StatusCode::kInvalidArgument, AllOf(HasSubstr("the hub's rules"), HasSubstr("min_count"))));
  EXPECT_THAT(Tighten(DisclosureRules{}, DisclosureRules{.p_percent = 100}),
              StatusIs(StatusCode::kInvalidArgument, AllOf(HasSubstr("the project's rules"), HasSubstr("p_percent"))));
}

TEST(AirlockProjectRulesTest, InheritTheHubsMembersItDoesNotName) {
  DisclosureRules hub{.min_count = 20, .max_rows = 1000};
  ASSERT_OK_AND_ASSIGN(DisclosureRules r, ProjectRulesFromJson(json::parse(R"({"p_percent": 20})"), hub));
  EXPECT_EQ(r.min_count, 20);
  EXPECT_EQ(r.max_rows, 1000);
  EXPECT_EQ(r.p_percent, 20);
}

TEST(AirlockProjectRulesTest, RefuseLooseningTheHub) {
  DisclosureRules hub{.min_count = 20};
  // Stricter than the defaults, looser than this hub.
  EXPECT_THAT(ProjectRulesFromJson(json::parse(R"({"min_count": 15})"), hub),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("\"min_count\" is 15 for the project, 20 for the hub")));
  EXPECT_THAT(ProjectRulesFromJson(json::parse(R"({"zeros": "pass"})"), hub),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("\"zeros\"")));
  EXPECT_THAT(ProjectRulesFromJson(json::parse(R"({"min_count": 25, "zeros": "suppress"})"), hub), IsOk());
}

TEST(AirlockProjectRulesTest, ReportParseErrorsBeforeLoosening) {
  EXPECT_THAT(ProjectRulesFromJson(json::parse(R"({"min_count": 5, "colour": 1})"), DisclosureRules{}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("unknown member \"colour\"")));
}

}  // namespace
}  // namespace hdhub::airlock

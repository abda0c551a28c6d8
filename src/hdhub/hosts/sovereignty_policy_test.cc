#include "hdhub/hosts/sovereignty_policy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hdhub/common/status_matchers.h"

namespace hdhub::hosts {
namespace {

using ::hdhub::testing::IsOk;
using ::hdhub::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

Day D(std::string_view text) { return *ParseDay(text, "test day"); }
// Noon on 2026-12-03: the day of every decision below.
TimePoint Today() { return TimePoint(D("2026-12-03")) + std::chrono::hours(12); }

Qualification Q(std::string scheme, std::string_view from, std::string_view until) {
  return Qualification{.scheme = std::move(scheme),
                       .reference = "REF-1",
                       .valid_from = D(from),
                       .valid_until = D(until),
                       .evidence = "https://cyber.gouv.fr/list"};
}

// A host meeting every criterion of the default policy.
HostRecord Sovereign() {
  HostRecord r;
  r.spec =
      HostSpec{.name = "outscale-par",
               .uri = "s3://oos.eu-west-2.outscale.com/hub",
               .jurisdiction = "FR",
               .operator_name = "3DS Outscale",
               .owner_jurisdiction = "FR",
               .qualifications = {Q(kHds, "2024-01-01", "2027-01-01"), Q(kSecNumCloud, "2024-01-01", "2027-01-01")}};
  return r;
}

const Criterion* Find(const PlacementDecision& d, std::string_view name) {
  for (const Criterion& c : d.criteria) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

TEST(SovereigntyPolicyTest, AllowsAnEuHostOwnedInTheEuWithBothQualificationsInForce) {
  PlacementDecision d = Evaluate(Sovereign(), SovereigntyPolicy{}, Today());
  EXPECT_TRUE(d.allowed);
  EXPECT_FALSE(d.exempted);
  EXPECT_THAT(d.AsStatus(), IsOk());
  ASSERT_EQ(d.criteria.size(), 4u);
  for (const Criterion& c : d.criteria) EXPECT_TRUE(c.met) << c.name;
  EXPECT_THAT(Find(d, "qualification:HDS")->why, HasSubstr("in force on 2026-12-03"));
}

void ExpectOnlyFails(const HostRecord& host, std::string_view criterion, std::string_view why) {
  PlacementDecision d = Evaluate(host, SovereigntyPolicy{}, Today());
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.FailedCriteria(), criterion);
  EXPECT_THAT(Find(d, criterion)->why, HasSubstr(why));
  EXPECT_THAT(d.AsStatus(), StatusIs(StatusCode::kFailedPrecondition, HasSubstr(std::string(criterion))));
  EXPECT_THAT(d.AsStatus(), StatusIs(StatusCode::kFailedPrecondition, HasSubstr("host " + host.spec.name)));
}

TEST(SovereigntyPolicyTest, AllowsAQualificationValidUntilToday) {
  HostRecord host = Sovereign();
  host.spec.qualifications[1] = Q(kSecNumCloud, "2023-12-03", "2026-12-03");
  EXPECT_TRUE(Evaluate(host, SovereigntyPolicy{}, Today()).allowed);
  // …and refuses it the next day.
  EXPECT_FALSE(Evaluate(host, SovereigntyPolicy{}, Today() + std::chrono::hours(24)).allowed);
}

TEST(SovereigntyPolicyTest, AllowsAQualificationFromItsFirstDay) {
  HostRecord host = Sovereign();
  host.spec.qualifications[1] = Q(kSecNumCloud, "2026-12-03", "2029-12-03");
  EXPECT_TRUE(Evaluate(host, SovereigntyPolicy{}, Today()).allowed);
}

TEST(SovereigntyPolicyTest, RefusesAQualificationThatLapsedYesterdayOrStartsTomorrow) {
  struct Case {
    Qualification q;
    std::string_view criterion, why;
  };
  for (const Case& c :
       {Case{Q(kHds, "2023-12-03", "2026-12-02"), "qualification:HDS", "lapsed, not in force on 2026-12-03"},
        Case{Q(kSecNumCloud, "2026-12-04", "2029-12-04"), "qualification:SecNumCloud",
             "not yet in force on 2026-12-03"}}) {
    HostRecord host = Sovereign();
    host.spec.qualifications[c.q.scheme == kHds ? 0 : 1] = c.q;
    ExpectOnlyFails(host, c.criterion, c.why);
  }
}

TEST(SovereigntyPolicyTest, AnyQualificationInForceOfTheSchemeSuffices) {
  HostRecord host = Sovereign();
  host.spec.qualifications.insert(host.spec.qualifications.begin(), Q(kHds, "2020-01-01", "2023-01-01"));
  EXPECT_TRUE(Evaluate(host, SovereigntyPolicy{}, Today()).allowed);
}

TEST(SovereigntyPolicyTest, RefusesAHostOutsideTheEu) {
  HostRecord host = Sovereign();
  host.spec.jurisdiction = "US";
  ExpectOnlyFails(host, "jurisdiction", "US, outside the EU");
  host.spec.jurisdiction = "CH";  // Europe, not the EU
  ExpectOnlyFails(host, "jurisdiction", "CH, outside the EU");
}

TEST(SovereigntyPolicyTest, RefusesAnEuHostWhoseOperatorIsOwnedFromOutsideTheEu) {
  HostRecord host = Sovereign();
  host.spec.operator_name = "Hyperscaler France SAS";
  host.spec.owner_jurisdiction = "US";
  ExpectOnlyFails(host, "ownership", "Hyperscaler France SAS's jurisdiction is US, outside the EU");
}

TEST(SovereigntyPolicyTest, RefusesAHostWithoutHds) {
  HostRecord host = Sovereign();
  host.spec.qualifications.erase(host.spec.qualifications.begin());
  ExpectOnlyFails(host, "qualification:HDS", "no HDS qualification declared");
}

TEST(SovereigntyPolicyTest, AQualificationOfAnotherSchemeDoesNotCount) {
  HostRecord host = Sovereign();
  host.spec.qualifications[0] = Q("ISO27001", "2024-01-01", "2027-01-01");
  ExpectOnlyFails(host, "qualification:HDS", "no HDS qualification declared");
}

TEST(SovereigntyPolicyTest, NamesEveryFailedCriterionInTheRefusal) {
  HostRecord host = Sovereign();
  host.spec.jurisdiction = "US";
  host.spec.owner_jurisdiction = "US";
  host.spec.qualifications.clear();
  PlacementDecision d = Evaluate(host, SovereigntyPolicy{}, Today());
  EXPECT_EQ(d.FailedCriteria(), "jurisdiction, ownership, qualification:HDS, qualification:SecNumCloud");
}

TEST(SovereigntyPolicyTest, ALocalHostIsAnExplicitExemptionWhileThePolicyAllowsIt) {
  HostRecord host;
  host.spec = HostSpec{.name = "local", .uri = "file:host", .local = true};
  PlacementDecision d = Evaluate(host, SovereigntyPolicy{}, Today());
  EXPECT_TRUE(d.allowed);
  EXPECT_TRUE(d.exempted);
  ASSERT_NE(Find(d, "local"), nullptr);
  EXPECT_THAT(Find(d, "local")->why, HasSubstr("accepted because the policy allows local hosts"));
  EXPECT_FALSE(Find(d, "jurisdiction")->met);  // the evidence still shows what it lacks

  SovereigntyPolicy strict;
  strict.allow_local = false;
  PlacementDecision refused = Evaluate(host, strict, Today());
  EXPECT_FALSE(refused.allowed);
  EXPECT_THAT(refused.AsStatus(), StatusIs(StatusCode::kFailedPrecondition, HasSubstr("local")));
}

TEST(SovereigntyPolicyTest, ARemoteHostIsNeverExempted) {
  HostRecord host = Sovereign();
  host.spec.local = true;  // refused at registration; and even so:
  EXPECT_THAT(ValidateHostSpec(host.spec), StatusIs(StatusCode::kInvalidArgument, HasSubstr("local")));
}

TEST(SovereigntyPolicyTest, ARelaxedPolicyIgnoresWhatItDoesNotRequire) {
  SovereigntyPolicy relaxed{.require_eu_jurisdiction = true,
                            .require_eu_ownership = false,
                            .required_qualifications = {kHds},
                            .allow_local = false};
  HostRecord host = Sovereign();
  host.spec.owner_jurisdiction = "US";
  host.spec.qualifications.pop_back();  // no SecNumCloud
  PlacementDecision d = Evaluate(host, relaxed, Today());
  EXPECT_TRUE(d.allowed);
  EXPECT_THAT(Find(d, "ownership")->why, HasSubstr("not required"));
}

TEST(SovereigntyPolicyTest, PolicyJsonRoundTripsAndRefusesUnknownMembers) {
  SovereigntyPolicy p{.require_eu_ownership = false, .required_qualifications = {kHds}, .allow_local = false};
  StatusOr<SovereigntyPolicy> back = SovereigntyPolicy::FromJson(p.ToJson());
  ASSERT_THAT(back.status(), IsOk());
  EXPECT_EQ(back->ToJson(), p.ToJson());
  EXPECT_THAT(SovereigntyPolicy::FromJson(nlohmann::json{{"allow_everything", true}}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("allow_everything")));
  EXPECT_THAT(SovereigntyPolicy::FromJson(nlohmann::json{{"allow_local", "yes"}}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("allow_local")));
}

TEST(HostSpecTest, ValidatesEveryField) {
  HostSpec ok = Sovereign().spec;
  EXPECT_THAT(ValidateHostSpec(ok), IsOk());
  HostSpec bad = ok;
  bad.name = "Outscale";
  EXPECT_THAT(ValidateHostSpec(bad), StatusIs(StatusCode::kInvalidArgument, HasSubstr("host name")));
  bad = ok;
  bad.jurisdiction = "fr";
  EXPECT_THAT(ValidateHostSpec(bad), StatusIs(StatusCode::kInvalidArgument, HasSubstr("jurisdiction")));
  bad = ok;
  bad.owner_jurisdiction = "";
  EXPECT_THAT(ValidateHostSpec(bad), StatusIs(StatusCode::kInvalidArgument, HasSubstr("owner")));
  bad = ok;
  bad.qualifications[1].valid_until = D("2023-01-01");
  EXPECT_THAT(ValidateHostSpec(bad), StatusIs(StatusCode::kInvalidArgument, HasSubstr("qualification 2")));
  bad = ok;
  bad.qualifications[0].evidence = "";
  EXPECT_THAT(ValidateHostSpec(bad), StatusIs(StatusCode::kInvalidArgument, HasSubstr("evidence")));
  EXPECT_THAT(ParseDay("2026-02-30", "valid_until"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("valid_until")));
  EXPECT_THAT(ParseDay("2026-2-3", "valid_from"), StatusIs(StatusCode::kInvalidArgument));
}

TEST(JurisdictionTest, KnowsTheEuMemberStates) {
  EXPECT_TRUE(IsEuMember("FR"));
  EXPECT_TRUE(IsEuMember("DE"));
  EXPECT_FALSE(IsEuMember("US"));
  EXPECT_FALSE(IsEuMember("GB"));
  EXPECT_FALSE(IsEuMember("CH"));
  EXPECT_FALSE(IsEuMember("fr"));
}

}  // namespace
}  // namespace hdhub::hosts

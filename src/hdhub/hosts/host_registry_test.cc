#include "hdhub/hosts/host_registry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"

namespace hdhub::hosts {
namespace {

using ::hdhub::testing::IsOk;
using ::hdhub::testing::StatusIs;
using ::testing::HasSubstr;

const TimePoint kAt = FromMicros(1'780'000'000'000'000);

HostSpec Scaleway() {
  return HostSpec{.name = "scaleway-par",
                  .uri = "s3://s3.fr-par.scw.cloud/hub",
                  .jurisdiction = "FR",
                  .operator_name = "Scaleway SAS",
                  .owner_jurisdiction = "FR",
                  .qualifications = {{.scheme = kHds,
                                      .reference = "HDS-2024-17",
                                      .valid_from = *ParseDay("2024-03-01", "from"),
                                      .valid_until = *ParseDay("2027-02-28", "until"),
                                      .evidence = "sha256:0f3a"}}};
}

class HostRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StatusOr<std::unique_ptr<HostRegistry>> opened = HostRegistry::Open(dir_.Sub("catalog.db"));
    ASSERT_THAT(opened.status(), IsOk());
    registry_ = std::move(*opened);
  }
  ::hdhub::testing::TempDir dir_;
  std::unique_ptr<HostRegistry> registry_;
};

TEST_F(HostRegistryTest, KeepsWhatWasDeclared) {
  ASSERT_THAT(registry_->Add(Scaleway(), "opal", kAt), IsOk());
  StatusOr<HostRecord> got = registry_->Get("scaleway-par");
  ASSERT_THAT(got.status(), IsOk());
  EXPECT_EQ(got->spec.uri, "s3://s3.fr-par.scw.cloud/hub");
  EXPECT_EQ(got->spec.operator_name, "Scaleway SAS");
  ASSERT_EQ(got->spec.qualifications.size(), 1u);
  EXPECT_EQ(FormatDay(got->spec.qualifications[0].valid_until), "2027-02-28");
  EXPECT_EQ(got->spec.qualifications[0].evidence, "sha256:0f3a");
  EXPECT_EQ(got->added_by, "opal");
  EXPECT_EQ(got->added_at, kAt);
  StatusOr<std::optional<HostRecord>> by_uri = registry_->FindByUri("s3://s3.fr-par.scw.cloud/hub");
  ASSERT_THAT(by_uri.status(), IsOk());
  ASSERT_TRUE(by_uri->has_value());
  EXPECT_EQ((*by_uri)->spec.name, "scaleway-par");
}

TEST_F(HostRegistryTest, RefusesASecondHostWithTheSameNameOrUri) {
  ASSERT_THAT(registry_->Add(Scaleway(), "opal", kAt), IsOk());
  HostSpec same_uri = Scaleway();
  same_uri.name = "other";
  EXPECT_THAT(registry_->Add(same_uri, "opal", kAt), StatusIs(StatusCode::kAlreadyExists, HasSubstr("scaleway-par")));
  HostSpec same_name = Scaleway();
  same_name.uri = "s3://elsewhere/hub";
  EXPECT_THAT(registry_->Add(same_name, "opal", kAt), StatusIs(StatusCode::kAlreadyExists));
}

TEST_F(HostRegistryTest, ReplaceChangesQualificationsAndRecordsWho) {
  ASSERT_THAT(registry_->Add(Scaleway(), "opal", kAt), IsOk());
  HostSpec renewed = Scaleway();
  renewed.qualifications.push_back(renewed.qualifications[0]);
  renewed.qualifications[1].scheme = kSecNumCloud;
  ASSERT_THAT(registry_->Replace(renewed, "olga", kAt + std::chrono::hours(1)), IsOk());
  StatusOr<HostRecord> got = registry_->Get("scaleway-par");
  ASSERT_THAT(got.status(), IsOk());
  EXPECT_EQ(got->spec.qualifications.size(), 2u);
  EXPECT_EQ(got->changed_by, "olga");
  EXPECT_EQ(got->added_by, "opal");
  HostSpec unknown = Scaleway();
  unknown.name = "nowhere";
  EXPECT_THAT(registry_->Replace(unknown, "olga", kAt), StatusIs(StatusCode::kNotFound, HasSubstr("nowhere")));
}

TEST_F(HostRegistryTest, RefusesAnInvalidSpecBeforeWriting) {
  HostSpec bad = Scaleway();
  bad.jurisdiction = "France";
  EXPECT_THAT(registry_->Add(bad, "opal", kAt), StatusIs(StatusCode::kInvalidArgument, HasSubstr("jurisdiction")));
  EXPECT_THAT(registry_->List(), ::hdhub::testing::IsOkAndHolds(::testing::IsEmpty()));
}

TEST_F(HostRegistryTest, PolicyIsTheDefaultUntilOneIsAppliedAndKeepsAProposal) {
  StatusOr<PolicyRecord> p = registry_->Policy();
  ASSERT_THAT(p.status(), IsOk());
  EXPECT_EQ(p->policy.ToJson(), SovereigntyPolicy{}.ToJson());
  EXPECT_TRUE(p->changed_by.empty());
  SovereigntyPolicy strict;
  strict.allow_local = false;
  ASSERT_THAT(registry_->ProposePolicy(strict, "opal", kAt), IsOk());
  p = registry_->Policy();
  ASSERT_TRUE(p->pending.has_value());
  EXPECT_EQ(p->pending->proposed_by, "opal");
  EXPECT_TRUE(p->policy.allow_local);  // not yet in force
  ASSERT_THAT(registry_->ApplyPolicy(strict, "olga", kAt), IsOk());
  p = registry_->Policy();
  EXPECT_FALSE(p->policy.allow_local);
  EXPECT_EQ(p->changed_by, "olga");
  EXPECT_FALSE(p->pending.has_value());
}

TEST_F(HostRegistryTest, SurvivesReopening) {
  ASSERT_THAT(registry_->Add(Scaleway(), "opal", kAt), IsOk());
  registry_.reset();
  StatusOr<std::unique_ptr<HostRegistry>> again = HostRegistry::Open(dir_.Sub("catalog.db"));
  ASSERT_THAT(again.status(), IsOk());
  EXPECT_THAT((*again)->Get("scaleway-par").status(), IsOk());
}

}  // namespace
}  // namespace hdhub::hosts

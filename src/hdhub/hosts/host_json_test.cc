#include "hdhub/hosts/host_json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hdhub/common/status_matchers.h"

namespace hdhub::hosts {
namespace {

using ::hdhub::testing::IsOk;
using ::hdhub::testing::StatusIs;
using nlohmann::json;
using ::testing::HasSubstr;

TEST(HostJsonTest, ADeclarationRoundTripsThroughTheRendering) {
  HostRecord r;
  r.spec = HostSpec{.name = "scw",
                    .uri = "s3://s3.fr-par.scw.cloud/hub",
                    .jurisdiction = "FR",
                    .operator_name = "Scaleway SAS",
                    .owner_jurisdiction = "FR",
                    .qualifications = {{.scheme = kHds,
                                        .reference = "HDS-17",
                                        .valid_from = *ParseDay("2024-03-01", "d"),
                                        .valid_until = *ParseDay("2027-02-28", "d"),
                                        .evidence = "sha256:ab"}}};
  json rendered = HostJson(r);
  EXPECT_EQ(rendered["qualifications"][0]["valid_until"], "2027-02-28");
  for (const char* registry_only : {"uri", "added_by", "added_at", "changed_by", "changed_at"}) {
    rendered.erase(registry_only);
  }
  StatusOr<HostSpec> back = HostSpecFromJson(rendered);
  ASSERT_THAT(back.status(), IsOk());
  back->uri = r.spec.uri;
  EXPECT_EQ(HostJson(HostRecord{.spec = *back}), HostJson(HostRecord{.spec = r.spec}));
}

TEST(HostJsonTest, ADeclarationRefusesWrongTypesUnknownMembersAndBadDays) {
  EXPECT_THAT(HostSpecFromJson(json::array()), StatusIs(StatusCode::kInvalidArgument, HasSubstr("object")));
  EXPECT_THAT(HostSpecFromJson(json{{"name", 1}}), StatusIs(StatusCode::kInvalidArgument, HasSubstr("\"name\"")));
  EXPECT_THAT(HostSpecFromJson(json{{"name", "x"}, {"trusted", true}}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("trusted")));
  EXPECT_THAT(HostSpecFromJson(json{{"local", "yes"}}), StatusIs(StatusCode::kInvalidArgument, HasSubstr("local")));
  json bad_day = {{"name", "x"},
                  {"qualifications",
                   {{{"scheme", "HDS"},
                     {"reference", "1"},
                     {"valid_from", "2024-13-01"},
                     {"valid_until", "2025-01-01"},
                     {"evidence", "e"}}}}};
  EXPECT_THAT(HostSpecFromJson(bad_day), StatusIs(StatusCode::kInvalidArgument, HasSubstr("valid_from")));
}

}  // namespace
}  // namespace hdhub::hosts

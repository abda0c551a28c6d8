#include "hdhub/directory/role.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hdhub/common/status_matchers.h"

namespace hdhub::directory {
namespace {

using ::hdhub::testing::StatusIs;
using ::testing::ElementsAre;

TEST(RoleTest, NamesRoundTrip) {
  EXPECT_THAT(RoleNames({kAllRoles.begin(), kAllRoles.end()}),
              ElementsAre("operator", "steward", "researcher", "checker", "auditor"));
  for (Role role : kAllRoles) {
    ASSERT_OK_AND_ASSIGN(Role parsed, ParseRole(RoleName(role)));
    EXPECT_EQ(parsed, role);
  }
}

TEST(RoleTest, ParseRefusesOtherNames) {
  for (std::string_view bad : {"", "Operator", "admin", "none", "operator "}) {
    EXPECT_THAT(ParseRole(bad), StatusIs(StatusCode::kInvalidArgument)) << bad;
  }
}

TEST(PrincipalTest, ActsOnlyInRolesItHolds) {
  Principal p{"rita", {Role::kResearcher, Role::kChecker}};
  EXPECT_TRUE(p.Has(Role::kChecker));
  EXPECT_FALSE(p.Has(Role::kOperator));
  audit::Actor checker = p.AsActor(Role::kChecker);
  EXPECT_EQ(checker.id, "rita");
  EXPECT_EQ(checker.role, "checker");
  EXPECT_EQ(p.AsActor(Role::kOperator).role, kNoRoleName);
  EXPECT_THAT(ParseRole(kNoRoleName), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace hdhub::directory

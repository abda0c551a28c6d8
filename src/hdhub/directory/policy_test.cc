#include "hdhub/directory/policy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "hdhub/common/status_matchers.h"

namespace hdhub::directory {
namespace {

using ::hdhub::testing::IsOk;
using ::hdhub::testing::IsOkAndHolds;
using ::hdhub::testing::StatusIs;
using ::testing::HasSubstr;

Principal Who(std::vector<Role> roles) { return Principal{"someone", std::move(roles)}; }

TEST(PolicyTest, TableHasOneRowPerOperationInOrder) {
  std::set<std::string_view> actions;
  size_t i = 0;
  for (const PolicyRule& rule : PolicyTable()) {
    EXPECT_EQ(static_cast<size_t>(rule.op), i++) << rule.action;
    EXPECT_TRUE(actions.insert(rule.action).second) << "two rows log " << rule.action;
  }
  EXPECT_EQ(i, static_cast<size_t>(Operation::kOidcUnlink) + 1);
}

TEST(PolicyTest, ResearcherMayNotReachTheCatalogOrTheDirectory) {
  for (Operation op : {Operation::kCatalogQuery, Operation::kIngest, Operation::kUserCreate, Operation::kTokenIssue,
                       Operation::kRoleGrant, Operation::kPassphraseChange}) {
    EXPECT_THAT(Authorize(Who({Role::kResearcher}), op, {}), StatusIs(StatusCode::kPermissionDenied));
  }
}

TEST(PolicyTest, WorkspaceQueryNeedsMembershipWhateverTheRole) {
  EXPECT_THAT(Authorize(Who({Role::kOperator, Role::kResearcher}), Operation::kWorkspaceQuery, {.member = false}),
              StatusIs(StatusCode::kPermissionDenied, HasSubstr("member")));
  EXPECT_THAT(Authorize(Who({Role::kOperator}), Operation::kWorkspaceQuery, {.member = true}),
              StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(Authorize(Who({Role::kOperator, Role::kResearcher}), Operation::kWorkspaceQuery, {.member = true}),
              IsOkAndHolds(Role::kResearcher));
}

TEST(PolicyTest, AMemberMayNeverApproveHerProject) {
  EXPECT_THAT(Authorize(Who({Role::kOperator}), Operation::kProjectApprove, {.member = true}),
              StatusIs(StatusCode::kPermissionDenied, HasSubstr("member")));
  EXPECT_THAT(Authorize(Who({Role::kOperator}), Operation::kProjectApprove, {.member = false}),
              IsOkAndHolds(Role::kOperator));
}

TEST(PolicyTest, SelfRuleLetsAUserChangeOnlyHerOwnPassword) {
  EXPECT_OK(Authorize(Who({Role::kResearcher}), Operation::kUserPassword, {.self = true}));
  EXPECT_THAT(Authorize(Who({Role::kResearcher}), Operation::kUserPassword, {.self = false}),
              StatusIs(StatusCode::kPermissionDenied));
}

TEST(PolicyTest, RequestedRoleMustBeHeldAndAllowed) {
  EXPECT_THAT(Authorize(Who({Role::kResearcher}), Operation::kIngest, {}, Role::kOperator),
              StatusIs(StatusCode::kPermissionDenied, HasSubstr("does not hold")));
  EXPECT_THAT(Authorize(Who({Role::kOperator, Role::kAuditor}), Operation::kIngest, {}, Role::kAuditor),
              StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(Authorize(Who({Role::kOperator, Role::kAuditor}), Operation::kUserList, {}, Role::kAuditor),
              IsOkAndHolds(Role::kAuditor));
}

TEST(PolicyTest, AnAccountWithoutRolesMayDoNothing) {
  for (const PolicyRule& rule : PolicyTable()) {
    EXPECT_THAT(Authorize(Who({}), rule.op, {.member = true, .self = true}), StatusIs(StatusCode::kPermissionDenied))
        << rule.action;
  }
}

TEST(PolicyTest, AirlockChecksAreForCheckersWhoAreNotMembers) {
  for (Operation op : {Operation::kAirlockReview, Operation::kAirlockDecide, Operation::kAirlockEvidence}) {
    EXPECT_THAT(Authorize(Who({Role::kChecker}), op, {.member = false}), IsOkAndHolds(Role::kChecker));
    EXPECT_THAT(Authorize(Who({Role::kChecker}), op, {.member = true}),
                StatusIs(StatusCode::kPermissionDenied, HasSubstr("member")));
    EXPECT_THAT(Authorize(Who({Role::kResearcher, Role::kOperator}), op, {.member = false}),
                StatusIs(StatusCode::kPermissionDenied));
  }
  EXPECT_THAT(Authorize(Who({Role::kResearcher}), Operation::kAirlockRequest, {.member = false}),
              StatusIs(StatusCode::kPermissionDenied, HasSubstr("member")));
  EXPECT_THAT(Authorize(Who({Role::kResearcher}), Operation::kAirlockRelease, {.member = true}),
              IsOkAndHolds(Role::kResearcher));
  EXPECT_THAT(Authorize(Who({Role::kOperator}), Operation::kAirlockRead, {}), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_TRUE(RuleFor(Operation::kAirlockRules).Has(kDualControl));
}

// A visitor without an account reads the public register and nothing else;
// an account's roles never reach the public row's operation either.
TEST(PolicyTest, AVisitorWithoutAccountMayOnlyReadThePublicRegister) {
  EXPECT_OK(AuthorizePublic(Operation::kPublicRegister));
  EXPECT_OK(AuthorizePublic(Operation::kPublicRegisterProof));
  for (const PolicyRule& rule : PolicyTable()) {
    if (rule.op == Operation::kPublicRegister || rule.op == Operation::kPublicRegisterProof) continue;
    EXPECT_FALSE(rule.Has(kPublic)) << rule.action;
    EXPECT_THAT(AuthorizePublic(rule.op), StatusIs(StatusCode::kPermissionDenied, HasSubstr("account is required")))
        << rule.action;
  }
  const Principal anyone = Who({Role::kOperator, Role::kSteward, Role::kResearcher, Role::kChecker, Role::kAuditor});
  EXPECT_THAT(Authorize(anyone, Operation::kPublicRegister, {.member = true, .self = true}),
              StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(Authorize(anyone, Operation::kPublicRegisterProof, {.member = true, .self = true}),
              StatusIs(StatusCode::kPermissionDenied));
}

// docs/policy.md shows the table to people: each row's roles and flags there are the code's.
TEST(PolicyTest, DocsPageListsEveryRuleWithItsRoles) {
  const char* root = std::getenv("HDHUB_SOURCE_DIR");
  ASSERT_NE(root, nullptr);
  std::ifstream in(std::string(root) + "/docs/policy.md");
  ASSERT_TRUE(in) << "docs/policy.md is missing";
  std::stringstream text;
  text << in.rdbuf();
  std::string page = text.str();
  for (const PolicyRule& rule : PolicyTable()) {
    std::string roles;
    for (Role r : rule.roles) roles += (roles.empty() ? "" : ", ") + std::string(RoleName(r));
    std::string members;
    for (Role r : rule.member_roles) members += (members.empty() ? "" : ", ") + std::string(RoleName(r));
    std::string flags;
    const std::pair<unsigned, std::string_view> kFlagNames[] = {
        {kSelf, "self"}, {kRefuseMembers, "no members"}, {kDualControl, "dual control"}, {kPublic, "public"}};
    for (const auto& [flag, name] : kFlagNames) {
      if (rule.Has(flag)) flags += (flags.empty() ? "" : ", ") + std::string(name);
    }
    std::string row = "| `" + std::string(rule.action) + "` | " + (roles.empty() ? "—" : roles) + " | " +
                      (members.empty() ? "—" : members) + " | " + flags + (flags.empty() ? "|" : " |");
    EXPECT_THAT(page, HasSubstr(row)) << "docs/policy.md lacks or differs on " << rule.action;
  }
}

}  // namespace
}  // namespace hdhub::directory

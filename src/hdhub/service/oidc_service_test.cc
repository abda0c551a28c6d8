// Single sign-on through the service: identities linked by operators only,
// logins acting in the roles the provider's groups and acr grant, refusals
// with one message, a session's account re-checked, and no claim value in
// the audit log.
#include "hdhub/service/service_test_util.h"

namespace hdhub::service {
namespace {

using directory::Role;
using ::hdhub::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kIssuer[] = "http://auth.localhost:8080/";
constexpr char kSubject[] = "dwho-subject-4f2a";

class OidcServiceTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    AddAccount("oscar", {Role::kOperator, Role::kAuditor});
    AddAccount("rita", {Role::kResearcher});
    mapping_.groups[Role::kOperator] = {"timelords"};
    mapping_.groups[Role::kResearcher] = {"earthlings", "timelords"};
    mapping_.groups[Role::kAuditor] = {"timelords"};
    mapping_.acr[Role::kAuditor] = "loa-3";
  }

  OidcIdentity Dwho() { return {.issuer = kIssuer, .subject = kSubject, .groups = {"timelords"}, .acr = "loa-2"}; }

  // Every audit entry since `from`, as text.
  std::string LogText(uint64_t from) {
    std::string text;
    for (const audit::Entry& e : EntriesSince(from)) {
      text += e.event.actor + " " + e.event.action + " " + e.event.details.dump() + "\n";
    }
    return text;
  }

  OidcRoleMapping mapping_;
};

TEST_F(OidcServiceTest, LinkedIdentityActsOnlyInRolesItsGroupsAndAcrGrant) {
  ASSERT_OK(svc_->LinkOidc(ctx("olga"), "oscar", kIssuer, kSubject));
  const uint64_t from = LogSize();
  ASSERT_OK_AND_ASSIGN(RequestContext c, svc_->AuthenticateOidc(Dwho(), mapping_, "127.0.0.1"));
  EXPECT_EQ(c.principal().user, "oscar");
  EXPECT_EQ(c.auth_method(), AuthMethod::kOidc);
  // Auditor needs loa-3: not granted with loa-2.
  EXPECT_THAT(c.principal().roles, ElementsAre(Role::kOperator));
  const std::string log = LogText(from);
  EXPECT_THAT(log, HasSubstr("oscar auth.login"));
  EXPECT_THAT(log, HasSubstr("\"method\":\"oidc\""));
  EXPECT_THAT(log, Not(HasSubstr(kSubject)));
  EXPECT_THAT(log, Not(HasSubstr("timelords")));
  OidcIdentity strong = Dwho();
  strong.acr = "loa-3";
  ASSERT_OK_AND_ASSIGN(RequestContext s, svc_->AuthenticateOidc(strong, mapping_, "127.0.0.1"));
  EXPECT_THAT(s.principal().roles, ElementsAre(Role::kOperator, Role::kAuditor));
}

TEST_F(OidcServiceTest, RoleWithoutMappingIsNeverGranted) {
  OidcRoleMapping mapping;
  mapping.groups[Role::kAuditor] = {"timelords"};
  OidcIdentity id = Dwho();
  id.acr = "";
  EXPECT_THAT(OidcGrantedRoles({Role::kOperator, Role::kAuditor}, id, mapping), ElementsAre(Role::kAuditor));
  mapping.acr[Role::kAuditor] = "loa-1";
  EXPECT_TRUE(OidcGrantedRoles({Role::kOperator, Role::kAuditor}, id, mapping).empty());
}

TEST_F(OidcServiceTest, AcrLevels) {
  EXPECT_TRUE(OidcAcrSatisfies("loa-3", "loa-2"));
  EXPECT_TRUE(OidcAcrSatisfies("urn:mfa", "urn:mfa"));
  EXPECT_TRUE(OidcAcrSatisfies("", ""));
  EXPECT_FALSE(OidcAcrSatisfies("loa-1", "loa-2"));
  EXPECT_FALSE(OidcAcrSatisfies("", "loa-1"));
  EXPECT_FALSE(OidcAcrSatisfies("urn:pwd", "urn:mfa"));
  EXPECT_FALSE(OidcAcrSatisfies("loa-x", "loa-1"));
}

TEST_F(OidcServiceTest, UnlinkedDisabledAndUngrantedAreRefusedAlikeAndLogged) {
  const uint64_t from = LogSize();
  auto unlinked = svc_->AuthenticateOidc(Dwho(), mapping_, "127.0.0.1");
  ASSERT_THAT(unlinked, StatusIs(StatusCode::kUnauthenticated));
  ASSERT_OK(svc_->LinkOidc(ctx("olga"), "rita", kIssuer, kSubject));
  OidcIdentity other = Dwho();
  other.groups = {"daleks"};
  auto ungranted = svc_->AuthenticateOidc(other, mapping_, "127.0.0.1");
  ASSERT_THAT(ungranted, StatusIs(StatusCode::kUnauthenticated));
  EXPECT_EQ(unlinked.status().message(), ungranted.status().message());
  ASSERT_OK(svc_->DisableUser(ctx("olga"), "rita"));
  auto disabled = svc_->AuthenticateOidc(Dwho(), mapping_, "127.0.0.1");
  ASSERT_THAT(disabled, StatusIs(StatusCode::kUnauthenticated));
  EXPECT_EQ(disabled.status().message(), unlinked.status().message());
  const std::string log = LogText(from);
  EXPECT_THAT(log, HasSubstr("unknown auth.login"));
  EXPECT_THAT(log, HasSubstr("\"reason\":\"unlinked\""));
  EXPECT_THAT(log, HasSubstr("\"reason\":\"no_role_granted\""));
  EXPECT_THAT(log, HasSubstr("\"reason\":\"disabled\""));
  EXPECT_THAT(log, Not(HasSubstr(kSubject)));
}

TEST_F(OidcServiceTest, SessionStopsWhenAccountDisabledUnlinkedOrRoleRevoked) {
  ASSERT_OK(svc_->AddUser(ctx("olga"), "ruth", {Role::kResearcher, Role::kChecker}, Secret("ruth-long-password")));
  ASSERT_OK(svc_->LinkOidc(ctx("olga"), "ruth", kIssuer, kSubject));
  const std::vector<Role> roles = {Role::kResearcher};
  ASSERT_OK_AND_ASSIGN(RequestContext c,
                       svc_->AuthenticateOidcSession(Dwho(), "ruth", roles, "127.0.0.1", std::nullopt, ""));
  EXPECT_THAT(c.principal().roles, ElementsAre(Role::kResearcher));
  // A role the login did not grant is not added by the session.
  EXPECT_THAT(svc_->AuthenticateOidcSession(Dwho(), "ruth", {Role::kResearcher}, "127.0.0.1", Role::kChecker, "")
                  ->principal()
                  .roles,
              ElementsAre(Role::kResearcher));
  ASSERT_OK(svc_->DisableUser(ctx("olga"), "ruth"));
  EXPECT_THAT(svc_->AuthenticateOidcSession(Dwho(), "ruth", roles, "127.0.0.1", std::nullopt, ""),
              StatusIs(StatusCode::kUnauthenticated));
  ASSERT_OK(svc_->EnableUser(ctx("olga"), "ruth"));
  ASSERT_OK(svc_->AuthenticateOidcSession(Dwho(), "ruth", roles, "127.0.0.1", std::nullopt, "").status());
  ASSERT_OK(svc_->RevokeRole(ctx("olga"), "ruth", Role::kResearcher));
  EXPECT_THAT(svc_->AuthenticateOidcSession(Dwho(), "ruth", roles, "127.0.0.1", std::nullopt, ""),
              StatusIs(StatusCode::kUnauthenticated));
  ASSERT_OK(svc_->GrantRole(ctx("olga"), "ruth", Role::kResearcher).status());
  ASSERT_OK(svc_->UnlinkOidc(ctx("olga"), "ruth", kIssuer));
  EXPECT_THAT(svc_->AuthenticateOidcSession(Dwho(), "ruth", roles, "127.0.0.1", std::nullopt, ""),
              StatusIs(StatusCode::kUnauthenticated));
}

TEST_F(OidcServiceTest, OnlyOperatorsLinkAndAnIdentityLinksToOneAccount) {
  EXPECT_THAT(svc_->LinkOidc(ctx("rita"), "rita", kIssuer, kSubject), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(svc_->UnlinkOidc(ctx("rita"), "rita", kIssuer), StatusIs(StatusCode::kPermissionDenied));
  ASSERT_OK(svc_->LinkOidc(ctx("olga"), "oscar", kIssuer, kSubject));
  EXPECT_THAT(svc_->LinkOidc(ctx("olga"), "rita", kIssuer, kSubject), StatusIs(StatusCode::kAlreadyExists));
  EXPECT_THAT(svc_->LinkOidc(ctx("olga"), "oscar", kIssuer, "another"), StatusIs(StatusCode::kAlreadyExists));
  EXPECT_THAT(svc_->LinkOidc(ctx("olga"), "rita", "ftp://x", "s"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(svc_->LinkOidc(ctx("olga"), "rita", kIssuer, "with space"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(svc_->UnlinkOidc(ctx("olga"), "rita", kIssuer), StatusIs(StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(std::vector<directory::OidcLink> links, svc_->ListOidcLinks(ctx("olga"), std::nullopt));
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0].user, "oscar");
  EXPECT_EQ(links[0].subject, kSubject);
  EXPECT_EQ(links[0].linked_by, "olga");
  EXPECT_THAT(svc_->ListOidcLinks(ctx("rita"), std::nullopt), StatusIs(StatusCode::kPermissionDenied));
  ASSERT_OK(svc_->UnlinkOidc(ctx("olga"), "oscar", kIssuer));
  ASSERT_OK(svc_->LinkOidc(ctx("olga"), "rita", kIssuer, kSubject));
  const std::string log = LogText(0);
  EXPECT_THAT(log, HasSubstr("olga user.oidc_link"));
  EXPECT_THAT(log, HasSubstr("olga user.oidc_unlink"));
  EXPECT_THAT(log, HasSubstr("rita user.oidc_link"));  // the refused attempt
  EXPECT_THAT(log, Not(HasSubstr(kSubject)));
}

}  // namespace
}  // namespace hdhub::service

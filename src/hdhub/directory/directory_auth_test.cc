// Directory: password authentication and lockout.
#include "hdhub/directory/directory_test_util.h"

namespace hdhub::directory {
namespace {

using ::hdhub::testing::IsOk;
using ::hdhub::testing::StatusIs;
using ::testing::ElementsAre;

constexpr std::chrono::minutes kLockout{15};

class DirectoryAuthTest : public DirectoryTest {
 protected:
  Status Fail(std::string_view user = "rita") {
    return dir_->AuthenticatePassword(user, Secret("not the password")).status();
  }
  Status Succeed(std::string_view user = "rita") {
    return dir_->AuthenticatePassword(user, Secret(kRitaPassword)).status();
  }
};

TEST_F(DirectoryAuthTest, RightPasswordYieldsPrincipalWithRoles) {
  ASSERT_OK(dir_->GrantRole(olga_, "rita", Role::kChecker));
  ASSERT_OK_AND_ASSIGN(Principal rita, dir_->AuthenticatePassword("rita", Secret(kRitaPassword)));
  EXPECT_EQ(rita.user, "rita");
  EXPECT_THAT(rita.roles, ElementsAre(Role::kResearcher, Role::kChecker));
  EXPECT_TRUE(rita.Has(Role::kChecker));
  EXPECT_FALSE(rita.Has(Role::kOperator));
  audit::Event event = LastEvent();
  EXPECT_EQ(event.action, "auth.password");
  EXPECT_EQ(event.actor, "rita");
  EXPECT_EQ(event.role, kNoRoleName);
  EXPECT_EQ(event.outcome, audit::Outcome::kSuccess);
  EXPECT_EQ(event.details.at("roles"), nlohmann::json({"researcher", "checker"}));
}

TEST_F(DirectoryAuthTest, EveryRefusalLooksTheSame) {
  ASSERT_OK(dir_->CreateUser(olga_, "dora", {Role::kSteward}, Secret(kRitaPassword)));
  ASSERT_OK(dir_->DisableUser(olga_, "dora"));
  const Status wrong = Fail("rita");
  const Status unknown = Succeed("nobody");
  const Status disabled = Succeed("dora");
  const Status malformed = Succeed("Not A Name");
  EXPECT_THAT(wrong, StatusIs(StatusCode::kUnauthenticated));
  EXPECT_EQ(unknown, wrong);
  EXPECT_EQ(disabled, wrong);
  EXPECT_EQ(malformed, wrong);
  EXPECT_THAT(dir_->AuthenticatePassword("rita", SecretBytes()), StatusIs(StatusCode::kUnauthenticated));
}

TEST_F(DirectoryAuthTest, RefusalsAreLoggedWithoutTheTriedName) {
  ASSERT_OK(dir_->CreateUser(olga_, "dora", {Role::kSteward}, Secret(kRitaPassword)));
  ASSERT_OK(dir_->DisableUser(olga_, "dora"));
  EXPECT_THAT(Succeed("nobody"), StatusIs(StatusCode::kUnauthenticated));
  audit::Event unknown = LastEvent();
  EXPECT_EQ(unknown.actor, kUnknownActor);
  EXPECT_EQ(unknown.outcome, audit::Outcome::kDenied);
  EXPECT_EQ(unknown.details.at("reason"), "unknown_user");
  EXPECT_EQ(AuditText().find("nobody"), std::string::npos);
  EXPECT_THAT(Succeed("dora"), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_EQ(LastEvent().actor, "dora");
  EXPECT_EQ(LastEvent().details.at("reason"), "disabled");
  EXPECT_THAT(Fail("rita"), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_EQ(LastEvent().actor, "rita");
  EXPECT_EQ(LastEvent().details.at("reason"), "wrong_password");
  EXPECT_EQ(LastEvent().details.at("failed_attempts"), 1);
}

TEST_F(DirectoryAuthTest, FiveFailuresLockTheAccountUntilTheDurationPasses) {
  for (int i = 0; i < 4; ++i) ASSERT_THAT(Fail(), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_EQ(UserNamed("rita").failed_attempts, 4);
  EXPECT_THAT(Fail(), StatusIs(StatusCode::kUnauthenticated));
  std::vector<audit::Entry> entries = Entries();
  ASSERT_GE(entries.size(), 2u);
  const audit::Event& lockout = entries.back().event;
  EXPECT_EQ(lockout.action, "auth.lockout");
  EXPECT_EQ(lockout.actor, "rita");
  EXPECT_EQ(lockout.details.at("failures"), 5);
  EXPECT_EQ(lockout.details.at("locked_until"), FormatRfc3339(clock_.Now() + kLockout));
  EXPECT_EQ(UserNamed("rita").locked_until, clock_.Now() + kLockout);

  EXPECT_THAT(Succeed(), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_EQ(LastEvent().details.at("reason"), "locked");
  clock_.Advance(kLockout - std::chrono::seconds(1));
  EXPECT_THAT(Succeed(), StatusIs(StatusCode::kUnauthenticated));
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_THAT(Succeed(), IsOk());
  EXPECT_FALSE(UserNamed("rita").locked_until.has_value());
}

TEST_F(DirectoryAuthTest, AttemptsDuringALockNeitherCountNorExtendIt) {
  for (int i = 0; i < 5; ++i) ASSERT_THAT(Fail(), StatusIs(StatusCode::kUnauthenticated));
  const TimePoint until = clock_.Now() + kLockout;
  clock_.Advance(std::chrono::minutes(10));
  for (int i = 0; i < 10; ++i) ASSERT_THAT(Fail(), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_EQ(UserNamed("rita").locked_until, until);
  EXPECT_EQ(UserNamed("rita").failed_attempts, 0);
  clock_.Set(until);
  EXPECT_THAT(Succeed(), IsOk());
}

TEST_F(DirectoryAuthTest, SuccessResetsTheCount) {
  for (int i = 0; i < 4; ++i) ASSERT_THAT(Fail(), StatusIs(StatusCode::kUnauthenticated));
  ASSERT_THAT(Succeed(), IsOk());
  EXPECT_EQ(UserNamed("rita").failed_attempts, 0);
  for (int i = 0; i < 4; ++i) ASSERT_THAT(Fail(), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_THAT(Succeed(), IsOk());
}

TEST_F(DirectoryAuthTest, AfterALockTheCountStartsOver) {
  for (int i = 0; i < 5; ++i) ASSERT_THAT(Fail(), StatusIs(StatusCode::kUnauthenticated));
  clock_.Advance(kLockout);
  for (int i = 0; i < 4; ++i) ASSERT_THAT(Fail(), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_THAT(Succeed(), IsOk());
}

TEST_F(DirectoryAuthTest, LockoutFollowsOptions) {
  DirectoryOptions options = DirectoryOptions::InsecureLowCostForTest();
  options.lockout_threshold = 2;
  options.lockout_duration = std::chrono::minutes(1);
  ASSERT_OK_AND_ASSIGN(dir_, Directory::Open(path_, &clock_, &log_, options));
  for (int i = 0; i < 2; ++i) ASSERT_THAT(Fail(), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_THAT(Succeed(), StatusIs(StatusCode::kUnauthenticated));
  clock_.Advance(std::chrono::minutes(1));
  EXPECT_THAT(Succeed(), IsOk());
}

TEST_F(DirectoryAuthTest, OperatorSettingAPasswordReleasesALock) {
  for (int i = 0; i < 5; ++i) ASSERT_THAT(Fail(), StatusIs(StatusCode::kUnauthenticated));
  ASSERT_OK(dir_->SetPassword(olga_, "rita", Secret("a fresh password")));
  EXPECT_FALSE(UserNamed("rita").locked_until.has_value());
  EXPECT_THAT(dir_->AuthenticatePassword("rita", Secret("a fresh password")), IsOk());
}

TEST_F(DirectoryAuthTest, DisabledUsersStaleActorCannotChangeOwnPassword) {
  // An actor is only as good as the authentication that produced it; a
  // disabled user's stale actor is refused even for their own password.
  ASSERT_OK_AND_ASSIGN(Principal rita, dir_->AuthenticatePassword("rita", Secret(kRitaPassword)));
  ASSERT_OK(dir_->DisableUser(olga_, "rita"));
  EXPECT_THAT(dir_->SetPassword(rita.AsActor(Role::kResearcher), "rita", Secret("a fresh password")),
              StatusIs(StatusCode::kPermissionDenied));
}

TEST_F(DirectoryAuthTest, PasswordsHashedWithTheConfiguredCost) {
  ASSERT_OK_AND_ASSIGN(auto db, catalog::Database::Open(path_));
  ASSERT_OK_AND_ASSIGN(catalog::Statement select,
                       db->Prepare("SELECT password_hash FROM user_account WHERE name = 'rita'"));
  ASSERT_OK_AND_ASSIGN(bool found, select.Step());
  ASSERT_TRUE(found);
  EXPECT_TRUE(select.ColumnText(0).starts_with("$argon2id$v=19$m=8,t=1,p=1$")) << "unexpected format";
}

}  // namespace
}  // namespace hdhub::directory

// Directory: opening, users, roles, and who may change them.
#include "hdhub/directory/directory.h"

#include <cstdio>

#include "hdhub/catalog/catalog.h"
#include "hdhub/directory/directory_schema.h"
#include "hdhub/directory/directory_test_util.h"

namespace hdhub::directory {
namespace {

using ::hdhub::testing::IsOk;
using ::hdhub::testing::IsOkAndHolds;
using ::hdhub::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

TEST_F(DirectoryTest, OpenFailsWhenDirectoryMissing) {
  EXPECT_THAT(Directory::Open(tmp_.Sub("nope/catalog.db"), &clock_, &log_), StatusIs(StatusCode::kNotFound));
}

TEST_F(DirectoryTest, OpenRefusesBadOptions) {
  DirectoryOptions no_threshold = DirectoryOptions::InsecureLowCostForTest();
  no_threshold.lockout_threshold = 0;
  EXPECT_THAT(Directory::Open(path_, &clock_, &log_, no_threshold), StatusIs(StatusCode::kInvalidArgument));
  DirectoryOptions no_memory;
  no_memory.password_cost.m_cost_kib = 1;
  EXPECT_THAT(Directory::Open(path_, &clock_, &log_, no_memory),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("m_cost_kib")));
  DirectoryOptions no_duration;
  no_duration.lockout_duration = std::chrono::microseconds(0);
  EXPECT_THAT(Directory::Open(path_, &clock_, &log_, no_duration), StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(DirectoryTest, OpenRefusesAFileThatIsNotADatabase) {
  std::string path = tmp_.Sub("junk.db");
  FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  std::fputs("this is not an SQLite database, just some text long enough to fill a header page", f);
  std::fclose(f);
  EXPECT_THAT(Directory::Open(path, &clock_, &log_), StatusIs(StatusCode::kDataLoss));
}

TEST_F(DirectoryTest, DefaultOptionsFollowTheIssue) {
  DirectoryOptions options;
  EXPECT_EQ(options.password_cost.t_cost, 3u);
  EXPECT_EQ(options.password_cost.m_cost_kib, 64u * 1024u);
  EXPECT_EQ(options.password_cost.parallelism, 1u);
  EXPECT_EQ(options.lockout_threshold, 5);
  EXPECT_EQ(options.lockout_duration, std::chrono::minutes(15));
  EXPECT_EQ(options.min_password_length, 12u);
}

TEST_F(DirectoryTest, SharesTheHubDatabaseWithTheCatalog) {
  ASSERT_OK_AND_ASSIGN(auto catalog, catalog::Catalog::Open(path_, &clock_));
  ASSERT_OK(catalog->CreateDataset("ER_PRS_F"));
  ASSERT_OK_AND_ASSIGN(auto db, catalog::Database::Open(path_));
  ASSERT_OK_AND_ASSIGN(int64_t version, catalog::SchemaVersion(db.get(), kDirectoryComponent));
  EXPECT_EQ(version, static_cast<int64_t>(DirectoryMigrations().size()));
  EXPECT_EQ(UserNamed("olga").name, "olga");
}

TEST_F(DirectoryTest, UserNamesFollowTheDocumentedAlphabet) {
  for (std::string_view good : {"a", "alice", "bob.smith-2_x", "z0"}) EXPECT_TRUE(Directory::IsValidUserName(good));
  EXPECT_TRUE(Directory::IsValidUserName(std::string(64, 'a')));
  for (std::string_view bad : {"", "Alice", "1a", "_a", "a b", "a:b", "os:root", "é"}) {
    EXPECT_FALSE(Directory::IsValidUserName(bad)) << bad;
  }
  EXPECT_FALSE(Directory::IsValidUserName(std::string(65, 'a')));
}

TEST_F(DirectoryTest, CreateUserStoresRolesStateAndTime) {
  clock_.Advance(std::chrono::seconds(7));
  ASSERT_OK(dir_->CreateUser(olga_, "sam", {Role::kSteward, Role::kChecker, Role::kSteward}, Secret("sam's password")));
  audit::Event event = LastEvent();
  EXPECT_EQ(event.action, "user.create");
  EXPECT_EQ(event.actor, "olga");
  EXPECT_EQ(event.role, "operator");
  EXPECT_EQ(event.objects.at("user"), "sam");
  EXPECT_EQ(event.details.at("roles"), nlohmann::json({"steward", "checker"}));
  UserRecord sam = UserNamed("sam");
  EXPECT_THAT(sam.roles, ElementsAre(Role::kSteward, Role::kChecker));
  EXPECT_EQ(sam.state, UserState::kActive);
  EXPECT_EQ(sam.created_at, clock_.Now());
  EXPECT_EQ(sam.failed_attempts, 0);
  EXPECT_FALSE(sam.locked_until.has_value());
}

TEST_F(DirectoryTest, CreateUserRefusesBadInput) {
  EXPECT_THAT(dir_->CreateUser(olga_, "Sam", {Role::kSteward}, Secret("long enough pw")),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("user name")));
  EXPECT_THAT(dir_->CreateUser(olga_, "sam", {}, Secret("long enough pw")),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("role")));
  EXPECT_THAT(dir_->CreateUser(olga_, "sam", {Role::kSteward}, Secret("11 bytes..")),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("at least 12")));
  EXPECT_THAT(dir_->CreateUser(olga_, "sam", {Role::kSteward}, Secret(std::string(kMaxPasswordSize + 1, 'x'))),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(dir_->CreateUser(olga_, "rita", {Role::kSteward}, Secret("long enough pw")),
              StatusIs(StatusCode::kAlreadyExists, HasSubstr("rita")));
  EXPECT_EQ(dir_->ListUsers(olga_)->size(), 3u);
  EXPECT_OK(dir_->CreateUser(olga_, "sam", {Role::kSteward}, Secret("exactly12byt")));
}

TEST_F(DirectoryTest, ResearcherCannotCreateUser) {
  EXPECT_THAT(dir_->CreateUser(rita_, "sam", {Role::kOperator}, Secret("long enough pw")),
              StatusIs(StatusCode::kPermissionDenied, HasSubstr("may not user.create")));
  EXPECT_EQ(dir_->ListUsers(olga_)->size(), 3u);
  std::vector<audit::Entry> entries = Entries();
  const audit::Event& denied = entries[entries.size() - 2].event;  // before the listing
  EXPECT_EQ(denied.action, "user.create");
  EXPECT_EQ(denied.actor, "rita");
  EXPECT_EQ(denied.role, "researcher");
  EXPECT_EQ(denied.outcome, audit::Outcome::kDenied);
  EXPECT_EQ(denied.objects.at("user"), "sam");
}

TEST_F(DirectoryTest, AuditorCannotChangeAnything) {
  ASSERT_OK_AND_ASSIGN(IssuedToken token, dir_->IssueToken(olga_, "rita", std::chrono::hours(1)));
  const uint64_t before = log_.Size();
  const auto denied = StatusIs(StatusCode::kPermissionDenied);
  EXPECT_THAT(dir_->CreateUser(audrey_, "sam", {Role::kSteward}, Secret("long enough pw")), denied);
  EXPECT_THAT(dir_->SetPassword(audrey_, "rita", Secret("long enough pw")), denied);
  EXPECT_THAT(dir_->GrantRole(audrey_, "rita", Role::kChecker), denied);
  EXPECT_THAT(dir_->RevokeRole(audrey_, "rita", Role::kResearcher), denied);
  EXPECT_THAT(dir_->DisableUser(audrey_, "rita"), denied);
  EXPECT_THAT(dir_->EnableUser(audrey_, "rita"), denied);
  EXPECT_THAT(dir_->IssueToken(audrey_, "rita", std::chrono::hours(1)), denied);
  EXPECT_THAT(dir_->RevokeToken(audrey_, token.id), denied);
  ASSERT_EQ(log_.Size(), before + 8);
  for (const audit::Entry& entry : Entries()) {
    if (entry.seq >= before) {
      EXPECT_EQ(entry.event.outcome, audit::Outcome::kDenied) << entry.event.action;
    }
  }
  EXPECT_THAT(dir_->AuthenticateToken(token.token), IsOk());
  EXPECT_THAT(dir_->AuthenticatePassword("rita", Secret(kRitaPassword)), IsOk());
  EXPECT_THAT(dir_->ListUsers(audrey_), IsOk());
}

TEST_F(DirectoryTest, ResearcherCannotGrantRevokeOrDisable) {
  const auto denied = StatusIs(StatusCode::kPermissionDenied);
  EXPECT_THAT(dir_->GrantRole(rita_, "rita", Role::kOperator), denied);
  EXPECT_THAT(dir_->RevokeRole(rita_, "olga", Role::kOperator), denied);
  EXPECT_THAT(dir_->DisableUser(rita_, "olga"), denied);
  EXPECT_THAT(dir_->EnableUser(rita_, "rita"), denied);
  EXPECT_THAT(dir_->ListUsers(rita_), denied);
  EXPECT_THAT(UserNamed("rita").roles, ElementsAre(Role::kResearcher));
  EXPECT_EQ(UserNamed("olga").state, UserState::kActive);
}

TEST_F(DirectoryTest, ActorMustHoldTheRoleItClaims) {
  // A caller cannot promote itself by writing another role into its Actor.
  EXPECT_THAT(dir_->GrantRole({"rita", "operator"}, "rita", Role::kOperator), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(dir_->GrantRole({"mallory", "operator"}, "rita", Role::kOperator),
              StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(dir_->GrantRole({"os:root", "researcher"}, "rita", Role::kChecker),
              StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(dir_->GrantRole({"olga", "Operator"}, "rita", Role::kChecker), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_EQ(LastEvent().role, kNoRoleName);
  EXPECT_THAT(dir_->GrantRole({"olga smith", "operator"}, "rita", Role::kChecker),
              StatusIs(StatusCode::kPermissionDenied));
  EXPECT_EQ(LastEvent().actor, kUnknownActor);
  EXPECT_EQ(LastEvent().outcome, audit::Outcome::kDenied);
  Principal rita{"rita", {Role::kResearcher}};
  EXPECT_EQ(rita.AsActor(Role::kOperator).role, kNoRoleName);
  EXPECT_THAT(dir_->GrantRole(rita.AsActor(Role::kOperator), "rita", Role::kOperator),
              StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(UserNamed("rita").roles, ElementsAre(Role::kResearcher));
}

TEST_F(DirectoryTest, DisabledOperatorCanNoLongerAct) {
  ASSERT_OK(dir_->CreateUser(olga_, "oscar", {Role::kOperator}, Secret("oscar password")));
  const audit::Actor oscar{"oscar", "operator"};
  ASSERT_OK(dir_->GrantRole(oscar, "rita", Role::kChecker));
  ASSERT_OK(dir_->DisableUser(olga_, "oscar"));
  EXPECT_THAT(dir_->RevokeRole(oscar, "rita", Role::kChecker), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(UserNamed("rita").roles, ElementsAre(Role::kResearcher, Role::kChecker));
}

TEST_F(DirectoryTest, SetPasswordByOperatorOrSelf) {
  ASSERT_OK(dir_->SetPassword(olga_, "rita", Secret("reset by the operator")));
  EXPECT_THAT(dir_->AuthenticatePassword("rita", Secret(kRitaPassword)), StatusIs(StatusCode::kUnauthenticated));
  ASSERT_OK_AND_ASSIGN(Principal rita, dir_->AuthenticatePassword("rita", Secret("reset by the operator")));
  ASSERT_OK(dir_->SetPassword(rita.AsActor(Role::kResearcher), "rita", Secret("chosen by rita herself")));
  EXPECT_THAT(dir_->AuthenticatePassword("rita", Secret("chosen by rita herself")), IsOk());
  EXPECT_EQ(LastEvent().action, "auth.password");
  EXPECT_THAT(dir_->SetPassword(rita_, "olga", Secret("rita takes over")), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(dir_->AuthenticatePassword("olga", Secret(kOlgaPassword)), IsOk());
}

TEST_F(DirectoryTest, SetPasswordRefusesBadInput) {
  EXPECT_THAT(dir_->SetPassword(olga_, "nobody", Secret("long enough pw")), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(dir_->SetPassword(olga_, "No Body", Secret("long enough pw")), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(dir_->SetPassword(olga_, "rita", Secret("short")), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(dir_->AuthenticatePassword("rita", Secret(kRitaPassword)), IsOk());
}

TEST_F(DirectoryTest, GrantAndRevokeRoles) {
  ASSERT_OK(dir_->GrantRole(olga_, "rita", Role::kChecker));
  EXPECT_THAT(UserNamed("rita").roles, ElementsAre(Role::kResearcher, Role::kChecker));
  EXPECT_EQ(LastEvent().action, "user.list");
  EXPECT_THAT(dir_->GrantRole(olga_, "rita", Role::kChecker), StatusIs(StatusCode::kAlreadyExists));
  EXPECT_THAT(dir_->GrantRole(olga_, "nobody", Role::kChecker), StatusIs(StatusCode::kNotFound));
  ASSERT_OK(dir_->RevokeRole(olga_, "rita", Role::kResearcher));
  EXPECT_THAT(UserNamed("rita").roles, ElementsAre(Role::kChecker));
  EXPECT_THAT(dir_->RevokeRole(olga_, "rita", Role::kResearcher), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(dir_->RevokeRole(olga_, "rita", Role::kChecker),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("last role")));
  EXPECT_THAT(dir_->RevokeRole(olga_, "nobody", Role::kChecker), StatusIs(StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(Principal rita, dir_->AuthenticatePassword("rita", Secret(kRitaPassword)));
  EXPECT_THAT(rita.roles, ElementsAre(Role::kChecker));
}

TEST_F(DirectoryTest, LastActiveOperatorIsKept) {
  ASSERT_OK(dir_->GrantRole(olga_, "olga", Role::kSteward));
  EXPECT_THAT(dir_->DisableUser(olga_, "olga"),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("last active operator")));
  EXPECT_THAT(dir_->RevokeRole(olga_, "olga", Role::kOperator),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("last active operator")));
  ASSERT_OK(dir_->GrantRole(olga_, "rita", Role::kOperator));  // the second operator: olga alone may
  const audit::Actor rita_operator{"rita", "operator"};
  ASSERT_OK(dir_->DisableUser(rita_operator, "olga"));
  EXPECT_THAT(dir_->RevokeRole(rita_operator, "rita", Role::kOperator), StatusIs(StatusCode::kFailedPrecondition));
  // A disabled operator does not count: enabling olga makes rita's role revocable.
  ASSERT_OK(dir_->EnableUser(rita_operator, "olga"));
  EXPECT_OK(dir_->RevokeRole(olga_, "rita", Role::kOperator));
}

TEST_F(DirectoryTest, FirstOperatorOnlyInAnEmptyDirectory) {
  EXPECT_THAT(dir_->CreateFirstOperator("mallory", Secret("mallory long password")),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("already has accounts")));
  EXPECT_THAT(dir_->AuthenticatePassword("mallory", Secret("mallory long password")),
              StatusIs(StatusCode::kUnauthenticated));
  std::vector<audit::Entry> entries = Entries();
  const audit::Event& first = entries.front().event;
  EXPECT_EQ(first.action, "user.create");
  EXPECT_EQ(first.actor, "olga");
  EXPECT_EQ(first.details["bootstrap"], true);
}

TEST_F(DirectoryTest, OperatorRoleTakesTwoOperatorsOnceTwoExist) {
  ASSERT_OK(dir_->CreateUser(olga_, "oscar", {Role::kOperator}, Secret("oscar long password")));
  const audit::Actor oscar{"oscar", "operator"};
  EXPECT_THAT(dir_->CreateUser(olga_, "puppet", {Role::kOperator}, Secret("puppet long password")),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("two operators")));
  EXPECT_THAT(dir_->GrantRole(olga_, "rita", Role::kOperator), IsOkAndHolds(GrantState::kPending));
  EXPECT_THAT(UserNamed("rita").roles, ElementsAre(Role::kResearcher));
  EXPECT_THAT(dir_->GrantRole(olga_, "rita", Role::kOperator),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("second, different operator")));
  EXPECT_THAT(dir_->GrantRole(oscar, "rita", Role::kOperator), IsOkAndHolds(GrantState::kGranted));
  EXPECT_THAT(UserNamed("rita").roles, ElementsAre(Role::kOperator, Role::kResearcher));
  // Other roles need one operator.
  EXPECT_THAT(dir_->GrantRole(olga_, "audrey", Role::kChecker), IsOkAndHolds(GrantState::kGranted));
}

TEST_F(DirectoryTest, DisableAndEnable) {
  ASSERT_OK(dir_->DisableUser(olga_, "rita"));
  EXPECT_EQ(UserNamed("rita").state, UserState::kDisabled);
  EXPECT_THAT(dir_->DisableUser(olga_, "rita"), StatusIs(StatusCode::kFailedPrecondition, HasSubstr("already")));
  EXPECT_THAT(dir_->AuthenticatePassword("rita", Secret(kRitaPassword)), StatusIs(StatusCode::kUnauthenticated));
  ASSERT_OK(dir_->EnableUser(olga_, "rita"));
  EXPECT_THAT(dir_->EnableUser(olga_, "rita"), StatusIs(StatusCode::kFailedPrecondition, HasSubstr("already")));
  EXPECT_THAT(dir_->AuthenticatePassword("rita", Secret(kRitaPassword)), IsOk());
  EXPECT_THAT(dir_->DisableUser(olga_, "nobody"), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(dir_->EnableUser(olga_, "nobody"), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(dir_->DisableUser(olga_, "Bad Name"), StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(DirectoryTest, ListUsersByNameForOperatorsAndAuditors) {
  ASSERT_OK_AND_ASSIGN(std::vector<UserRecord> users, dir_->ListUsers(audrey_));
  ASSERT_EQ(users.size(), 3u);
  EXPECT_EQ(users[0].name, "audrey");
  EXPECT_EQ(users[1].name, "olga");
  EXPECT_EQ(users[2].name, "rita");
  EXPECT_THAT(users[1].roles, ElementsAre(Role::kOperator));
  EXPECT_EQ(LastEvent().details.at("count"), 3);
  EXPECT_THAT(dir_->ListUsers(olga_), IsOk());
}

TEST_F(DirectoryTest, StatePersistsAcrossReopen) {
  ASSERT_OK(dir_->GrantRole(olga_, "rita", Role::kChecker));
  ASSERT_OK(dir_->DisableUser(olga_, "audrey"));
  ASSERT_OK_AND_ASSIGN(IssuedToken token, dir_->IssueToken(olga_, "rita", std::chrono::hours(24), "laptop"));
  EXPECT_THAT(dir_->AuthenticatePassword("olga", Secret("wrong password!")), StatusIs(StatusCode::kUnauthenticated));
  dir_.reset();
  ASSERT_OK_AND_ASSIGN(dir_, Open());
  EXPECT_THAT(UserNamed("rita").roles, ElementsAre(Role::kResearcher, Role::kChecker));
  EXPECT_EQ(UserNamed("audrey").state, UserState::kDisabled);
  EXPECT_EQ(UserNamed("olga").failed_attempts, 1);
  ASSERT_OK_AND_ASSIGN(Principal rita, dir_->AuthenticateToken(token.token));
  EXPECT_EQ(rita.user, "rita");
  EXPECT_THAT(dir_->AuthenticatePassword("olga", Secret(kOlgaPassword)), IsOk());
  EXPECT_THAT(dir_->AuthenticatePassword("audrey", Secret(kAudreyPassword)), StatusIs(StatusCode::kUnauthenticated));
}

TEST_F(DirectoryTest, SchemaRefusesWhatTheApiRefuses) {
  ASSERT_OK_AND_ASSIGN(auto db, catalog::Database::Open(path_));
  const std::string hash = "'$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA'";
  EXPECT_THAT(db->Exec("INSERT INTO user_account VALUES ('Bad Name', 'active', " + hash + ", 0, NULL, 0, 0)"),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(db->Exec("INSERT INTO user_account VALUES ('sam', 'active', 'plaintext', 0, NULL, 0, 0)"),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(db->Exec("INSERT INTO user_role VALUES ('rita', 'admin')"), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(db->Exec("DELETE FROM user_account WHERE name = 'rita'"),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("never deleted")));
  EXPECT_THAT(db->Exec("DELETE FROM user_role WHERE user_name = 'rita'"),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("at least one role")));
  EXPECT_THAT(db->Exec("UPDATE user_account SET state = 'disabled' WHERE name = 'olga'"),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("last active operator")));
  EXPECT_THAT(db->Exec("INSERT INTO api_token VALUES ('0123456789abcdef', 'rita', zeroblob(32), '', 0, "
                       "31536000000001, NULL)"),
              StatusIs(StatusCode::kFailedPrecondition));
}

// Single sign-on links (docs/formats/directory.md, oidc_identity): one
// account per identity, one identity per account and issuer, never updated,
// the subject never logged.
TEST_F(DirectoryTest, OidcIdentityLinksToOneAccount) {
  constexpr char kIssuer[] = "https://auth.example.org/";
  ASSERT_OK(dir_->LinkOidc(olga_, "rita", kIssuer, "subject-of-rita"));
  ASSERT_OK_AND_ASSIGN(auto match, dir_->OidcAccount(kIssuer, "subject-of-rita"));
  ASSERT_TRUE(match);
  EXPECT_EQ(match->principal.user, "rita");
  EXPECT_TRUE(match->active);
  ASSERT_OK_AND_ASSIGN(auto none, dir_->OidcAccount("https://other.example.org/", "subject-of-rita"));
  EXPECT_FALSE(none);
  EXPECT_THAT(dir_->LinkOidc(rita_, "rita", kIssuer, "x"), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(AuditText(), Not(HasSubstr("subject-of-rita")));
  ASSERT_OK_AND_ASSIGN(auto db, catalog::Database::Open(path_));
  EXPECT_THAT(db->Exec("INSERT INTO oidc_identity VALUES ('https://auth.example.org/', 'subject-of-rita', 'audrey', "
                       "0, 'olga')"),
              StatusIs(StatusCode::kAlreadyExists));
  EXPECT_THAT(db->Exec("UPDATE oidc_identity SET user_name = 'audrey'"),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("never changed")));
  ASSERT_OK(dir_->DisableUser(olga_, "rita"));
  ASSERT_OK_AND_ASSIGN(match, dir_->OidcAccount(kIssuer, "subject-of-rita"));
  ASSERT_TRUE(match);
  EXPECT_FALSE(match->active);
  EXPECT_THAT(dir_->LinkOidc(olga_, "rita", "https://other.example.org/", "s"),
              StatusIs(StatusCode::kFailedPrecondition));
}

}  // namespace
}  // namespace hdhub::directory

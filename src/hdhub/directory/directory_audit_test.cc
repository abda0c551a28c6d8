// Directory: what reaches the audit log, and what happens when it cannot.
#include "hdhub/crypto/hash.h"
#include "hdhub/directory/directory_test_util.h"

namespace hdhub::directory {
namespace {

using ::hdhub::testing::IsOk;
using ::hdhub::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

std::string Text(const SecretBytes& secret) { return std::string(AsStringView(secret.span())); }

class DirectoryAuditTest : public DirectoryTest {
 protected:
  // Every stored password hash and token hash (hex), read with raw SQL.
  std::vector<std::string> StoredHashes() {
    std::vector<std::string> hashes;
    auto db = catalog::Database::Open(path_);
    EXPECT_OK(db);
    if (!db.ok()) return hashes;
    for (std::string_view sql :
         {"SELECT password_hash FROM user_account", "SELECT hex(secret_sha256) FROM api_token"}) {
      StatusOr<catalog::Statement> select = (*db)->Prepare(sql);
      EXPECT_OK(select);
      while (select.ok() && select->Step().value_or(false)) hashes.push_back(select->ColumnText(0));
    }
    return hashes;
  }
};

TEST_F(DirectoryAuditTest, NoSecretReachesTheLog) {
  const std::string new_password = "rita-new-secret-passphrase";
  ASSERT_OK(dir_->SetPassword(olga_, "rita", Secret(new_password)));
  EXPECT_THAT(dir_->AuthenticatePassword("rita", Secret(kRitaPassword)), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_THAT(dir_->AuthenticatePassword(kOlgaPassword, Secret(kOlgaPassword)), StatusIs(StatusCode::kUnauthenticated));
  ASSERT_OK(dir_->AuthenticatePassword("rita", Secret(new_password)).status());
  ASSERT_OK_AND_ASSIGN(IssuedToken token, dir_->IssueToken(olga_, "rita", std::chrono::hours(1)));
  ASSERT_OK(dir_->AuthenticateToken(token.token).status());
  std::string tampered = Text(token.token);
  tampered[30] = tampered[30] == 'x' ? 'y' : 'x';
  EXPECT_THAT(dir_->AuthenticateToken(Secret(tampered)), StatusIs(StatusCode::kUnauthenticated));

  const std::string log = AuditText();
  const std::string token_text = Text(token.token);
  for (std::string_view secret : {kOlgaPassword, kRitaPassword, kAudreyPassword, std::string_view(new_password)}) {
    EXPECT_EQ(log.find(secret), std::string::npos) << "a password is in the log";
  }
  EXPECT_EQ(log.find(token_text), std::string::npos) << "the token is in the log";
  EXPECT_EQ(log.find(token_text.substr(21)), std::string::npos) << "the token secret is in the log";
  EXPECT_EQ(log.find(tampered.substr(21)), std::string::npos) << "a presented secret is in the log";
  EXPECT_EQ(log.find("argon2"), std::string::npos) << "a password hash is in the log";
  const std::vector<std::string> hashes = StoredHashes();
  ASSERT_EQ(hashes.size(), 4u);
  for (const std::string& hash : hashes) {
    EXPECT_EQ(log.find(hash), std::string::npos) << "a stored hash is in the log";
    std::string lower = hash;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_EQ(log.find(lower), std::string::npos) << "a stored hash is in the log";
  }
  // The id is public and named, so the token's use can be traced.
  EXPECT_THAT(log, HasSubstr(token.id));
}

TEST_F(DirectoryAuditTest, NoSecretInErrorMessages) {
  const std::string typed_name = "Bad Name with spaces";
  Status status = dir_->CreateUser(olga_, typed_name, {Role::kSteward}, Secret(kRitaPassword));
  EXPECT_THAT(status, StatusIs(StatusCode::kInvalidArgument, Not(HasSubstr(typed_name))));
  EXPECT_EQ(AuditText().find(typed_name), std::string::npos);
  EXPECT_THAT(dir_->AuthenticateToken(Secret("hdh_secretish")),
              StatusIs(StatusCode::kUnauthenticated, Not(HasSubstr("secretish"))));
}

TEST_F(DirectoryAuditTest, EveryChangeIsOneEvent) {
  const uint64_t before = log_.Size();
  ASSERT_OK(dir_->CreateUser(olga_, "sam", {Role::kSteward}, Secret("sam's password")));
  ASSERT_OK(dir_->SetPassword(olga_, "sam", Secret("sam's new password")));
  ASSERT_OK(dir_->GrantRole(olga_, "sam", Role::kChecker));
  ASSERT_OK(dir_->RevokeRole(olga_, "sam", Role::kSteward));
  ASSERT_OK(dir_->DisableUser(olga_, "sam"));
  ASSERT_OK(dir_->EnableUser(olga_, "sam"));
  ASSERT_OK_AND_ASSIGN(IssuedToken token, dir_->IssueToken(olga_, "sam", std::chrono::hours(1)));
  ASSERT_OK(dir_->RevokeToken(olga_, token.id));
  std::vector<std::string> actions;
  for (const audit::Entry& entry : Entries()) {
    if (entry.seq < before) continue;
    actions.push_back(entry.event.action);
    EXPECT_EQ(entry.event.actor, "olga");
    EXPECT_EQ(entry.event.outcome, audit::Outcome::kSuccess);
    EXPECT_EQ(entry.event.objects.at("user"), "sam");
  }
  EXPECT_THAT(actions, ElementsAre("user.create", "user.password", "user.role_grant", "user.role_revoke",
                                   "user.disable", "user.enable", "token.issue", "token.revoke"));
}

TEST_F(DirectoryAuditTest, FailedChangeIsLoggedAsErrorWithItsCode) {
  EXPECT_THAT(dir_->GrantRole(olga_, "rita", Role::kResearcher), StatusIs(StatusCode::kAlreadyExists));
  audit::Event event = LastEvent();
  EXPECT_EQ(event.action, "user.role_grant");
  EXPECT_EQ(event.outcome, audit::Outcome::kError);
  EXPECT_EQ(event.objects.at("role"), "researcher");
  EXPECT_EQ(event.details.at("code"), "ALREADY_EXISTS");
}

TEST_F(DirectoryAuditTest, ChangesFailAndChangeNothingWhenTheLogFails) {
  ASSERT_OK_AND_ASSIGN(IssuedToken token, dir_->IssueToken(olga_, "rita", std::chrono::hours(1)));
  const uint64_t size = log_.Size();
  log_.SetFailureForTest(UnavailableError("audit disk gone"));
  const auto fails = StatusIs(StatusCode::kUnavailable, HasSubstr("audit disk gone"));
  EXPECT_THAT(dir_->CreateUser(olga_, "sam", {Role::kSteward}, Secret("sam's password")), fails);
  EXPECT_THAT(dir_->SetPassword(olga_, "rita", Secret("never stored password")), fails);
  EXPECT_THAT(dir_->GrantRole(olga_, "rita", Role::kChecker), fails);
  EXPECT_THAT(dir_->GrantRole(olga_, "olga", Role::kSteward), fails);
  EXPECT_THAT(dir_->DisableUser(olga_, "rita"), fails);
  EXPECT_THAT(dir_->IssueToken(olga_, "rita", std::chrono::hours(1)), fails);
  EXPECT_THAT(dir_->RevokeToken(olga_, token.id), fails);
  EXPECT_THAT(dir_->ListUsers(olga_), fails);
  EXPECT_THAT(dir_->CreateUser(rita_, "sam", {Role::kSteward}, Secret("sam's password")), fails);
  log_.SetFailureForTest(OkStatus());

  EXPECT_EQ(log_.Size(), size);
  ASSERT_OK_AND_ASSIGN(std::vector<UserRecord> users, dir_->ListUsers(olga_));
  ASSERT_EQ(users.size(), 3u);
  EXPECT_THAT(users[1].roles, ElementsAre(Role::kOperator));
  EXPECT_THAT(users[2].roles, ElementsAre(Role::kResearcher));
  EXPECT_EQ(users[2].state, UserState::kActive);
  EXPECT_THAT(dir_->AuthenticatePassword("rita", Secret(kRitaPassword)), IsOk());
  EXPECT_THAT(dir_->AuthenticateToken(token.token), IsOk());
  EXPECT_EQ(dir_->ListTokens(olga_)->size(), 1u);
}

TEST_F(DirectoryAuditTest, RevertingAndEnablingFailWhenTheLogFails) {
  ASSERT_OK(dir_->GrantRole(olga_, "rita", Role::kChecker));
  ASSERT_OK(dir_->DisableUser(olga_, "audrey"));
  log_.SetFailureForTest(InternalError("audit write failed"));
  EXPECT_THAT(dir_->RevokeRole(olga_, "rita", Role::kChecker), StatusIs(StatusCode::kInternal));
  EXPECT_THAT(dir_->EnableUser(olga_, "audrey"), StatusIs(StatusCode::kInternal));
  log_.SetFailureForTest(OkStatus());
  EXPECT_THAT(UserNamed("rita").roles, ElementsAre(Role::kResearcher, Role::kChecker));
  EXPECT_EQ(UserNamed("audrey").state, UserState::kDisabled);
}

TEST_F(DirectoryAuditTest, AuthenticationFailsClosedWhenTheLogFails) {
  ASSERT_OK_AND_ASSIGN(IssuedToken token, dir_->IssueToken(olga_, "rita", std::chrono::hours(1)));
  log_.SetFailureForTest(UnavailableError("audit disk gone"));
  // Right and wrong passwords get the same answer: the log's error, not a hint.
  EXPECT_THAT(dir_->AuthenticatePassword("rita", Secret(kRitaPassword)), StatusIs(StatusCode::kUnavailable));
  for (int i = 0; i < 6; ++i) {
    EXPECT_THAT(dir_->AuthenticatePassword("rita", Secret("wrong password!")), StatusIs(StatusCode::kUnavailable));
  }
  EXPECT_THAT(dir_->AuthenticateToken(token.token), StatusIs(StatusCode::kUnavailable));
  log_.SetFailureForTest(OkStatus());
  EXPECT_EQ(UserNamed("rita").failed_attempts, 0);
  EXPECT_THAT(dir_->AuthenticatePassword("rita", Secret(kRitaPassword)), IsOk());
}

}  // namespace
}  // namespace hdhub::directory

// Directory: SCRAM-SHA-256 verifiers of API tokens (the PG wire's password),
// their logins, and the per-statement token check.
#include "hdhub/audit/note.h"
#include "hdhub/directory/directory_schema.h"
#include "hdhub/directory/directory_test_util.h"
#include "hdhub/directory/token.h"

namespace hdhub::directory {
namespace {

using ::hdhub::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr std::chrono::hours kDay{24};
constexpr std::string_view kSource = "192.0.2.7";

class DirectoryScramTest : public DirectoryTest {
 protected:
  IssuedToken Issue(std::string_view user = "rita", std::chrono::microseconds ttl = kDay) {
    StatusOr<IssuedToken> token = dir_->IssueToken(olga_, user, ttl);
    EXPECT_OK(token);
    return token.ok() ? std::move(token).value() : IssuedToken{};
  }
  TokenVerifiers VerifiersOf(std::string_view user) {
    StatusOr<TokenVerifiers> v = dir_->ScramVerifiersOf(user);
    EXPECT_OK(v);
    return v.ok() ? std::move(v).value() : TokenVerifiers{};
  }
  // The keys a client holding `token` computes under `salt`.
  static crypto::ScramKeys ClientKeys(const IssuedToken& token, const Bytes& salt) {
    return crypto::DeriveScramKeys(token.token, salt, crypto::kScramIterations).value();
  }
  Status Login(std::string_view user, std::optional<std::string> matched) {
    return dir_->AuthenticateScram(user, matched, kSource).status();
  }
};

TEST_F(DirectoryScramTest, EveryTokenOfAUserHasKeysUnderItsOneSalt) {
  IssuedToken a = Issue();
  clock_.Advance(std::chrono::seconds(1));  // listed by creation time
  IssuedToken b = Issue();
  TokenVerifiers rita = VerifiersOf("rita");
  EXPECT_EQ(rita.salt.size(), 16u);
  EXPECT_EQ(rita.iterations, 4096);
  EXPECT_THAT(rita.token_ids, ElementsAre(a.id, b.id));
  ASSERT_EQ(rita.keys.size(), 2u);
  EXPECT_EQ(rita.keys[0].stored_key, ClientKeys(a, rita.salt).stored_key);
  EXPECT_EQ(rita.keys[0].server_key, ClientKeys(a, rita.salt).server_key);
  EXPECT_EQ(rita.keys[1].stored_key, ClientKeys(b, rita.salt).stored_key);
  EXPECT_NE(rita.keys[0].stored_key, rita.keys[1].stored_key);
  // The salt stays; another user has its own.
  Issue();
  EXPECT_EQ(VerifiersOf("rita").salt, rita.salt);
  Issue("audrey");
  EXPECT_EQ(VerifiersOf("audrey").salt.size(), 16u);
  EXPECT_NE(VerifiersOf("audrey").salt, rita.salt);
  // Neither the salt nor a key is in the log.
  EXPECT_EQ(AuditText().find(HexEncode(rita.salt)), std::string::npos);
  EXPECT_EQ(AuditText().find(audit::Base64Encode(rita.salt)), std::string::npos);
}

TEST_F(DirectoryScramTest, OnlyTokensThatWouldAuthenticateNowHaveTheirKeysHandedOut) {
  IssuedToken revoked = Issue();
  IssuedToken short_lived = Issue("rita", std::chrono::hours(1));
  IssuedToken good = Issue("rita", 2 * kDay);
  ASSERT_OK(dir_->RevokeToken(olga_, revoked.id));
  clock_.Advance(std::chrono::hours(1));
  const TokenVerifiers rita = VerifiersOf("rita");
  EXPECT_THAT(rita.token_ids, ElementsAre(good.id));
  EXPECT_EQ(rita.keys.size(), 1u);

  // A disabled user: no key, but the same salt (disabling changes nothing a client sees).
  ASSERT_OK(dir_->DisableUser(olga_, "rita"));
  const TokenVerifiers disabled = VerifiersOf("rita");
  EXPECT_THAT(disabled.keys, IsEmpty());
  EXPECT_THAT(disabled.token_ids, IsEmpty());
  EXPECT_EQ(disabled.salt, rita.salt);

  // Unknown, malformed, or never issued a token: no salt and no key.
  for (std::string_view user : {"nobody", "Not A Name", "audrey"}) {
    const TokenVerifiers none = VerifiersOf(user);
    EXPECT_THAT(none.salt, IsEmpty()) << user;
    EXPECT_THAT(none.keys, IsEmpty()) << user;
  }
}

TEST_F(DirectoryScramTest, ALoginByAMatchedTokenIsLoggedAsTokenAuthentication) {
  IssuedToken token = Issue();
  ASSERT_OK_AND_ASSIGN(Principal rita, dir_->AuthenticateScram("rita", token.id, kSource));
  EXPECT_EQ(rita.user, "rita");
  EXPECT_THAT(rita.roles, ElementsAre(Role::kResearcher));
  audit::Event event = LastEvent();
  EXPECT_EQ(event.action, "auth.token");
  EXPECT_EQ(event.actor, "rita");
  EXPECT_EQ(event.role, kNoRoleName);
  EXPECT_EQ(event.outcome, audit::Outcome::kSuccess);
  EXPECT_EQ(event.objects.at("token"), token.id);
  EXPECT_EQ(event.details.at("mechanism"), "scram-sha-256");
  EXPECT_EQ(event.details.at("source"), kSource);
  EXPECT_EQ(event.details.at("roles"), nlohmann::json({"researcher"}));
  EXPECT_EQ(AuditText().find(std::string(AsStringView(token.token.span()))), std::string::npos);
}

TEST_F(DirectoryScramTest, EveryRefusedLoginLooksTheSameAndIsLoggedWithItsReason) {
  IssuedToken revoked = Issue();
  IssuedToken expired = Issue("rita", std::chrono::hours(1));
  IssuedToken good = Issue("rita", 2 * kDay);
  IssuedToken audreys = Issue("audrey");
  ASSERT_OK(dir_->CreateUser(olga_, "dora", {Role::kResearcher}, Secret(kRitaPassword)));
  IssuedToken doras = Issue("dora");
  ASSERT_OK(dir_->CreateUser(olga_, "sam", {Role::kResearcher}, Secret(kRitaPassword)));
  ASSERT_OK(dir_->DisableUser(olga_, "dora"));
  ASSERT_OK(dir_->RevokeToken(olga_, revoked.id));
  clock_.Advance(std::chrono::hours(1));

  struct Case {
    std::string user;
    std::optional<std::string> matched;
    std::string reason, actor;
  };
  const std::vector<Case> cases = {
      {"rita", std::nullopt, "wrong_proof", "rita"},
      {"nobody", std::nullopt, "unknown_user", std::string(kUnknownActor)},
      {"nobody", good.id, "unknown_user", std::string(kUnknownActor)},
      {"Not A Name", std::nullopt, "unknown_user", std::string(kUnknownActor)},
      {"dora", std::nullopt, "disabled", "dora"},
      {"dora", doras.id, "disabled", "dora"},  // disabled between the two steps
      {"sam", std::nullopt, "no_usable_token", "sam"},
      {"rita", revoked.id, "revoked", "rita"},  // revoked between the two steps
      {"rita", expired.id, "expired", "rita"},
      {"rita", audreys.id, "wrong_user", "rita"},
      {"rita", "0123456789abcdef", "unknown_token", "rita"},
      {"rita", "not an id", "unknown_token", "rita"},
  };
  const Status first = Login(cases.front().user, cases.front().matched);
  EXPECT_THAT(first, StatusIs(StatusCode::kUnauthenticated, HasSubstr("password authentication failed")));
  for (const Case& c : cases) {
    SCOPED_TRACE(c.user + " " + c.matched.value_or("(no match)"));
    EXPECT_EQ(Login(c.user, c.matched), first);
    audit::Event event = LastEvent();
    EXPECT_EQ(event.action, "auth.token");
    EXPECT_EQ(event.outcome, audit::Outcome::kDenied);
    EXPECT_EQ(event.actor, c.actor);
    EXPECT_EQ(event.details.at("reason"), c.reason);
    EXPECT_EQ(event.details.at("source"), kSource);
    EXPECT_EQ(event.details.at("mechanism"), "scram-sha-256");
  }
  EXPECT_EQ(AuditText().find("nobody"), std::string::npos);  // the name tried is never logged
  EXPECT_OK(Login("rita", good.id));
}

TEST_F(DirectoryScramTest, TokenIsValidFollowsRevocationExpiryAndTheUsersState) {
  IssuedToken token = Issue("rita", std::chrono::hours(2));
  IssuedToken other = Issue();
  const uint64_t logged = log_.Size();
  EXPECT_THAT(dir_->TokenIsValid(token.id), ::hdhub::testing::IsOkAndHolds(true));
  ASSERT_OK(dir_->DisableUser(olga_, "rita"));
  EXPECT_THAT(dir_->TokenIsValid(token.id), ::hdhub::testing::IsOkAndHolds(false));
  ASSERT_OK(dir_->EnableUser(olga_, "rita"));
  EXPECT_THAT(dir_->TokenIsValid(token.id), ::hdhub::testing::IsOkAndHolds(true));
  ASSERT_OK(dir_->RevokeToken(olga_, other.id));
  EXPECT_THAT(dir_->TokenIsValid(other.id), ::hdhub::testing::IsOkAndHolds(false));
  EXPECT_THAT(dir_->TokenIsValid(token.id), ::hdhub::testing::IsOkAndHolds(true));
  clock_.Advance(std::chrono::hours(2));
  EXPECT_THAT(dir_->TokenIsValid(token.id), ::hdhub::testing::IsOkAndHolds(false));
  for (std::string_view id : {"0123456789abcdef", "nope", ""}) {
    EXPECT_THAT(dir_->TokenIsValid(id), ::hdhub::testing::IsOkAndHolds(false)) << id;
  }
  EXPECT_EQ(log_.Size(), logged + 3);  // the disable, enable and revoke; the checks log nothing
}

TEST_F(DirectoryScramTest, SchemaKeepsSaltsAndKeysAsIssued) {
  Issue();
  ASSERT_OK_AND_ASSIGN(auto db, catalog::Database::Open(path_));
  EXPECT_THAT(db->Exec("UPDATE user_scram_salt SET salt = zeroblob(16)"),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("never changes")));
  EXPECT_THAT(db->Exec("DELETE FROM user_scram_salt"), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(db->Exec("UPDATE api_token_scram SET stored_key = zeroblob(32)"),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("never change")));
  EXPECT_THAT(db->Exec("DELETE FROM api_token_scram"), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(db->Exec("INSERT INTO user_scram_salt VALUES ('audrey', zeroblob(8), 4096, 0)"),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(db->Exec("INSERT INTO user_scram_salt VALUES ('audrey', zeroblob(16), 1000, 0)"),
              StatusIs(StatusCode::kFailedPrecondition));
}

// A database of directory schema version 3 (before SCRAM keys), with one
// user and one token, migrated by Open: the old token still authenticates
// as an API token but has no keys for the PG wire; a new one has.
TEST_F(DirectoryScramTest, TokensIssuedBeforeTheMigrationHaveNoKeys) {
  const std::string old_path = tmp_.Sub("old.db");
  ASSERT_OK_AND_ASSIGN(ParsedToken old_token, GenerateToken());
  {
    ASSERT_OK_AND_ASSIGN(auto db, catalog::Database::Open(old_path));
    ASSERT_OK(catalog::ApplyMigrations(db.get(), kDirectoryComponent, DirectoryMigrations().first(3)));
    ASSERT_OK(
        db->Exec("INSERT INTO user_account VALUES ('rob', 'active', '$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aA', "
                 "0, NULL, 0, 0)"));
    ASSERT_OK(db->Exec("INSERT INTO user_role VALUES ('rob', 'operator')"));
    ASSERT_OK(db->Exec("INSERT INTO api_token VALUES ('" + old_token.id + "', 'rob', x'" +
                       HexEncode(HashTokenSecret(old_token.secret)) + "', '', 0, 31536000000000, NULL)"));
  }
  clock_.Set(TimePoint(std::chrono::hours(1)));
  ASSERT_OK_AND_ASSIGN(auto dir, Directory::Open(old_path, &clock_, &log_, DirectoryOptions::InsecureLowCostForTest()));
  ASSERT_OK_AND_ASSIGN(auto db, catalog::Database::Open(old_path));
  EXPECT_THAT(catalog::SchemaVersion(db.get(), kDirectoryComponent),
              ::hdhub::testing::IsOkAndHolds(static_cast<int64_t>(DirectoryMigrations().size())));
  ASSERT_OK_AND_ASSIGN(Principal rob, dir->AuthenticateToken(FormatToken(old_token)));
  EXPECT_EQ(rob.user, "rob");
  ASSERT_OK_AND_ASSIGN(TokenVerifiers before, dir->ScramVerifiersOf("rob"));
  EXPECT_THAT(before.keys, IsEmpty());
  EXPECT_THAT(before.salt, IsEmpty());
  // Even named as matched, a token without keys does not log in.
  EXPECT_THAT(dir->AuthenticateScram("rob", old_token.id), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_EQ(audit::testing::ReadEntries(log_).back().event.details.at("reason"), "no_verifier");
  ASSERT_OK_AND_ASSIGN(IssuedToken fresh, dir->IssueToken({"rob", "operator"}, "rob", kDay));
  ASSERT_OK_AND_ASSIGN(TokenVerifiers after, dir->ScramVerifiersOf("rob"));
  EXPECT_THAT(after.token_ids, ElementsAre(fresh.id));
}

}  // namespace
}  // namespace hdhub::directory

// Directory: issuing, authenticating, revoking and listing API tokens.
#include <regex>

#include "hdhub/directory/directory_test_util.h"
#include "hdhub/directory/token.h"

namespace hdhub::directory {
namespace {

using ::hdhub::testing::IsOk;
using ::hdhub::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;

constexpr std::chrono::hours kDay{24};

std::string Text(const SecretBytes& secret) { return std::string(AsStringView(secret.span())); }

class DirectoryTokenTest : public DirectoryTest {
 protected:
  IssuedToken Issue(std::string_view user = "rita", std::chrono::microseconds ttl = kDay) {
    StatusOr<IssuedToken> token = dir_->IssueToken(olga_, user, ttl, "laptop");
    EXPECT_OK(token);
    return token.ok() ? std::move(token).value() : IssuedToken{};
  }
  Status Authenticate(const SecretBytes& token) { return dir_->AuthenticateToken(token).status(); }
};

TEST_F(DirectoryTokenTest, IssuedTokenHasTheDocumentedFormatAndAuthenticates) {
  IssuedToken token = Issue();
  const std::string text = Text(token.token);
  EXPECT_TRUE(std::regex_match(text, std::regex("hdh_[0-9a-f]{16}_[A-Za-z0-9_-]{43}"))) << "bad format";
  EXPECT_EQ(text.substr(4, 16), token.id);
  EXPECT_EQ(token.expires_at, clock_.Now() + kDay);
  audit::Event issued = LastEvent();
  EXPECT_EQ(issued.action, "token.issue");
  EXPECT_EQ(issued.objects.at("token"), token.id);
  EXPECT_EQ(issued.objects.at("user"), "rita");
  EXPECT_EQ(issued.details.at("label"), "laptop");
  ASSERT_OK_AND_ASSIGN(Principal rita, dir_->AuthenticateToken(token.token));
  EXPECT_EQ(rita.user, "rita");
  EXPECT_THAT(rita.roles, ElementsAre(Role::kResearcher));
  audit::Event auth = LastEvent();
  EXPECT_EQ(auth.action, "auth.token");
  EXPECT_EQ(auth.actor, "rita");
  EXPECT_EQ(auth.outcome, audit::Outcome::kSuccess);
  EXPECT_EQ(auth.objects.at("token"), token.id);
}

TEST_F(DirectoryTokenTest, EachTokenIsFresh) {
  IssuedToken a = Issue();
  IssuedToken b = Issue();
  EXPECT_NE(a.id, b.id);
  EXPECT_FALSE(a.token.Equals(b.token));
}

TEST_F(DirectoryTokenTest, IssueRefusesBadRequests) {
  EXPECT_THAT(dir_->IssueToken(olga_, "rita", std::chrono::microseconds(0)), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(dir_->IssueToken(olga_, "rita", -kDay), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(dir_->IssueToken(olga_, "rita", kMaxTokenTtl + std::chrono::microseconds(1)),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("365 days")));
  EXPECT_THAT(dir_->IssueToken(olga_, "rita", kDay, "has space"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(dir_->IssueToken(olga_, "rita", kDay, std::string(65, 'x')), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(dir_->IssueToken(olga_, "nobody", kDay), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(dir_->IssueToken(olga_, "No Body", kDay), StatusIs(StatusCode::kInvalidArgument));
  ASSERT_OK(dir_->DisableUser(olga_, "rita"));
  EXPECT_THAT(dir_->IssueToken(olga_, "rita", kDay), StatusIs(StatusCode::kFailedPrecondition));
  ASSERT_OK_AND_ASSIGN(std::vector<TokenRecord> tokens, dir_->ListTokens(olga_));
  EXPECT_TRUE(tokens.empty());
  EXPECT_THAT(dir_->IssueToken(olga_, "olga", kMaxTokenTtl, std::string(64, 'x')), IsOk());
}

TEST_F(DirectoryTokenTest, ResearcherCannotIssueTokens) {
  EXPECT_THAT(dir_->IssueToken(rita_, "audrey", kDay), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_EQ(LastEvent().outcome, audit::Outcome::kDenied);
  EXPECT_EQ(LastEvent().objects.at("user"), "audrey");
  EXPECT_THAT(dir_->IssueToken(rita_, "rita", kDay), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_TRUE(dir_->ListTokens(olga_)->empty());
}

TEST_F(DirectoryTokenTest, TokenExpires) {
  IssuedToken token = Issue("rita", std::chrono::hours(1));
  clock_.Advance(std::chrono::hours(1) - std::chrono::microseconds(1));
  EXPECT_THAT(Authenticate(token.token), IsOk());
  clock_.Advance(std::chrono::microseconds(1));
  EXPECT_THAT(Authenticate(token.token), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_EQ(LastEvent().details.at("reason"), "expired");
  EXPECT_EQ(LastEvent().outcome, audit::Outcome::kDenied);
}

TEST_F(DirectoryTokenTest, RevokedTokenIsRefused) {
  IssuedToken token = Issue();
  clock_.Advance(std::chrono::minutes(3));
  ASSERT_OK(dir_->RevokeToken(olga_, token.id));
  EXPECT_EQ(LastEvent().action, "token.revoke");
  EXPECT_EQ(LastEvent().objects.at("user"), "rita");
  EXPECT_THAT(Authenticate(token.token), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_EQ(LastEvent().details.at("reason"), "revoked");
  ASSERT_OK_AND_ASSIGN(std::vector<TokenRecord> tokens, dir_->ListTokens(olga_, "rita"));
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_EQ(tokens[0].revoked_at, clock_.Now());
}

TEST_F(DirectoryTokenTest, RevokeRefusesBadRequests) {
  IssuedToken token = Issue();
  EXPECT_THAT(dir_->RevokeToken(rita_, token.id), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(Authenticate(token.token), IsOk());
  EXPECT_THAT(dir_->RevokeToken(olga_, "0123456789abcdef"), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(dir_->RevokeToken(olga_, "not-an-id"), StatusIs(StatusCode::kInvalidArgument));
  ASSERT_OK(dir_->RevokeToken(olga_, token.id));
  EXPECT_THAT(dir_->RevokeToken(olga_, token.id), StatusIs(StatusCode::kFailedPrecondition, HasSubstr("already")));
}

TEST_F(DirectoryTokenTest, DisabledUsersTokenIsRefusedUntilEnabled) {
  IssuedToken token = Issue();
  ASSERT_OK(dir_->DisableUser(olga_, "rita"));
  EXPECT_THAT(Authenticate(token.token), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_EQ(LastEvent().details.at("reason"), "disabled");
  ASSERT_OK(dir_->EnableUser(olga_, "rita"));
  EXPECT_THAT(Authenticate(token.token), IsOk());
}

TEST_F(DirectoryTokenTest, EveryChangedCharacterIsRefused) {
  IssuedToken token = Issue();
  const std::string text = Text(token.token);
  for (size_t i = 0; i < text.size(); ++i) {
    std::string tampered = text;
    tampered[i] = text[i] == 'a' ? 'b' : 'a';
    EXPECT_THAT(Authenticate(Secret(tampered)), StatusIs(StatusCode::kUnauthenticated)) << "position " << i;
  }
  // The last character carries 2 unused bits: changing only those is refused too.
  constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string low_bits = text;
  low_bits.back() = kAlphabet[kAlphabet.find(text.back()) ^ 1];
  EXPECT_THAT(Authenticate(Secret(low_bits)), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_THAT(Authenticate(token.token), IsOk());
}

TEST_F(DirectoryTokenTest, MalformedTokensAreRefused) {
  const std::string text = Text(Issue().token);
  for (const std::string& bad : {std::string(), text.substr(0, text.size() - 1), text + "A", "Bearer " + text,
                                 "xdh_" + text.substr(4), std::string(text.size(), '_')}) {
    EXPECT_THAT(Authenticate(Secret(bad)), StatusIs(StatusCode::kUnauthenticated));
    EXPECT_EQ(LastEvent().actor, kUnknownActor);
    EXPECT_EQ(LastEvent().details.at("reason"), "malformed");
  }
}

TEST_F(DirectoryTokenTest, AnotherUsersTokenDoesNotAuthenticateAsYou) {
  IssuedToken rita = Issue("rita");
  IssuedToken audrey = Issue("audrey");
  ASSERT_OK_AND_ASSIGN(Principal who, dir_->AuthenticateToken(audrey.token));
  EXPECT_EQ(who.user, "audrey");
  // Rita's id with audrey's secret: neither token.
  std::string mixed = Text(rita.token).substr(0, 21) + Text(audrey.token).substr(21);
  EXPECT_THAT(Authenticate(Secret(mixed)), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_EQ(LastEvent().details.at("reason"), "wrong_secret");
  EXPECT_EQ(LastEvent().actor, "rita");
}

TEST_F(DirectoryTokenTest, UnknownTokenIsRefused) {
  std::string text = Text(Issue().token);
  text.replace(4, 16, "0000000000000000");
  EXPECT_THAT(Authenticate(Secret(text)), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_EQ(LastEvent().actor, kUnknownActor);
  EXPECT_EQ(LastEvent().details.at("reason"), "unknown_token");
}

TEST_F(DirectoryTokenTest, ListTokensShowsRecordsOnly) {
  IssuedToken first = Issue("rita");
  clock_.Advance(std::chrono::seconds(1));
  IssuedToken second = Issue("audrey", 2 * kDay);
  ASSERT_OK_AND_ASSIGN(std::vector<TokenRecord> all, dir_->ListTokens(audrey_));
  EXPECT_THAT(all, ElementsAre(Field(&TokenRecord::id, first.id), Field(&TokenRecord::id, second.id)));
  EXPECT_EQ(all[1].user, "audrey");
  EXPECT_EQ(all[1].label, "laptop");
  EXPECT_EQ(all[1].created_at, clock_.Now());
  EXPECT_EQ(all[1].expires_at, clock_.Now() + 2 * kDay);
  EXPECT_FALSE(all[1].revoked_at.has_value());
  ASSERT_OK_AND_ASSIGN(std::vector<TokenRecord> ritas, dir_->ListTokens(olga_, "rita"));
  EXPECT_THAT(ritas, ElementsAre(Field(&TokenRecord::id, first.id)));
  EXPECT_EQ(LastEvent().details.at("count"), 1);
  EXPECT_THAT(dir_->ListTokens(olga_, "nobody"), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(dir_->ListTokens(rita_, "rita"), StatusIs(StatusCode::kPermissionDenied));
}

}  // namespace
}  // namespace hdhub::directory

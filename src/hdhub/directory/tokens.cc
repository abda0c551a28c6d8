// Directory: issuing, revoking and listing API tokens.
#include <algorithm>

#include "hdhub/crypto/random.h"
#include "hdhub/directory/directory.h"
#include "hdhub/directory/token.h"
#include "hdhub/directory/token_table.h"
#include "hdhub/directory/user_name.h"
#include "hdhub/directory/user_table.h"

namespace hdhub::directory {
namespace {

constexpr size_t kScramSaltBytes = 16;

bool IsLabelChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == ':' || c == '@' || c == '/' || c == '-';
}

Status CheckTokenRequest(std::chrono::microseconds ttl, std::string_view label) {
  if (ttl <= std::chrono::microseconds::zero() || ttl > kMaxTokenTtl) {
    return InvalidArgumentError("directory: a token's lifetime must be positive and at most 365 days");
  }
  if (label.size() > kMaxTokenLabelSize || !std::all_of(label.begin(), label.end(), IsLabelChar)) {
    return InvalidArgumentError("directory: a token label is at most 64 characters of [A-Za-z0-9._:@/-]");
  }
  return OkStatus();
}

// Stores the SCRAM keys of `token_text` (token `token_id` of `user`) under
// the user's salt, making that salt first when the user has none.
Status StoreScramKeys(catalog::Database& db, std::string_view user, std::string_view token_id,
                      const SecretBytes& token_text, TimePoint now) {
  ASSIGN_OR_RETURN(internal::ScramSalt salt, internal::FindScramSalt(db, user));
  if (salt.salt.empty()) {
    ASSIGN_OR_RETURN(salt.salt, crypto::RandomBytes(kScramSaltBytes));
    salt.iterations = crypto::kScramIterations;
    RETURN_IF_ERROR(internal::InsertScramSalt(db, user, salt, now));
  }
  ASSIGN_OR_RETURN(crypto::ScramKeys keys, crypto::DeriveScramKeys(token_text, salt.salt, salt.iterations));
  return internal::InsertTokenScramKeys(db, token_id, keys);
}

}  // namespace

StatusOr<IssuedToken> Directory::IssueToken(const audit::Actor& actor, std::string_view user,
                                            std::chrono::microseconds ttl, std::string_view label) {
  IssuedToken issued;
  auto issue = [&](audit::Event& e) -> Status {
    RETURN_IF_ERROR(internal::CheckUserName(user));
    RETURN_IF_ERROR(CheckTokenRequest(ttl, label));
    ASSIGN_OR_RETURN(internal::UserRow owner, internal::RequireUser(*db_, user));
    if (owner.record.state != UserState::kActive) {
      return FailedPreconditionError("directory: user " + std::string(user) +
                                     " is disabled; enable it before issuing a token");
    }
    ASSIGN_OR_RETURN(ParsedToken token, GenerateToken());
    const TimePoint now = clock_->Now();
    const TokenRecord record{.id = token.id,
                             .user = std::string(user),
                             .label = std::string(label),
                             .created_at = now,
                             .expires_at = now + ttl};
    RETURN_IF_ERROR(internal::InsertToken(*db_, record, HashTokenSecret(token.secret)));
    SecretBytes text = FormatToken(token);
    RETURN_IF_ERROR(StoreScramKeys(*db_, user, token.id, text, now));
    e.objects["token"] = token.id;
    e.details["expires"] = FormatRfc3339(record.expires_at);
    if (!label.empty()) e.details["label"] = record.label;
    issued = IssuedToken{token.id, std::move(text), record.expires_at};
    return OkStatus();
  };
  RETURN_IF_ERROR(Audited(actor, Operation::kTokenIssue, internal::UserEvent("token.issue", user), issue));
  return issued;
}

Status Directory::RevokeToken(const audit::Actor& actor, std::string_view token_id) {
  audit::Event event{.action = "token.revoke"};
  if (IsValidTokenId(token_id)) event.objects["token"] = std::string(token_id);
  return Audited(actor, Operation::kTokenRevoke, std::move(event), [&](audit::Event& e) -> Status {
    if (!IsValidTokenId(token_id)) return InvalidArgumentError("directory: a token id is 16 lower-case hex digits");
    ASSIGN_OR_RETURN(std::optional<internal::TokenRow> token, internal::FindToken(*db_, token_id));
    if (!token) return NotFoundError("directory: no token " + std::string(token_id));
    e.objects["user"] = token->record.user;
    if (token->record.revoked_at) {
      return FailedPreconditionError("directory: token " + std::string(token_id) + " is already revoked");
    }
    return internal::SetTokenRevoked(*db_, token_id, clock_->Now());
  });
}

StatusOr<std::vector<TokenRecord>> Directory::ListTokens(const audit::Actor& actor,
                                                         const std::optional<std::string>& user) {
  std::vector<TokenRecord> tokens;
  audit::Event event = internal::UserEvent("token.list", user.value_or(""));
  RETURN_IF_ERROR(Audited(actor, Operation::kTokenList, std::move(event), [&](audit::Event& e) -> Status {
    if (user) {
      RETURN_IF_ERROR(internal::CheckUserName(*user));
      RETURN_IF_ERROR(internal::RequireUser(*db_, *user).status());
    }
    ASSIGN_OR_RETURN(tokens, internal::ListTokenRecords(*db_, user));
    e.details["count"] = tokens.size();
    return OkStatus();
  }));
  return tokens;
}

}  // namespace hdhub::directory

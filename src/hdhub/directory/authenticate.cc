// Directory: password, token and SCRAM (PG wire) authentication, with
// lockout for passwords.
//
// A password check runs Argon2 outside the connection's mutex and outside any
// transaction (it takes tens of milliseconds and 64 MiB), then re-reads the
// account in a write transaction to decide, count failures and log.
#include <algorithm>

#include "hdhub/directory/directory.h"
#include "hdhub/directory/token.h"
#include "hdhub/directory/token_table.h"
#include "hdhub/directory/user_table.h"

namespace hdhub::directory {

using catalog::Transaction;

namespace {

// One message for every refusal, so that the caller learns nothing about the account.
constexpr std::string_view kPasswordRefused =
    "authentication failed: unknown user or wrong password, or the account is disabled or locked";
constexpr std::string_view kTokenRefused = "authentication failed: the API token is invalid, expired or revoked";
constexpr std::string_view kScramRefused =
    "password authentication failed: unknown or disabled user, or the password is not one of its valid API tokens";
constexpr std::string_view kWrongPassword = "wrong_password";

constexpr size_t kMaxSource = 128;

audit::Event AuthEvent(std::string_view action, std::string_view actor, std::string_view source = {}) {
  audit::Event e{.actor = std::string(actor), .role = std::string(kNoRoleName), .action = std::string(action)};
  // Where the attempt came from, when it is an identifier (an address, "local").
  const bool loggable =
      !source.empty() && source.size() <= kMaxSource &&
      source.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:@/-") ==
          std::string_view::npos;
  if (loggable) e.details["source"] = std::string(source);
  return e;
}

Status Refuse(audit::Event& event, std::string_view reason, std::string_view message) {
  event.details["reason"] = std::string(reason);
  return UnauthenticatedError(message);
}

// Completes `event` with the outcome of `principal` (a refusal is denied,
// another failure an error) and logs it; the log's error when it cannot.
Status LogAuthentication(audit::AuditLog& log, audit::Event& event, const StatusOr<Principal>& principal) {
  if (principal.ok()) {
    event.details["roles"] = RoleNames(principal->roles);
  } else if (principal.status().code() == StatusCode::kUnauthenticated) {
    event.outcome = audit::Outcome::kDenied;
  } else {
    event.outcome = audit::Outcome::kError;
    event.details["code"] = std::string(StatusCodeName(principal.status().code()));
  }
  return log.Append(event).status();
}

// Why a login is refused, or empty when it succeeds.
std::string_view LoginRefusal(const std::optional<internal::UserRow>& row, bool matches, TimePoint now) {
  if (!row) return "unknown_user";
  if (row->record.state != UserState::kActive) return "disabled";
  if (row->locked_until && *row->locked_until > now) return "locked";
  if (!matches) return kWrongPassword;
  return "";
}

// Counts a wrong password against `row` and locks the account at the
// threshold (adding auth.lockout to `events`). Refusals for other reasons
// change nothing: a locked account's lock is not extended by more attempts.
Status RecordRefusal(catalog::Database& db, const DirectoryOptions& options, const internal::UserRow& row,
                     TimePoint now, std::vector<audit::Event>& events) {
  const int64_t failed = row.record.failed_attempts + 1;
  events.front().details["failed_attempts"] = failed;
  if (failed < options.lockout_threshold) return internal::SetLoginFailures(db, row.record.name, failed, std::nullopt);
  // The count restarts, so after the lock the user has the full number of tries again.
  const TimePoint until = now + options.lockout_duration;
  audit::Event lockout = AuthEvent("auth.lockout", row.record.name);
  lockout.details = {{"failures", failed}, {"locked_until", FormatRfc3339(until)}};
  events.push_back(std::move(lockout));
  return internal::SetLoginFailures(db, row.record.name, 0, until);
}

}  // namespace

struct Directory::LoginCheck {
  bool known = false;    // the user existed when the password was checked
  bool matches = false;  // the password matched the hash stored then
};

StatusOr<Principal> Directory::AuthenticatePassword(std::string_view user, const SecretBytes& password,
                                                    std::string_view source) {
  ASSIGN_OR_RETURN(LoginCheck check, CheckLogin(user, password));
  return FinishLogin(user, check, source);
}

StatusOr<Directory::LoginCheck> Directory::CheckLogin(std::string_view user, const SecretBytes& password) {
  std::optional<internal::UserRow> row;
  if (IsValidUserName(user)) {
    std::lock_guard lock(mu_);
    ASSIGN_OR_RETURN(row, internal::FindUser(*db_, user));
  }
  LoginCheck check;
  if (!row) {
    RETURN_IF_ERROR(SpendVerificationTime(password, options_.password_cost));
    return check;
  }
  // Verified even for a disabled or locked account, which then takes as long to refuse.
  check.known = true;
  ASSIGN_OR_RETURN(check.matches, VerifyPassword(row->password_hash, password));
  return check;
}

StatusOr<Principal> Directory::FinishLogin(std::string_view user, const LoginCheck& check, std::string_view source) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db_.get(), Transaction::Mode::kWrite));
  std::optional<internal::UserRow> row;
  if (check.known) {
    ASSIGN_OR_RETURN(row, internal::FindUser(*db_, user));
  }
  const TimePoint now = clock_->Now();
  std::vector<audit::Event> events = {AuthEvent("auth.password", row ? user : kUnknownActor, source)};
  const std::string_view refusal = LoginRefusal(row, check.matches, now);
  std::optional<Principal> principal;
  if (refusal.empty()) {
    ASSIGN_OR_RETURN(principal, LoadPrincipal(std::string(user)));
    RETURN_IF_ERROR(internal::SetLoginFailures(*db_, user, 0, std::nullopt));
    events.front().details["roles"] = RoleNames(principal->roles);
  } else {
    events.front().outcome = audit::Outcome::kDenied;
    events.front().details["reason"] = std::string(refusal);
    if (refusal == kWrongPassword) RETURN_IF_ERROR(RecordRefusal(*db_, options_, *row, now, events));
  }
  // Logged before COMMIT: an attempt that cannot be logged counts for nothing.
  RETURN_IF_ERROR(log_->AppendBatch(events).status());
  RETURN_IF_ERROR(txn.Commit());
  if (!principal) return UnauthenticatedError(kPasswordRefused);
  return std::move(*principal);
}

StatusOr<Principal> Directory::AuthenticateToken(const SecretBytes& token, std::string_view source) {
  audit::Event event = AuthEvent("auth.token", kUnknownActor, source);
  std::lock_guard lock(mu_);
  StatusOr<Principal> principal = [&]() -> StatusOr<Principal> {
    ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db_.get(), Transaction::Mode::kRead));
    return CheckToken(token, event);
  }();
  RETURN_IF_ERROR(LogAuthentication(*log_, event, principal));
  return principal;
}

StatusOr<Principal> Directory::CheckToken(const SecretBytes& text, audit::Event& event) {
  StatusOr<ParsedToken> token = ParseToken(text);
  if (!token.ok()) return Refuse(event, "malformed", kTokenRefused);
  event.objects["token"] = token->id;
  ASSIGN_OR_RETURN(std::optional<internal::TokenRow> row, internal::FindToken(*db_, token->id));
  if (!row) return Refuse(event, "unknown_token", kTokenRefused);
  event.actor = row->record.user;
  const crypto::Digest presented = HashTokenSecret(token->secret);
  if (!ConstantTimeEquals(presented, row->secret_sha256)) return Refuse(event, "wrong_secret", kTokenRefused);
  ASSIGN_OR_RETURN(std::string_view refusal, TokenRefusal(row->record));
  if (!refusal.empty()) return Refuse(event, refusal, kTokenRefused);
  return LoadPrincipal(row->record.user);
}

StatusOr<std::string_view> Directory::TokenRefusal(const TokenRecord& token) {
  if (token.revoked_at) return std::string_view("revoked");
  if (clock_->Now() >= token.expires_at) return std::string_view("expired");
  ASSIGN_OR_RETURN(internal::UserRow owner, internal::RequireUser(*db_, token.user));
  if (owner.record.state != UserState::kActive) return std::string_view("disabled");
  return std::string_view();
}

StatusOr<bool> Directory::TokenIsValid(std::string_view token_id) {
  if (!IsValidTokenId(token_id)) return false;
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db_.get(), Transaction::Mode::kRead));
  ASSIGN_OR_RETURN(std::optional<internal::TokenRow> row, internal::FindToken(*db_, token_id));
  if (!row) return false;
  ASSIGN_OR_RETURN(std::string_view refusal, TokenRefusal(row->record));
  return refusal.empty();
}

StatusOr<TokenVerifiers> Directory::ScramVerifiersOf(std::string_view user) {
  TokenVerifiers verifiers;
  if (!IsValidUserName(user)) return verifiers;
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db_.get(), Transaction::Mode::kRead));
  // The same three reads whoever `user` is, so that their time tells little.
  ASSIGN_OR_RETURN(std::optional<internal::UserRow> row, internal::FindUser(*db_, user));
  ASSIGN_OR_RETURN(internal::ScramSalt salt, internal::FindScramSalt(*db_, user));
  ASSIGN_OR_RETURN(std::vector<internal::TokenScramKeys> usable,
                   internal::UsableTokenScramKeys(*db_, user, clock_->Now()));
  if (!row || salt.salt.empty()) return verifiers;
  // A disabled user keeps its salt in the answer, so that disabling an
  // account does not change what a client is told.
  verifiers.salt = std::move(salt.salt);
  verifiers.iterations = salt.iterations;
  if (row->record.state != UserState::kActive) return verifiers;
  for (internal::TokenScramKeys& token : usable) {
    verifiers.keys.push_back(token.keys);
    verifiers.token_ids.push_back(std::move(token.token_id));
  }
  return verifiers;
}

StatusOr<Principal> Directory::AuthenticateScram(std::string_view user,
                                                 const std::optional<std::string>& matched_token_id,
                                                 std::string_view source) {
  audit::Event event = AuthEvent("auth.token", kUnknownActor, source);
  event.details["mechanism"] = "scram-sha-256";
  std::lock_guard lock(mu_);
  StatusOr<Principal> principal = [&]() -> StatusOr<Principal> {
    ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db_.get(), Transaction::Mode::kRead));
    return CheckScram(user, matched_token_id, event);
  }();
  RETURN_IF_ERROR(LogAuthentication(*log_, event, principal));
  return principal;
}

StatusOr<Principal> Directory::CheckScram(std::string_view user, const std::optional<std::string>& matched_token_id,
                                          audit::Event& event) {
  std::optional<internal::UserRow> row;
  if (IsValidUserName(user)) {
    ASSIGN_OR_RETURN(row, internal::FindUser(*db_, user));
  }
  if (!row) return Refuse(event, "unknown_user", kScramRefused);  // the name tried is not logged
  event.actor = row->record.name;
  if (!matched_token_id) {
    if (row->record.state != UserState::kActive) return Refuse(event, "disabled", kScramRefused);
    ASSIGN_OR_RETURN(std::vector<internal::TokenScramKeys> usable,
                     internal::UsableTokenScramKeys(*db_, row->record.name, clock_->Now()));
    return Refuse(event, usable.empty() ? "no_usable_token" : "wrong_proof", kScramRefused);
  }
  if (!IsValidTokenId(*matched_token_id)) return Refuse(event, "unknown_token", kScramRefused);
  event.objects["token"] = *matched_token_id;
  ASSIGN_OR_RETURN(std::optional<internal::TokenRow> token, internal::FindToken(*db_, *matched_token_id));
  if (!token) return Refuse(event, "unknown_token", kScramRefused);
  if (token->record.user != row->record.name) return Refuse(event, "wrong_user", kScramRefused);
  ASSIGN_OR_RETURN(std::string_view refusal, TokenRefusal(token->record));
  if (!refusal.empty()) return Refuse(event, refusal, kScramRefused);
  // Only a token with keys can have matched (one issued before schema version 4 cannot).
  ASSIGN_OR_RETURN(std::vector<internal::TokenScramKeys> usable,
                   internal::UsableTokenScramKeys(*db_, row->record.name, clock_->Now()));
  const bool has_keys = std::any_of(usable.begin(), usable.end(),
                                    [&](const internal::TokenScramKeys& t) { return t.token_id == *matched_token_id; });
  if (!has_keys) return Refuse(event, "no_verifier", kScramRefused);
  return LoadPrincipal(row->record.name);
}

StatusOr<Principal> Directory::LoadPrincipal(const std::string& user) {
  ASSIGN_OR_RETURN(std::vector<Role> roles, internal::RolesOf(*db_, user));
  return Principal{user, std::move(roles)};
}

}  // namespace hdhub::directory

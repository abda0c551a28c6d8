// Directory: password and token authentication, with lockout.
//
// A password check runs Argon2 outside the connection's mutex and outside any
// transaction (it takes tens of milliseconds and 64 MiB), then re-reads the
// account in a write transaction to decide, count failures and log.
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
  if (principal.ok()) {
    event.details["roles"] = RoleNames(principal->roles);
  } else if (principal.status().code() == StatusCode::kUnauthenticated) {
    event.outcome = audit::Outcome::kDenied;
  } else {
    event.outcome = audit::Outcome::kError;
    event.details["code"] = std::string(StatusCodeName(principal.status().code()));
  }
  RETURN_IF_ERROR(log_->Append(event).status());
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
  if (row->record.revoked_at) return Refuse(event, "revoked", kTokenRefused);
  if (clock_->Now() >= row->record.expires_at) return Refuse(event, "expired", kTokenRefused);
  ASSIGN_OR_RETURN(internal::UserRow owner, internal::RequireUser(*db_, row->record.user));
  if (owner.record.state != UserState::kActive) return Refuse(event, "disabled", kTokenRefused);
  return LoadPrincipal(owner.record.name);
}

StatusOr<Principal> Directory::LoadPrincipal(const std::string& user) {
  ASSIGN_OR_RETURN(std::vector<Role> roles, internal::RolesOf(*db_, user));
  return Principal{user, std::move(roles)};
}

}  // namespace hdhub::directory

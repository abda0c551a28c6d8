#include "hdhub/directory/directory.h"

#include <algorithm>

#include "hdhub/audit/recorder.h"
#include "hdhub/directory/directory_schema.h"
#include "hdhub/directory/user_name.h"
#include "hdhub/directory/user_table.h"

namespace hdhub::directory {

using catalog::Transaction;

namespace {

Status ValidateOptions(const DirectoryOptions& options) {
  RETURN_IF_ERROR(ValidateArgon2Cost(options.password_cost));
  if (options.lockout_threshold < 1) return InvalidArgumentError("directory: lockout_threshold must be at least 1");
  if (options.lockout_duration <= std::chrono::microseconds::zero()) {
    return InvalidArgumentError("directory: lockout_duration must be positive");
  }
  if (options.min_password_length < 1 || options.min_password_length > kMaxPasswordSize) {
    return InvalidArgumentError("directory: min_password_length must be between 1 and " +
                                std::to_string(kMaxPasswordSize));
  }
  return OkStatus();
}

// Puts `actor` in `event` as the log can carry it: a role that is no role is
// recorded as "none" and an id outside the log's alphabet as "unknown", so
// that the refusal of such an actor is still logged.
void RecordActor(const audit::Actor& actor, audit::Event& event) {
  event.role = ParseRole(actor.role).ok() ? actor.role : std::string(kNoRoleName);
  event.actor = actor.id;
  audit::Event probe{.actor = actor.id, .role = event.role, .action = event.action};
  if (!audit::ValidateEvent(probe).ok()) event.actor = kUnknownActor;
}

}  // namespace

DirectoryOptions DirectoryOptions::InsecureLowCostForTest() {
  DirectoryOptions options;
  options.password_cost = Argon2Cost::InsecureLowCostForTest();
  return options;
}

std::string_view UserStateName(UserState state) {
  switch (state) {
    case UserState::kActive:
      return "active";
    case UserState::kDisabled:
      return "disabled";
  }
  return "unknown";
}

bool Directory::IsValidUserName(std::string_view name) {
  if (name.empty() || name.size() > kMaxUserNameSize || name[0] < 'a' || name[0] > 'z') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

StatusOr<std::unique_ptr<Directory>> Directory::Open(const std::string& db_path, Clock* clock, audit::AuditLog* log,
                                                     DirectoryOptions options,
                                                     std::shared_ptr<const catalog::SqliteCipher> cipher) {
  RETURN_IF_ERROR(ValidateOptions(options));
  ASSIGN_OR_RETURN(std::unique_ptr<catalog::Database> db,
                   catalog::Database::Open(db_path, catalog::Database::kDefaultBusyTimeoutMs, std::move(cipher)));
  RETURN_IF_ERROR(catalog::ApplyMigrations(db.get(), kDirectoryComponent, DirectoryMigrations()));
  return std::make_unique<Directory>(Passkey(), std::move(db), clock, log, std::move(options));
}

Directory::Directory(Passkey, std::unique_ptr<catalog::Database> db, Clock* clock, audit::AuditLog* log,
                     DirectoryOptions options)
    : db_(std::move(db)), clock_(clock), log_(log), options_(std::move(options)) {}

Status Directory::Audited(const audit::Actor& actor, Operation op, audit::Event event, const Body& body) {
  RecordActor(actor, event);
  const std::string target = event.objects.contains("user") ? event.objects.at("user") : "";
  return InTransaction(std::move(event), [&](audit::Event& e) -> Status {
    RETURN_IF_ERROR(MayAct(actor, op, target));
    return body(e);
  });
}

Status Directory::InTransaction(audit::Event event, const Body& body) {
  std::lock_guard lock(mu_);
  bool append_failed = false;
  Status status = [&]() -> Status {
    ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db_.get(), Transaction::Mode::kWrite));
    RETURN_IF_ERROR(body(event));
    // Appended before COMMIT: when the event cannot be logged, the change rolls back.
    Status logged = log_->Append(event).status();
    append_failed = !logged.ok();
    RETURN_IF_ERROR(logged);
    return txn.Commit();
  }();  // the transaction has rolled back here unless committed
  if (status.ok() || append_failed) return status;
  // Also after a failed COMMIT, whose success event is already logged: this
  // later event records that the change did not happen (so without the
  // details the change had added).
  event.details = nlohmann::json::object();
  return audit::Record(*log_, std::move(event), status);
}

Status Directory::MayAct(const audit::Actor& actor, Operation op, std::string_view target) {
  StatusOr<Role> role = ParseRole(actor.role);
  if (!role.ok()) return PermissionDeniedError("directory: " + actor.id + " acts in no role");
  RETURN_IF_ERROR(Decide(op, *role, {.self = !target.empty() && actor.id == target}));
  ASSIGN_OR_RETURN(bool holds, internal::HoldsActiveRole(*db_, actor.id, *role));
  if (!holds) {
    return PermissionDeniedError("directory: " + actor.id + " is not an active user holding the role " + actor.role);
  }
  return OkStatus();
}

Status Directory::CheckNewPassword(const SecretBytes& password) const {
  if (password.size() < options_.min_password_length) {
    return InvalidArgumentError("directory: a password needs at least " + std::to_string(options_.min_password_length) +
                                " bytes");
  }
  if (password.size() > kMaxPasswordSize) {
    return InvalidArgumentError("directory: a password has at most " + std::to_string(kMaxPasswordSize) + " bytes");
  }
  return OkStatus();
}

Status Directory::CheckLastOperator(std::string_view user, std::string_view what) {
  ASSIGN_OR_RETURN(bool is_operator, internal::HoldsActiveRole(*db_, user, Role::kOperator));
  if (!is_operator) return OkStatus();
  ASSIGN_OR_RETURN(int64_t others, internal::OtherActiveOperators(*db_, user));
  if (others > 0) return OkStatus();
  return FailedPreconditionError("directory: " + std::string(user) + " is the last active operator and cannot " +
                                 std::string(what) + "; make another user an operator first");
}

StatusOr<bool> Directory::HoldsActiveRole(std::string_view user, Role role) {
  std::lock_guard lock(mu_);
  return internal::HoldsActiveRole(*db_, user, role);
}

StatusOr<std::vector<UserRecord>> Directory::ListUsers(const audit::Actor& actor) {
  std::vector<UserRecord> users;
  audit::Event event{.action = "user.list"};
  RETURN_IF_ERROR(Audited(actor, Operation::kUserList, event, [&](audit::Event& e) -> Status {
    ASSIGN_OR_RETURN(std::vector<internal::UserRow> rows, internal::AllUsers(*db_));
    const TimePoint now = clock_->Now();
    for (internal::UserRow& row : rows) {
      if (row.locked_until && *row.locked_until > now) row.record.locked_until = row.locked_until;
      users.push_back(std::move(row.record));
    }
    e.details["count"] = users.size();
    return OkStatus();
  }));
  return users;
}

}  // namespace hdhub::directory

#include "hdhub/directory/user_table.h"

#include <algorithm>
#include <map>

#include "hdhub/directory/sql_util.h"

namespace hdhub::directory::internal {
namespace {

constexpr std::string_view kUserColumns =
    "SELECT name, state, password_hash, failed_attempts, locked_until_us, created_at_us FROM user_account ";

StatusOr<UserState> ParseState(std::string_view text) {
  if (text == UserStateName(UserState::kActive)) return UserState::kActive;
  if (text == UserStateName(UserState::kDisabled)) return UserState::kDisabled;
  return DataLossError("directory: unknown user state in the database");
}

StatusOr<UserRow> ReadUser(const catalog::Statement& row) {
  UserRow user;
  user.record.name = row.ColumnText(0);
  ASSIGN_OR_RETURN(user.record.state, ParseState(row.ColumnText(1)));
  user.password_hash = row.ColumnText(2);
  user.record.failed_attempts = row.ColumnInt64(3);
  user.locked_until = OptionalTime(row, 4);
  user.record.created_at = FromMicros(row.ColumnInt64(5));
  return user;
}

// A role as stored; DataLoss for a name that is no role.
StatusOr<Role> StoredRole(std::string_view name) {
  StatusOr<Role> role = ParseRole(name);
  if (!role.ok()) return DataLossError("directory: unknown role in the database");
  return *role;
}

}  // namespace

StatusOr<std::optional<UserRow>> FindUser(catalog::Database& db, std::string_view name) {
  ASSIGN_OR_RETURN(catalog::Statement select, Prepare(db, std::string(kUserColumns) + "WHERE name = ?1", name));
  ASSIGN_OR_RETURN(bool found, select.Step());
  if (!found) return std::optional<UserRow>();
  ASSIGN_OR_RETURN(UserRow user, ReadUser(select));
  return std::optional<UserRow>(std::move(user));
}

StatusOr<UserRow> RequireUser(catalog::Database& db, std::string_view name) {
  ASSIGN_OR_RETURN(std::optional<UserRow> user, FindUser(db, name));
  if (!user) return NotFoundError("directory: no user " + std::string(name));
  return std::move(*user);
}

StatusOr<std::vector<UserRow>> AllUsers(catalog::Database& db) {
  ASSIGN_OR_RETURN(catalog::Statement select, Prepare(db, std::string(kUserColumns) + "ORDER BY name"));
  std::vector<UserRow> users;
  std::map<std::string, size_t, std::less<>> index;
  while (true) {
    ASSIGN_OR_RETURN(bool has_row, select.Step());
    if (!has_row) break;
    ASSIGN_OR_RETURN(UserRow user, ReadUser(select));
    index[user.record.name] = users.size();
    users.push_back(std::move(user));
  }
  ASSIGN_OR_RETURN(catalog::Statement roles, Prepare(db, "SELECT user_name, role FROM user_role"));
  while (true) {
    ASSIGN_OR_RETURN(bool has_row, roles.Step());
    if (!has_row) break;
    auto user = index.find(roles.ColumnText(0));
    if (user == index.end()) continue;
    ASSIGN_OR_RETURN(Role role, StoredRole(roles.ColumnText(1)));
    users[user->second].record.roles.push_back(role);
  }
  for (UserRow& user : users) std::sort(user.record.roles.begin(), user.record.roles.end());
  return users;
}

StatusOr<std::vector<Role>> RolesOf(catalog::Database& db, std::string_view name) {
  ASSIGN_OR_RETURN(catalog::Statement select, Prepare(db, "SELECT role FROM user_role WHERE user_name = ?1", name));
  std::vector<Role> roles;
  while (true) {
    ASSIGN_OR_RETURN(bool has_row, select.Step());
    if (!has_row) break;
    ASSIGN_OR_RETURN(Role role, StoredRole(select.ColumnText(0)));
    roles.push_back(role);
  }
  std::sort(roles.begin(), roles.end());
  return roles;
}

StatusOr<bool> HoldsActiveRole(catalog::Database& db, std::string_view name, Role role) {
  ASSIGN_OR_RETURN(catalog::Statement select,
                   Prepare(db,
                           "SELECT 1 FROM user_account a JOIN user_role r ON r.user_name = a.name "
                           "WHERE a.name = ?1 AND a.state = 'active' AND r.role = ?2",
                           name, RoleName(role)));
  return select.Step();
}

StatusOr<int64_t> OtherActiveOperators(catalog::Database& db, std::string_view name) {
  ASSIGN_OR_RETURN(catalog::Statement select,
                   Prepare(db, "SELECT count(*) FROM active_operator WHERE name <> ?1", name));
  ASSIGN_OR_RETURN(bool has_row, select.Step());
  if (!has_row) return InternalError("directory: count(*) returned no row");
  return select.ColumnInt64(0);
}

StatusOr<int64_t> UserCount(catalog::Database& db) {
  ASSIGN_OR_RETURN(catalog::Statement select, Prepare(db, "SELECT count(*) FROM user_account"));
  ASSIGN_OR_RETURN(bool has_row, select.Step());
  if (!has_row) return InternalError("directory: count(*) returned no row");
  return select.ColumnInt64(0);
}

StatusOr<std::optional<std::string>> PendingGrant(catalog::Database& db, std::string_view name, Role role) {
  ASSIGN_OR_RETURN(
      catalog::Statement select,
      Prepare(db, "SELECT asked_by FROM pending_role_grant WHERE user_name = ?1 AND role = ?2", name, RoleName(role)));
  ASSIGN_OR_RETURN(bool has_row, select.Step());
  if (!has_row) return std::optional<std::string>();
  return std::optional<std::string>(select.ColumnText(0));
}

Status InsertPendingGrant(catalog::Database& db, std::string_view name, Role role, std::string_view asked_by,
                          TimePoint now) {
  return Execute(db, "INSERT INTO pending_role_grant (user_name, role, asked_by, asked_at_us) VALUES (?1, ?2, ?3, ?4)",
                 name, RoleName(role), asked_by, ToMicros(now));
}

Status DeletePendingGrant(catalog::Database& db, std::string_view name, Role role) {
  return Execute(db, "DELETE FROM pending_role_grant WHERE user_name = ?1 AND role = ?2", name, RoleName(role));
}

Status InsertUser(catalog::Database& db, std::string_view name, std::string_view password_hash, TimePoint now) {
  return Execute(db,
                 "INSERT INTO user_account (name, state, password_hash, failed_attempts, created_at_us, "
                 "password_changed_at_us) VALUES (?1, 'active', ?2, 0, ?3, ?3)",
                 name, password_hash, ToMicros(now));
}

Status InsertRole(catalog::Database& db, std::string_view name, Role role) {
  return Execute(db, "INSERT INTO user_role (user_name, role) VALUES (?1, ?2)", name, RoleName(role));
}

Status DeleteRole(catalog::Database& db, std::string_view name, Role role) {
  return Execute(db, "DELETE FROM user_role WHERE user_name = ?1 AND role = ?2", name, RoleName(role));
}

Status SetUserState(catalog::Database& db, std::string_view name, UserState state) {
  return Execute(db, "UPDATE user_account SET state = ?2 WHERE name = ?1", name, UserStateName(state));
}

Status SetPasswordHash(catalog::Database& db, std::string_view name, std::string_view password_hash, TimePoint now) {
  return Execute(db,
                 "UPDATE user_account SET password_hash = ?2, password_changed_at_us = ?3, failed_attempts = 0, "
                 "locked_until_us = NULL WHERE name = ?1",
                 name, password_hash, ToMicros(now));
}

Status SetLoginFailures(catalog::Database& db, std::string_view name, int64_t failed_attempts,
                        std::optional<TimePoint> locked_until) {
  return Execute(db, "UPDATE user_account SET failed_attempts = ?2, locked_until_us = ?3 WHERE name = ?1", name,
                 failed_attempts, locked_until);
}

}  // namespace hdhub::directory::internal

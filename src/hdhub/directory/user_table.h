// Internal to the directory: reads and writes of the user_account and
// user_role tables. No permission checks and no events here; Directory
// calls these inside its transactions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/catalog/sqlite.h"
#include "hdhub/directory/directory.h"

namespace hdhub::directory::internal {

struct UserRow {
  UserRecord record;                      // roles left empty, except by AllUsers
  std::string password_hash;              // PHC string; never leaves the directory
  std::optional<TimePoint> locked_until;  // as stored, possibly in the past
};

// The user named `name`, or nullopt.
StatusOr<std::optional<UserRow>> FindUser(catalog::Database& db, std::string_view name);
// As FindUser; NotFound "directory: no user <name>" when absent.
StatusOr<UserRow> RequireUser(catalog::Database& db, std::string_view name);
// Every user, by name, with their roles (in kAllRoles order).
StatusOr<std::vector<UserRow>> AllUsers(catalog::Database& db);
// The roles of `name` in kAllRoles order.
StatusOr<std::vector<Role>> RolesOf(catalog::Database& db, std::string_view name);
// True when `name` is active and holds `role`.
StatusOr<bool> HoldsActiveRole(catalog::Database& db, std::string_view name, Role role);
// Active users other than `name` who hold the operator role.
StatusOr<int64_t> OtherActiveOperators(catalog::Database& db, std::string_view name);

// How many users exist, in any state.
StatusOr<int64_t> UserCount(catalog::Database& db);
// Who asked for `role` to be granted to `name` and awaits a second operator, or nullopt.
StatusOr<std::optional<std::string>> PendingGrant(catalog::Database& db, std::string_view name, Role role);
Status InsertPendingGrant(catalog::Database& db, std::string_view name, Role role, std::string_view asked_by,
                          TimePoint now);
Status DeletePendingGrant(catalog::Database& db, std::string_view name, Role role);

Status InsertUser(catalog::Database& db, std::string_view name, std::string_view password_hash, TimePoint now);
Status InsertRole(catalog::Database& db, std::string_view name, Role role);
Status DeleteRole(catalog::Database& db, std::string_view name, Role role);
Status SetUserState(catalog::Database& db, std::string_view name, UserState state);
// Stores a new hash and clears failures and lockout.
Status SetPasswordHash(catalog::Database& db, std::string_view name, std::string_view password_hash, TimePoint now);
// Stores the failure count and lockout after a login attempt.
Status SetLoginFailures(catalog::Database& db, std::string_view name, int64_t failed_attempts,
                        std::optional<TimePoint> locked_until);

}  // namespace hdhub::directory::internal

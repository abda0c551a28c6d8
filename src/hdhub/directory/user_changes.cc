// Directory: the operators' changes to users and roles.
#include <algorithm>
#include <set>

#include "hdhub/audit/recorder.h"
#include "hdhub/directory/directory.h"
#include "hdhub/directory/user_name.h"
#include "hdhub/directory/user_table.h"

namespace hdhub::directory {

using internal::CheckUserName;
using internal::UserEvent;

namespace {

audit::Event RoleEvent(std::string_view action, std::string_view user, Role role) {
  audit::Event event = UserEvent(action, user);
  event.objects["role"] = std::string(RoleName(role));
  return event;
}

// The roles of `user`: InvalidArgument for a malformed name, NotFound for an unknown user.
StatusOr<std::vector<Role>> RolesOfExisting(catalog::Database& db, std::string_view user) {
  RETURN_IF_ERROR(CheckUserName(user));
  RETURN_IF_ERROR(internal::RequireUser(db, user).status());
  return internal::RolesOf(db, user);
}

}  // namespace

// Inserts `user` with `roles` and `password` (checked), for CreateUser and CreateFirstOperator.
Status Directory::InsertNewUser(std::string_view user, const std::vector<Role>& roles, const SecretBytes& password,
                                audit::Event& e) {
  RETURN_IF_ERROR(CheckUserName(user));
  if (roles.empty()) return InvalidArgumentError("directory: a user needs at least one role");
  RETURN_IF_ERROR(CheckNewPassword(password));
  ASSIGN_OR_RETURN(std::optional<internal::UserRow> existing, internal::FindUser(*db_, user));
  if (existing) return AlreadyExistsError("directory: user " + std::string(user) + " already exists");
  ASSIGN_OR_RETURN(std::string hash, HashPassword(password, options_.password_cost));
  RETURN_IF_ERROR(internal::InsertUser(*db_, user, hash, clock_->Now()));
  const std::set<Role> distinct(roles.begin(), roles.end());
  for (Role role : distinct) RETURN_IF_ERROR(internal::InsertRole(*db_, user, role));
  e.details["roles"] = RoleNames(std::vector<Role>(distinct.begin(), distinct.end()));
  return OkStatus();
}

Status Directory::CreateFirstOperator(std::string_view user, const SecretBytes& password) {
  audit::Event event = UserEvent("user.create", user);
  event.actor = Directory::IsValidUserName(user) ? std::string(user) : std::string(kUnknownActor);
  event.role = std::string(RoleName(Role::kOperator));
  return InTransaction(std::move(event), [&](audit::Event& e) -> Status {
    ASSIGN_OR_RETURN(int64_t users, internal::UserCount(*db_));
    if (users > 0) {
      return FailedPreconditionError("directory: the hub already has accounts; an operator creates the next ones");
    }
    RETURN_IF_ERROR(InsertNewUser(user, {Role::kOperator}, password, e));
    e.details["bootstrap"] = true;
    return OkStatus();
  });
}

Status Directory::CreateUser(const audit::Actor& actor, std::string_view user, const std::vector<Role>& roles,
                             const SecretBytes& password) {
  return Audited(actor, Operation::kUserCreate, UserEvent("user.create", user), [&](audit::Event& e) -> Status {
    if (HoldsRole(roles, Role::kOperator)) {
      ASSIGN_OR_RETURN(int64_t operators, internal::OtherActiveOperators(*db_, ""));
      if (operators >= 2) {
        return FailedPreconditionError(
            "directory: the operator role takes two operators: create the user with another role, then two "
            "different operators grant it (hdhub user grant " +
            std::string(user) + " --role operator)");
      }
    }
    return InsertNewUser(user, roles, password, e);
  });
}

Status Directory::SetPassword(const audit::Actor& actor, std::string_view user, const SecretBytes& password) {
  return Audited(actor, Operation::kUserPassword, UserEvent("user.password", user), [&](audit::Event&) -> Status {
    RETURN_IF_ERROR(CheckUserName(user));
    RETURN_IF_ERROR(internal::RequireUser(*db_, user).status());
    RETURN_IF_ERROR(CheckNewPassword(password));
    ASSIGN_OR_RETURN(std::string hash, HashPassword(password, options_.password_cost));
    return internal::SetPasswordHash(*db_, user, hash, clock_->Now());
  });
}

StatusOr<GrantState> Directory::GrantRole(const audit::Actor& actor, std::string_view user, Role role) {
  GrantState state = GrantState::kGranted;
  audit::Event event = RoleEvent("user.role_grant", user, role);
  RETURN_IF_ERROR(Audited(actor, Operation::kRoleGrant, event, [&](audit::Event& e) -> Status {
    ASSIGN_OR_RETURN(std::vector<Role> held, RolesOfExisting(*db_, user));
    if (HoldsRole(held, role)) {
      return AlreadyExistsError("directory: user " + std::string(user) + " already holds role " +
                                std::string(RoleName(role)));
    }
    if (role == Role::kOperator) {
      ASSIGN_OR_RETURN(int64_t operators, internal::OtherActiveOperators(*db_, ""));
      if (operators >= 2) {
        ASSIGN_OR_RETURN(std::optional<std::string> asked_by, internal::PendingGrant(*db_, user, role));
        if (!asked_by) {
          state = GrantState::kPending;
          e.details["approvals"] = 1;
          return internal::InsertPendingGrant(*db_, user, role, actor.id, clock_->Now());
        }
        if (*asked_by == actor.id) {
          return FailedPreconditionError("directory: " + actor.id + " already asked to make " + std::string(user) +
                                         " an operator; a second, different operator must confirm");
        }
        e.details["approvals"] = 2;
        RETURN_IF_ERROR(internal::DeletePendingGrant(*db_, user, role));
      }
    }
    return internal::InsertRole(*db_, user, role);
  }));
  return state;
}

Status Directory::RevokeRole(const audit::Actor& actor, std::string_view user, Role role) {
  return Audited(
      actor, Operation::kRoleRevoke, RoleEvent("user.role_revoke", user, role), [&](audit::Event&) -> Status {
        ASSIGN_OR_RETURN(std::vector<Role> held, RolesOfExisting(*db_, user));
        if (!HoldsRole(held, role)) {
          return NotFoundError("directory: user " + std::string(user) + " does not hold role " +
                               std::string(RoleName(role)));
        }
        if (held.size() == 1) {
          return FailedPreconditionError("directory: role " + std::string(RoleName(role)) + " is the last role of " +
                                         std::string(user) + "; grant another first, or disable the user");
        }
        if (role == Role::kOperator) RETURN_IF_ERROR(CheckLastOperator(user, "lose the operator role"));
        return internal::DeleteRole(*db_, user, role);
      });
}

Status Directory::DisableUser(const audit::Actor& actor, std::string_view user) {
  return Audited(actor, Operation::kUserChange, UserEvent("user.disable", user), [&](audit::Event&) -> Status {
    RETURN_IF_ERROR(CheckUserName(user));
    ASSIGN_OR_RETURN(internal::UserRow row, internal::RequireUser(*db_, user));
    if (row.record.state == UserState::kDisabled) {
      return FailedPreconditionError("directory: user " + std::string(user) + " is already disabled");
    }
    RETURN_IF_ERROR(CheckLastOperator(user, "be disabled"));
    return internal::SetUserState(*db_, user, UserState::kDisabled);
  });
}

Status Directory::EnableUser(const audit::Actor& actor, std::string_view user) {
  return Audited(actor, Operation::kUserChange, UserEvent("user.enable", user), [&](audit::Event&) -> Status {
    RETURN_IF_ERROR(CheckUserName(user));
    ASSIGN_OR_RETURN(internal::UserRow row, internal::RequireUser(*db_, user));
    if (row.record.state == UserState::kActive) {
      return FailedPreconditionError("directory: user " + std::string(user) + " is already active");
    }
    return internal::SetUserState(*db_, user, UserState::kActive);
  });
}

}  // namespace hdhub::directory

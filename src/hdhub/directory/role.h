// Roles of the directory's users, and the Principal an authentication yields.
//
// A Principal is who a password or token proved to be, with every role the
// directory grants them; to act they pick one role (AsActor), which is what
// audit events record and what permission checks look at.
//
// Thread-safety: values and pure functions.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/audit/event.h"
#include "hdhub/common/status.h"

namespace hdhub::directory {

enum class Role { kOperator, kSteward, kResearcher, kChecker, kAuditor };

inline constexpr std::array<Role, 5> kAllRoles = {Role::kOperator, Role::kSteward, Role::kResearcher, Role::kChecker,
                                                  Role::kAuditor};

// The role name of an actor that acts in no role it holds: no permission
// check accepts it. Authentication events are also recorded with it, since a
// user who is only proving who they are does not act in a role yet.
inline constexpr std::string_view kNoRoleName = "none";

// "operator", "steward", "researcher", "checker", "auditor".
std::string_view RoleName(Role role);
// The role named `name` (exact, lower case); InvalidArgument listing the
// accepted names otherwise.
StatusOr<Role> ParseRole(std::string_view name);
// Names of `roles`, in the given order.
std::vector<std::string> RoleNames(const std::vector<Role>& roles);

// Whether `roles` contains `role`.
bool HoldsRole(const std::vector<Role>& roles, Role role);

struct Principal {
  std::string user;
  std::vector<Role> roles;  // as granted, in kAllRoles order

  bool Has(Role role) const;  // HoldsRole(roles, role)
  // The actor {user, role name} for events and permission checks when this
  // principal acts as `acting_role`. When the principal does not hold that
  // role the actor's role is kNoRoleName, which every check refuses (fail
  // closed rather than act with a role nobody granted).
  audit::Actor AsActor(Role acting_role) const;
};

}  // namespace hdhub::directory

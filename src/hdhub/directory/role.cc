#include "hdhub/directory/role.h"

#include <algorithm>

namespace hdhub::directory {

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kOperator:
      return "operator";
    case Role::kSteward:
      return "steward";
    case Role::kResearcher:
      return "researcher";
    case Role::kChecker:
      return "checker";
    case Role::kAuditor:
      return "auditor";
  }
  return kNoRoleName;
}

StatusOr<Role> ParseRole(std::string_view name) {
  for (Role role : kAllRoles) {
    if (RoleName(role) == name) return role;
  }
  return InvalidArgumentError("unknown role; expected operator, steward, researcher, checker or auditor");
}

std::vector<std::string> RoleNames(const std::vector<Role>& roles) {
  std::vector<std::string> names;
  names.reserve(roles.size());
  for (Role role : roles) names.emplace_back(RoleName(role));
  return names;
}

bool HoldsRole(const std::vector<Role>& roles, Role role) {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

bool Principal::Has(Role role) const { return HoldsRole(roles, role); }

audit::Actor Principal::AsActor(Role acting_role) const {
  return audit::Actor{user, std::string(Has(acting_role) ? RoleName(acting_role) : kNoRoleName)};
}

}  // namespace hdhub::directory

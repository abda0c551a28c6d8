// Service: accounts, roles and API tokens. The directory asks the policy and
// logs each decision in the transaction of its change.
#include "hdhub/service/service.h"

namespace hdhub::service {

using directory::Operation;
using directory::Role;

Status Service::AddUser(const RequestContext& ctx, const std::string& name, const std::vector<Role>& roles,
                        const SecretBytes& password) {
  return hub_->directory().CreateUser(ActingActor(ctx, Operation::kUserCreate), name, roles, password);
}

StatusOr<std::vector<directory::UserRecord>> Service::ListUsers(const RequestContext& ctx) {
  return hub_->directory().ListUsers(ActingActor(ctx, Operation::kUserList));
}

Status Service::SetPassword(const RequestContext& ctx, const std::string& name, const SecretBytes& password) {
  const bool self = name == ctx.principal().user;
  return hub_->directory().SetPassword(ActingActor(ctx, Operation::kUserPassword, {.self = self}), name, password);
}

StatusOr<directory::GrantState> Service::GrantRole(const RequestContext& ctx, const std::string& name, Role role) {
  return hub_->directory().GrantRole(ActingActor(ctx, Operation::kRoleGrant), name, role);
}

Status Service::RevokeRole(const RequestContext& ctx, const std::string& name, Role role) {
  return hub_->directory().RevokeRole(ActingActor(ctx, Operation::kRoleRevoke), name, role);
}

Status Service::DisableUser(const RequestContext& ctx, const std::string& name) {
  return hub_->directory().DisableUser(ActingActor(ctx, Operation::kUserChange), name);
}

Status Service::EnableUser(const RequestContext& ctx, const std::string& name) {
  return hub_->directory().EnableUser(ActingActor(ctx, Operation::kUserChange), name);
}

StatusOr<directory::IssuedToken> Service::IssueToken(const RequestContext& ctx, const std::string& name,
                                                     std::chrono::microseconds ttl, const std::string& label) {
  return hub_->directory().IssueToken(ActingActor(ctx, Operation::kTokenIssue), name, ttl, label);
}

StatusOr<std::vector<directory::TokenRecord>> Service::ListTokens(const RequestContext& ctx,
                                                                  const std::optional<std::string>& user) {
  return hub_->directory().ListTokens(ActingActor(ctx, Operation::kTokenList), user);
}

Status Service::RevokeToken(const RequestContext& ctx, const std::string& id) {
  return hub_->directory().RevokeToken(ActingActor(ctx, Operation::kTokenRevoke), id);
}

}  // namespace hdhub::service

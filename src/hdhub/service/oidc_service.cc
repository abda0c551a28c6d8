// Service: single sign-on by OpenID Connect. The server (server/sso.h) runs
// the code flow and validates the ID token; here the identity becomes an
// account's request context, acting only in the roles the provider's groups
// (and acr) grant, and every login, refusal and logout is logged. No entry
// holds a claim value: the account's name is the only identity logged.
#include <algorithm>

#include "hdhub/audit/recorder.h"
#include "hdhub/service/service.h"

namespace hdhub::service {

using directory::Role;

namespace {

// One answer for every refusal: the browser learns nothing about the account.
constexpr std::string_view kOidcRefused =
    "single sign-on refused: this identity is not linked to an active hdhub account with a role it may use here";
constexpr std::string_view kLoaPrefix = "loa-";

std::optional<int> LoaLevel(std::string_view acr) {
  if (!acr.starts_with(kLoaPrefix) || acr.size() == kLoaPrefix.size() || acr.size() > kLoaPrefix.size() + 3) {
    return std::nullopt;
  }
  int level = 0;
  for (char c : acr.substr(kLoaPrefix.size())) {
    if (c < '0' || c > '9') return std::nullopt;
    level = level * 10 + (c - '0');
  }
  return level;
}

audit::Event OidcEvent(std::string_view action, std::string_view actor, std::string_view client_address) {
  audit::Event e{
      .actor = std::string(actor), .role = std::string(directory::kNoRoleName), .action = std::string(action)};
  e.details["method"] = "oidc";
  if (ParseIpAddress(client_address).ok()) e.details["source"] = std::string(client_address);
  return e;
}

}  // namespace

bool OidcAcrSatisfies(std::string_view acr, std::string_view required) {
  if (required.empty()) return true;
  if (acr.empty()) return false;
  if (acr == required) return true;
  const std::optional<int> have = LoaLevel(acr), want = LoaLevel(required);
  return have && want && *have >= *want;
}

std::vector<Role> OidcGrantedRoles(const std::vector<Role>& held, const OidcIdentity& identity,
                                   const OidcRoleMapping& mapping) {
  std::vector<Role> granted;
  for (Role role : directory::kAllRoles) {
    if (!directory::HoldsRole(held, role)) continue;
    auto groups = mapping.groups.find(role);
    if (groups == mapping.groups.end()) continue;
    const bool in_group = std::any_of(groups->second.begin(), groups->second.end(), [&](const std::string& g) {
      return std::find(identity.groups.begin(), identity.groups.end(), g) != identity.groups.end();
    });
    if (!in_group) continue;
    auto acr = mapping.acr.find(role);
    if (acr != mapping.acr.end() && !OidcAcrSatisfies(identity.acr, acr->second)) continue;
    granted.push_back(role);
  }
  return granted;
}

StatusOr<RequestContext> Service::AuthenticateOidc(const OidcIdentity& identity, const OidcRoleMapping& mapping,
                                                   std::string client_address, std::string request_id) {
  ASSIGN_OR_RETURN(std::optional<directory::Directory::OidcAccountMatch> match,
                   hub_->directory().OidcAccount(identity.issuer, identity.subject));
  audit::Event e =
      OidcEvent("auth.login", match ? match->principal.user : std::string(directory::kUnknownActor), client_address);
  const Status refused = UnauthenticatedError(kOidcRefused);
  if (!match) {
    e.details["reason"] = "unlinked";
    return audit::Record(hub_->audit(), std::move(e), refused);
  }
  if (!match->active) {
    e.details["reason"] = "disabled";
    return audit::Record(hub_->audit(), std::move(e), refused);
  }
  std::vector<Role> granted = OidcGrantedRoles(match->principal.roles, identity, mapping);
  if (granted.empty()) {
    e.details["reason"] = "no_role_granted";
    return audit::Record(hub_->audit(), std::move(e), refused);
  }
  e.details["roles"] = directory::RoleNames(granted);
  RETURN_IF_ERROR(audit::Record(hub_->audit(), std::move(e), OkStatus()));
  RequestContext ctx;
  ctx.principal_ = directory::Principal{match->principal.user, std::move(granted)};
  ctx.auth_method_ = AuthMethod::kOidc;
  RETURN_IF_ERROR(Stamp(ctx, std::move(client_address), std::nullopt, std::move(request_id)));
  return ctx;
}

StatusOr<RequestContext> Service::AuthenticateOidcSession(const OidcIdentity& identity, const std::string& user,
                                                          const std::vector<Role>& roles, std::string client_address,
                                                          std::optional<Role> as, std::string request_id) {
  ASSIGN_OR_RETURN(std::optional<directory::Directory::OidcAccountMatch> match,
                   hub_->directory().OidcAccount(identity.issuer, identity.subject));
  std::string_view reason;
  std::vector<Role> still;
  if (!match || match->principal.user != user) {
    reason = "unlinked";
  } else if (!match->active) {
    reason = "disabled";
  } else {
    for (Role role : roles) {
      if (match->principal.Has(role)) still.push_back(role);
    }
    if (still.empty()) reason = "no_role_held";
  }
  if (!reason.empty()) {
    audit::Event e =
        OidcEvent("auth.session", directory::Directory::IsValidUserName(user) ? user : "unknown", client_address);
    e.details["reason"] = std::string(reason);
    return audit::Record(hub_->audit(), std::move(e), UnauthenticatedError(kOidcRefused));
  }
  RequestContext ctx;
  ctx.principal_ = directory::Principal{user, std::move(still)};
  ctx.auth_method_ = AuthMethod::kOidc;
  RETURN_IF_ERROR(Stamp(ctx, std::move(client_address), as, std::move(request_id)));
  return ctx;
}

Status Service::RecordOidcFailure(std::string_view client_address, std::string_view reason) {
  audit::Event e = OidcEvent("auth.login", directory::kUnknownActor, client_address);
  e.details["reason"] = std::string(reason);
  const Status refused = UnauthenticatedError(kOidcRefused);
  Status logged = audit::Record(hub_->audit(), std::move(e), refused);
  return logged.code() == StatusCode::kUnauthenticated ? OkStatus() : logged;
}

Status Service::RecordLogout(const RequestContext& ctx) {
  audit::Event e = OidcEvent("auth.logout", ctx.principal().user, ctx.client_address());
  return audit::Record(hub_->audit(), std::move(e), OkStatus());
}

Status Service::LinkOidc(const RequestContext& ctx, const std::string& user, const std::string& issuer,
                         const std::string& subject) {
  return hub_->directory().LinkOidc(ActingActor(ctx, directory::Operation::kOidcLink), user, issuer, subject);
}

Status Service::UnlinkOidc(const RequestContext& ctx, const std::string& user, const std::string& issuer) {
  return hub_->directory().UnlinkOidc(ActingActor(ctx, directory::Operation::kOidcUnlink), user, issuer);
}

StatusOr<std::vector<directory::OidcLink>> Service::ListOidcLinks(const RequestContext& ctx,
                                                                  const std::optional<std::string>& user) {
  return hub_->directory().ListOidcLinks(ActingActor(ctx, directory::Operation::kUserList), user);
}

}  // namespace hdhub::service

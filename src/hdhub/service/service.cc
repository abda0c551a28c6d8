#include "hdhub/service/service.h"

#include "hdhub/audit/recorder.h"
#include "hdhub/common/bytes.h"
#include "hdhub/crypto/random.h"
#include "hdhub/directory/token.h"
#include "hdhub/keys/passphrase_strength.h"

namespace hdhub::service {

using directory::Operation;
using directory::Role;

Status Service::Init(const hub::Backends& backends, const std::filesystem::path& dir, const SecretBytes& passphrase,
                     const hub::InitOptions& options, const hub::FirstOperator& first_operator) {
  return hub::Hub::Init(backends, dir, passphrase, options, first_operator);
}

StatusOr<std::unique_ptr<Service>> Service::Open(const hub::Backends& backends, const std::filesystem::path& dir,
                                                 const SecretBytes& passphrase, Clock* clock,
                                                 const directory::DirectoryOptions& options,
                                                 const hub::OpenOptions& open_options) {
  ASSIGN_OR_RETURN(std::unique_ptr<hub::Hub> hub,
                   hub::Hub::Open(backends, dir, passphrase, clock, options, open_options));
  return std::unique_ptr<Service>(new Service(std::move(hub)));
}

StatusOr<RequestContext> Service::Authenticate(const Credentials& credentials, std::string client_address,
                                               std::optional<Role> as) {
  RequestContext ctx;
  if (credentials.token) {
    ASSIGN_OR_RETURN(ctx.principal_, hub_->directory().AuthenticateToken(*credentials.token, client_address));
    ctx.auth_method_ = AuthMethod::kToken;
    ASSIGN_OR_RETURN(directory::ParsedToken token, directory::ParseToken(*credentials.token));
    ctx.token_id_ = std::move(token.id);
  } else if (!credentials.user.empty() && credentials.password) {
    ASSIGN_OR_RETURN(ctx.principal_,
                     hub_->directory().AuthenticatePassword(credentials.user, *credentials.password, client_address));
    ctx.auth_method_ = AuthMethod::kPassword;
  } else {
    return UnauthenticatedError("no credentials: an API token, or a user name and password, are needed");
  }
  RETURN_IF_ERROR(Stamp(ctx, std::move(client_address), as, credentials.request_id));
  return ctx;
}

Status Service::Stamp(RequestContext& ctx, std::string client_address, std::optional<Role> as, std::string request_id) {
  if (request_id.empty()) {
    ASSIGN_OR_RETURN(Bytes id, crypto::RandomBytes(8));
    request_id = HexEncode(id);
  }
  ctx.request_id_ = std::move(request_id);
  ctx.client_address_ = std::move(client_address);
  ctx.requested_role_ = as;
  ctx.time_ = hub_->clock().Now();
  return OkStatus();
}

Role Service::ActingRole(const RequestContext& ctx, Operation op, const directory::PolicyFacts& facts) const {
  StatusOr<Role> role = directory::Authorize(ctx.principal(), op, facts, ctx.requested_role());
  if (role.ok()) return *role;
  if (ctx.requested_role()) return *ctx.requested_role();
  const std::vector<Role>& held = ctx.principal().roles;
  return held.empty() ? Role::kResearcher : held.front();
}

audit::Actor Service::ActorFor(const RequestContext& ctx, Role role) const { return ctx.principal().AsActor(role); }

StatusOr<audit::Actor> Service::Gate(const RequestContext& ctx, Operation op, audit::Event& event) {
  StatusOr<Role> role = directory::Authorize(ctx.principal(), op, {}, ctx.requested_role());
  audit::Actor actor = ActorFor(ctx, role.ok() ? *role : ActingRole(ctx, op));
  event.actor = actor.id;
  event.role = actor.role;
  if (!role.ok()) return audit::Record(hub_->audit(), event, role.status());
  return actor;
}

Status Service::ChangePassphrase(const RequestContext& ctx, const SecretBytes& old_passphrase,
                                 const SecretBytes& new_passphrase) {
  audit::Event event{.action = "key.passphrase"};
  RETURN_IF_ERROR(Gate(ctx, Operation::kPassphraseChange, event).status());
  // Logged before the change, as every change is: never a change without its event.
  RETURN_IF_ERROR(keys::CheckPassphraseStrength(new_passphrase));
  RETURN_IF_ERROR(hub_->audit().Append(event).status());
  Status changed = hub_->ChangePassphrase(old_passphrase, new_passphrase);
  if (changed.ok()) return changed;
  return audit::Record(hub_->audit(), std::move(event), changed);
}

}  // namespace hdhub::service

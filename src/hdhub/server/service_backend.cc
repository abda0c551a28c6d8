#include "hdhub/server/service_backend.h"

namespace hdhub::server {

projects::SessionLimits SessionLimitsOf(const QueryLimits& q) {
  projects::SessionLimits limits;
  if (q.threads > 0) limits.threads = q.threads;
  if (!q.memory.empty()) limits.memory_limit = q.memory;
  limits.max_rows = q.max_rows;  // 0: no limit, as QueryStream reads it
  limits.max_bytes = q.max_bytes;
  if (q.timeout.count() > 0) limits.timeout = q.timeout;
  return limits;
}

ServiceBackend::ServiceBackend(service::Service& service, const QueryLimits& limits)
    : service_(service), limits_(SessionLimitsOf(limits)) {}

PgAccount ServiceBackend::Credentials(std::string_view user) {
  service::PgLogin login = service_.PgwireLogin(user);
  return {std::move(login.scram), std::move(login.token_ids)};
}

StatusOr<std::unique_ptr<pgwire::Engine>> ServiceBackend::Open(const PgLogin& login) {
  std::optional<std::string> token;
  if (login.proof_ok && !login.key_id.empty()) token = login.key_id;
  ASSIGN_OR_RETURN(service::RequestContext ctx,
                   service_.AuthenticatePgwire(login.user, std::move(token), login.client_address));
  return service_.OpenPgEngine(ctx, login.database, limits_);
}

}  // namespace hdhub::server

// ServiceBackend: the hub's side of the PG-wire server, over the service
// layer. Logins are the service's (Service::PgwireLogin: the SCRAM keys of
// the account's API tokens under its salt, or mock ones; then
// Service::AuthenticatePgwire, audited either way), and each session runs
// on Service::OpenPgEngine: the project's workspace, opened for the account
// after the policy's checks, every statement checked and audited again.
//
// Thread-safety: as the Service, which it borrows (it must outlive this).
#pragma once

#include "hdhub/server/config.h"
#include "hdhub/server/pg_backend.h"
#include "hdhub/service/service.h"

namespace hdhub::server {

// [serve.query] over the sessions' defaults (projects::SessionLimits).
projects::SessionLimits SessionLimitsOf(const QueryLimits& q);

class ServiceBackend final : public PgBackend {
 public:
  ServiceBackend(service::Service& service, const QueryLimits& limits);

  PgAccount Credentials(std::string_view user) override;
  StatusOr<std::unique_ptr<pgwire::Engine>> Open(const PgLogin& login) override;

 private:
  service::Service& service_;
  projects::SessionLimits limits_;
};

}  // namespace hdhub::server

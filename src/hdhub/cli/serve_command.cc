// hdhub serve: the PostgreSQL wire server (server/pg_server.h), configured by
// the [serve] table of hdhub.toml (docs/serve.md, packaging/hdhub.toml).
#include <iostream>
#include <thread>

#include "hdhub/cli/commands.h"
#include "hdhub/keys/passphrase.h"
#include "hdhub/server/config.h"
#include "hdhub/server/http_api.h"
#include "hdhub/server/http_server.h"
#include "hdhub/server/pg_server.h"
#include "hdhub/server/service_backend.h"
#include "hdhub/server/sso.h"

namespace hdhub::cli {
namespace {

constexpr char kDefaultConfig[] = "hdhub.toml";

// The file --config / $HDHUB_CONFIG names, or ./hdhub.toml.
std::string ConfigPath(const CLI::App& app) {
  const CLI::Option* option = app.get_config_ptr();
  if (option != nullptr && option->count() > 0) return option->as<std::string>();
  return kDefaultConfig;
}

}  // namespace

void AddServeCommand(CLI::App& app, const GlobalOptions& opts, int* exit_code) {
  auto* cmd = app.add_subcommand("serve",
                                 "serve researchers' PostgreSQL clients (psql, Python, R, BI tools) over TLS, "
                                 "as configured by the [serve] table of hdhub.toml; stops on SIGTERM");
  cmd->callback(Run(opts, exit_code, [&app, &opts]() -> Status {
    ASSIGN_OR_RETURN(server::ServeConfig config, server::LoadServeConfig(ConfigPath(app)));
    // The server holds the key store; nobody who connects ever does. It acts
    // as no account itself: each session is its client's account.
    ASSIGN_OR_RETURN(SecretBytes passphrase, keys::ReadPassphrase(kPassphraseEnv, "hub passphrase: "));
    SystemClock clock;
    hub::OpenOptions open_options;
    open_options.audit_checkpoint_interval = config.audit_checkpoint_interval;
    ASSIGN_OR_RETURN(std::unique_ptr<service::Service> svc,
                     service::Service::Open(*opts.backends, opts.hub_dir, passphrase, &clock, {}, open_options));
    server::ServiceBackend backend(*svc, config.query);
    server::Logger log;
    // One limiter for both servers: an address's failures on one lock it out of both.
    service::Service& service = *svc;
    server::Limiter limiter(config.limits, &clock, [&service, &log](const server::Lockout& l) {
      Status recorded =
          service.RecordLockout(server::LimitScopeName(l.scope), l.key, l.client_address, l.failures, l.duration);
      log.Log({.level = "warning",
               .event = "auth.lockout",
               .client = l.client_address,
               .reason = recorded.ok() ? server::LimitScopeName(l.scope) : std::string_view("not_audited")});
    });
    server::HttpApi http_api(*svc, std::string(server::BuiltinOpenApiJson()), config.query);
    // [serve.oidc]: single sign-on for the portal (server/sso.h).
    std::unique_ptr<server::Sso> sso;
    if (config.oidc.enabled) {
      ASSIGN_OR_RETURN(sso, server::Sso::Create(*svc, clock, config.oidc, log));
      if (!config.listen.empty()) sso->SetPgPort(config.listen.front().port);
      http_api.SetSessions(sso.get());
    }
    std::unique_ptr<server::HttpServer> http;
    if (!config.http_listen.empty()) {
      ASSIGN_OR_RETURN(http, server::HttpServer::Create(config, http_api, log, &limiter));
    }
    ASSIGN_OR_RETURN(std::unique_ptr<server::PgServer> pg, server::PgServer::Create(config, backend, log, &limiter));
    // Both exist before the HTTP thread starts: a failed Create leaves none.
    std::thread http_thread;
    if (http) http_thread = std::thread([&http] { http->Run(); });
    pg->Run(/*stop_on_signals=*/true);  // returns after SIGTERM/SIGINT and the grace period
    if (http) {
      http->Stop();  // answers the requests in flight, then closes
      http_thread.join();
    }
    return OkStatus();
  }));
}

}  // namespace hdhub::cli

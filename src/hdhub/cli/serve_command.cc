// hdhub serve: the PostgreSQL wire server (server/pg_server.h), configured by
// the [serve] table of hdhub.toml (docs/serve.md, packaging/hdhub.toml).
#include <iostream>

#include "hdhub/cli/commands.h"
#include "hdhub/server/config.h"

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
  cmd->callback(Run(opts, exit_code, [&app]() -> Status {
    ASSIGN_OR_RETURN(server::ServeConfig config, server::LoadServeConfig(ConfigPath(app)));
    // The server is server::PgServer::Create(config, backend, log) then
    // Run(/*stop_on_signals=*/true); its backend answers for the hub: the
    // SCRAM verifiers of the accounts' API tokens and, per session, an
    // engine on the project's workspace. The service layer has neither yet.
    (void)config;
    return UnimplementedError(
        "hdhub serve: the configuration is valid, but the hub's side of the server "
        "(SCRAM verifiers of API tokens, sessions on project workspaces) is not built yet");
  }));
}

}  // namespace hdhub::cli

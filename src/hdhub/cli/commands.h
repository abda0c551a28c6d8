// The hdhub command line: each subsystem adds its subcommands to the CLI11 app
// built in main.cc. Callbacks report their outcome through *exit_code:
//   0 success, 1 a check that failed (e.g. a proof that does not hold),
//   2 unusable arguments, 3 an operational error (message on stderr).
// Output for people by default; JSON with the global --json flag.
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "hdhub/common/clock.h"
#include "hdhub/common/secret_bytes.h"
#include "hdhub/common/status.h"
#include "hdhub/directory/role.h"
#include "hdhub/service/service.h"

namespace hdhub::cli {

struct GlobalOptions {
  const hub::Backends* backends = nullptr;  // built in main(), never null there
  std::string hub_dir;  // --hub, $HDHUB_HOME, hdhub.toml, or ./hub
  std::string user;     // --user, $HDHUB_USER or hdhub.toml: who acts by password
  bool json = false;    // --json
  std::string server;   // --server, $HDHUB_SERVER: act through this hdhub serve (remote.h)
  std::string ca_file;  // --ca-file, $HDHUB_CA_FILE: the CA that signed the server's certificate
};

inline constexpr int kExitOk = 0;
inline constexpr int kExitCheckFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitError = 3;

// Reports `status` on stderr and returns kExitError (kExitUsage for
// InvalidArgument): "hdhub: <CODE>: <message>" for people, or with --json one
// line {"error":{"code":"<CODE>","message":"<message>"}}.
int ReportError(const GlobalOptions& opts, const Status& status);

// A CLI11 callback running `body`, whose Status becomes the command's exit
// code (an error is reported on stderr).
template <typename F>
std::function<void()> Run(const GlobalOptions& opts, int* exit_code, F body) {
  return [&opts, exit_code, body]() {
    Status s = body();
    *exit_code = s.ok() ? kExitOk : ReportError(opts, s);
  };
}

// The hub opened with its passphrase ($HDHUB_PASSPHRASE or a prompt), and the
// account this command acts as: the API token in $HDHUB_TOKEN, or else the
// user $HDHUB_USER with the password in $HDHUB_PASSWORD (or typed). The
// passphrase alone makes nobody anyone: without an account, nothing is done.
// With a server set (opts.server), InvalidArgument: a command that reaches
// this runs only on the hub machine.
struct Session {
  std::unique_ptr<service::Service> service;
  service::RequestContext ctx;
};
// `passphrase_out`, when given, receives the secret the hub was unlocked with.
// `passphrase_in`, when given, unlocks the hub instead of one read from
// $HDHUB_PASSPHRASE or typed.
StatusOr<Session> OpenSession(const GlobalOptions& opts, Clock* clock, std::optional<directory::Role> as = std::nullopt,
                              const hub::OpenOptions& open_options = {}, SecretBytes* passphrase_out = nullptr,
                              const SecretBytes* passphrase_in = nullptr);
// The refusal of a command that has no server route, when a server is set.
Status OnlyOnTheHub(const GlobalOptions& opts);
inline constexpr char kTokenEnv[] = "HDHUB_TOKEN";
inline constexpr char kUserEnv[] = "HDHUB_USER";
inline constexpr char kPasswordEnv[] = "HDHUB_PASSWORD";
inline constexpr char kPassphraseEnv[] = "HDHUB_PASSPHRASE";

// A CLI11 callback that opens a Session (acting in *as when not empty) and
// runs `body(service, ctx)`, whose Status becomes the exit code.
template <typename F>
std::function<void()> OnSession(const GlobalOptions& opts, int* exit_code, F body,
                                std::shared_ptr<std::string> as = nullptr) {
  return Run(opts, exit_code, [&opts, body, as]() -> Status {
    std::optional<directory::Role> role;
    if (as != nullptr && !as->empty()) {
      ASSIGN_OR_RETURN(role, directory::ParseRole(*as));
    }
    SystemClock clock;
    ASSIGN_OR_RETURN(Session s, OpenSession(opts, &clock, role));
    return body(*s.service, s.ctx);
  });
}

void AddHubCommands(CLI::App& app, const GlobalOptions& opts, int* exit_code);      // init, ingest, query, catalog
// catalog withdraw, catalog remove: added under `catalog` by AddHubCommands.
void AddCatalogChanges(CLI::App& catalog, const GlobalOptions& opts, int* exit_code);
void AddSourceCommands(CLI::App& app, const GlobalOptions& opts, int* exit_code);   // nir, source-key, pseudonymize
void AddProjectCommands(CLI::App& app, const GlobalOptions& opts, int* exit_code);  // project …
void AddAuditCommands(CLI::App& app, const GlobalOptions& opts, int* exit_code);  // audit …
void AddSynthCommands(CLI::App& app, const GlobalOptions& opts, int* exit_code);  // synth
void AddUserCommands(CLI::App& app, const GlobalOptions& opts, int* exit_code);  // user …, token …, whoami, passphrase
void AddHostCommands(CLI::App& app, const GlobalOptions& opts, int* exit_code);  // host …
// host migrate, host purge: added under `host` by AddHostCommands.
void AddHostMigrationCommands(CLI::App& host, const GlobalOptions& opts, int* exit_code);
void AddServeCommand(CLI::App& app, const GlobalOptions& opts, int* exit_code);  // serve
void AddKeyCommands(CLI::App& app, const GlobalOptions& opts, int* exit_code);   // keys …
void AddRestoreCommand(CLI::App& app, const GlobalOptions& opts, int* exit_code);   // restore
void AddAirlockCommands(CLI::App& app, const GlobalOptions& opts, int* exit_code);  // airlock …
// airlock request, list, show, review: added under `airlock` by AddAirlockCommands.
void AddAirlockRequestCommands(CLI::App& airlock, const GlobalOptions& opts, int* exit_code);
// airlock rules: added under `airlock` by AddAirlockRequestCommands (with its --as).
void AddAirlockRulesCommand(CLI::App& airlock, const GlobalOptions& opts, int* exit_code,
                            std::shared_ptr<std::string> as);
// airlock release, download, register: likewise.
void AddAirlockReleaseCommands(CLI::App& airlock, const GlobalOptions& opts, int* exit_code,
                               std::shared_ptr<std::string> as);
// An example at the end of every command's help (examples.cc).
void AddExamples(CLI::App& app);

}  // namespace hdhub::cli

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

#include "hdhub/audit/event.h"
#include "hdhub/common/clock.h"
#include "hdhub/common/secret_bytes.h"
#include "hdhub/common/status.h"

namespace hdhub::hub {
class Hub;
}  // namespace hdhub::hub

namespace hdhub::cli {

struct GlobalOptions {
  std::string hub_dir;  // --hub, $HDHUB_HOME, or ./hub
  bool json = false;    // --json
};

inline constexpr int kExitOk = 0;
inline constexpr int kExitCheckFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitError = 3;

// Prints "hdhub: <message>" to stderr and returns kExitError (kExitUsage for
// InvalidArgument).
int ReportError(const Status& status);

// A CLI11 callback running `body`, whose Status becomes the command's exit
// code (an error is reported on stderr).
template <typename F>
std::function<void()> Run(int* exit_code, F body) {
  return [exit_code, body]() {
    Status s = body();
    *exit_code = s.ok() ? kExitOk : ReportError(s);
  };
}

// The operator at this terminal ("os:<login>", role operator) and the hub
// opened on their behalf with the passphrase from $HDHUB_PASSPHRASE or a prompt.
audit::Actor OperatorActor();
StatusOr<std::unique_ptr<hub::Hub>> OpenHub(const GlobalOptions& opts, Clock* clock);
// The API token in $HDHUB_TOKEN; nullopt when unset or empty.
std::optional<SecretBytes> TokenFromEnvironment();
inline constexpr char kTokenEnv[] = "HDHUB_TOKEN";

void AddHubCommands(CLI::App& app, const GlobalOptions& opts, int* exit_code);      // init, ingest, query, catalog
void AddSourceCommands(CLI::App& app, const GlobalOptions& opts, int* exit_code);   // nir, source-key, pseudonymize
void AddProjectCommands(CLI::App& app, const GlobalOptions& opts, int* exit_code);  // project …
// hdhub query --project: the researcher of $HDHUB_TOKEN runs SQL in the workspace.
// A zero timeout keeps the session's default (5 minutes).
Status RunProjectQuery(const GlobalOptions& opts, const std::string& project, const std::string& sql_text,
                       std::chrono::seconds timeout);
void AddAuditCommands(CLI::App& app, const GlobalOptions& opts, int* exit_code);  // audit …
void AddSynthCommands(CLI::App& app, const GlobalOptions& opts, int* exit_code);  // synth
void AddUserCommands(CLI::App& app, const GlobalOptions& opts, int* exit_code);   // user …, token …, whoami

}  // namespace hdhub::cli

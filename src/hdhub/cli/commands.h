// The hdhub command line: each subsystem adds its subcommands to the CLI11 app
// built in main.cc. Callbacks report their outcome through *exit_code:
//   0 success, 1 a check that failed (e.g. a proof that does not hold),
//   2 unusable arguments, 3 an operational error (message on stderr).
// Output for people by default; JSON with the global --json flag.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "hdhub/common/status.h"

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

void AddHubCommands(CLI::App& app, const GlobalOptions& opts, int* exit_code);    // init, ingest, query, catalog
void AddAuditCommands(CLI::App& app, const GlobalOptions& opts, int* exit_code);  // audit …

}  // namespace hdhub::cli

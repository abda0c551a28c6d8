// hdhub: the command line of the sovereign health data hub.
#include <cstdlib>
#include <iostream>

#include <CLI/CLI.hpp>

#include "hdhub/cli/commands.h"

namespace hdhub::cli {

int ReportError(const Status& status) {
  std::cerr << "hdhub: " << status.ToString() << "\n";
  return status.code() == StatusCode::kInvalidArgument ? kExitUsage : kExitError;
}

}  // namespace hdhub::cli

int main(int argc, char** argv) {
  using namespace hdhub::cli;
  CLI::App app{"hdhub: a sovereign health data hub (sealed storage, pseudonymised data, provable governance)",
               "hdhub"};
  app.require_subcommand(1);
  GlobalOptions opts;
  const char* home = std::getenv("HDHUB_HOME");
  opts.hub_dir = home != nullptr ? home : "hub";
  app.add_option("--hub", opts.hub_dir, "hub directory (default: $HDHUB_HOME or ./hub)");
  app.add_flag("--json", opts.json, "print machine-readable JSON");
  int exit_code = kExitOk;
  AddHubCommands(app, opts, &exit_code);
  AddUserCommands(app, opts, &exit_code);
  AddSourceCommands(app, opts, &exit_code);
  AddProjectCommands(app, opts, &exit_code);
  AddAuditCommands(app, opts, &exit_code);
  AddSynthCommands(app, opts, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  return exit_code;
}

// hdhub_audit_cli: the `hdhub audit …` subcommands alone, so they can be
// tested before and independently of the full hdhub binary (which links the
// same audit_commands.cc).
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>

#include "hdhub/cli/commands.h"

int main(int argc, char** argv) {
  using namespace hdhub::cli;
  CLI::App app{"hdhub audit subcommands (test build)", "hdhub"};
  app.require_subcommand(1);
  GlobalOptions opts;
  const char* home = std::getenv("HDHUB_HOME");
  opts.hub_dir = home != nullptr ? home : "hub";
  app.add_option("--hub", opts.hub_dir, "hub directory");
  app.add_flag("--json", opts.json, "print machine-readable JSON");
  int exit_code = kExitOk;
  AddAuditCommands(app, opts, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }
  return exit_code;
}

// hdhub audit …: being written (issue 4).
#include "hdhub/cli/commands.h"

namespace hdhub::cli {

void AddAuditCommands(CLI::App& app, const GlobalOptions& opts, int* exit_code) {
  app.add_subcommand("audit", "tamper-evident audit log");
}

}  // namespace hdhub::cli

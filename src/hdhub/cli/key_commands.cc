// Commands on the hub's key hierarchy (keys/key_ring.h):
//   hdhub keys contribution --out F   a custodian's share of the stage-2 key,
//                                     made on the custodian's own machine
// (the hub takes two with `hdhub init --stage2-contribution F …`).
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "hdhub/cli/commands.h"
#include "hdhub/keys/key_ring.h"

namespace hdhub::cli {

void AddKeyCommands(CLI::App& app, const GlobalOptions& opts, int* exit_code) {
  auto* keys_cmd = app.add_subcommand("keys", "the hub's key hierarchy: custodians' contributions to the stage-2 key");
  keys_cmd->require_subcommand(1);
  auto* contribution = keys_cmd->add_subcommand(
      "contribution", "make a custodian's contribution to the stage-2 pseudonym key (offline: no hub, no account)");
  auto out = std::make_shared<std::string>();
  contribution->add_option("--out", *out, "the file to create (mode 0600, never overwritten)")->required();
  contribution->callback(Run(opts, exit_code, [&opts, out]() -> Status {
    ASSIGN_OR_RETURN(keys::CustodianContribution c, keys::CustodianContribution::New());
    RETURN_IF_ERROR(c.Write(*out));
    if (opts.json) {
      std::cout << nlohmann::json{{"file", *out}, {"fingerprint", c.fingerprint}}.dump() << "\n";
    } else {
      std::cout << "contribution " << c.fingerprint << " written to " << *out << "\n";
    }
    std::cerr << "keep " << *out
              << " in the custodian's safe: with the other custodian's it remakes the stage-2 key; "
                 "hand it to the hub only at 'hdhub init'\n";
    return OkStatus();
  }));
}

}  // namespace hdhub::cli

// Commands on the hub's key hierarchy (keys/key_ring.h):
//   hdhub keys contribution --out F   a custodian's share of the stage-2 key,
//                                     made on the custodian's own machine
// (the hub takes two with `hdhub init --stage2-contribution F …`).
//   hdhub keys rotate [--to URI]      a new KEK, every wrapped key moved to
//                                     it; two operators (docs/formats/kek-rotation.md)
//   hdhub keys custodians --contribution F --contribution F [--escrow-out F]
//                                     the stage-2 key in escrow with a new pair
//                                     of custodians; two operators
//                                     (docs/formats/key-ring.md)
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

  auto* custodians = keys_cmd->add_subcommand(
      "custodians",
      "put the stage-2 pseudonym key in escrow with a new pair of custodians (the key and every pseudonym stay as "
      "they are); operators, two of them: the first asks, a second, different one confirms with the same two "
      "contributions");
  auto pair_files = std::make_shared<std::vector<std::string>>();
  auto escrow_out = std::make_shared<std::string>();
  custodians
      ->add_option("--contribution", *pair_files, "each new custodian's contribution file ('hdhub keys contribution')")
      ->required()
      ->check(CLI::ExistingFile);
  custodians->add_option("--escrow-out", *escrow_out,
                         "where the confirming call writes the escrow record for the custodians (created, never "
                         "overwritten; it is also kept as state/stage2-escrow)");
  custodians->callback(Run(opts, exit_code, [&opts, pair_files, escrow_out]() -> Status {
    if (!opts.server.empty()) return OnlyOnTheHub(opts);
    if (pair_files->size() != 2) {
      return InvalidArgumentError("--contribution: give the new pair's two contributions (got " +
                                  std::to_string(pair_files->size()) + ")");
    }
    std::vector<keys::CustodianContribution> pair;
    for (const std::string& file : *pair_files) {
      ASSIGN_OR_RETURN(keys::CustodianContribution c, keys::CustodianContribution::Read(file));
      pair.push_back(std::move(c));
    }
    SystemClock clock;
    ASSIGN_OR_RETURN(Session s, OpenSession(opts, &clock));
    ASSIGN_OR_RETURN(service::CustodiansOutcome r, s.service->ChangeCustodians(s.ctx, pair));
    if (r.escrowed && !escrow_out->empty()) RETURN_IF_ERROR(r.escrow.Write(*escrow_out, /*overwrite=*/false));
    if (opts.json) {
      nlohmann::json j{{"escrowed", r.escrowed}, {"requested_by", r.requested_by}};
      if (r.escrowed) {
        j["custodians"] = r.escrow.custodians;
        j["previous_custodians"] = r.previous;
        if (!escrow_out->empty()) j["escrow_file"] = *escrow_out;
      }
      std::cout << j.dump() << "\n";
    } else if (!r.escrowed) {
      std::cout << "new custodians requested by " << r.requested_by
                << "; a second, different operator confirms with the same command and contributions\n";
    } else {
      std::cout << "stage-2 key in escrow with custodians " << r.escrow.custodians
                << (r.previous.empty() ? "" : " (before: " + r.previous + ")") << "; the key is unchanged\n";
      std::cerr << "give each custodian a copy of the escrow record"
                << (escrow_out->empty() ? " (state/stage2-escrow)" : " (" + *escrow_out + ")")
                << " to keep with its contribution: the two contributions and the record remake the key "
                   "('hdhub init --stage2-escrow')\n";
    }
    return OkStatus();
  }));

  auto* rotate = keys_cmd->add_subcommand(
      "rotate",
      "a new KEK, every wrapped key rewrapped under it, the old one destroyed; operators, two of them: the first "
      "asks, a second, different one rotates (the hub must not be open elsewhere: stop hdhub serve)");
  auto to = std::make_shared<std::string>();
  rotate->add_option("--to", *to,
                     "the new KEK's key store (default, for a key file: a new key file state/hub-N.key under the same "
                     "passphrase); an HSM's new key: pkcs11:token=…;object=NEW-LABEL?module-path=…");
  rotate->callback(Run(opts, exit_code, [&opts, to]() -> Status {
    SystemClock clock;
    SecretBytes unlock;
    ASSIGN_OR_RETURN(Session s, OpenSession(opts, &clock, std::nullopt, {.exclusive = true}, &unlock));
    ASSIGN_OR_RETURN(service::KekRotationOutcome r, s.service->RotateKek(s.ctx, *opts.backends, unlock, *to));
    if (opts.json) {
      nlohmann::json j{{"rotated", r.rotated}, {"requested_by", r.requested_by}};
      if (r.rotated) {
        j["from"] = r.rotation.from;
        j["to"] = r.rotation.to;
        j["keys_rewrapped"] = r.rotation.keys_rewrapped;
        j["resumed"] = r.rotation.resumed;
        j["old_kek_destroyed"] = r.rotation.old_destroyed;
      }
      std::cout << j.dump() << "\n";
    } else if (!r.rotated) {
      std::cout << "KEK rotation requested by " << r.requested_by
                << "; a second, different operator rotates with the same command\n";
    } else {
      std::cout << "KEK rotated" << (r.rotation.resumed ? " (an interrupted rotation finished)" : "") << ": "
                << r.rotation.keys_rewrapped << " keys rewrapped, now under " << r.rotation.to << "; "
                << "the old KEK " << r.rotation.from << " destroyed\n";
    }
    return OkStatus();
  }));
}

}  // namespace hdhub::cli

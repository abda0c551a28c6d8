// hdhub audit …: verify, prove and show the hub's tamper-evident audit log,
// check proofs given on the command line, and run a witness.
// Formats: docs/formats/audit-log.md. Exit codes as in commands.h: a proof or
// check that does not hold is 1, unusable arguments 2, operational errors 3.
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "hdhub/audit/checkpoint.h"
#include "hdhub/audit/ed25519.h"
#include "hdhub/audit/entry_filter.h"
#include "hdhub/audit/hub_log.h"
#include "hdhub/audit/log_verifier.h"
#include "hdhub/audit/witness.h"
#include "hdhub/cli/commands.h"
#include "hdhub/common/file.h"

namespace hdhub::cli {
namespace {

using namespace ::hdhub::audit;  // NOLINT: this file is the audit CLI

constexpr char kWitnessKeyFile[] = "witness.key";


// For checks: OK -> 0; a check that does not hold (DataLoss, Unauthenticated,
// FailedPrecondition from the checkers) -> 1 with its reason; else as Run.
template <typename F>
std::function<void()> RunCheck(const GlobalOptions& opts, int* exit_code, F body) {
  return [&opts, exit_code, body]() {
    Status s = body();
    if (s.ok()) {
      *exit_code = kExitOk;
    } else if (s.code() == StatusCode::kDataLoss || s.code() == StatusCode::kUnauthenticated ||
               s.code() == StatusCode::kFailedPrecondition) {
      if (opts.json) {
        std::cerr << nlohmann::json{{"error", {{"code", "CHECK_FAILED"}, {"message", std::string(s.message())}}}}.dump()
                  << "\n";
      } else {
        std::cerr << "hdhub: check failed: " << s.message() << "\n";
      }
      *exit_code = kExitCheckFailed;
    } else {
      *exit_code = ReportError(opts, s);
    }
  };
}

StatusOr<std::unique_ptr<Ed25519Verifier>> HubVerifier(const GlobalOptions& opts, const std::string& vkey) {
  if (!vkey.empty()) return Ed25519Verifier::FromVerifierKey(vkey);
  ASSIGN_OR_RETURN(auto signer, LoadSignerKeyFile(HubAuditKeyPath(opts.hub_dir)));
  return Ed25519Verifier::FromVerifierKey(signer->VerifierKey());
}

// The proof checkers: verification failures become DataLoss (exit 1); an
// impossible index/size pair is also a proof that does not hold.
Status AsCheck(Status s) {
  if (s.ok() || s.code() == StatusCode::kDataLoss) return s;
  return DataLossError(s.message());
}

void AddVerify(CLI::App& audit, const GlobalOptions& opts, int* exit_code) {
  auto* cmd = audit.add_subcommand("verify", "recompute the whole tree and check it against the signed checkpoint");
  auto vkey = std::make_shared<std::string>();
  auto cp_file = std::make_shared<std::string>();
  cmd->add_option("--log-key", *vkey, "verifier key of the log (default: the hub's own key)");
  cmd->add_option("--checkpoint", *cp_file, "signed checkpoint to check against (default: <hub>/state/audit/checkpoint)");
  cmd->callback(RunCheck(opts, exit_code, [&opts, vkey, cp_file]() -> Status {
    ASSIGN_OR_RETURN(auto verifier, HubVerifier(opts, *vkey));
    std::optional<std::string> note;
    if (!cp_file->empty()) {
      ASSIGN_OR_RETURN(note, ReadFile(*cp_file));
    }
    ASSIGN_OR_RETURN(VerifyReport r, VerifyLogDirectory(HubAuditDir(opts.hub_dir), *verifier,
                                                        note ? std::optional<std::string_view>(*note) : std::nullopt));
    if (opts.json) {
      std::cout << nlohmann::json{{"ok", true}, {"entries", r.entries}, {"checkpoint_size", r.checkpoint.size},
                                  {"checkpoint_root", HashToHex(r.checkpoint.root)}, {"origin", r.checkpoint.origin},
                                  {"root_of_all", HashToHex(r.root_of_all)}, {"torn_bytes", r.torn_bytes}}.dump()
                << "\n";
      return OkStatus();
    }
    std::cout << "OK: " << r.entries << " entries; the first " << r.checkpoint.size
              << " match the checkpoint signed by " << verifier->name() << " (root "
              << HashToHex(r.checkpoint.root) << ")\n";
    if (r.entries > r.checkpoint.size)
      std::cout << (r.entries - r.checkpoint.size) << " newer entries are not yet checkpointed\n";
    if (r.torn_bytes > 0)
      std::cout << "note: " << r.torn_bytes << " bytes of an unacknowledged partial record at the end\n";
    return OkStatus();
  }));
}

void AddProve(CLI::App& audit, const GlobalOptions& opts, int* exit_code) {
  auto* cmd = audit.add_subcommand("prove", "inclusion proof of one entry");
  auto index = std::make_shared<uint64_t>(0);
  auto size = std::make_shared<uint64_t>(0);
  cmd->add_option("--index", *index, "entry index")->required();
  cmd->add_option("--size", *size, "tree size (default: the whole log)");
  cmd->callback(Run(opts, exit_code, [&opts, index, size]() -> Status {
    ASSIGN_OR_RETURN(MerkleTree tree, LoadTreeReadOnly(HubAuditDir(opts.hub_dir)));
    const uint64_t n = *size == 0 ? tree.size() : *size;
    ASSIGN_OR_RETURN(std::vector<Hash> proof, tree.InclusionProof(*index, n));
    ASSIGN_OR_RETURN(Hash root, tree.RootHash(n));
    const std::string leaf = HashToHex(tree.LeafHash(*index));
    if (opts.json) {
      std::cout << nlohmann::json{{"index", *index}, {"size", n}, {"leaf_hash", leaf}, {"root", HashToHex(root)},
                                  {"proof", JoinHashes(proof, ",")}}.dump()
                << "\n";
    } else {
      std::cout << "index " << *index << "\nsize " << n << "\nleaf_hash " << leaf << "\nroot " << HashToHex(root)
                << "\nproof " << JoinHashes(proof, ",") << "\n";
    }
    return OkStatus();
  }));
}

void AddConsistency(CLI::App& audit, const GlobalOptions& opts, int* exit_code) {
  auto* cmd = audit.add_subcommand("consistency", "consistency proof between two tree sizes");
  auto size1 = std::make_shared<uint64_t>(0);
  auto size2 = std::make_shared<uint64_t>(0);
  cmd->add_option("--size1", *size1, "older tree size")->required();
  cmd->add_option("--size2", *size2, "newer tree size (default: the whole log)");
  cmd->callback(Run(opts, exit_code, [&opts, size1, size2]() -> Status {
    ASSIGN_OR_RETURN(MerkleTree tree, LoadTreeReadOnly(HubAuditDir(opts.hub_dir)));
    const uint64_t n = *size2 == 0 ? tree.size() : *size2;
    ASSIGN_OR_RETURN(std::vector<Hash> proof, tree.ConsistencyProof(*size1, n));
    ASSIGN_OR_RETURN(Hash root1, tree.RootHash(*size1));
    ASSIGN_OR_RETURN(Hash root2, tree.RootHash(n));
    if (opts.json) {
      std::cout << nlohmann::json{{"size1", *size1}, {"size2", n}, {"root1", HashToHex(root1)},
                                  {"root2", HashToHex(root2)}, {"proof", JoinHashes(proof, ",")}}.dump()
                << "\n";
    } else {
      std::cout << "size1 " << *size1 << "\nsize2 " << n << "\nroot1 " << HashToHex(root1) << "\nroot2 "
                << HashToHex(root2) << "\nproof " << JoinHashes(proof, ",") << "\n";
    }
    return OkStatus();
  }));
}

void AddCheckInclusion(CLI::App& audit, const GlobalOptions& opts, int* exit_code) {
  auto* cmd = audit.add_subcommand("check-inclusion", "check an inclusion proof given on the command line");
  struct Args {
    uint64_t index = 0, size = 0;
    std::string leaf, root, proof;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("--index", a->index, "leaf index")->required();
  cmd->add_option("--size", a->size, "tree size")->required();
  cmd->add_option("--leaf-hash", a->leaf, "leaf hash (64 hex digits)")->required();
  cmd->add_option("--root", a->root, "root hash (64 hex digits)")->required();
  cmd->add_option("--proof", a->proof, "proof hashes, comma-separated (empty string for none)")->required();
  cmd->callback(RunCheck(opts, exit_code, [&opts, a]() -> Status {
    ASSIGN_OR_RETURN(Hash leaf, ParseHash(a->leaf));
    ASSIGN_OR_RETURN(Hash root, ParseHash(a->root));
    ASSIGN_OR_RETURN(std::vector<Hash> proof, ParseHashList(a->proof));
    RETURN_IF_ERROR(AsCheck(VerifyInclusion(a->index, a->size, leaf, proof, root)));
    std::cout << (opts.json ? "{\"ok\":true}" : "OK: the inclusion proof holds") << "\n";
    return OkStatus();
  }));
}

void AddCheckConsistency(CLI::App& audit, const GlobalOptions& opts, int* exit_code) {
  auto* cmd = audit.add_subcommand("check-consistency", "check a consistency proof given on the command line");
  struct Args {
    uint64_t size1 = 0, size2 = 0;
    std::string root1, root2, proof;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("--size1", a->size1, "older tree size")->required();
  cmd->add_option("--size2", a->size2, "newer tree size")->required();
  cmd->add_option("--root1", a->root1, "older root (64 hex digits)")->required();
  cmd->add_option("--root2", a->root2, "newer root (64 hex digits)")->required();
  cmd->add_option("--proof", a->proof, "proof hashes, comma-separated (empty string for none)")->required();
  cmd->callback(RunCheck(opts, exit_code, [&opts, a]() -> Status {
    ASSIGN_OR_RETURN(Hash root1, ParseHash(a->root1));
    ASSIGN_OR_RETURN(Hash root2, ParseHash(a->root2));
    ASSIGN_OR_RETURN(std::vector<Hash> proof, ParseHashList(a->proof));
    RETURN_IF_ERROR(AsCheck(VerifyConsistency(a->size1, a->size2, proof, root1, root2)));
    std::cout << (opts.json ? "{\"ok\":true}" : "OK: the consistency proof holds") << "\n";
    return OkStatus();
  }));
}

void AddShow(CLI::App& audit, const GlobalOptions& opts, int* exit_code) {
  auto* cmd = audit.add_subcommand("show", "list audit events, filtered");
  struct Args {
    std::string since, until, actor, action, project;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("--since", a->since, "from this time (RFC 3339 or YYYY-MM-DD, inclusive)");
  cmd->add_option("--until", a->until, "before this time (exclusive)");
  cmd->add_option("--actor", a->actor, "only this actor");
  cmd->add_option("--action", a->action, "only this action, or a prefix ending in '.' (e.g. key.)");
  cmd->add_option("--project", a->project, "only this project");
  cmd->callback(Run(opts, exit_code, [&opts, a]() -> Status {
    EntryFilter filter;
    if (!a->since.empty()) {
      ASSIGN_OR_RETURN(filter.since, ParseRfc3339(a->since));
    }
    if (!a->until.empty()) {
      ASSIGN_OR_RETURN(filter.until, ParseRfc3339(a->until));
    }
    if (!a->actor.empty()) filter.actor = a->actor;
    if (!a->action.empty()) filter.action = a->action;
    if (!a->project.empty()) filter.project = a->project;
    std::vector<Entry> entries;
    std::vector<std::string> raw;
    RETURN_IF_ERROR(ForEachEntryReadOnly(HubAuditDir(opts.hub_dir), [&](uint64_t i, std::string_view bytes) -> Status {
      auto entry = DecodeEntry(bytes);
      if (!entry.ok()) return DataLossError("audit entry " + std::to_string(i) + ": " + std::string(entry.status().message()));
      if (!filter.Matches(*entry)) return OkStatus();
      entries.push_back(std::move(*entry));
      raw.emplace_back(bytes);
      return OkStatus();
    }));
    if (opts.json) {
      std::cout << EntriesToJson(raw).dump() << "\n";
    } else {
      PrintEntriesTable(entries, std::cout);
    }
    return OkStatus();
  }));
}

void AddCheckpoint(CLI::App& audit, const GlobalOptions& opts, int* exit_code) {
  auto* cmd = audit.add_subcommand("checkpoint", "print the latest signed checkpoint");
  cmd->callback(Run(opts, exit_code, [&opts]() -> Status {
    ASSIGN_OR_RETURN(std::string note, ReadFile(HubAuditDir(opts.hub_dir) + "/checkpoint"));
    std::cout << note;
    return OkStatus();
  }));
  auto* key = audit.add_subcommand("log-key", "print the hub's verifier key (for witnesses and auditors)");
  key->callback(Run(opts, exit_code, [&opts]() -> Status {
    ASSIGN_OR_RETURN(auto signer, LoadOrCreateHubAuditKey(opts.hub_dir));
    std::cout << signer->VerifierKey() << "\n";
    return OkStatus();
  }));
}

void AddWitness(CLI::App& audit, const GlobalOptions& opts, int* exit_code) {
  auto* cmd = audit.add_subcommand("witness", "accept and countersign a checkpoint that extends the last one seen");
  struct Args {
    std::string state, vkey, checkpoint, proof, out;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("--state", a->state, "the witness's state directory (holds witness.key)")->required();
  cmd->add_option("--log-key", a->vkey, "verifier key of the log")->required();
  cmd->add_option("--checkpoint", a->checkpoint, "file with the log's signed checkpoint")->required();
  cmd->add_option("--proof", a->proof, "file with the consistency proof from the last witnessed size (hex, comma or newline separated)");
  cmd->add_option("--out", a->out, "write the countersigned checkpoint here (default: stdout)");
  cmd->callback(RunCheck(opts, exit_code, [a]() -> Status {
    ASSIGN_OR_RETURN(auto witness_key, LoadSignerKeyFile(a->state + "/" + kWitnessKeyFile));
    ASSIGN_OR_RETURN(auto log_key, Ed25519Verifier::FromVerifierKey(a->vkey));
    ASSIGN_OR_RETURN(std::string note, ReadFile(a->checkpoint));
    std::string proof_text;
    if (!a->proof.empty()) {
      ASSIGN_OR_RETURN(proof_text, ReadFile(a->proof));
    }
    ASSIGN_OR_RETURN(std::vector<Hash> proof, ParseHashList(proof_text));
    ASSIGN_OR_RETURN(std::string cosigned, WitnessCheckpoint(a->state, *witness_key, *log_key, note, proof));
    if (a->out.empty()) {
      std::cout << cosigned;
      return OkStatus();
    }
    return WriteFileAtomically(a->out, AsBytes(cosigned), 0644);
  }));
}

void AddKeygen(CLI::App& audit, const GlobalOptions& opts, int* exit_code) {
  auto* cmd = audit.add_subcommand("keygen", "create a witness key in a state directory, print its verifier key");
  auto state = std::make_shared<std::string>();
  auto name = std::make_shared<std::string>();
  cmd->add_option("--state", *state, "the witness's state directory")->required();
  cmd->add_option("--name", *name, "key name, e.g. witness.example.org/w1")->required();
  cmd->callback(Run(opts, exit_code, [state, name]() -> Status {
    const std::string path = *state + "/" + kWitnessKeyFile;
    if (LoadSignerKeyFile(path).ok()) return AlreadyExistsError("a witness key already exists in " + path);
    RETURN_IF_ERROR(MakeDirs(*state, 0700));
    ASSIGN_OR_RETURN(auto signer, Ed25519Signer::Generate(*name));
    RETURN_IF_ERROR(WriteSignerKeyFile(path, *signer));
    std::cout << signer->VerifierKey() << "\n";
    return OkStatus();
  }));
}

}  // namespace

void AddAuditCommands(CLI::App& app, const GlobalOptions& opts, int* exit_code) {
  auto* audit = app.add_subcommand("audit", "the tamper-evident audit log: verify, prove, show, witness");
  audit->require_subcommand(1);
  AddVerify(*audit, opts, exit_code);
  AddProve(*audit, opts, exit_code);
  AddConsistency(*audit, opts, exit_code);
  AddCheckInclusion(*audit, opts, exit_code);
  AddCheckConsistency(*audit, opts, exit_code);
  AddShow(*audit, opts, exit_code);
  AddCheckpoint(*audit, opts, exit_code);
  AddWitness(*audit, opts, exit_code);
  AddKeygen(*audit, opts, exit_code);
}

}  // namespace hdhub::cli

// hdhub audit …: verify, prove and show the hub's tamper-evident audit log,
// check proofs given on the command line, and run a witness.
// Formats: docs/formats/audit-log.md. Exit codes as in commands.h: a proof or
// check that does not hold is 1, unusable arguments 2, operational errors 3.
#include <charconv>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "hdhub/audit/checkpoint.h"
#include "hdhub/audit/ed25519.h"
#include "hdhub/audit/entry_filter.h"
#include "hdhub/audit/hub_log.h"
#include "hdhub/audit/log_verifier.h"
#include "hdhub/audit/witness.h"
#include "hdhub/cli/commands.h"
#include "hdhub/cli/remote.h"
#include "hdhub/common/file.h"

namespace hdhub::cli {
namespace {

using namespace ::hdhub::audit;  // NOLINT: this file is the audit CLI

constexpr char kWitnessKeyFile[] = "witness.key";

// How a check ends: OK -> 0; a check that does not hold -> 1 with its reason;
// anything else as Run. `failed` says which codes mean "does not hold".
void ReportCheck(const GlobalOptions& opts, int* exit_code, const Status& s, bool (*failed)(StatusCode)) {
  if (s.ok()) {
    *exit_code = kExitOk;
  } else if (failed(s.code())) {
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
}

// Offline checks (DataLoss, Unauthenticated, FailedPrecondition from the
// checkers do not hold).
bool OfflineCheckFailed(StatusCode c) {
  return c == StatusCode::kDataLoss || c == StatusCode::kUnauthenticated || c == StatusCode::kFailedPrecondition;
}
// A check of the hub's own log: only damage does not hold (an account
// refused or a hub that cannot open is an error, exit 3).
bool HubCheckFailed(StatusCode c) { return c == StatusCode::kDataLoss; }

template <typename F>
std::function<void()> RunCheck(const GlobalOptions& opts, int* exit_code, F body) {
  return [&opts, exit_code, body]() { ReportCheck(opts, exit_code, body(), OfflineCheckFailed); };
}

// The proof checkers: verification failures become DataLoss (exit 1); an
// impossible index/size pair is also a proof that does not hold.
Status AsCheck(Status s) {
  if (s.ok() || s.code() == StatusCode::kDataLoss) return s;
  return DataLossError(s.message());
}

// The fields of what `audit prove` or `audit consistency` printed, in either
// form (lines "name value", or one JSON object), so that every proof this
// command prints is accepted by the command that checks it.
StatusOr<std::map<std::string, std::string>> ParsePrintedProof(std::string_view text) {
  std::map<std::string, std::string> fields;
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && text[first] == '{') {
    nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object()) return InvalidArgumentError("the proof file is not a JSON object");
    for (const auto& [k, v] : j.items()) fields[k] = v.is_string() ? v.get<std::string>() : v.dump();
    return fields;
  }
  size_t line_no = 0;
  for (size_t pos = 0; pos < text.size();) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    const size_t sp = line.find(' ');
    std::string name(line.substr(0, sp));
    if (name.empty() || name.find_first_not_of("abcdefghijklmnopqrstuvwxyz_0123456789") != std::string::npos) {
      return InvalidArgumentError("the proof file, line " + std::to_string(line_no) +
                                  ": expected \"name value\" as printed by hdhub audit prove or consistency");
    }
    fields[name] = sp == std::string_view::npos ? "" : std::string(line.substr(sp + 1));
  }
  return fields;
}

StatusOr<std::string> Field(const std::map<std::string, std::string>& fields, const std::string& name) {
  auto it = fields.find(name);
  if (it == fields.end()) return InvalidArgumentError("the proof file has no field \"" + name + "\"");
  return it->second;
}

StatusOr<uint64_t> NumberField(const std::map<std::string, std::string>& fields, const std::string& name) {
  ASSIGN_OR_RETURN(std::string text, Field(fields, name));
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return InvalidArgumentError("the proof file's field \"" + name + "\" is not a number");
  }
  return n;
}

// The proof hashes in a --proof file: the output of `audit consistency`
// (text or JSON), or bare hashes separated by commas or newlines.
StatusOr<std::vector<Hash>> ProofHashesFromFile(std::string_view text) {
  if (text.find("proof") != std::string_view::npos) {
    ASSIGN_OR_RETURN(auto fields, ParsePrintedProof(text));
    ASSIGN_OR_RETURN(std::string proof, Field(fields, "proof"));
    return ParseHashList(proof);
  }
  return ParseHashList(text);
}

void PrintInclusion(const GlobalOptions& opts, uint64_t index, uint64_t size, const std::string& leaf,
                    const std::string& root, const std::string& proof) {
  if (opts.json) {
    std::cout << nlohmann::json{{"index", index}, {"size", size}, {"leaf_hash", leaf}, {"root", root}, {"proof", proof}}
                     .dump()
              << "\n";
  } else {
    std::cout << "index " << index << "\nsize " << size << "\nleaf_hash " << leaf << "\nroot " << root << "\nproof "
              << proof << "\n";
  }
}

void PrintConsistency(const GlobalOptions& opts, uint64_t size1, uint64_t size2, const std::string& root1,
                      const std::string& root2, const std::string& proof) {
  if (opts.json) {
    std::cout
        << nlohmann::json{{"size1", size1}, {"size2", size2}, {"root1", root1}, {"root2", root2}, {"proof", proof}}
               .dump()
        << "\n";
  } else {
    std::cout << "size1 " << size1 << "\nsize2 " << size2 << "\nroot1 " << root1 << "\nroot2 " << root2 << "\nproof "
              << proof << "\n";
  }
}

// A whole number field of a server's answer (0 when it is missing).
uint64_t Number(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_unsigned() ? it->get<uint64_t>() : 0;
}

void PrintVerified(const GlobalOptions& opts, const VerifyReport& r) {
  if (opts.json) {
    std::cout << nlohmann::json{{"ok", true},
                                {"entries", r.entries},
                                {"checkpoint_size", r.checkpoint.size},
                                {"checkpoint_root", HashToHex(r.checkpoint.root)},
                                {"origin", r.checkpoint.origin},
                                {"root_of_all", HashToHex(r.root_of_all)},
                                {"torn_bytes", r.torn_bytes}}
                     .dump()
              << "\n";
    return;
  }
  std::cout << "OK: " << r.entries << " entries; the first " << r.checkpoint.size << " match the checkpoint signed by "
            << r.checkpoint.origin << " (root " << HashToHex(r.checkpoint.root) << ")\n";
  if (r.entries > r.checkpoint.size)
    std::cout << (r.entries - r.checkpoint.size) << " newer entries are not yet checkpointed\n";
  if (r.torn_bytes > 0)
    std::cout << "note: " << r.torn_bytes << " bytes of an unacknowledged partial record at the end\n";
}

void AddVerify(CLI::App& audit, const GlobalOptions& opts, int* exit_code) {
  auto* cmd = audit.add_subcommand(
      "verify",
      "check the whole log: every entry against the signed checkpoint, and the log against the host's checkpoint");
  struct Args {
    std::string log_dir, vkey, checkpoint;
  };
  auto a = std::make_shared<Args>();
  auto* dir = cmd->add_option("--log-dir", a->log_dir,
                              "offline: verify a copy of a log directory (no hub, no account), with --log-key");
  cmd->add_option("--log-key", a->vkey, "verifier key of the log (with --log-dir)")->needs(dir);
  cmd->add_option("--checkpoint", a->checkpoint, "signed checkpoint to check against (default: the log's latest)")
      ->needs(dir);
  dir->needs("--log-key");
  cmd->callback([&opts, exit_code, a]() {
    if (!a->log_dir.empty()) {
      // An auditor's independent check of a copy: files only.
      Status s = [&]() -> Status {
        ASSIGN_OR_RETURN(auto verifier, Ed25519Verifier::FromVerifierKey(a->vkey));
        std::optional<std::string> note;
        if (!a->checkpoint.empty()) {
          ASSIGN_OR_RETURN(note, ReadFile(a->checkpoint));
        }
        ASSIGN_OR_RETURN(
            VerifyReport r,
            VerifyLogDirectory(a->log_dir, *verifier, note ? std::optional<std::string_view>(*note) : std::nullopt));
        PrintVerified(opts, r);
        return OkStatus();
      }();
      ReportCheck(opts, exit_code, s, OfflineCheckFailed);
      return;
    }
    // The hub's own log, by an account: opening the hub already checks it;
    // then everything again, in full.
    SystemClock clock;
    Status s = [&]() -> Status {
      ASSIGN_OR_RETURN(Session session, OpenSession(opts, &clock));
      ASSIGN_OR_RETURN(VerifyReport r, session.service->VerifyAudit(session.ctx));
      PrintVerified(opts, r);
      return OkStatus();
    }();
    ReportCheck(opts, exit_code, s, HubCheckFailed);
  });
}

void AddProve(CLI::App& audit, const GlobalOptions& opts, int* exit_code) {
  auto* cmd = audit.add_subcommand("prove", "inclusion proof of one entry (check it with check-inclusion --file)");
  auto index = std::make_shared<uint64_t>(0);
  auto size = std::make_shared<uint64_t>(0);
  cmd->add_option("--index", *index, "entry index")->required();
  cmd->add_option("--size", *size, "tree size (default: the whole log)");
  cmd->callback(LocalOrRemote(
      opts, exit_code,
      OnSession(opts, exit_code,
                [&opts, index, size](service::Service& svc, const service::RequestContext& ctx) -> Status {
                  ASSIGN_OR_RETURN(service::InclusionProof p, svc.ProveInclusion(ctx, *index, *size));
                  PrintInclusion(opts, p.index, p.size, HashToHex(p.leaf_hash), HashToHex(p.root),
                                 JoinHashes(p.proof, ","));
                  return OkStatus();
                }),
      [&opts, index, size](RemoteClient& client) -> Status {
        std::string path = "/audit/entries/" + std::to_string(*index) + "/proof";
        if (*size > 0) path += "?size=" + std::to_string(*size);
        ASSIGN_OR_RETURN(nlohmann::json p, client.Call("GET", path));
        // Printed as the server sent it: check-inclusion is what trusts it, or not.
        std::string proof = JsonText(p, "proof");  // "h1,h2,…"
        PrintInclusion(opts, Number(p, "index"), Number(p, "size"), JsonText(p, "leaf_hash"), JsonText(p, "root"),
                       proof);
        return OkStatus();
      }));
}

void AddConsistency(CLI::App& audit, const GlobalOptions& opts, int* exit_code) {
  auto* cmd = audit.add_subcommand("consistency",
                                   "consistency proof between two tree sizes (check it with check-consistency --file)");
  auto size1 = std::make_shared<uint64_t>(0);
  auto size2 = std::make_shared<uint64_t>(0);
  cmd->add_option("--size1", *size1, "older tree size")->required();
  cmd->add_option("--size2", *size2, "newer tree size (default: the whole log)");
  cmd->callback(LocalOrRemote(
      opts, exit_code,
      OnSession(opts, exit_code,
                [&opts, size1, size2](service::Service& svc, const service::RequestContext& ctx) -> Status {
                  ASSIGN_OR_RETURN(service::ConsistencyProof p, svc.ProveConsistency(ctx, *size1, *size2));
                  PrintConsistency(opts, p.size1, p.size2, HashToHex(p.root1), HashToHex(p.root2),
                                   JoinHashes(p.proof, ","));
                  return OkStatus();
                }),
      [&opts, size1, size2](RemoteClient& client) -> Status {
        ASSIGN_OR_RETURN(nlohmann::json p, client.Call("GET", "/audit/consistency?from=" + std::to_string(*size1) +
                                                                  "&to=" + std::to_string(*size2)));
        PrintConsistency(opts, Number(p, "size1"), Number(p, "size2"), JsonText(p, "root1"), JsonText(p, "root2"),
                         JsonText(p, "proof"));
        return OkStatus();
      }));
}

void AddCheckInclusion(CLI::App& audit, const GlobalOptions& opts, int* exit_code) {
  auto* cmd = audit.add_subcommand("check-inclusion", "check an inclusion proof (offline: no hub, no account)");
  struct Args {
    uint64_t index = 0, size = 0;
    std::string leaf, root, proof, file;
  };
  auto a = std::make_shared<Args>();
  auto* file =
      cmd->add_option("--file", a->file, "what `hdhub audit prove` printed (text or --json)")->check(CLI::ExistingFile);
  auto* index = cmd->add_option("--index", a->index, "leaf index")->excludes(file);
  auto* size = cmd->add_option("--size", a->size, "tree size")->excludes(file);
  auto* leaf = cmd->add_option("--leaf-hash", a->leaf, "leaf hash (64 hex digits)")->excludes(file);
  auto* root = cmd->add_option("--root", a->root, "root hash (64 hex digits)")->excludes(file);
  auto* proof =
      cmd->add_option("--proof", a->proof, "proof hashes, comma-separated (empty string for none)")->excludes(file);
  cmd->callback(RunCheck(opts, exit_code, [&opts, a, index, size, leaf, root, proof]() -> Status {
    if (!a->file.empty()) {
      ASSIGN_OR_RETURN(std::string text, ReadFile(a->file));
      ASSIGN_OR_RETURN(auto fields, ParsePrintedProof(text));
      ASSIGN_OR_RETURN(a->index, NumberField(fields, "index"));
      ASSIGN_OR_RETURN(a->size, NumberField(fields, "size"));
      ASSIGN_OR_RETURN(a->leaf, Field(fields, "leaf_hash"));
      ASSIGN_OR_RETURN(a->root, Field(fields, "root"));
      ASSIGN_OR_RETURN(a->proof, Field(fields, "proof"));
    } else if (index->count() + size->count() + leaf->count() + root->count() + proof->count() != 5) {
      return InvalidArgumentError("give --file, or all of --index, --size, --leaf-hash, --root and --proof");
    }
    ASSIGN_OR_RETURN(Hash leaf_hash, ParseHash(a->leaf));
    ASSIGN_OR_RETURN(Hash root_hash, ParseHash(a->root));
    ASSIGN_OR_RETURN(std::vector<Hash> hashes, ParseHashList(a->proof));
    RETURN_IF_ERROR(AsCheck(VerifyInclusion(a->index, a->size, leaf_hash, hashes, root_hash)));
    std::cout << (opts.json ? "{\"ok\":true}" : "OK: the inclusion proof holds") << "\n";
    return OkStatus();
  }));
}

void AddCheckConsistency(CLI::App& audit, const GlobalOptions& opts, int* exit_code) {
  auto* cmd = audit.add_subcommand("check-consistency", "check a consistency proof (offline: no hub, no account)");
  struct Args {
    uint64_t size1 = 0, size2 = 0;
    std::string root1, root2, proof, file;
  };
  auto a = std::make_shared<Args>();
  auto* file = cmd->add_option("--file", a->file, "what `hdhub audit consistency` printed (text or --json)")
                   ->check(CLI::ExistingFile);
  auto* size1 = cmd->add_option("--size1", a->size1, "older tree size")->excludes(file);
  auto* size2 = cmd->add_option("--size2", a->size2, "newer tree size")->excludes(file);
  auto* root1 = cmd->add_option("--root1", a->root1, "older root (64 hex digits)")->excludes(file);
  auto* root2 = cmd->add_option("--root2", a->root2, "newer root (64 hex digits)")->excludes(file);
  auto* proof =
      cmd->add_option("--proof", a->proof, "proof hashes, comma-separated (empty string for none)")->excludes(file);
  cmd->callback(RunCheck(opts, exit_code, [&opts, a, size1, size2, root1, root2, proof]() -> Status {
    if (!a->file.empty()) {
      ASSIGN_OR_RETURN(std::string text, ReadFile(a->file));
      ASSIGN_OR_RETURN(auto fields, ParsePrintedProof(text));
      ASSIGN_OR_RETURN(a->size1, NumberField(fields, "size1"));
      ASSIGN_OR_RETURN(a->size2, NumberField(fields, "size2"));
      ASSIGN_OR_RETURN(a->root1, Field(fields, "root1"));
      ASSIGN_OR_RETURN(a->root2, Field(fields, "root2"));
      ASSIGN_OR_RETURN(a->proof, Field(fields, "proof"));
    } else if (size1->count() + size2->count() + root1->count() + root2->count() + proof->count() != 5) {
      return InvalidArgumentError("give --file, or all of --size1, --size2, --root1, --root2 and --proof");
    }
    ASSIGN_OR_RETURN(Hash r1, ParseHash(a->root1));
    ASSIGN_OR_RETURN(Hash r2, ParseHash(a->root2));
    ASSIGN_OR_RETURN(std::vector<Hash> hashes, ParseHashList(a->proof));
    RETURN_IF_ERROR(AsCheck(VerifyConsistency(a->size1, a->size2, hashes, r1, r2)));
    std::cout << (opts.json ? "{\"ok\":true}" : "OK: the consistency proof holds") << "\n";
    return OkStatus();
  }));
}

// Entries as `audit show` prints them: a table, or with --json one array.
Status PrintEntries(const GlobalOptions& opts, const std::vector<std::string>& raw) {
  if (opts.json) {
    std::cout << EntriesToJson(raw).dump() << "\n";
    return OkStatus();
  }
  std::vector<Entry> entries;
  entries.reserve(raw.size());
  for (const std::string& bytes : raw) {
    ASSIGN_OR_RETURN(Entry e, DecodeEntry(bytes));
    entries.push_back(std::move(e));
  }
  PrintEntriesTable(entries, std::cout);
  return OkStatus();
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
  cmd->callback(
      LocalOrRemote(opts, exit_code,
                    OnSession(opts, exit_code,
                              [&opts, a](service::Service& svc, const service::RequestContext& ctx) -> Status {
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
                                ASSIGN_OR_RETURN(std::vector<std::string> raw, svc.AuditEntries(ctx, filter));
                                return PrintEntries(opts, raw);
                              }),
                    [&opts, a](RemoteClient& client) -> Status {
                      std::string query;
                      for (const auto& [key, value] : {std::pair<const char*, std::string>{"since", a->since},
                                                       {"until", a->until},
                                                       {"actor", a->actor},
                                                       {"action", a->action},
                                                       {"project", a->project}}) {
                        if (value.empty()) continue;
                        std::string v = value;
                        if ((key == std::string_view("since") || key == std::string_view("until"))) {
                          ASSIGN_OR_RETURN(TimePoint t, ParseRfc3339(value));  // YYYY-MM-DD too, as locally
                          v = FormatRfc3339(t);
                        }
                        query += (query.empty() ? "" : "&") + std::string(key) + "=" + UrlEncode(v);
                      }
                      ASSIGN_OR_RETURN(nlohmann::json items, client.ListAll("/audit/entries", query));
                      std::vector<std::string> raw;
                      for (const nlohmann::json& e : items) raw.push_back(e.dump());
                      return PrintEntries(opts, raw);
                    }));
}

void AddCheckpoint(CLI::App& audit, const GlobalOptions& opts, int* exit_code) {
  auto* cmd = audit.add_subcommand("checkpoint", "print the latest signed checkpoint");
  cmd->callback(LocalOrRemote(
      opts, exit_code,
      OnSession(opts, exit_code,
                [&opts](service::Service& svc, const service::RequestContext& ctx) -> Status {
                  ASSIGN_OR_RETURN(std::string note, svc.AuditCheckpoint(ctx));
                  std::cout << (opts.json ? nlohmann::json{{"checkpoint", note}}.dump() + "\n" : note);
                  return OkStatus();
                }),
      [&opts](RemoteClient& client) -> Status {
        ASSIGN_OR_RETURN(nlohmann::json answer, client.Call("GET", "/audit/checkpoint"));
        const std::string note = JsonText(answer, "checkpoint");
        std::cout << (opts.json ? nlohmann::json{{"checkpoint", note}}.dump() + "\n" : note);
        return OkStatus();
      }));
  auto* key = audit.add_subcommand("log-key", "print the hub's verifier key (for witnesses and auditors)");
  key->callback(LocalOrRemote(
      opts, exit_code,
      OnSession(opts, exit_code,
                [&opts](service::Service& svc, const service::RequestContext& ctx) -> Status {
                  ASSIGN_OR_RETURN(std::string vkey, svc.AuditVerifierKey(ctx));
                  std::cout << (opts.json ? nlohmann::json{{"log_key", vkey}}.dump() : vkey) << "\n";
                  return OkStatus();
                }),
      [&opts](RemoteClient& client) -> Status {
        ASSIGN_OR_RETURN(nlohmann::json answer, client.Call("GET", "/audit/log-key"));
        const std::string vkey = JsonText(answer, "log_key");
        std::cout << (opts.json ? nlohmann::json{{"log_key", vkey}}.dump() : vkey) << "\n";
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
  cmd->add_option("--proof", a->proof,
                  "file with the consistency proof from the last witnessed size: what `hdhub audit consistency` "
                  "printed, or the hashes alone (comma or newline separated)");
  cmd->add_option("--out", a->out, "write the countersigned checkpoint here (default: stdout)");
  cmd->callback(RunCheck(opts, exit_code, [a, &opts]() -> Status {
    ASSIGN_OR_RETURN(auto witness_key, LoadSignerKeyFile(a->state + "/" + kWitnessKeyFile));
    ASSIGN_OR_RETURN(auto log_key, Ed25519Verifier::FromVerifierKey(a->vkey));
    ASSIGN_OR_RETURN(std::string note, ReadFile(a->checkpoint));
    std::vector<Hash> proof;
    if (!a->proof.empty()) {
      ASSIGN_OR_RETURN(std::string proof_text, ReadFile(a->proof));
      ASSIGN_OR_RETURN(proof, ProofHashesFromFile(proof_text));
    }
    ASSIGN_OR_RETURN(std::string cosigned, WitnessCheckpoint(a->state, *witness_key, *log_key, note, proof));
    if (a->out.empty()) {
      std::cout << (opts.json ? nlohmann::json{{"checkpoint", cosigned}}.dump() + "\n" : cosigned);
      return OkStatus();
    }
    RETURN_IF_ERROR(WriteFileAtomically(a->out, AsBytes(cosigned), 0644));
    if (opts.json) std::cout << nlohmann::json{{"out", a->out}}.dump() << "\n";
    return OkStatus();
  }));
}

void AddKeygen(CLI::App& audit, const GlobalOptions& opts, int* exit_code) {
  auto* cmd = audit.add_subcommand("keygen", "create a witness key in a state directory, print its verifier key");
  auto state = std::make_shared<std::string>();
  auto name = std::make_shared<std::string>();
  cmd->add_option("--state", *state, "the witness's state directory")->required();
  cmd->add_option("--name", *name, "key name, e.g. witness.example.org/w1")->required();
  cmd->callback(Run(opts, exit_code, [state, name, &opts]() -> Status {
    const std::string path = *state + "/" + kWitnessKeyFile;
    if (LoadSignerKeyFile(path).ok()) return AlreadyExistsError("a witness key already exists in " + path);
    RETURN_IF_ERROR(MakeDirs(*state, 0700));
    ASSIGN_OR_RETURN(auto signer, Ed25519Signer::Generate(*name));
    RETURN_IF_ERROR(WriteSignerKeyFile(path, *signer));
    std::cout << (opts.json ? nlohmann::json{{"verifier_key", signer->VerifierKey()}}.dump() : signer->VerifierKey())
              << "\n";
    return OkStatus();
  }));
}

void AddRecoverCheckpoint(CLI::App& audit, const GlobalOptions& opts, int* exit_code) {
  auto* cmd = audit.add_subcommand(
      "recover-checkpoint",
      "republish the audit checkpoint the host lost (operators: one asks, a second, different one approves)");
  cmd->callback(Run(opts, exit_code, [&opts]() -> Status {
    SystemClock clock;
    // The only command that opens a hub whose host lost its checkpoint.
    ASSIGN_OR_RETURN(Session s, OpenSession(opts, &clock, std::nullopt, {.recover_host_checkpoint = true}));
    ASSIGN_OR_RETURN(service::Service::CheckpointRecovery r, s.service->RecoverCheckpoint(s.ctx));
    using R = service::Service::CheckpointRecovery;
    const char* state = r == R::kNotNeeded ? "not-needed" : r == R::kPending ? "pending" : "republished";
    if (opts.json) {
      std::cout << nlohmann::json{{"recovery", state}}.dump() << "\n";
    } else if (r == R::kNotNeeded) {
      std::cout << "the host's audit checkpoint is current: nothing to recover\n";
    } else if (r == R::kPending) {
      std::cout << "recovery requested; a second, different operator approves it with the same command\n";
    } else {
      std::cout << "the audit checkpoint is republished on the host\n";
    }
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
  AddRecoverCheckpoint(*audit, opts, exit_code);
}

}  // namespace hdhub::cli

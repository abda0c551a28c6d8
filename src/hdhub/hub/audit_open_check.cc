#include "hdhub/hub/audit_open_check.h"

#include <optional>

#include "hdhub/audit/checkpoint.h"
#include "hdhub/audit/ed25519.h"
#include "hdhub/audit/file_audit_log.h"
#include "hdhub/audit/hub_log.h"
#include "hdhub/common/file.h"

namespace hdhub::hub {
namespace {

constexpr char kRecoverHint[] =
    "; two operators can republish it once the cause is understood: 'hdhub audit recover-checkpoint' "
    "run by one operator, then by another";

// A signed checkpoint from `what`, verified with the log key; nullopt when absent.
StatusOr<std::optional<audit::Checkpoint>> Open(StatusOr<std::string> note, const audit::NoteVerifier& log_key,
                                                const std::string& what) {
  if (IsNotFound(note.status())) return std::optional<audit::Checkpoint>();
  RETURN_IF_ERROR(note.status().WithContext("reading " + what));
  StatusOr<audit::VerifiedCheckpoint> opened = audit::OpenSignedCheckpoint(*note, log_key);
  if (!opened.ok()) {
    return DataLossError(
        what + " is not a checkpoint signed by this hub's log key: " + std::string(opened.status().message()));
  }
  return std::optional<audit::Checkpoint>(opened->checkpoint);
}

StatusOr<std::string> ReadHost(const HostCheckpointSource& host) {
  ASSIGN_OR_RETURN(Bytes sealed, host.sealed->Get(host.object, *host.key));
  return std::string(sealed.begin(), sealed.end());
}

// The log must hold what `cp` covers, with the same root.
Status Covers(const audit::MerkleTree& tree, const audit::Checkpoint& cp, const std::string& what) {
  if (cp.size > tree.size()) {
    return DataLossError("the audit log holds " + std::to_string(tree.size()) + " entries but " + what + " covers " +
                         std::to_string(cp.size) +
                         ": entries were removed, or the hub's state was rolled back; restore it before going on");
  }
  ASSIGN_OR_RETURN(audit::Hash root, tree.RootHash(cp.size));
  if (root != cp.root) {
    return DataLossError("the first " + std::to_string(cp.size) + " entries of the audit log disagree with " + what +
                         ": the log was rewritten");
  }
  return OkStatus();
}

// The log's tree, read-only; an empty one when no segment exists yet.
StatusOr<audit::MerkleTree> LoadLogTree(const std::string& dir) {
  StatusOr<audit::MerkleTree> tree = audit::LoadTreeReadOnly(dir);
  if (IsNotFound(tree.status())) return audit::MerkleTree();
  RETURN_IF_ERROR(tree.status().WithContext("reading the audit log in " + dir));
  return tree;
}

// The log must hold what each witness cosigned: the one defence against a
// whole state/ restored from an old copy with the host's matching checkpoint.
Status CheckWitnesses(const std::vector<WitnessConfig>& witnesses, const audit::NoteVerifier& log_key,
                      const audit::MerkleTree& tree) {
  for (const WitnessConfig& w : witnesses) {
    ASSIGN_OR_RETURN(auto witness_key, audit::Ed25519Verifier::FromVerifierKey(w.key));
    const std::string what = "the checkpoint cosigned by witness " + witness_key->name() + " (" + w.checkpoint + ")";
    StatusOr<std::string> note = ReadFile(w.checkpoint);
    if (IsNotFound(note.status())) {
      return DataLossError(what + " is missing; a witness is configured in hub.json, so its checkpoint must be there");
    }
    RETURN_IF_ERROR(note.status().WithContext("reading " + what));
    StatusOr<audit::VerifiedCheckpoint> cosigned = audit::OpenSignedCheckpoint(*note, *witness_key);
    if (!cosigned.ok()) {
      return DataLossError(what + " is not signed by that witness: " + std::string(cosigned.status().message()));
    }
    // And it must be this log's checkpoint, signed by the log key.
    ASSIGN_OR_RETURN(std::optional<audit::Checkpoint> cp, Open(*note, log_key, what));
    RETURN_IF_ERROR(Covers(tree, *cp, what));
  }
  return OkStatus();
}

}  // namespace

std::string PublishedCheckpointPath(const std::string& hub_dir) { return audit::HubAuditDir(hub_dir) + "/published"; }

Status CheckLogAgainstWitnesses(const std::string& hub_dir, const audit::NoteVerifier& log_key,
                                const std::vector<WitnessConfig>& witnesses) {
  if (witnesses.empty()) return OkStatus();
  ASSIGN_OR_RETURN(audit::MerkleTree tree, LoadLogTree(audit::HubAuditDir(hub_dir)));
  return CheckWitnesses(witnesses, log_key, tree);
}

StatusOr<OpenCheckResult> CheckAuditLogBeforeOpen(const std::string& hub_dir, const audit::NoteVerifier& log_key,
                                                  const HostCheckpointSource& host, bool allow_host_recovery,
                                                  const std::vector<WitnessConfig>& witnesses) {
  const std::string dir = audit::HubAuditDir(hub_dir);
  const std::string local_path = dir + "/" + std::string(audit::kAuditCheckpointFile);
  ASSIGN_OR_RETURN(auto published,
                   Open(ReadFile(PublishedCheckpointPath(hub_dir)), log_key, PublishedCheckpointPath(hub_dir)));
  ASSIGN_OR_RETURN(auto on_host, Open(ReadHost(host), log_key, "the audit checkpoint published on the host"));
  ASSIGN_OR_RETURN(auto local, Open(ReadFile(local_path), log_key, local_path));
  StatusOr<audit::MerkleTree> tree = LoadLogTree(dir);
  RETURN_IF_ERROR(tree.status());

  OpenCheckResult result{.log_size = tree->size()};
  if (!local && tree->size() > 0) {
    return DataLossError(local_path + " is missing although the audit log holds " + std::to_string(tree->size()) +
                         " entries: the log's signed checkpoint was removed; restore it before going on");
  }
  if (local) RETURN_IF_ERROR(Covers(*tree, *local, "its local signed checkpoint"));
  if (on_host) RETURN_IF_ERROR(Covers(*tree, *on_host, "the checkpoint published on the host"));
  RETURN_IF_ERROR(CheckWitnesses(witnesses, log_key, *tree));
  if (!published) return result;
  RETURN_IF_ERROR(Covers(*tree, *published, "the checkpoint this hub last published"));
  result.published_size = published->size;
  if (!on_host || on_host->size < published->size) {
    if (allow_host_recovery) {
      result.host_needs_recovery = true;
      return result;
    }
    return DataLossError(std::string("the host's audit checkpoint is ") +
                         (on_host ? "older (" + std::to_string(on_host->size) + " entries) than" : "missing, after") +
                         " the one this hub published (" + std::to_string(published->size) +
                         " entries): the host lost, removed or replaced it" + kRecoverHint);
  }
  return result;
}

}  // namespace hdhub::hub

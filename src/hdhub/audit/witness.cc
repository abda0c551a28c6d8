#include "hdhub/audit/witness.h"

#include "hdhub/audit/checkpoint.h"
#include "hdhub/common/file.h"
#include "hdhub/crypto/hash.h"

namespace hdhub::audit {

namespace {
constexpr mode_t kStateDirMode = 0700;
constexpr mode_t kStateFileMode = 0600;

std::string StatePath(const std::string& state_dir, std::string_view origin) {
  return state_dir + "/logs/" + HexEncode(crypto::Sha256(AsBytes(origin))) + ".checkpoint";
}

Status CheckExtends(const Checkpoint& old_cp, const Checkpoint& new_cp, std::span<const Hash> proof) {
  if (new_cp.size < old_cp.size) {
    return FailedPreconditionError("rollback refused: log '" + new_cp.origin + "' presents size " +
                                   std::to_string(new_cp.size) + " but size " +
                                   std::to_string(old_cp.size) + " was already witnessed");
  }
  if (new_cp.size == old_cp.size) {
    if (new_cp.root != old_cp.root) {
      return DataLossError("fork refused: log '" + new_cp.origin + "' presents another root for size " +
                           std::to_string(new_cp.size) + " than the one already witnessed");
    }
    return OkStatus();
  }
  Status s = VerifyConsistency(old_cp.size, new_cp.size, proof, old_cp.root, new_cp.root);
  if (!s.ok()) {
    return DataLossError("fork refused: no valid consistency proof from witnessed size " +
                         std::to_string(old_cp.size) + " to size " + std::to_string(new_cp.size) +
                         " (" + std::string(s.message()) + ")");
  }
  return OkStatus();
}
}  // namespace

StatusOr<std::string> LastWitnessedCheckpoint(const std::string& state_dir, std::string_view origin) {
  return ReadFile(StatePath(state_dir, origin));
}

StatusOr<std::string> WitnessCheckpoint(const std::string& state_dir, const NoteSigner& witness_key,
                                        const NoteVerifier& log_key, std::string_view checkpoint_note,
                                        std::span<const Hash> consistency_proof) {
  ASSIGN_OR_RETURN(VerifiedCheckpoint incoming, OpenSignedCheckpoint(checkpoint_note, log_key));
  const std::string path = StatePath(state_dir, incoming.checkpoint.origin);
  auto previous = ReadFile(path);
  if (previous.ok()) {
    ASSIGN_OR_RETURN(VerifiedCheckpoint old_cp, OpenSignedCheckpoint(*previous, log_key));
    RETURN_IF_ERROR(CheckExtends(old_cp.checkpoint, incoming.checkpoint, consistency_proof));
  } else if (!IsNotFound(previous.status())) {
    return previous.status();
  }
  // Keep only the log's own signature in the state: that is what we vouch for.
  Note stored;
  stored.text = incoming.note.text;
  for (const NoteSignature& sig : incoming.note.signatures) {
    if (sig.name == log_key.name() && sig.key_id == log_key.key_id()) stored.signatures.push_back(sig);
  }
  RETURN_IF_ERROR(MakeDirs(state_dir + "/logs", kStateDirMode));
  RETURN_IF_ERROR(WriteFileAtomically(path, AsBytes(FormatNote(stored)), kStateFileMode));
  Note cosigned = incoming.note;
  RETURN_IF_ERROR(AddNoteSignature(cosigned, witness_key));
  return FormatNote(cosigned);
}

}  // namespace hdhub::audit

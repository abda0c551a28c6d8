// Checkpoints: the C2SP tlog-checkpoint body of a signed note,
//   <origin>\n<decimal tree size>\n<base64 root hash>\n[extension lines]\n
// signed by the log's key (and countersigned by witnesses).
//
// Thread-safety: values and free functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/audit/merkle.h"
#include "hdhub/audit/note.h"
#include "hdhub/common/status.h"

namespace hdhub::audit {

struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  Hash root{};
  std::vector<std::string> extensions;  // optional lines after the root, opaque
};

// The note text of a checkpoint (ends in a newline).
std::string CheckpointText(const Checkpoint& checkpoint);
// InvalidArgument unless `text` is a well-formed checkpoint body (non-empty
// origin, canonical decimal size, 32-byte base64 root, no empty extension line).
StatusOr<Checkpoint> ParseCheckpointText(std::string_view text);

// The signed note of `checkpoint` by `signer`, ready to publish.
StatusOr<std::string> SignCheckpoint(const Checkpoint& checkpoint, const NoteSigner& signer);

struct VerifiedCheckpoint {
  Checkpoint checkpoint;
  Note note;  // with every signature it carried
};
// Parses a signed checkpoint and verifies the signature by `verifier`.
// InvalidArgument when malformed, Unauthenticated when not signed by that key,
// DataLoss when the signature does not verify.
StatusOr<VerifiedCheckpoint> OpenSignedCheckpoint(std::string_view data,
                                                  const NoteVerifier& verifier);

}  // namespace hdhub::audit

// Full verification of an audit log directory by anyone holding the log's
// verifier key: every record is re-read and re-hashed, the tree is rebuilt
// with O(log n) memory and compared with a signed checkpoint. Deleted,
// reordered, inserted or edited entries all fail it.
//
// Read-only; safe to run while the hub appends (it verifies the checkpoint it
// read first against the entries present at that moment).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hdhub/audit/checkpoint.h"
#include "hdhub/audit/merkle.h"
#include "hdhub/audit/note.h"
#include "hdhub/common/status.h"

namespace hdhub::audit {

struct VerifyReport {
  uint64_t entries = 0;          // intact entries found
  Checkpoint checkpoint;         // the signed checkpoint that was checked
  Hash root_of_all{};            // root over all `entries`
  uint64_t torn_bytes = 0;       // unacknowledged partial record at the end, if any
};

// Verifies the segments in `dir` against `checkpoint_note` (a signed note), or
// against <dir>/checkpoint when it is not given. Unauthenticated/DataLoss when
// the checkpoint's signature is missing or wrong; DataLoss naming the first
// problem when entries are damaged, missing, reordered or out of sequence, or
// when the recomputed root differs from the checkpoint's.
StatusOr<VerifyReport> VerifyLogDirectory(const std::string& dir, const NoteVerifier& log_key,
                                          std::optional<std::string_view> checkpoint_note = std::nullopt);

}  // namespace hdhub::audit

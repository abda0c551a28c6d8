// Witness: an independent party that remembers the last checkpoint it
// accepted for each log and countersigns a newer one only when a consistency
// proof shows it extends the old one. A log that rolls back (smaller tree) or
// forks (same size with another root, or no valid proof) is refused, so a
// host that hides or rewrites history is caught by anyone holding a
// countersigned checkpoint.
//
// State: <state dir>/logs/<hex SHA-256(origin)>.checkpoint holds the last
// accepted checkpoint as received (replaced atomically and durably).
// Thread-safety: one witness process per state directory.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "hdhub/audit/merkle.h"
#include "hdhub/audit/note.h"
#include "hdhub/common/status.h"

namespace hdhub::audit {

// Returns `checkpoint_note` with the witness's signature line added.
// The first checkpoint seen for an origin is accepted as is (trust on first
// use). Errors: InvalidArgument (malformed input), Unauthenticated/DataLoss
// (not validly signed by `log_key`), FailedPrecondition "rollback" (smaller
// than the accepted one), DataLoss "fork" (same size with a different root, or
// a consistency proof that does not hold).
StatusOr<std::string> WitnessCheckpoint(const std::string& state_dir, const NoteSigner& witness_key,
                                        const NoteVerifier& log_key, std::string_view checkpoint_note,
                                        std::span<const Hash> consistency_proof);

// The checkpoint last accepted for `origin`; NotFound if none.
StatusOr<std::string> LastWitnessedCheckpoint(const std::string& state_dir, std::string_view origin);

}  // namespace hdhub::audit

// What opening a hub checks of its audit log, before it writes anything: a
// refused open leaves state/ and the host as they were (no checkpoint signed,
// no event appended, no object put).
//
// Four records of the log are compared, read in this order so that a
// process committing meanwhile cannot make them look inconsistent:
//   1. state/audit/published: the checkpoint this hub last published to the
//      host (written after each successful publication);
//   2. the host's "audit/checkpoint" object (sealed);
//   3. state/audit/checkpoint: the log's latest local checkpoint;
//   4. the segments (every record's hash checked, a torn tail ignored);
// and, for each witness configured in hub.json (outside state/, so that a
// state/ restored from an old copy keeps them), the latest checkpoint it
// cosigned: a log shorter than it, or disagreeing with it, is refused.
// Every checkpoint must verify with the hub's log key, and the log must
// hold every entry each one covers, with the same root. A missing local
// checkpoint while the log holds entries, and a host checkpoint missing or
// older than the one published, are refusals too; the latter only until two
// operators approve a republication (`hdhub audit recover-checkpoint`).
//
// Thread-safety: a free function, reading files and the host only.
#pragma once

#include <cstdint>
#include <string>

#include "hdhub/audit/note.h"
#include "hdhub/common/secret_bytes.h"
#include "hdhub/common/status.h"
#include "hdhub/hub/hub_config.h"
#include "hdhub/storage/sealed_store.h"

namespace hdhub::hub {

// The logical name of the host's copy of the latest checkpoint.
inline constexpr char kCheckpointObjectName[] = "audit/checkpoint";

// The file recording the checkpoint last published to the host.
std::string PublishedCheckpointPath(const std::string& hub_dir);

struct HostCheckpointSource {
  storage::SealedStore* sealed;  // the hub's sealed view of the host
  const SecretBytes* key;        // the checkpoint's sealing key
  std::string object;            // its logical name ("audit/checkpoint")
};

struct OpenCheckResult {
  uint64_t log_size = 0;
  uint64_t published_size = 0;  // 0 when nothing was ever published
  // The host's checkpoint is missing or older than the one published; only
  // set when `allow_host_recovery`, otherwise that is a refusal.
  bool host_needs_recovery = false;
};

// DataLoss naming the first problem found (and what to do). With
// `allow_host_recovery`, a missing or older host checkpoint is reported in
// the result instead; every other check still applies.
StatusOr<OpenCheckResult> CheckAuditLogBeforeOpen(const std::string& hub_dir, const audit::NoteVerifier& log_key,
                                                  const HostCheckpointSource& host, bool allow_host_recovery,
                                                  const std::vector<WitnessConfig>& witnesses = {});

// The witnesses' part of the check above alone, on the log in `hub_dir`:
// DataLoss naming the witness when its cosigned checkpoint is missing, is
// not signed by it and by `log_key`, or covers more entries than the log
// holds or another root. `hdhub restore --witness-…` runs it on a restored
// log before keeping it.
Status CheckLogAgainstWitnesses(const std::string& hub_dir, const audit::NoteVerifier& log_key,
                                const std::vector<WitnessConfig>& witnesses);

}  // namespace hdhub::hub

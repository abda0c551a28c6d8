// Host migration (docs/hosts.md, "Moving to another host";
// docs/formats/host-migration.md): the hub's sealed objects copied from its
// host to another, without decryption, each verified against the SHA-256 of
// its ciphertext that the hub recorded when it was written; then the switch
// (hub.json names the new host), and later the purge of the old one.
//
//   PlanHostMigration    what would move: objects, bytes, what an earlier
//                        run already verified, an estimate of the time;
//   MigrateHost          the copy (streamed GET -> PUT, parallel, paced by
//                        limits on bytes/s and requests/s), resumable after
//                        kill -9 at any point through state/host-migration
//                        and state/host-migration.verified; then, unless
//                        copy_only, the switch in a hub opened exclusively;
//   FinishHostMigration  after the switch's audit entry: the journal becomes
//                        state/host-retired (the old host, to be purged);
//   PurgeRetiredHost     the new host verified in full again, then every
//                        object of the old one deleted and its listing seen
//                        empty.
//
// An object whose ciphertext on the old host differs from the records is
// never copied (it is reported as damaged and the switch refused); one that
// the new host does not return as written fails the run. Unfinished uploads
// of a killed run (S3 multipart uploads) are aborted by the next run.
//
// Thread-safety: one migration per hub at a time (state/host-migration.lock).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/common/progress.h"
#include "hdhub/common/status.h"
#include "hdhub/hub/backends.h"
#include "hdhub/hub/hub.h"

namespace hdhub::hub {

// A migration under way (state/host-migration). kCopy: objects are being
// copied, the hub still on `from`; kSwitch: everything was verified and the
// switch to `to` began (every open but the migration's own is refused).
struct HostMigrationJournal {
  enum class Phase { kCopy, kSwitch };
  Phase phase = Phase::kCopy;
  std::string from;  // URIs, absolute paths
  std::string to;
  std::string to_name;  // the target's name in the host registry
  std::string started_at;
};
// The journal in hub directory `dir`, if a migration is under way. DataLoss
// when malformed.
StatusOr<std::optional<HostMigrationJournal>> ReadHostMigrationJournal(const std::filesystem::path& dir);

// A host the hub left, awaiting its purge (state/host-retired).
struct RetiredHost {
  std::string uri;  // absolute paths
  std::string name;
  std::string switched_at;
};
StatusOr<std::optional<RetiredHost>> ReadRetiredHost(const std::filesystem::path& dir);

struct HostMigrationOptions {
  std::string to_uri;                    // the target, as the host registry has it
  std::string to_name;                   // its name there
  bool copy_only = false;                // copy and verify, no switch (the hub may be open elsewhere)
  int parallel = 4;                      // objects copied at once (1..64)
  uint64_t max_bytes_per_second = 0;     // 0: no limit
  uint64_t max_requests_per_second = 0;  // GETs and PUTs together; 0: no limit
  // Each object is verified as it is copied: its bytes hashed on the way and
  // compared with the records before the new host publishes it (an S3 host
  // also checks that hash on receipt). With read_back, it is then read back
  // from the new host and hashed again (twice the reads). Either way, the
  // purge verifies every object on the new host before the old one is
  // emptied.
  bool read_back = false;
  ProgressFn progress;
  // Runs after each object is counted ("object") and after each step of the
  // switch ("switch-begin", "switched"); its error stops the run there.
  std::function<Status(std::string_view step)> after_step_for_test;
};

struct HostMigrationPlan {
  std::string from, to;
  uint64_t objects = 0;  // the live objects and the audit checkpoint
  uint64_t bytes = 0;
  uint64_t objects_verified = 0;  // already copied and verified by an earlier run
  uint64_t bytes_verified = 0;
  bool resuming = false;  // a migration to `to` is under way
  // Seconds for what is left: at max_bytes_per_second when given, else at
  // the old host's read rate measured on up to 64 MiB of it.
  double estimated_seconds = 0;
  std::string estimate_basis;
};

struct HostMigrationReport {
  std::string from, to;
  uint64_t objects = 0;  // live objects verified on the new host, in all
  uint64_t bytes = 0;
  uint64_t objects_copied = 0;  // by this run
  uint64_t bytes_copied = 0;
  uint64_t objects_already_verified = 0;  // by an earlier run
  uint64_t stale_copies_removed = 0;      // copies whose records went away meanwhile (shredded)
  uint64_t unfinished_uploads_aborted = 0;
  std::vector<std::string> damaged;  // objects on the old host that differ from the records
  double seconds = 0;
  bool read_back = false;  // each copy read back from the new host too
  bool resumed = false;
  bool switched = false;
};

// The JSON of `hdhub host migrate --json` (docs/hosts.md).
nlohmann::json HostMigrationPlanJson(const HostMigrationPlan& plan);
nlohmann::json HostMigrationReportJson(const HostMigrationReport& report);

// Reads only. FailedPrecondition when a migration to another host is under
// way; InvalidArgument when `to_uri` is the hub's host (as written: that the
// two are distinct storage is checked by the migration's first run).
StatusOr<HostMigrationPlan> PlanHostMigration(Hub& hub, const HostMigrationOptions& options);

// Copies, verifies and (unless options.copy_only) switches. The first run
// refuses a target that is the hub's host under another URI (or nested in
// it, or it in the target), or that holds any object. Damaged objects
// are in the report and leave the hub on its host (the caller decides:
// DataLoss). FailedPrecondition when the switch is asked of a hub not opened
// exclusively, when a migration to another host is under way, or while the
// host's audit checkpoint awaits recovery; Unavailable when a host cannot be
// reached; DataLoss when the new host does not return an object as written.
StatusOr<HostMigrationReport> MigrateHost(Hub& hub, const Backends& backends, const HostMigrationOptions& options);

// After the switch has been logged: state/host-retired records the old host,
// and the journal and the list of verified objects are removed.
Status FinishHostMigration(Hub& hub);

// Forgets a migration the hub has not switched for (its copies stay on the
// target, as unknown objects a `hdhub check` there would count), also one
// whose switch cannot finish (a target that became unreachable or refused).
// FailedPrecondition once hub.json names the target; NotFound when none is
// under way.
StatusOr<HostMigrationJournal> AbandonHostMigration(Hub& hub);

struct HostPurgeReport {
  std::string from;               // the old host's URI
  std::string from_name;          // and name
  uint64_t objects_verified = 0;  // on the hub's host, before anything was deleted
  uint64_t objects_deleted = 0;   // from the old host
  uint64_t bytes_deleted = 0;
};

// Verifies every live object on the hub's host and its audit checkpoint,
// and that the two hosts are not the same storage; then runs `before_delete`
// (the caller logs what is about to go), deletes every object of the retired
// host, lists it again, empty, and forgets it. FailedPrecondition when no
// host is retired or the hosts are the same storage; DataLoss (nothing
// deleted) when the hub's host fails verification; Unavailable when the old
// host still lists objects after the deletion.
StatusOr<HostPurgeReport> PurgeRetiredHost(
    Hub& hub, const Backends& backends, const ProgressFn& progress,
    const std::function<Status(const HostPurgeReport&)>& before_delete = nullptr);

}  // namespace hdhub::hub

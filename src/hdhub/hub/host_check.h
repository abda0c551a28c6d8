// CheckHost: what `hdhub check` does, the operator's reconciliation of the
// host with the hub's records. It takes the host lock exclusively (every
// ingest and workspace build holds it shared, Hub::HoldHostWrites), so no
// writer runs meanwhile and anything unfinished was left by a dead process:
//
//   1. unfinished work: pending dataset versions and building workspaces are
//      discarded (their objects become leftovers, step 3); scratch folders of
//      dead processes under state/tmp are removed;
//   2. every object the hub records as live (committed dataset versions,
//      ready workspaces, the airlock's releases and the evidence of requests
//      whose key exists) is verified on the host: present, of the recorded
//      size and SHA-256. Each failure is one line naming the dataset and
//      version (or the project and workspace, release or export request),
//      never a value;
//   3. objects that are the hub's own leftovers (recorded for a discarded or
//      shredded version or workspace, or evidence of a request whose key was
//      destroyed, or named as a killed ingest or build names them) are
//      removed; objects nothing in this hub explains
//      ("unknown": another hub's on a shared host, or records restored from an
//      older copy) are counted, and removed only when asked.
//
// Nothing removed is counted as data. Every object kind the hub writes to
// the host must be known here (live or leftover), or a check with
// remove_unknown deletes it: add new kinds to host_records.cc.
//
// Thread-safety: one check at a time per hub directory (the lock).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hdhub/common/status.h"
#include "hdhub/hub/hub.h"

namespace hdhub::hub {

struct HostCheckOptions {
  bool dry_run = false;         // find and report; change nothing
  bool remove_unknown = false;  // also remove the objects nothing explains
};

struct HostCheckReport {
  uint64_t objects_verified = 0;
  std::vector<std::string> damaged;     // one line per missing or altered object
  std::vector<std::string> unfinished;  // "dataset X version N", "project p workspace b": discarded
  uint64_t leftovers = 0;               // the hub's own leftover objects (removed unless dry_run)
  uint64_t leftover_bytes = 0;
  uint64_t unknown = 0;  // objects nothing explains
  uint64_t unknown_bytes = 0;
  bool unknown_removed = false;
  std::vector<std::string> temp_folders_removed;
};

// The report as `hdhub check --json` prints it and the HTTP API answers it.
nlohmann::json HostCheckJson(const HostCheckReport& report, const HostCheckOptions& options);

// FailedPrecondition when an ingest or a build keeps the host busy for more
// than a minute; Unavailable when the host cannot be listed or read. Damaged
// objects are in the report, not an error: the caller decides (DataLoss).
StatusOr<HostCheckReport> CheckHost(Hub& hub, const HostCheckOptions& options);

}  // namespace hdhub::hub

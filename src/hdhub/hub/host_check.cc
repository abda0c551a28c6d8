#include "hdhub/hub/host_check.h"

#include <set>

#include "hdhub/common/file_lock.h"
#include "hdhub/hub/host_records.h"
#include "hdhub/hub/state_backup.h"
#include "hdhub/ingest/csv_ingest.h"

namespace hdhub::hub {
namespace {

constexpr std::chrono::seconds kLockWait{60};

// Step 1: discards what dead processes left unfinished.
Status FinishUnfinished(Hub& hub, const HostCheckOptions& options, HostCheckReport& report) {
  ASSIGN_OR_RETURN(std::vector<catalog::VersionWithObjects> pending, hub.catalog().ListPendingVersions());
  for (const catalog::VersionWithObjects& v : pending) {
    report.unfinished.push_back(ingest::VersionLabel(v.version.dataset, v.version.version));
    if (!options.dry_run) RETURN_IF_ERROR(hub.catalog().DiscardVersion(v.version.dataset, v.version.version));
  }
  ASSIGN_OR_RETURN(std::vector<projects::ProjectRecord> all, hub.projects().ListForHub());
  for (const projects::ProjectRecord& p : all) {
    ASSIGN_OR_RETURN(std::vector<projects::WorkspaceRecord> workspaces, hub.projects().Workspaces(p.spec.id));
    for (const projects::WorkspaceRecord& w : workspaces) {
      if (w.state != projects::WorkspaceState::kBuilding) continue;
      report.unfinished.push_back("project " + p.spec.id + " workspace " + std::to_string(w.build));
      if (!options.dry_run) RETURN_IF_ERROR(hub.projects().DiscardWorkspace(p.spec.id, w.build));
    }
  }
  if (!options.dry_run) {
    ASSIGN_OR_RETURN(report.temp_folders_removed, hub.RemoveAbandonedScratch());
  }
  return OkStatus();
}

// Step 3: every object on the host that no live record explains.
Status Sweep(Hub& hub, const HostRecords& records, const HostCheckOptions& options, HostCheckReport& report) {
  storage::BlobStore& host = hub.host();
  const std::string checkpoint = hub.CheckpointObjectName();
  ASSIGN_OR_RETURN(std::vector<storage::ObjectInfo> objects, host.List(""));
  // Read after the listing: a backup announces its objects before it writes
  // them (state_backup.h), so every backup object listed is named here.
  ASSIGN_OR_RETURN(std::vector<std::string> backup, StateBackupObjectNames(hub.dir(), hub.host_uri()));
  const std::set<std::string> state(backup.begin(), backup.end());
  for (const storage::ObjectInfo& o : objects) {
    if (o.name == checkpoint || records.live.contains(o.name) || state.contains(o.name)) continue;
    const bool ours = records.ours.contains(o.name);
    (ours ? report.leftovers : report.unknown) += 1;
    (ours ? report.leftover_bytes : report.unknown_bytes) += o.size;
    if (options.dry_run || (!ours && !options.remove_unknown)) continue;
    Status deleted = host.Delete(o.name);
    if (!deleted.ok() && !IsNotFound(deleted)) return deleted;
  }
  report.unknown_removed = report.unknown > 0 && options.remove_unknown && !options.dry_run;
  return OkStatus();
}

}  // namespace

StatusOr<HostCheckReport> CheckHost(Hub& hub, const HostCheckOptions& options) {
  ASSIGN_OR_RETURN(FileLock lock,
                   FileLock::Acquire(hub.host_lock_path(), kLockWait, "the host (an ingest or a workspace build)"));
  HostCheckReport report;
  RETURN_IF_ERROR(FinishUnfinished(hub, options, report));
  ASSIGN_OR_RETURN(HostRecords records, CollectHostRecords(hub));
  for (const auto& [name, recorded] : records.live) {
    ASSIGN_OR_RETURN(std::string problem, VerifyRecordedObject(hub.host(), name, recorded));
    ++report.objects_verified;
    if (!problem.empty()) report.damaged.push_back(std::move(problem));
  }
  RETURN_IF_ERROR(Sweep(hub, records, options, report));
  return report;
}

nlohmann::json HostCheckJson(const HostCheckReport& r, const HostCheckOptions& options) {
  return {{"dry_run", options.dry_run},
          {"objects_verified", r.objects_verified},
          {"damaged", r.damaged},
          {"unfinished_discarded", r.unfinished},
          {"leftover_objects", r.leftovers},
          {"leftover_bytes", r.leftover_bytes},
          {"unknown_objects", r.unknown},
          {"unknown_bytes", r.unknown_bytes},
          {"unknown_removed", r.unknown_removed},
          {"temp_folders_removed", r.temp_folders_removed}};
}

}  // namespace hdhub::hub

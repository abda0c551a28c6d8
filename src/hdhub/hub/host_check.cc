#include "hdhub/hub/host_check.h"

#include <algorithm>
#include <map>
#include <set>

#include "hdhub/common/file_lock.h"
#include "hdhub/crypto/hash.h"
#include "hdhub/ingest/csv_ingest.h"
#include "hdhub/projects/table_profiles.h"
#include "hdhub/projects/workspace_builder.h"

namespace hdhub::hub {
namespace {

constexpr std::chrono::seconds kLockWait{60};
constexpr size_t kHashChunk = 4 * 1024 * 1024;

// A live object as the hub recorded it.
struct Recorded {
  std::string label;  // "dataset X version N", "project p workspace b"
  std::string logical_name;
  uint64_t size = 0;
  std::string sha256;
};

// What the records say: live objects (to verify and keep) and the names the
// hub may have written for everything else (its leftovers).
struct Records {
  std::map<std::string, Recorded> live;  // by object name
  std::set<std::string> ours;            // object names of leftovers
};

StatusOr<std::string> Sha256Of(storage::BlobStore& host, const std::string& name) {
  ASSIGN_OR_RETURN(std::unique_ptr<storage::BlobReader> reader, host.OpenReader(name));
  crypto::Sha256Hasher hasher;
  Bytes chunk;
  for (uint64_t offset = 0; offset < reader->size(); offset += chunk.size()) {
    chunk.resize(size_t(std::min<uint64_t>(kHashChunk, reader->size() - offset)));
    RETURN_IF_ERROR(reader->ReadAt(offset, chunk));
    hasher.Update(chunk);
  }
  return HexEncode(hasher.Finish());
}

// One line when `o` is missing or altered on the host; "" when it is sound.
StatusOr<std::string> Verify(storage::BlobStore& host, const std::string& name, const Recorded& o) {
  const std::string what = o.label + ": sealed object '" + o.logical_name + "'";
  StatusOr<storage::ObjectInfo> info = host.Stat(name);
  if (IsNotFound(info.status())) return what + " is missing on the host";
  RETURN_IF_ERROR(info.status());
  if (info->size != o.size) {
    return what + " has " + std::to_string(info->size) + " bytes on the host, " + std::to_string(o.size) + " recorded";
  }
  ASSIGN_OR_RETURN(std::string sha256, Sha256Of(host, name));
  if (sha256 != o.sha256) return what + " differs from the recorded SHA-256";
  return std::string();
}

Status CollectDatasets(Hub& hub, Records& records) {
  // Removed datasets too: their shredded versions' objects are leftovers.
  ASSIGN_OR_RETURN(std::vector<catalog::DatasetRecord> datasets,
                   hub.catalog().ListDatasets(catalog::Catalog::Listing::kWithRemoved));
  for (const catalog::DatasetRecord& d : datasets) {
    ASSIGN_OR_RETURN(std::vector<catalog::VersionRecord> versions, hub.catalog().ListVersions(d.name));
    for (const catalog::VersionRecord& v : versions) {
      ASSIGN_OR_RETURN(catalog::VersionWithObjects full, hub.catalog().GetVersion(d.name, v.version));
      const bool live = v.state == catalog::VersionState::kCommitted;
      for (const catalog::ObjectRecord& o : full.objects) {
        if (live) {
          records.live[o.object_name] = {ingest::VersionLabel(d.name, v.version), o.logical_name, o.ciphertext_size,
                                         o.ciphertext_sha256};
        } else {
          records.ours.insert(o.object_name);
        }
      }
      for (const std::string& name : ingest::PossibleVersionObjects(d.name, v.version)) {
        records.ours.insert(hub.sealed().ObjectNameFor(name));
      }
    }
  }
  return OkStatus();
}

Status CollectWorkspaces(Hub& hub, Records& records) {
  ASSIGN_OR_RETURN(std::vector<projects::ProjectRecord> all, hub.projects().ListForHub());
  for (const projects::ProjectRecord& p : all) {
    ASSIGN_OR_RETURN(std::vector<projects::WorkspaceRecord> workspaces, hub.projects().Workspaces(p.spec.id));
    for (const projects::WorkspaceRecord& w : workspaces) {
      const std::string label = "project " + p.spec.id + " workspace " + std::to_string(w.build);
      for (const projects::WorkspaceObject& o : w.objects) {
        if (w.state == projects::WorkspaceState::kReady) {
          records.live[o.object_name] = {label, o.logical_name, o.ciphertext_size, o.ciphertext_sha256};
        } else {
          records.ours.insert(o.object_name);
        }
      }
      // What a build killed before recording its objects had written.
      for (std::string_view table : projects::ProfiledTables()) {
        std::string name = projects::WorkspacePrefix(p.spec.id, w.build) + std::string(table) + ".parquet";
        records.ours.insert(hub.sealed().ObjectNameFor(name));
      }
    }
  }
  return OkStatus();
}

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
Status Sweep(Hub& hub, const Records& records, const HostCheckOptions& options, HostCheckReport& report) {
  storage::BlobStore& host = hub.host();
  const std::string checkpoint = hub.CheckpointObjectName();
  ASSIGN_OR_RETURN(std::vector<storage::ObjectInfo> objects, host.List(""));
  for (const storage::ObjectInfo& o : objects) {
    if (o.name == checkpoint || records.live.contains(o.name)) continue;
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
  Records records;
  RETURN_IF_ERROR(CollectDatasets(hub, records));
  RETURN_IF_ERROR(CollectWorkspaces(hub, records));
  for (const auto& [name, recorded] : records.live) {
    ASSIGN_OR_RETURN(std::string problem, Verify(hub.host(), name, recorded));
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

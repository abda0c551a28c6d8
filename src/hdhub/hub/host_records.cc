#include "hdhub/hub/host_records.h"

#include <algorithm>

#include "hdhub/crypto/hash.h"
#include "hdhub/exports/export_store.h"
#include "hdhub/ingest/csv_ingest.h"
#include "hdhub/projects/table_profiles.h"
#include "hdhub/projects/workspace_builder.h"

namespace hdhub::hub {
namespace {

constexpr size_t kHashChunk = 4 * 1024 * 1024;

Status CollectDatasets(Hub& hub, HostRecords& records) {
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

Status CollectWorkspaces(Hub& hub, HostRecords& records) {
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

// The airlock's sealed objects, recorded with their release: its files and
// certificate (live: release keys are kept) and the request's evidence
// (a leftover once the request's key is destroyed).
Status CollectExports(Hub& hub, HostRecords& records) {
  ASSIGN_OR_RETURN(std::unique_ptr<exports::ExportStore> store,
                   exports::ExportStore::Open(hub.database_path(), hub.state_cipher()));
  ASSIGN_OR_RETURN(std::vector<exports::ExportObjectRecord> objects, store->ListObjects());
  for (const exports::ExportObjectRecord& o : objects) {
    if (!o.live) {
      records.ours.insert(o.object_name);
      continue;
    }
    const std::string label = o.kind == exports::ExportObjectKind::kRelease
                                  ? "project " + o.project + " release " + std::to_string(o.seq.value_or(0))
                                  : "project " + o.project + " export request " + o.request;
    records.live[o.object_name] = {label, o.logical_name, static_cast<uint64_t>(o.bytes), o.sha256};
  }
  return OkStatus();
}

}  // namespace

StatusOr<std::string> Sha256OfObject(storage::BlobStore& host, const std::string& name) {
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

StatusOr<std::string> VerifyRecordedObject(storage::BlobStore& host, const std::string& name, const RecordedObject& o) {
  const std::string what = o.label + ": sealed object '" + o.logical_name + "'";
  StatusOr<storage::ObjectInfo> info = host.Stat(name);
  if (IsNotFound(info.status())) return what + " is missing on the host";
  RETURN_IF_ERROR(info.status());
  if (info->size != o.size) {
    return what + " has " + std::to_string(info->size) + " bytes on the host, " + std::to_string(o.size) + " recorded";
  }
  ASSIGN_OR_RETURN(std::string sha256, Sha256OfObject(host, name));
  if (sha256 != o.sha256) return what + " differs from the recorded SHA-256";
  return std::string();
}

StatusOr<HostRecords> CollectHostRecords(Hub& hub) {
  HostRecords records;
  RETURN_IF_ERROR(CollectDatasets(hub, records));
  RETURN_IF_ERROR(CollectWorkspaces(hub, records));
  RETURN_IF_ERROR(CollectExports(hub, records));
  return records;
}

}  // namespace hdhub::hub

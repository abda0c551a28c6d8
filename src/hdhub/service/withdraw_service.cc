// Service: withdrawing a dataset version ingested by mistake, removing a
// dataset made by mistake (service.h says in which order, and why).
#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "hdhub/audit/recorder.h"
#include "hdhub/common/file_lock.h"
#include "hdhub/ingest/opt_out.h"
#include "hdhub/projects/scope_check.h"
#include "hdhub/service/service.h"

namespace hdhub::service {

using directory::Operation;

namespace {

constexpr std::chrono::seconds kHostWait{60};

// Under the host lock taken exclusively, as `hdhub check` takes it: no
// ingest or build runs, so none reads the version while it goes.
StatusOr<FileLock> HoldHostAlone(hub::Hub& hub) {
  return FileLock::Acquire(hub.host_lock_path(), kHostWait, "the host (an ingest, a workspace build or a check)");
}

Status CheckChangeable(const std::string& dataset, const std::string& reason) {
  if (dataset == ingest::kOptOutDataset || dataset == ingest::kOptOutWithdrawalDataset) {
    return FailedPreconditionError("dataset " + dataset +
                                   " is the opt-out register: lists accumulate, and a person leaves it only through "
                                   "a withdrawal list from the source (hdhub ingest --opt-out-withdrawal)");
  }
  return catalog::Catalog::ValidateReason(reason);
}

// Before any event: a name the log could not even record is no request.
Status CheckNamed(const std::string& dataset, int64_t version) {
  if (!catalog::Catalog::IsValidDatasetName(dataset)) {
    return InvalidArgumentError("a dataset name is 1 to 64 characters of [A-Za-z0-9_]");
  }
  if (version < 1) return InvalidArgumentError("a version number is 1 or more");
  return OkStatus();
}

bool Ended(const projects::ProjectRecord& p) {
  return p.state == projects::ProjectState::kClosed || p.state == projects::ProjectState::kExpired;
}

// Whether workspace `w` of `p` may hold data of `dataset` version `version`:
// its provenance says so; or it never finished (no provenance) and its
// project's scope reads the dataset.
bool MayHold(const projects::ProjectRecord& p, const projects::WorkspaceRecord& w, const std::string& dataset,
             int64_t version) {
  if (w.state == projects::WorkspaceState::kShredded) return false;
  const nlohmann::json provenance = nlohmann::json::parse(w.provenance_json, nullptr, false);
  if (provenance.is_object() && provenance.contains("datasets") && provenance["datasets"].is_object()) {
    const nlohmann::json& datasets = provenance["datasets"];
    return datasets.contains(dataset) && datasets[dataset] == version;
  }
  return projects::DatasetsScopeReads(p.spec.scope).contains(dataset);
}

struct Workspace {
  std::string project;
  projects::WorkspaceRecord record;
  std::string Label() const { return "project " + project + " workspace " + std::to_string(record.build); }
};

StatusOr<std::vector<Workspace>> WorkspacesHolding(hub::Hub& hub, const std::string& dataset, int64_t version) {
  std::vector<Workspace> out;
  ASSIGN_OR_RETURN(std::vector<projects::ProjectRecord> all, hub.projects().ListForHub());
  for (const projects::ProjectRecord& p : all) {
    if (Ended(p)) continue;  // its workspaces were shredded with it
    ASSIGN_OR_RETURN(std::vector<projects::WorkspaceRecord> workspaces, hub.projects().Workspaces(p.spec.id));
    for (projects::WorkspaceRecord& w : workspaces) {
      if (MayHold(p, w, dataset, version)) out.push_back({p.spec.id, std::move(w)});
    }
  }
  return out;
}

// Key first, then objects: a crash in between leaves objects of a shredded
// workspace, which `hdhub check` removes.
Status ShredWorkspace(hub::Hub& hub, const Workspace& w) {
  RETURN_IF_ERROR(hub.projects().ShredWorkspace(w.project, w.record.build));
  for (const projects::WorkspaceObject& o : w.record.objects) {
    Status s = hub.sealed().Delete(o.logical_name);
    if (!s.ok() && !IsNotFound(s)) return s.WithContext("shredding " + w.Label());
  }
  return OkStatus();
}

// Deletes from the host every object `version` recorded, and any a killed
// ingest of it may have left; returns how many were there.
StatusOr<uint64_t> DeleteVersionObjects(hub::Hub& hub, const catalog::VersionWithObjects& v) {
  std::set<std::string> names;
  for (const catalog::ObjectRecord& o : v.objects) names.insert(o.logical_name);
  for (std::string& name : ingest::PossibleVersionObjects(v.version.dataset, v.version.version)) {
    names.insert(std::move(name));
  }
  uint64_t deleted = 0;
  for (const std::string& name : names) {
    Status s = hub.sealed().Delete(name);
    if (s.ok()) ++deleted;
    if (!s.ok() && !IsNotFound(s)) {
      return s.WithContext("deleting the objects of " + ingest::VersionLabel(v.version.dataset, v.version.version));
    }
  }
  return deleted;
}

// The projects, not closed or expired, whose workspaces read `dataset`.
StatusOr<std::vector<std::string>> ProjectsReading(hub::Hub& hub, const std::string& dataset) {
  std::vector<std::string> ids;
  ASSIGN_OR_RETURN(std::vector<projects::ProjectRecord> all, hub.projects().ListForHub());
  for (const projects::ProjectRecord& p : all) {
    if (!Ended(p) && projects::DatasetsScopeReads(p.spec.scope).contains(dataset)) ids.push_back(p.spec.id);
  }
  return ids;
}

std::string Joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

}  // namespace

StatusOr<WithdrawResult> Service::WithdrawVersion(const RequestContext& ctx, const std::string& dataset,
                                                  int64_t version, const std::string& reason) {
  RETURN_IF_ERROR(CheckNamed(dataset, version));
  audit::Event event{.action = "dataset.withdraw"};
  event.objects["dataset"] = dataset;
  event.objects["version"] = std::to_string(version);
  RETURN_IF_ERROR(Gate(ctx, Operation::kDatasetWithdraw, event).status());
  event.free_text = reason;  // the log keeps its SHA-256; the catalog, the text
  WithdrawResult result{.dataset = dataset, .version = version};
  std::vector<Workspace> holding;
  catalog::VersionWithObjects withdrawn;
  StatusOr<FileLock> alone = HoldHostAlone(*hub_);
  Status checked = [&]() -> Status {
    RETURN_IF_ERROR(alone.status());
    RETURN_IF_ERROR(CheckChangeable(dataset, reason));
    ASSIGN_OR_RETURN(withdrawn, hub_->catalog().GetVersion(dataset, version));
    if (withdrawn.version.state != catalog::VersionState::kCommitted) {
      return FailedPreconditionError(ingest::VersionLabel(dataset, version) + " is " +
                                     std::string(catalog::VersionStateName(withdrawn.version.state)) +
                                     (withdrawn.version.withdrawal ? " (withdrawn)" : "") +
                                     "; only a committed version can be withdrawn (hdhub catalog list)");
    }
    ASSIGN_OR_RETURN(holding, WorkspacesHolding(*hub_, dataset, version));
    return OkStatus();
  }();
  if (!checked.ok()) return audit::Record(hub_->audit(), std::move(event), checked);
  nlohmann::json shredded = nlohmann::json::array();
  for (const Workspace& w : holding) {
    result.workspaces_shredded.push_back(w.Label());
    shredded.push_back(w.project + "/" + std::to_string(w.record.build));  // an identifier, as the log takes them
  }
  event.details["workspaces_shredded"] = shredded;
  // Logged before the change, as every change is: never a change without its event.
  RETURN_IF_ERROR(hub_->audit().Append(event).status());
  Status done = [&]() -> Status {
    for (const Workspace& w : holding) RETURN_IF_ERROR(ShredWorkspace(*hub_, w));
    RETURN_IF_ERROR(hub_->catalog().WithdrawVersion(dataset, version, ctx.principal().user, reason));
    ASSIGN_OR_RETURN(result.objects_deleted, DeleteVersionObjects(*hub_, withdrawn));
    StatusOr<catalog::VersionWithObjects> current = hub_->catalog().LatestCommittedVersion(dataset);
    if (current.ok()) result.current = current->version.version;
    return IsNotFound(current.status()) ? OkStatus() : current.status();
  }();
  if (!done.ok()) return audit::Record(hub_->audit(), std::move(event), done);
  return result;
}

StatusOr<RemoveResult> Service::RemoveDataset(const RequestContext& ctx, const std::string& dataset,
                                              const std::string& reason) {
  RETURN_IF_ERROR(CheckNamed(dataset, 1));
  audit::Event event{.action = "dataset.remove"};
  event.objects["dataset"] = dataset;
  RETURN_IF_ERROR(Gate(ctx, Operation::kDatasetRemove, event).status());
  event.free_text = reason;
  RemoveResult result{.dataset = dataset};
  std::vector<catalog::VersionWithObjects> versions;
  StatusOr<FileLock> alone = HoldHostAlone(*hub_);
  Status checked = [&]() -> Status {
    RETURN_IF_ERROR(alone.status());
    RETURN_IF_ERROR(CheckChangeable(dataset, reason));
    ASSIGN_OR_RETURN(std::vector<catalog::DatasetRecord> listed, hub_->catalog().ListDatasets());
    auto named = [&dataset](const catalog::DatasetRecord& d) { return d.name == dataset; };
    if (std::none_of(listed.begin(), listed.end(), named)) {
      return NotFoundError("no dataset " + dataset + " in the catalog (hdhub catalog list)");
    }
    // Only staff who may read every project get here (the policy): naming
    // the projects tells them nothing they may not see.
    ASSIGN_OR_RETURN(std::vector<std::string> readers, ProjectsReading(*hub_, dataset));
    if (!readers.empty()) {
      return FailedPreconditionError("dataset " + dataset + " is read by project(s) " + Joined(readers) +
                                     ", not closed or expired: close them, or change their scope, first");
    }
    ASSIGN_OR_RETURN(std::vector<catalog::VersionRecord> records, hub_->catalog().ListVersions(dataset));
    for (const catalog::VersionRecord& r : records) {
      ASSIGN_OR_RETURN(catalog::VersionWithObjects v, hub_->catalog().GetVersion(dataset, r.version));
      versions.push_back(std::move(v));
    }
    return OkStatus();
  }();
  if (!checked.ok()) return audit::Record(hub_->audit(), std::move(event), checked);
  event.details["versions"] = versions.size();
  RETURN_IF_ERROR(hub_->audit().Append(event).status());  // before the change
  Status done = [&]() -> Status {
    ASSIGN_OR_RETURN(result.versions_shredded, hub_->catalog().RemoveDataset(dataset, ctx.principal().user, reason));
    for (const catalog::VersionWithObjects& v : versions) {
      ASSIGN_OR_RETURN(uint64_t deleted, DeleteVersionObjects(*hub_, v));
      result.objects_deleted += deleted;
    }
    return OkStatus();
  }();
  if (!done.ok()) return audit::Record(hub_->audit(), std::move(event), done);
  return result;
}

}  // namespace hdhub::service

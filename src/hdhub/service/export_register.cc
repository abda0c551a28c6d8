// Service: the airlock's transparency register (docs/airlock-workflow.md §6
// "Register", DESIGN.md §6): one entry per release, from the release rows
// and the projects, identifiers only. Register: any account of the five
// roles (kAirlockRegister). PublicRegister: anyone without an account
// (kPublicRegister), every project approved once with its releases.
#include <algorithm>
#include <map>
#include <set>

#include "hdhub/audit/recorder.h"
#include "hdhub/exports/certificate.h"
#include "hdhub/service/export_ops.h"

namespace hdhub::service {
namespace {

using directory::Operation;

// The register lines of `project`'s releases, in the store's order, each
// with its register entry when the hub recorded one.
using ReleaseEntries = std::map<std::pair<std::string, int64_t>, int64_t>;
StatusOr<std::vector<RegisterEntry>> ReleasesOf(exports::ExportStore& store, const projects::ProjectRecord& project,
                                                const ReleaseEntries& entries) {
  ASSIGN_OR_RETURN(std::vector<exports::ReleaseRecord> releases, store.ListReleases(project.spec.id));
  std::vector<RegisterEntry> out;
  for (const exports::ReleaseRecord& r : releases) {
    ASSIGN_OR_RETURN(exports::CertificateBody body, exports::ParseBody(r.body));
    RegisterEntry e = ReleaseLine(r, body);
    if (auto it = entries.find({r.project, r.seq}); it != entries.end()) e.register_entry = it->second;
    out.push_back(std::move(e));
  }
  return out;
}

void OldestFirst(std::vector<RegisterEntry>& entries) {
  std::stable_sort(entries.begin(), entries.end(),
                   [](const RegisterEntry& a, const RegisterEntry& b) { return a.released_at_us < b.released_at_us; });
}

}  // namespace

StatusOr<std::vector<RegisterEntry>> Service::Register(const RequestContext& ctx,
                                                       const std::optional<std::string>& project) {
  ASSIGN_OR_RETURN(exports::ExportStore * store, Exports());
  ExportOps ops(*this, ctx, *store);
  audit::Event event{.action = std::string(directory::RuleFor(Operation::kAirlockRegister).action)};
  StatusOr<directory::Role> role =
      directory::Authorize(ctx.principal(), Operation::kAirlockRegister, {}, ctx.requested_role());
  const audit::Actor actor = ActorFor(ctx, role.ok() ? *role : ActingRole(ctx, Operation::kAirlockRegister));
  event.actor = actor.id;
  event.role = actor.role;
  if (!role.ok()) return ops.Refuse(event, role.status());
  if (project && !exports::IsProjectId(*project)) {
    return ops.Refuse(event, InvalidArgumentError("not a project id"));
  }
  std::vector<RegisterEntry> out;
  Status listed = [&]() -> Status {
    ASSIGN_OR_RETURN(std::vector<exports::RequestRecord> released,
                     store->ListRequests(project, exports::RequestState::kReleased));
    std::set<std::string> projects;
    for (const exports::RequestRecord& r : released) projects.insert(r.project);
    ASSIGN_OR_RETURN(RegisterEntries recorded, CurrentRegisterEntries());
    for (const std::string& p : projects) {
      ASSIGN_OR_RETURN(projects::ProjectRecord record, hub_->projects().GetForHub(p));
      ASSIGN_OR_RETURN(std::vector<RegisterEntry> entries, ReleasesOf(*store, record, recorded.releases));
      out.insert(out.end(), entries.begin(), entries.end());
    }
    return OkStatus();
  }();
  OldestFirst(out);
  event.details["releases"] = out.size();
  RETURN_IF_ERROR(ops.Refuse(event, listed));
  return out;
}

StatusOr<std::vector<PublicProject>> Service::PublicRegister(const PublicContext& ctx) {
  audit::Event event{.actor = "anonymous",
                     .role = "public",
                     .action = std::string(directory::RuleFor(Operation::kPublicRegister).action)};
  if (!ctx.client_address.empty()) event.details["source"] = ctx.client_address;
  if (Status allowed = directory::AuthorizePublic(Operation::kPublicRegister); !allowed.ok()) {
    return audit::Record(hub_->audit(), event, allowed);
  }
  std::vector<PublicProject> out;
  size_t releases = 0;
  Status listed = [&]() -> Status {
    ASSIGN_OR_RETURN(exports::ExportStore * store, Exports());
    ASSIGN_OR_RETURN(std::vector<projects::ProjectRecord> records, hub_->projects().ListForHub());
    ASSIGN_OR_RETURN(RegisterEntries recorded, CurrentRegisterEntries());
    for (const projects::ProjectRecord& record : records) {
      if (record.state == projects::ProjectState::kDraft) continue;
      PublicProject p = ProjectLine(record);
      if (auto it = recorded.approvals.find(p.project); it != recorded.approvals.end()) p.register_entry = it->second;
      ASSIGN_OR_RETURN(p.releases, ReleasesOf(*store, record, recorded.releases));
      OldestFirst(p.releases);
      releases += p.releases.size();
      out.push_back(std::move(p));
    }
    return OkStatus();
  }();
  std::sort(out.begin(), out.end(),
            [](const PublicProject& a, const PublicProject& b) { return a.project < b.project; });
  event.details["projects"] = out.size();
  event.details["releases"] = releases;
  RETURN_IF_ERROR(audit::Record(hub_->audit(), event, listed));
  return out;
}

}  // namespace hdhub::service

// Service: the airlock's transparency register (docs/airlock-workflow.md §6
// "Register", DESIGN.md §6): one entry per release, from the release rows
// and the projects, identifiers only. Register: any account of the five
// roles (kAirlockRegister). PublicRegister: anyone without an account
// (kPublicRegister), every project approved once with its releases.
#include <algorithm>
#include <set>

#include "hdhub/audit/recorder.h"
#include "hdhub/exports/certificate.h"
#include "hdhub/service/export_ops.h"

namespace hdhub::service {
namespace {

using directory::Operation;

// The register entries of `project`'s releases, in the store's order.
StatusOr<std::vector<RegisterEntry>> ReleasesOf(exports::ExportStore& store, const projects::ProjectRecord& project) {
  ASSIGN_OR_RETURN(std::vector<exports::ReleaseRecord> releases, store.ListReleases(project.spec.id));
  std::vector<RegisterEntry> out;
  for (const exports::ReleaseRecord& r : releases) {
    ASSIGN_OR_RETURN(exports::CertificateBody body, exports::ParseBody(r.body));
    RegisterEntry e{.project = project.spec.id,
                    .authorisation_ref = project.spec.authorisation_ref,
                    .seq = r.seq,
                    .released_at_us = r.released_at_us,
                    .outputs = {},
                    .certificate_sha256 = r.certificate_sha256,
                    .audit_index = r.audit_index};
    for (const exports::Output& o : body.outputs) {
      e.outputs.push_back({.name = o.name, .kind = o.kind, .format = o.format, .bytes = o.bytes});
    }
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
    for (const std::string& p : projects) {
      ASSIGN_OR_RETURN(projects::ProjectRecord record, hub_->projects().GetForHub(p));
      ASSIGN_OR_RETURN(std::vector<RegisterEntry> entries, ReleasesOf(*store, record));
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
    for (const projects::ProjectRecord& record : records) {
      if (record.state == projects::ProjectState::kDraft) continue;
      PublicProject p{.project = record.spec.id,
                      .authorisation_ref = record.spec.authorisation_ref,
                      .purpose = record.spec.purpose,
                      .scope = record.spec.scope,
                      .start = record.spec.start,
                      .end = record.spec.end,
                      .state = record.state,
                      .releases = {}};
      ASSIGN_OR_RETURN(p.releases, ReleasesOf(*store, record));
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

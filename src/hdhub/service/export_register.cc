// Service: the airlock's transparency register (docs/airlock-workflow.md §6
// "Register", DESIGN.md §6): one entry per release, from the release rows
// and the projects, identifiers only. Any account of the five roles
// (kAirlockRegister); the anonymous path comes with HTTP.
#include <algorithm>
#include <set>

#include "hdhub/audit/recorder.h"
#include "hdhub/exports/certificate.h"
#include "hdhub/service/export_ops.h"

namespace hdhub::service {

using directory::Operation;

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
      ASSIGN_OR_RETURN(std::vector<exports::ReleaseRecord> releases, store->ListReleases(p));
      for (const exports::ReleaseRecord& r : releases) {
        ASSIGN_OR_RETURN(exports::CertificateBody body, exports::ParseBody(r.body));
        RegisterEntry e{.project = p,
                        .authorisation_ref = record.spec.authorisation_ref,
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
    }
    return OkStatus();
  }();
  std::stable_sort(out.begin(), out.end(),
                   [](const RegisterEntry& a, const RegisterEntry& b) { return a.released_at_us < b.released_at_us; });
  event.details["releases"] = out.size();
  RETURN_IF_ERROR(ops.Refuse(event, listed));
  return out;
}

}  // namespace hdhub::service

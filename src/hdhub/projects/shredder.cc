#include "hdhub/projects/shredder.h"

#include <set>

#include "hdhub/audit/recorder.h"
#include "hdhub/directory/policy.h"
#include "hdhub/projects/table_profiles.h"
#include "hdhub/projects/workspace_builder.h"

namespace hdhub::projects {

using directory::Role;

Status Shredder::Shred(const audit::Actor& actor, std::string_view project, ProjectState final_state) {
  ASSIGN_OR_RETURN(std::vector<WorkspaceRecord> workspaces, projects_->Workspaces(project));
  // What was recorded, and what a build killed before recording may have left.
  std::set<std::string> names;
  for (const WorkspaceRecord& w : workspaces) {
    for (const WorkspaceObject& o : w.objects) names.insert(o.logical_name);
    for (std::string_view table : ProfiledTables()) {
      std::string base = WorkspacePrefix(project, w.build);
      names.insert(base + std::string(table) + ".parquet");
      names.insert(base + "tmp_" + std::string(table) + ".parquet");
    }
  }
  uint64_t deleted = 0;
  for (const std::string& name : names) {
    Status s = sealed_->Delete(name);
    if (s.ok()) ++deleted;
    if (!s.ok() && !IsNotFound(s)) return s.WithContext("shredding project " + std::string(project));
  }
  audit::Event e{.actor = actor.id, .role = actor.role, .action = "project.shred", .project = std::string(project)};
  e.details["objects_deleted"] = deleted;
  e.details["workspaces"] = workspaces.size();
  e.details["final_state"] = std::string(ProjectStateName(final_state));
  RETURN_IF_ERROR(log_->Append(e).status());
  return projects_->DestroyKeys(project, final_state);
}

Status Shredder::Close(const directory::Principal& who, std::string_view project) {
  RETURN_IF_ERROR(projects_->Close(who, project));
  return Shred(who.AsActor(Role::kOperator), project, ProjectState::kClosed);
}

StatusOr<std::vector<std::string>> Shredder::Sweep(const directory::Principal& who) {
  audit::Actor actor = who.AsActor(Role::kOperator);
  Status allowed = directory::Authorize(who, directory::Operation::kProjectSweep, {}, Role::kOperator).status();
  if (!allowed.ok()) {
    return audit::Record(*log_, audit::Event{.actor = actor.id, .role = actor.role, .action = "project.sweep"},
                         allowed);
  }
  ASSIGN_OR_RETURN(std::vector<ProjectRecord> all, projects_->ListForHub());
  std::vector<std::string> shredded;
  TimePoint now = clock_->Now();
  for (const ProjectRecord& p : all) {
    bool ended = p.PhaseAt(now) == Phase::kEnded || (p.state == ProjectState::kDraft && now >= p.spec.end);
    if (!ended) continue;
    RETURN_IF_ERROR(Shred(actor, p.spec.id, ProjectState::kExpired));
    shredded.push_back(p.spec.id);
  }
  audit::Event done{.actor = actor.id, .role = actor.role, .action = "project.sweep"};
  done.details["shredded"] = shredded.size();
  RETURN_IF_ERROR(audit::Record(*log_, std::move(done), OkStatus()));
  return shredded;
}

}  // namespace hdhub::projects

// Service: research projects and their workspaces. The project store, the
// workspace builder and the shredder ask the policy and log each decision.
#include "hdhub/airlock/disclosure_rules.h"
#include "hdhub/projects/scope_check.h"
#include "hdhub/projects/shredder.h"
#include "hdhub/service/export_ops.h"
#include "hdhub/service/service.h"

namespace hdhub::service {

using directory::Operation;
using directory::Role;

namespace {

// What a project's scope and members must be in this hub when it is
// recorded or changed: a scope its catalog can build, researchers who can
// query (a project whose member cannot is one nobody can use).
projects::ProjectStore::SpecCheck ChecksIn(hub::Hub& hub) {
  return [&hub](const projects::ProjectSpec& spec) -> Status {
    RETURN_IF_ERROR(projects::CheckScopeAgainstCatalog(spec.scope, hub.catalog()));
    // Its airlock rules: members known and in range, none looser than the
    // defaults (the hub's rules in force are applied over them at each
    // computation, docs/airlock-workflow.md §8).
    nlohmann::json rules = nlohmann::json::parse(spec.airlock_rules_json, nullptr, /*allow_exceptions=*/false);
    Status valid = airlock::ProjectRulesFromJson(rules, airlock::DisclosureRules{}).status();
    if (!valid.ok()) return InvalidArgumentError("airlock rules: " + std::string(valid.message()));
    for (const std::string& member : spec.members) {
      ASSIGN_OR_RETURN(bool researcher, hub.directory().HoldsActiveRole(member, Role::kResearcher));
      if (!researcher) {
        return InvalidArgumentError("member " + member +
                                    ": a member must be an active researcher account (this one is unknown, "
                                    "disabled, or without the researcher role)");
      }
    }
    return OkStatus();
  };
}

}  // namespace

Status Service::CreateProject(const RequestContext& ctx, const projects::ProjectSpec& spec) {
  return hub_->projects().Create(ctx.principal(), ActingRole(ctx, Operation::kProjectCreate), spec, ChecksIn(*hub_));
}

StatusOr<projects::ProjectState> Service::ApproveProject(const RequestContext& ctx, const std::string& id) {
  ASSIGN_OR_RETURN(projects::ProjectState state, hub_->projects().Approve(ctx.principal(), id));
  if (state != projects::ProjectState::kApproved) return state;
  // Its line in the public register comes into being: the hub records its
  // register entry (audit-log.md §9), covered by a checkpoint at once.
  ASSIGN_OR_RETURN(projects::ProjectRecord record, hub_->projects().GetForHub(id));
  RETURN_IF_ERROR(hub_->audit().Append(RegisterEvent(id, std::nullopt, RegisterFields(ProjectLine(record)))).status());
  RETURN_IF_ERROR(hub_->audit().Flush());
  return state;
}

Status Service::ChangeProject(const RequestContext& ctx, const std::string& id, const projects::ProjectScope& scope,
                              const std::vector<std::string>& members,
                              const std::optional<std::vector<Network>>& client_networks,
                              const std::optional<std::string>& airlock_rules_json) {
  return hub_->projects().Change(ctx.principal(), ActingRole(ctx, Operation::kProjectChange), id, scope, members,
                                 ChecksIn(*hub_), client_networks, airlock_rules_json);
}

Status Service::CloseProject(const RequestContext& ctx, const std::string& id) {
  projects::Shredder shredder(&hub_->projects(), &hub_->sealed(), &hub_->audit(), &hub_->clock());
  return shredder.Close(ctx.principal(), id);
}

StatusOr<ProjectView> Service::ShowProject(const RequestContext& ctx, const std::string& id) {
  ProjectView view;
  const Role role = ActingRole(ctx, Operation::kProjectRead, {.member = true});
  ASSIGN_OR_RETURN(view.project, hub_->projects().Get(ctx.principal(), role, id));
  ASSIGN_OR_RETURN(view.workspaces, hub_->projects().Workspaces(id));
  return view;
}

StatusOr<std::vector<projects::ProjectRecord>> Service::ListProjects(const RequestContext& ctx) {
  return hub_->projects().List(ctx.principal(), ActingRole(ctx, Operation::kProjectList, {.member = true}));
}

StatusOr<projects::BuildResult> Service::BuildWorkspace(const RequestContext& ctx, const std::string& id,
                                                        ProgressFn progress) {
  const Role role = ActingRole(ctx, Operation::kWorkspaceBuild);
  if (directory::Decide(Operation::kWorkspaceBuild, role, {}).ok()) {  // else the builder refuses and logs
    RETURN_IF_ERROR(CheckCurrentPlacement(ActorFor(ctx, role), "workspace.build"));
  }
  std::unique_ptr<keys::KeyStore> keys = hub_->KeysFor(ActorFor(ctx, role));
  ASSIGN_OR_RETURN(projects::BuilderDeps deps, hub_->BuilderDependencies(keys.get()));
  deps.progress = std::move(progress);
  ASSIGN_OR_RETURN(FileLock writing, hub_->HoldHostWrites());  // a host check waits for the build
  return projects::WorkspaceBuilder(deps).Build(ctx.principal(), role, id);
}

StatusOr<std::vector<std::string>> Service::SweepProjects(const RequestContext& ctx) {
  projects::Shredder shredder(&hub_->projects(), &hub_->sealed(), &hub_->audit(), &hub_->clock());
  return shredder.Sweep(ctx.principal());
}

}  // namespace hdhub::service

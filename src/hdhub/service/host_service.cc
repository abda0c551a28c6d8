// Hosts and the sovereignty policy: the registry's reads and changes, the
// placement decisions and their refusals (docs/hosts.md).
#include "hdhub/audit/recorder.h"
#include "hdhub/service/service.h"

namespace hdhub::service {

using directory::Operation;

namespace {

constexpr char kPlacementAction[] = "host.placement";

// The identifiers of a decision, for its event: the day, the outcome, the
// criteria not met (never free text: the reasons are in `hdhub host show`).
void AddDecision(audit::Event& event, const hosts::PlacementDecision& d) {
  event.objects["host"] = d.host;
  event.details["day"] = hosts::FormatDay(d.day);
  event.details["placement_allowed"] = d.allowed;
  event.details["placement_exempted"] = d.exempted;
  nlohmann::json failed = nlohmann::json::array();
  for (const hosts::Criterion& c : d.criteria) {
    if (!c.met) failed.push_back(c.name);
  }
  event.details["failed"] = std::move(failed);
}

void AddPolicy(audit::Event& event, const hosts::SovereigntyPolicy& p) {
  event.details["require_eu_jurisdiction"] = p.require_eu_jurisdiction;
  event.details["require_eu_ownership"] = p.require_eu_ownership;
  event.details["required_qualifications"] = p.required_qualifications;
  event.details["allow_local"] = p.allow_local;
}

// A placement decision for `actor` doing `action`: a host that meets the
// policy needs no event of its own (the operation's event follows); an
// exemption and a refusal are each logged.
Status RecordPlacement(audit::AuditLog& log, const audit::Actor& actor, std::string_view action,
                       const StatusOr<hosts::PlacementDecision>& decision) {
  Status status = decision.ok() ? decision->AsStatus() : decision.status();
  if (status.ok() && !decision->exempted) return status;
  audit::Event event{.actor = actor.id, .role = actor.role, .action = kPlacementAction};
  event.details["operation"] = std::string(action);
  if (decision.ok()) AddDecision(event, *decision);
  return audit::Record(log, std::move(event), status);
}

}  // namespace

StatusOr<HostView> Service::ViewOf(hosts::HostRecord record) {
  ASSIGN_OR_RETURN(hosts::PolicyRecord policy, hub_->hosts().Policy());
  HostView view{.decision = hosts::Evaluate(record, policy.policy, hub_->clock().Now()),
                .current = record.spec.uri == hub_->host_uri()};
  view.host = std::move(record);
  return view;
}

Status Service::CheckCurrentPlacement(const audit::Actor& actor, std::string_view action) {
  return RecordPlacement(hub_->audit(), actor, action, hub_->CurrentPlacement(hub_->clock().Now()));
}

Status Service::CheckTargetPlacement(const audit::Actor& actor, const hosts::HostRecord& target,
                                     std::string_view action) {
  StatusOr<hosts::PlacementDecision> decision = [&]() -> StatusOr<hosts::PlacementDecision> {
    ASSIGN_OR_RETURN(hosts::PolicyRecord policy, hub_->hosts().Policy());
    return hosts::Evaluate(target, policy.policy, hub_->clock().Now());
  }();
  return RecordPlacement(hub_->audit(), actor, action, decision);
}

StatusOr<std::vector<HostView>> Service::ListHosts(const RequestContext& ctx) {
  audit::Event event{.action = "host.read"};
  event.details["what"] = "list";
  RETURN_IF_ERROR(Gate(ctx, Operation::kHostRead, event).status());
  StatusOr<std::vector<HostView>> views = [&]() -> StatusOr<std::vector<HostView>> {
    ASSIGN_OR_RETURN(std::vector<hosts::HostRecord> records, hub_->hosts().List());
    std::vector<HostView> out;
    for (hosts::HostRecord& r : records) {
      ASSIGN_OR_RETURN(HostView view, ViewOf(std::move(r)));
      out.push_back(std::move(view));
    }
    return out;
  }();
  if (views.ok()) event.details["hosts"] = views->size();
  RETURN_IF_ERROR(audit::Record(hub_->audit(), std::move(event), views.status()));
  return views;
}

StatusOr<HostView> Service::ShowHost(const RequestContext& ctx, const std::string& name) {
  audit::Event event{.action = "host.read"};
  event.details["what"] = "show";
  if (!name.empty()) event.objects["host"] = name;
  RETURN_IF_ERROR(Gate(ctx, Operation::kHostRead, event).status());
  StatusOr<HostView> view = [&]() -> StatusOr<HostView> {
    if (name.empty()) {
      ASSIGN_OR_RETURN(std::optional<hosts::HostRecord> current, hub_->hosts().FindByUri(hub_->host_uri()));
      if (!current) return NotFoundError("the hub's host is not in the host registry (hdhub host add)");
      return ViewOf(std::move(*current));
    }
    ASSIGN_OR_RETURN(hosts::HostRecord record, hub_->hosts().Get(name));
    return ViewOf(std::move(record));
  }();
  if (view.ok()) AddDecision(event, view->decision);
  RETURN_IF_ERROR(audit::Record(hub_->audit(), std::move(event), view.status()));
  return view;
}

Status Service::CheckKeepsHubHost(const hosts::HostSpec& spec) {
  StatusOr<hosts::HostRecord> before = hub_->hosts().Get(spec.name);
  if (!before.ok() || before->spec.uri != hub_->host_uri() || spec.uri == before->spec.uri) return OkStatus();
  return FailedPreconditionError("host " + spec.name +
                                 " is the hub's host: its URI is hub.json's, and only a migration moves the hub");
}

StatusOr<HostView> Service::AddHost(const RequestContext& ctx, const hosts::HostSpec& spec) {
  return DeclareHost(ctx, spec, /*add=*/true);
}

StatusOr<HostView> Service::ChangeHost(const RequestContext& ctx, const hosts::HostSpec& spec) {
  return DeclareHost(ctx, spec, /*add=*/false);
}

StatusOr<HostView> Service::DeclareHost(const RequestContext& ctx, const hosts::HostSpec& spec, bool add) {
  audit::Event event{.action = "host.change"};
  const char* change = add ? "add" : "change";
  event.details["change"] = change;
  if (hosts::IsValidHostName(spec.name)) event.objects["host"] = spec.name;
  ASSIGN_OR_RETURN(audit::Actor actor, Gate(ctx, Operation::kHostChange, event));
  Status valid = hosts::ValidateHostSpec(spec);
  if (valid.ok() && !add) valid = CheckKeepsHubHost(spec);
  if (!valid.ok()) return audit::Record(hub_->audit(), std::move(event), valid);
  ASSIGN_OR_RETURN(hosts::PolicyRecord policy, hub_->hosts().Policy());
  const hosts::PlacementDecision decision = hosts::Evaluate({.spec = spec}, policy.policy, hub_->clock().Now());
  audit::Event declared = hub::HostRegisteredEvent(actor, spec, decision);
  declared.action = event.action;
  declared.details["change"] = change;
  // Logged before the change, as every change is; a failed change is logged too.
  RETURN_IF_ERROR(hub_->audit().Append(declared).status());
  const TimePoint now = hub_->clock().Now();
  Status written = add ? hub_->hosts().Add(spec, actor.id, now) : hub_->hosts().Replace(spec, actor.id, now);
  if (!written.ok()) return audit::Record(hub_->audit(), std::move(declared), written);
  ASSIGN_OR_RETURN(hosts::HostRecord record, hub_->hosts().Get(spec.name));
  return ViewOf(std::move(record));
}

StatusOr<hosts::PlacementDecision> Service::CheckPlacement(const RequestContext& ctx, const std::string& name) {
  audit::Event event{.action = kPlacementAction};
  event.details["operation"] = "check";
  if (!name.empty()) event.objects["host"] = name;
  RETURN_IF_ERROR(Gate(ctx, Operation::kHostRead, event).status());
  StatusOr<hosts::PlacementDecision> decision = [&]() -> StatusOr<hosts::PlacementDecision> {
    if (name.empty()) return hub_->CurrentPlacement(hub_->clock().Now());
    ASSIGN_OR_RETURN(hosts::HostRecord record, hub_->hosts().Get(name));
    ASSIGN_OR_RETURN(hosts::PolicyRecord policy, hub_->hosts().Policy());
    return hosts::Evaluate(record, policy.policy, hub_->clock().Now());
  }();
  Status status = decision.ok() ? decision->AsStatus() : decision.status();
  if (decision.ok()) AddDecision(event, *decision);
  RETURN_IF_ERROR(audit::Record(hub_->audit(), std::move(event), status));
  if (!status.ok()) return status;
  return decision;
}

StatusOr<hosts::PolicyRecord> Service::ShowHostPolicy(const RequestContext& ctx) {
  audit::Event event{.action = "host.read"};
  event.details["what"] = "policy";
  RETURN_IF_ERROR(Gate(ctx, Operation::kHostRead, event).status());
  StatusOr<hosts::PolicyRecord> policy = hub_->hosts().Policy();
  RETURN_IF_ERROR(audit::Record(hub_->audit(), std::move(event), policy.status()));
  return policy;
}

StatusOr<PolicyChange> Service::SetHostPolicy(const RequestContext& ctx, const hosts::SovereigntyPolicy& policy) {
  audit::Event event{.action = "host.policy"};
  AddPolicy(event, policy);
  ASSIGN_OR_RETURN(audit::Actor actor, Gate(ctx, Operation::kHostPolicy, event));
  ASSIGN_OR_RETURN(hosts::PolicyRecord current, hub_->hosts().Policy());
  const bool confirms = current.pending && current.pending->policy.ToJson() == policy.ToJson();
  if (confirms && current.pending->proposed_by == actor.id) {
    return audit::Record(hub_->audit(), std::move(event),
                         FailedPreconditionError("you proposed this policy: a second, different operator confirms it"));
  }
  event.details["approvals"] = confirms ? 2 : 1;
  if (confirms) event.details["requested_by"] = current.pending->proposed_by;
  RETURN_IF_ERROR(hub_->audit().Append(event).status());
  const TimePoint now = hub_->clock().Now();
  Status written =
      confirms ? hub_->hosts().ApplyPolicy(policy, actor.id, now) : hub_->hosts().ProposePolicy(policy, actor.id, now);
  if (!written.ok()) return audit::Record(hub_->audit(), std::move(event), written);
  return confirms ? PolicyChange::kApplied : PolicyChange::kPending;
}

}  // namespace hdhub::service

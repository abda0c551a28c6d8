// Host migration and the purge of the host left (service.h; the work is
// hub/host_migration.h's): gated, checked against the sovereignty policy,
// and logged as host.migrate and host.purge.
#include "hdhub/audit/recorder.h"
#include "hdhub/service/service.h"

namespace hdhub::service {

using directory::Operation;

namespace {

constexpr char kMigrateAction[] = "host.migrate";

void AddReport(audit::Event& event, const hub::HostMigrationReport& r) {
  event.details["objects"] = r.objects;
  event.details["bytes"] = r.bytes;
  event.details["objects_copied"] = r.objects_copied;
  event.details["bytes_copied"] = r.bytes_copied;
  event.details["read_back"] = r.read_back;
  event.details["objects_already_verified"] = r.objects_already_verified;
  event.details["stale_copies_removed"] = r.stale_copies_removed;
  event.details["unfinished_uploads_aborted"] = r.unfinished_uploads_aborted;
  event.details["damaged"] = r.damaged.size();
  event.details["resumed"] = r.resumed;
  event.details["switched"] = r.switched;
}

}  // namespace

// The host at `uri` (hub-relative), by its registry name (a URI is not in the log's
// alphabet, and names are what operators and auditors read).
// A registry that cannot be read leaves the name out rather than the event.
void Service::AddFromHost(audit::Event& event, const std::string& uri) {
  StatusOr<std::optional<hosts::HostRecord>> current = hub_->hosts().FindByUri(uri);
  event.details["from_host"] = current.ok() && *current ? (*current)->spec.name : std::string("unregistered");
}

StatusOr<hosts::HostRecord> Service::MigrationTarget(const audit::Actor& actor, const std::string& to_name,
                                                     std::string_view step) {
  ASSIGN_OR_RETURN(hosts::HostRecord target, hub_->hosts().Get(to_name));
  // A switch under way to this target was accepted when it began; it is
  // finished whatever happened to the target's qualifications since (else
  // the hub, refused to every other open, could never be used again).
  ASSIGN_OR_RETURN(std::optional<hub::HostMigrationJournal> journal, hub::ReadHostMigrationJournal(hub_->dir()));
  if (step == "switch" && journal && journal->phase == hub::HostMigrationJournal::Phase::kSwitch &&
      journal->to == hub::ResolveHubUri(target.spec.uri, hub_->dir())) {
    return target;
  }
  RETURN_IF_ERROR(CheckTargetPlacement(actor, target, std::string(kMigrateAction) + "." + std::string(step)));
  return target;
}

StatusOr<hub::HostMigrationPlan> Service::PlanHostMigration(const RequestContext& ctx, const std::string& to_name,
                                                            hub::HostMigrationOptions options) {
  audit::Event event{.action = kMigrateAction};
  event.details["step"] = "plan";
  if (hosts::IsValidHostName(to_name)) event.objects["host"] = to_name;
  ASSIGN_OR_RETURN(audit::Actor actor, Gate(ctx, Operation::kHostMigrate, event));
  StatusOr<hub::HostMigrationPlan> plan = [&]() -> StatusOr<hub::HostMigrationPlan> {
    ASSIGN_OR_RETURN(hosts::HostRecord target, MigrationTarget(actor, to_name, "plan"));
    options.to_uri = target.spec.uri;
    options.to_name = target.spec.name;
    return hub::PlanHostMigration(*hub_, options);
  }();
  if (plan.ok()) {
    event.details["objects"] = plan->objects;
    event.details["bytes"] = plan->bytes;
    event.details["objects_verified"] = plan->objects_verified;
  }
  RETURN_IF_ERROR(audit::Record(hub_->audit(), std::move(event), plan.status()));
  return plan;
}

StatusOr<hub::HostMigrationReport> Service::MigrateHost(const RequestContext& ctx, const hub::Backends& backends,
                                                        const std::string& to_name, hub::HostMigrationOptions options) {
  audit::Event event{.action = kMigrateAction};
  event.details["step"] = options.copy_only ? "copy" : "switch";
  if (hosts::IsValidHostName(to_name)) event.objects["host"] = to_name;
  AddFromHost(event, hub_->host_uri());
  ASSIGN_OR_RETURN(audit::Actor actor, Gate(ctx, Operation::kHostMigrate, event));
  StatusOr<hosts::HostRecord> target = MigrationTarget(actor, to_name, options.copy_only ? "copy" : "switch");
  if (!target.ok()) return audit::Record(hub_->audit(), std::move(event), target.status());
  options.to_uri = target->spec.uri;
  options.to_name = target->spec.name;
  StatusOr<hub::HostMigrationReport> report = hub::MigrateHost(*hub_, backends, options);
  if (report.ok()) {
    AddReport(event, *report);
    AddFromHost(event, report->from);  // a resumed switch's, from the journal
    if (!report->damaged.empty()) {
      return audit::Record(hub_->audit(), std::move(event),
                           DataLossError(std::to_string(report->damaged.size()) +
                                         " objects on the old host differ from the hub's records, so the hub stays "
                                         "there (hdhub check names them); the first: " +
                                         report->damaged.front()));
    }
  }
  // After a switch this entry, and its signed checkpoint, are the new host's.
  RETURN_IF_ERROR(audit::Record(hub_->audit(), std::move(event), report.status()));
  if (report->switched) RETURN_IF_ERROR(hub::FinishHostMigration(*hub_));
  return report;
}

StatusOr<hub::HostMigrationJournal> Service::AbandonHostMigration(const RequestContext& ctx) {
  audit::Event event{.action = kMigrateAction};
  event.details["step"] = "abandon";
  RETURN_IF_ERROR(Gate(ctx, Operation::kHostMigrate, event).status());
  StatusOr<hub::HostMigrationJournal> abandoned = hub::AbandonHostMigration(*hub_);
  if (abandoned.ok()) event.objects["host"] = abandoned->to_name;
  RETURN_IF_ERROR(audit::Record(hub_->audit(), std::move(event), abandoned.status()));
  return abandoned;
}

StatusOr<HostPurgeOutcome> Service::PurgeRetiredHost(const RequestContext& ctx, const hub::Backends& backends,
                                                     const std::string& rotate_to, const ProgressFn& progress) {
  audit::Event event{.action = "host.purge"};
  ASSIGN_OR_RETURN(audit::Actor actor, Gate(ctx, Operation::kHostMigrate, event));
  HostPurgeOutcome outcome;
  // The rotation that follows is checked first: a purge never stops halfway
  // for want of a KEK to rotate to.
  StatusOr<std::optional<hub::KekRotationRequest>> pending = [&]() -> StatusOr<std::optional<hub::KekRotationRequest>> {
    RETURN_IF_ERROR(hub_->CheckKekRotationTarget(rotate_to));
    return hub_->PendingKekRotation();
  }();
  if (!pending.ok()) return audit::Record(hub_->audit(), std::move(event), pending.status());
  // Logged before the first deletion, so that a purge killed midway is on
  // record; the outcome follows as a second entry.
  auto before_delete = [&](const hub::HostPurgeReport& r) -> Status {
    audit::Event begin{.actor = actor.id, .role = actor.role, .action = "host.purge"};
    begin.objects["host"] = r.from_name;
    begin.details["step"] = "delete";
    begin.details["objects_verified"] = r.objects_verified;
    return hub_->audit().Append(begin).status();
  };
  StatusOr<hub::HostPurgeReport> purge = hub::PurgeRetiredHost(*hub_, backends, progress, before_delete);
  event.details["step"] = "done";
  if (purge.ok()) {
    event.objects["host"] = purge->from_name;
    event.details["objects_verified"] = purge->objects_verified;
    event.details["objects_deleted"] = purge->objects_deleted;
    event.details["bytes_deleted"] = purge->bytes_deleted;
  }
  RETURN_IF_ERROR(audit::Record(hub_->audit(), std::move(event), purge.status()));
  outcome.purge = *std::move(purge);
  if (*pending && (*pending)->to == rotate_to) {
    outcome.kek_rotation_requested_by = (*pending)->requested_by;
    return outcome;
  }
  // The first of the rotation's two approvals, as `hdhub keys rotate` records it.
  audit::Event rotate{.actor = actor.id, .role = actor.role};
  rotate.details["after"] = "host.purge";
  RETURN_IF_ERROR(RecordKekRotationRequest(std::move(rotate), actor.id, rotate_to));
  outcome.kek_rotation_requested_by = actor.id;
  return outcome;
}

}  // namespace hdhub::service

// A hub rebuilt from its host's backup, confirmed (service.h; the rebuild is
// hub/state_backup.h's): gated, verified in full, logged as hub.restore.
#include "hdhub/audit/recorder.h"
#include "hdhub/service/service.h"

namespace hdhub::service {

using directory::Operation;

StatusOr<audit::VerifyReport> Service::ConfirmRestore(const RequestContext& ctx, const hub::RestoreReport& restored) {
  audit::Event event{.action = "hub.restore"};
  event.details["key_store"] = restored.keys.substr(0, restored.keys.find(':'));
  event.details["log_entries"] = restored.log_entries;
  event.details["checkpoint_size"] = restored.checkpoint_size;
  event.details["chunks"] = restored.chunks;
  event.details["catalog_bytes"] = restored.catalog_bytes;
  event.details["witnesses"] = restored.witnesses;
  RETURN_IF_ERROR(Gate(ctx, Operation::kHubRestore, event).status());
  StatusOr<std::optional<hosts::HostRecord>> host = hub_->hosts().FindByUri(hub_->host_uri());
  event.objects["host"] = host.ok() && *host ? (*host)->spec.name : std::string("unregistered");
  StatusOr<audit::VerifyReport> verified = hub_->VerifyAudit();
  if (verified.ok()) event.details["entries_verified"] = verified->entries;
  RETURN_IF_ERROR(audit::Record(hub_->audit(), std::move(event), verified.status()));
  return verified;
}

}  // namespace hdhub::service

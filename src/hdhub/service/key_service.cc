// Key operations of consequence, under dual control: KEK rotation.
#include "hdhub/audit/recorder.h"
#include "hdhub/service/service.h"

namespace hdhub::service {

using directory::Operation;

namespace {

// For the log, in its alphabet: a key store's kind (details.<which>_store)
// and its key's name (details.<which>_key: a key file's hub-relative path,
// an HSM key's label), when the URI names one; empty `uri`: a new key file.
void AddKek(audit::Event& e, const std::string& which, std::string_view uri) {
  if (uri.empty()) {
    e.details[which + "_store"] = "keyfile";
    return;
  }
  const std::string_view scheme = uri.substr(0, uri.find(':'));
  e.details[which + "_store"] = std::string(scheme);
  std::string_view name = uri.substr(std::min(uri.size(), scheme.size() + 1));
  if (scheme == "pkcs11") {
    const size_t at = name.find("object=");
    name = at == std::string_view::npos ? std::string_view() : name.substr(at + 7);
    name = name.substr(0, name.find_first_of(";?&"));
  }
  const bool loggable = !name.empty() && name.size() <= 128 &&
                        name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/") ==
                            std::string_view::npos;
  if (loggable) e.details[which + "_key"] = std::string(name);
}

}  // namespace

Status Service::RecordKekRotationRequest(audit::Event event, const std::string& actor_id, const std::string& to_uri) {
  event.action = "keys.rotate";
  AddKek(event, "to", to_uri);
  event.details["approvals"] = 1;
  RETURN_IF_ERROR(hub_->audit().Append(event).status());
  Status requested = hub_->RequestKekRotation({actor_id, to_uri});
  if (!requested.ok()) return audit::Record(hub_->audit(), std::move(event), requested);
  return OkStatus();
}

StatusOr<KekRotationOutcome> Service::RotateKek(const RequestContext& ctx, const hub::Backends& backends,
                                                const SecretBytes& unlock, const std::string& to_uri,
                                                const std::function<Status(std::string_view)>& after_step_for_test) {
  audit::Event event{.action = "keys.rotate"};
  AddKek(event, "to", to_uri);
  ASSIGN_OR_RETURN(audit::Actor actor, Gate(ctx, Operation::kKeysRotate, event));
  Status target = hub_->CheckKekRotationTarget(to_uri);
  if (!target.ok()) return audit::Record(hub_->audit(), std::move(event), target);
  KekRotationOutcome outcome;
  if (hub_->KekRotationUnderWay()) {
    // Two operators approved it when it started; any operator finishes it.
    event.details["resumed"] = true;
  } else {
    StatusOr<std::optional<hub::KekRotationRequest>> pending = hub_->PendingKekRotation();
    if (!pending.ok()) return audit::Record(hub_->audit(), std::move(event), pending.status());
    if (!*pending || (*pending)->to != to_uri) {
      // A first approval (replacing a request for another KEK).
      RETURN_IF_ERROR(RecordKekRotationRequest(std::move(event), actor.id, to_uri));
      outcome.requested_by = actor.id;
      return outcome;
    }
    if ((*pending)->requested_by == actor.id) {
      return audit::Record(
          hub_->audit(), std::move(event),
          FailedPreconditionError("you asked for this rotation: a second, different operator rotates the KEK"));
    }
    event.details["approvals"] = 2;
    event.details["requested_by"] = (*pending)->requested_by;
    outcome.requested_by = (*pending)->requested_by;
  }
  StatusOr<hub::KekRotation> rotation = hub_->RotateKek(backends, unlock, to_uri, after_step_for_test);
  if (!rotation.ok()) return audit::Record(hub_->audit(), std::move(event), rotation.status());
  AddKek(event, "from", rotation->from);
  AddKek(event, "to", rotation->to);
  event.details["keys_rewrapped"] = rotation->keys_rewrapped;
  event.details["old_kek_destroyed"] = rotation->old_destroyed;
  RETURN_IF_ERROR(hub_->audit().Append(event).status());
  RETURN_IF_ERROR(hub_->CancelKekRotationRequest());
  outcome.rotated = true;
  outcome.rotation = *std::move(rotation);
  return outcome;
}

}  // namespace hdhub::service

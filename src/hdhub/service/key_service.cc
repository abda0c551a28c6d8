// Key operations of consequence, under dual control: KEK rotation, a new
// pair of custodians for the stage-2 key.
#include "hdhub/audit/recorder.h"
#include "hdhub/exports/export_store.h"
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

// details.<key>: a pair of custodians ("<fp>+<fp>") as the array of its two
// fingerprints ('+' is not in the log's alphabet).
void AddPair(audit::Event& e, const std::string& key, const std::string& pair) {
  const size_t plus = pair.find('+');
  if (plus == std::string::npos) return;
  e.details[key] = nlohmann::json::array({pair.substr(0, plus), pair.substr(plus + 1)});
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
  // The airlock's request and release keys, kept above the hub.
  const std::vector<hub::KeyRewrapStep> more_keys = {
      {"exports", [this](const hub::KeyRewrapFn& rewrap) -> StatusOr<size_t> {
         ASSIGN_OR_RETURN(exports::ExportStore * store, Exports());
         return store->RewrapKeys(rewrap);
       }}};
  StatusOr<hub::KekRotation> rotation = hub_->RotateKek(backends, unlock, to_uri, more_keys, after_step_for_test);
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

StatusOr<CustodiansOutcome> Service::ChangeCustodians(const RequestContext& ctx,
                                                      const std::vector<keys::CustodianContribution>& pair) {
  audit::Event event{.action = "keys.custodians"};
  StatusOr<std::string> named = keys::CustodianPair(pair);
  if (named.ok()) AddPair(event, "custodians", *named);
  ASSIGN_OR_RETURN(audit::Actor actor, Gate(ctx, Operation::kKeysCustodians, event));
  if (!named.ok()) return audit::Record(hub_->audit(), std::move(event), named.status());
  CustodiansOutcome outcome;
  StatusOr<std::optional<hub::CustodiansRequest>> pending = hub_->PendingCustodiansRequest();
  if (!pending.ok()) return audit::Record(hub_->audit(), std::move(event), pending.status());
  if (!*pending || (*pending)->custodians != *named) {
    // A first approval (replacing a request for another pair).
    event.details["approvals"] = 1;
    RETURN_IF_ERROR(hub_->audit().Append(event).status());
    Status requested = hub_->RequestCustodians({actor.id, *named});
    if (!requested.ok()) return audit::Record(hub_->audit(), std::move(event), requested);
    outcome.requested_by = actor.id;
    return outcome;
  }
  if ((*pending)->requested_by == actor.id) {
    return audit::Record(hub_->audit(), std::move(event),
                         FailedPreconditionError("you asked for this pair of custodians: a second, different "
                                                 "operator confirms it with the same contributions"));
  }
  event.details["approvals"] = 2;
  event.details["requested_by"] = (*pending)->requested_by;
  StatusOr<std::string> previous = hub_->StageTwoCustodians();
  if (!previous.ok()) return audit::Record(hub_->audit(), std::move(event), previous.status());
  AddPair(event, "previous_custodians", *previous);
  StatusOr<keys::Stage2Escrow> escrow = hub_->MakeStageTwoEscrow(pair);
  if (!escrow.ok()) return audit::Record(hub_->audit(), std::move(event), escrow.status());
  // Logged before the record is kept or handed out: the log may hold an
  // escrow then reported as failed, never an escrow it does not hold.
  RETURN_IF_ERROR(hub_->audit().Append(event).status());
  RETURN_IF_ERROR(hub_->KeepStageTwoEscrow(*escrow));
  RETURN_IF_ERROR(hub_->CancelCustodiansRequest());
  outcome.escrowed = true;
  outcome.requested_by = (*pending)->requested_by;
  outcome.previous = *std::move(previous);
  outcome.escrow = *std::move(escrow);
  return outcome;
}

}  // namespace hdhub::service

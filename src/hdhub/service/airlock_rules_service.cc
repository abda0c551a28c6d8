// Service: the hub's airlock rules under dual control
// (docs/airlock-workflow.md §5 kAirlockRules, §7 airlock.rules). The store
// (exports/export_store.h) keeps the proposals and confirmations and refuses
// what dual control forbids; this file asks the policy and logs each
// decision in the store's transaction.
#include "hdhub/audit/recorder.h"
#include "hdhub/crypto/hash.h"
#include "hdhub/service/export_ops.h"
#include "hdhub/service/service.h"

namespace hdhub::service {

using directory::Operation;

namespace {

StatusOr<AirlockRulesView> RulesView(exports::ExportStore& store) {
  AirlockRulesView view;
  ASSIGN_OR_RETURN(view.in_force, HubRulesInForce(store));
  ASSIGN_OR_RETURN(view.confirmed, store.CurrentRules());
  ASSIGN_OR_RETURN(view.pending, store.PendingRules());
  return view;
}

}  // namespace

StatusOr<AirlockRulesView> Service::ShowAirlockRules(const RequestContext& ctx) {
  ASSIGN_OR_RETURN(exports::ExportStore * store, Exports());
  audit::Event event{.action = "airlock.register"};
  event.details["what"] = "rules";
  RETURN_IF_ERROR(Gate(ctx, Operation::kAirlockRegister, event).status());
  StatusOr<AirlockRulesView> view = RulesView(*store);
  RETURN_IF_ERROR(audit::Record(hub_->audit(), std::move(event), view.status()));
  return view;
}

StatusOr<AirlockRulesView> Service::ProposeAirlockRules(const RequestContext& ctx, const std::string& rules_json) {
  return ChangeAirlockRules(ctx, rules_json, /*confirm=*/false);
}

StatusOr<AirlockRulesView> Service::ConfirmAirlockRules(const RequestContext& ctx, const std::string& rules_json) {
  return ChangeAirlockRules(ctx, rules_json, /*confirm=*/true);
}

StatusOr<AirlockRulesView> Service::ChangeAirlockRules(const RequestContext& ctx, const std::string& rules_json,
                                                       bool confirm) {
  ASSIGN_OR_RETURN(exports::ExportStore * store, Exports());
  audit::Event event{.action = "airlock.rules"};
  event.details["approvals"] = confirm ? 2 : 1;
  ASSIGN_OR_RETURN(audit::Actor actor, Gate(ctx, Operation::kAirlockRules, event));
  const int64_t now_us =
      std::chrono::duration_cast<std::chrono::microseconds>(hub_->clock().Now().time_since_epoch()).count();
  Status written = store->WriteAtomically([&]() -> Status {
    ASSIGN_OR_RETURN(exports::HubRulesRecord record, confirm ? store->ConfirmRules(rules_json, actor.id, now_us)
                                                             : store->ProposeRules(rules_json, actor.id, now_us));
    event.details["rules_sha256"] = HexEncode(crypto::Sha256(AsBytes(record.rules_json)));
    event.details["version"] = record.version;
    if (confirm) event.details["requested_by"] = record.proposed_by;
    return hub_->audit().Append(event).status();
  });
  if (!written.ok()) return audit::Record(hub_->audit(), std::move(event), written);
  return RulesView(*store);
}

}  // namespace hdhub::service

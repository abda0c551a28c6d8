// Service: reads of the audit log (entries, proofs, checkpoints, the full
// verification, the witnesses' cosigned checkpoints), for auditors and
// operators, each logged as audit.read.
#include "hdhub/audit/recorder.h"
#include "hdhub/common/file.h"
#include "hdhub/service/service.h"

namespace hdhub::service {

using directory::Operation;

template <typename T, typename F>
StatusOr<T> Service::AuditRead(const RequestContext& ctx, std::string_view what, F read) {
  audit::Event event{.action = "audit.read"};
  event.details["what"] = std::string(what);
  RETURN_IF_ERROR(Gate(ctx, Operation::kAuditRead, event).status());
  // A server signs checkpoints at most every interval: what is read is
  // covered by one first, so that every entry read can be proved.
  RETURN_IF_ERROR(hub_->audit().Flush());
  StatusOr<T> result = read(event);
  RETURN_IF_ERROR(audit::Record(hub_->audit(), std::move(event), result.status()));
  return result;
}

StatusOr<audit::VerifyReport> Service::VerifyAudit(const RequestContext& ctx) {
  return AuditRead<audit::VerifyReport>(ctx, "verify", [this](audit::Event& event) -> StatusOr<audit::VerifyReport> {
    ASSIGN_OR_RETURN(audit::VerifyReport report, hub_->VerifyAudit());
    event.details["entries"] = report.entries;
    return report;
  });
}

StatusOr<std::vector<std::string>> Service::AuditEntries(const RequestContext& ctx, const audit::EntryFilter& filter) {
  using Entries = std::vector<std::string>;
  return AuditRead<Entries>(ctx, "entries", [this, &filter](audit::Event& event) -> StatusOr<Entries> {
    Entries selected;
    const uint64_t n = hub_->audit().Size();
    for (uint64_t i = 0; i < n; ++i) {
      ASSIGN_OR_RETURN(std::string raw, hub_->audit().ReadEntry(i));
      StatusOr<audit::Entry> entry = audit::DecodeEntry(raw);
      if (!entry.ok())
        return DataLossError("audit entry " + std::to_string(i) + ": " + std::string(entry.status().message()));
      if (filter.Matches(*entry)) selected.push_back(std::move(raw));
    }
    event.details["entries"] = selected.size();
    return selected;
  });
}

StatusOr<InclusionProof> Service::ProveInclusion(const RequestContext& ctx, uint64_t index, uint64_t size) {
  return AuditRead<InclusionProof>(ctx, "inclusion", [&](audit::Event& event) -> StatusOr<InclusionProof> {
    const audit::AuditLog& log = hub_->audit();
    InclusionProof p{.index = index, .size = size == 0 ? log.Size() : size};
    event.details["index"] = p.index;
    event.details["size"] = p.size;
    ASSIGN_OR_RETURN(p.proof, log.InclusionProof(p.index, p.size));
    ASSIGN_OR_RETURN(p.leaf_hash, log.LeafHash(p.index));
    ASSIGN_OR_RETURN(p.root, log.RootHash(p.size));
    return p;
  });
}

StatusOr<ConsistencyProof> Service::ProveConsistency(const RequestContext& ctx, uint64_t size1, uint64_t size2) {
  return AuditRead<ConsistencyProof>(ctx, "consistency", [&](audit::Event& event) -> StatusOr<ConsistencyProof> {
    const audit::AuditLog& log = hub_->audit();
    ConsistencyProof p{.size1 = size1, .size2 = size2 == 0 ? log.Size() : size2};
    event.details["size1"] = p.size1;
    event.details["size2"] = p.size2;
    ASSIGN_OR_RETURN(p.proof, log.ConsistencyProof(p.size1, p.size2));
    ASSIGN_OR_RETURN(p.root1, log.RootHash(p.size1));
    ASSIGN_OR_RETURN(p.root2, log.RootHash(p.size2));
    return p;
  });
}

StatusOr<std::string> Service::AuditCheckpoint(const RequestContext& ctx) {
  return AuditRead<std::string>(ctx, "checkpoint", [this](audit::Event&) { return hub_->AuditCheckpoint(); });
}

StatusOr<Service::CheckpointRecovery> Service::RecoverCheckpoint(const RequestContext& ctx) {
  audit::Event event{.action = "audit.recover_checkpoint"};
  ASSIGN_OR_RETURN(audit::Actor actor, Gate(ctx, Operation::kAuditRecover, event));
  if (!hub_->HostCheckpointNeedsRecovery()) {
    event.details["needed"] = false;
    RETURN_IF_ERROR(hub_->audit().Append(event).status());
    return CheckpointRecovery::kNotNeeded;
  }
  event.details["needed"] = true;
  StatusOr<std::optional<std::string>> asked_by = hub_->CheckpointRecoveryRequest();
  if (!asked_by.ok()) return audit::Record(hub_->audit(), std::move(event), asked_by.status());
  if (!*asked_by) {
    event.details["approvals"] = 1;
    RETURN_IF_ERROR(hub_->audit().Append(event).status());
    RETURN_IF_ERROR(hub_->RequestCheckpointRecovery(actor.id));
    return CheckpointRecovery::kPending;
  }
  if (**asked_by == actor.id) {
    return audit::Record(hub_->audit(), std::move(event),
                         FailedPreconditionError(actor.id + " already asked to republish the audit checkpoint; a "
                                                            "second, different operator must approve"));
  }
  event.details["approvals"] = 2;
  event.details["requested_by"] = **asked_by;
  // The event is the republication: its own checkpoint goes to the host.
  RETURN_IF_ERROR(hub_->ResumeCheckpointPublication());
  RETURN_IF_ERROR(hub_->audit().Append(event).status());
  return CheckpointRecovery::kRepublished;
}

StatusOr<std::string> Service::AuditVerifierKey(const RequestContext& ctx) {
  return AuditRead<std::string>(ctx, "log-key", [this](audit::Event&) { return hub_->AuditVerifierKey(); });
}

StatusOr<std::vector<WitnessView>> Service::AuditWitnesses(const RequestContext& ctx) {
  using Views = std::vector<WitnessView>;
  return AuditRead<Views>(ctx, "witnesses", [this](audit::Event& event) -> StatusOr<Views> {
    Views views;
    for (const hub::WitnessConfig& w : hub_->AuditWitnesses()) {
      WitnessView view{.key = w.key};
      StatusOr<std::string> text = ReadFile(w.checkpoint);
      if (text.ok()) {
        view.checkpoint = std::move(*text);
      } else {
        view.error =
            "the cosigned checkpoint " + w.checkpoint + " cannot be read: " + std::string(text.status().message());
      }
      views.push_back(std::move(view));
    }
    event.details["witnesses"] = views.size();
    return views;
  });
}

}  // namespace hdhub::service

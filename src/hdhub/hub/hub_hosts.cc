// The hub's side of the host registry: the host registered at init (or, for
// a hub made before the registry, at its next open), and the placement
// decision for the hub's own host. Who may change the registry, and the
// events of refusals, belong to the service layer (host_service.cc).
#include "hdhub/hub/hub.h"

namespace hdhub::hub {
namespace {

// The name a host the operator did not declare is registered under.
constexpr char kLocalHostName[] = "local";

hosts::HostRecord AsRecord(const hosts::HostSpec& spec) { return hosts::HostRecord{.spec = spec}; }

}  // namespace

StatusOr<hosts::HostSpec> InitialHostSpec(const InitOptions& options, const std::string& uri, TimePoint now) {
  hosts::HostSpec spec;
  if (options.host) {
    spec = *options.host;
  } else if (hosts::IsLocalUri(uri)) {
    spec = hosts::HostSpec{.name = kLocalHostName, .local = true};
  } else {
    return InvalidArgumentError("a " + hosts::UriScheme(uri) +
                                ": host must be declared (name, jurisdiction, operator, owner, qualifications) "
                                "before it holds health data: docs/hosts.md");
  }
  spec.uri = uri;
  RETURN_IF_ERROR(hosts::ValidateHostSpec(spec));
  // The registry does not exist yet: the default policy decides.
  RETURN_IF_ERROR(hosts::Evaluate(AsRecord(spec), hosts::SovereigntyPolicy{}, now).AsStatus());
  return spec;
}

audit::Event HostRegisteredEvent(const audit::Actor& actor, const hosts::HostSpec& spec,
                                 const hosts::PlacementDecision& decision) {
  audit::Event e{.actor = actor.id, .role = actor.role, .action = "host.register"};
  e.objects["host"] = spec.name;
  e.details["scheme"] = hosts::UriScheme(spec.uri);
  e.details["local"] = spec.local;
  if (!spec.jurisdiction.empty()) e.details["jurisdiction"] = spec.jurisdiction;
  if (!spec.owner_jurisdiction.empty()) e.details["owner_jurisdiction"] = spec.owner_jurisdiction;
  nlohmann::json schemes = nlohmann::json::array();
  for (const hosts::Qualification& q : spec.qualifications) {
    schemes.push_back(q.scheme + ":" + hosts::FormatDay(q.valid_from) + ":" + hosts::FormatDay(q.valid_until));
  }
  e.details["qualifications"] = std::move(schemes);
  e.details["placement_allowed"] = decision.allowed;
  e.details["placement_exempted"] = decision.exempted;
  return e;
}

Status Hub::OpenHosts(const Config& config) {
  ASSIGN_OR_RETURN(hosts_, hosts::HostRegistry::Open(database_path(), state_cipher_));
  host_uri_ = HubRelativeUri(config.host, dir_);
  ASSIGN_OR_RETURN(std::optional<hosts::HostRecord> current, hosts_->FindByUri(host_uri_));
  if (current || !hosts::IsLocalUri(host_uri_)) return OkStatus();
  // A hub made before the registry: its local host joins it, visibly.
  hosts::HostSpec spec{.name = kLocalHostName, .uri = host_uri_, .local = true};
  Status added = hosts_->Add(spec, HubActor().id, clock_->Now());
  // Another process opening the same hub registered it first.
  if (added.code() == StatusCode::kAlreadyExists) return OkStatus();
  RETURN_IF_ERROR(added);
  ASSIGN_OR_RETURN(hosts::PolicyRecord policy, hosts_->Policy());
  hosts::PlacementDecision decision = hosts::Evaluate(AsRecord(spec), policy.policy, clock_->Now());
  return audit_->Append(HostRegisteredEvent(HubActor(), spec, decision)).status();
}

Status Hub::SwitchHost(const Backends& backends, const std::string& to_uri) {
  if (!exclusive_) return FailedPreconditionError("switching hosts needs the hub opened exclusively");
  if (host_needs_recovery_) {
    return FailedPreconditionError("the host's audit checkpoint awaits its recovery by two operators");
  }
  ASSIGN_OR_RETURN(Config config, ReadConfig(dir_));
  config.host = ResolveHubUri(to_uri, dir_);
  ASSIGN_OR_RETURN(std::unique_ptr<storage::BlobStore> next, backends.hosts.Open(config.host));
  // Logged (key.derive), so published on the old host before its checkpoint
  // is copied: nothing is logged between that copy and hub.json's change.
  ASSIGN_OR_RETURN(std::unique_ptr<crypto::HmacSha256> names, hub_keys_->HmacFor(kObjectNamesPurpose));
  const std::string checkpoint = CheckpointObjectName();
  ASSIGN_OR_RETURN(Bytes sealed_checkpoint, host_->Get(checkpoint));
  RETURN_IF_ERROR(next->Put(checkpoint, sealed_checkpoint));
  ASSIGN_OR_RETURN(Bytes copied, next->Get(checkpoint));
  if (copied != sealed_checkpoint) {
    return DataLossError("the new host did not keep the audit checkpoint as written to it");
  }
  RETURN_IF_ERROR(WriteConfigAtomically(dir_, config));
  retired_hosts_.push_back(std::move(host_));
  retired_sealed_.push_back(std::move(sealed_));
  host_ = std::move(next);
  sealed_ = std::make_unique<storage::SealedStore>(host_.get(), std::move(names));
  host_uri_ = HubRelativeUri(config.host, dir_);
  return OkStatus();
}

StatusOr<hosts::PlacementDecision> Hub::CurrentPlacement(TimePoint now) {
  ASSIGN_OR_RETURN(std::optional<hosts::HostRecord> current, hosts_->FindByUri(host_uri_));
  if (!current) {
    return FailedPreconditionError("the hub's " + hosts::UriScheme(host_uri_) +
                                   ": host is not in the host registry, so nothing may be placed on it: "
                                   "declare it (hdhub host add)");
  }
  ASSIGN_OR_RETURN(hosts::PolicyRecord policy, hosts_->Policy());
  return hosts::Evaluate(*current, policy.policy, now);
}

}  // namespace hdhub::hub

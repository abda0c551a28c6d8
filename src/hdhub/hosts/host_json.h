// One JSON rendering of a host and of the policy record, for `hdhub host
// … --json` and the HTTP API (docs/hosts.md shows it). Pure functions.
#pragma once

#include <nlohmann/json.hpp>

#include "hdhub/hosts/host_registry.h"

namespace hdhub::hosts {

// {"name","uri","jurisdiction","operator","owner_jurisdiction","local",
//  "qualifications":[{"scheme","reference","valid_from","valid_until","evidence"}],
//  "added_by","added_at","changed_by","changed_at"}
nlohmann::json HostJson(const HostRecord& host);
// A host's declaration, as HostJson writes it without the URI and the
// registry's own members: {"name","jurisdiction","operator",
// "owner_jurisdiction","local","qualifications":[…]}; every member but
// "name" optional. InvalidArgument naming a member of the wrong type or
// unknown, or a bad day. The spec is not validated (ValidateHostSpec).
StatusOr<HostSpec> HostSpecFromJson(const nlohmann::json& json);
// HostJson with "current" (the hub's own host) and "decision"
// (PlacementDecision::ToJson): what `hdhub host show --json` and
// GET /api/v1/hosts/{name} answer.
nlohmann::json HostViewJson(const HostRecord& host, const PlacementDecision& decision, bool current);
// {"policy":{…},"changed_by","changed_at","pending":{"policy","proposed_by","proposed_at"}|null}
nlohmann::json PolicyRecordJson(const PolicyRecord& record);

}  // namespace hdhub::hosts

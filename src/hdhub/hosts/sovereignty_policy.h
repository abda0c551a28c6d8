// The sovereignty policy: which hosts may hold health data, decided by one
// function (Evaluate) that returns the decision with its evidence, each
// criterion met or not and why, with the dates it read. The default is the
// mission's: a host under EU law, run by an operator controlled from the EU,
// with HDS and SecNumCloud qualifications in force on the day of the
// decision; a local host (host.h) is accepted only as an explicit, visible
// exemption (allow_local), never silently.
//
// The policy is kept in the host registry (host_registry.h), changed by two
// operators (directory/policy.h, host.policy); docs/hosts.md.
//
// Thread-safety: values and pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hdhub/common/status.h"
#include "hdhub/hosts/host.h"

namespace hdhub::hosts {

struct SovereigntyPolicy {
  bool require_eu_jurisdiction = true;  // the host's country is an EU member state
  bool require_eu_ownership = true;     // its operator's controlling owner is in the EU
  std::vector<std::string> required_qualifications = {kHds, kSecNumCloud};  // each in force on the day
  // A host marked local (file:, memory:) is accepted although it meets no
  // criterion: for a test or a hub on one machine. The evidence says so.
  bool allow_local = true;

  nlohmann::json ToJson() const;
  // InvalidArgument naming the member that is wrong or unknown.
  static StatusOr<SovereigntyPolicy> FromJson(const nlohmann::json& json);
};

// One criterion of a decision.
struct Criterion {
  std::string name;  // "jurisdiction", "ownership", "qualification:HDS", "local"
  bool met = false;
  std::string why;  // for people: what was read, and the dates
};

struct PlacementDecision {
  std::string host;
  std::string uri;
  Day day{};  // the day the qualifications were read for
  bool allowed = false;
  bool exempted = false;  // allowed as a local host only
  std::vector<Criterion> criteria;

  // The names of the criteria not met ("jurisdiction, qualification:HDS").
  std::string FailedCriteria() const;
  // OK when allowed; otherwise FailedPrecondition naming the host and the
  // criteria it fails, with their reasons.
  Status AsStatus() const;
  nlohmann::json ToJson() const;
};

// Whether `host` may hold health data under `policy` on the day of `now`.
PlacementDecision Evaluate(const HostRecord& host, const SovereigntyPolicy& policy, TimePoint now);

}  // namespace hdhub::hosts

#include "hdhub/hosts/host_json.h"

namespace hdhub::hosts {

using nlohmann::json;

json HostJson(const HostRecord& host) {
  const HostSpec& s = host.spec;
  json qualifications = json::array();
  for (const Qualification& q : s.qualifications) {
    qualifications.push_back({{"scheme", q.scheme},
                              {"reference", q.reference},
                              {"valid_from", FormatDay(q.valid_from)},
                              {"valid_until", FormatDay(q.valid_until)},
                              {"evidence", q.evidence}});
  }
  return json{{"name", s.name},
              {"uri", s.uri},
              {"jurisdiction", s.jurisdiction},
              {"operator", s.operator_name},
              {"owner_jurisdiction", s.owner_jurisdiction},
              {"local", s.local},
              {"qualifications", std::move(qualifications)},
              {"added_by", host.added_by},
              {"added_at", FormatRfc3339(host.added_at)},
              {"changed_by", host.changed_by},
              {"changed_at", FormatRfc3339(host.changed_at)}};
}

json HostViewJson(const HostRecord& host, const PlacementDecision& decision, bool current) {
  json out = HostJson(host);
  out["current"] = current;
  out["decision"] = decision.ToJson();
  return out;
}

json PolicyRecordJson(const PolicyRecord& record) {
  json out{{"policy", record.policy.ToJson()},
           {"changed_by", record.changed_by},
           {"changed_at", record.changed_at ? json(FormatRfc3339(*record.changed_at)) : json(nullptr)},
           {"pending", nullptr}};
  if (record.pending) {
    out["pending"] = {{"policy", record.pending->policy.ToJson()},
                      {"proposed_by", record.pending->proposed_by},
                      {"proposed_at", FormatRfc3339(record.pending->proposed_at)}};
  }
  return out;
}

}  // namespace hdhub::hosts

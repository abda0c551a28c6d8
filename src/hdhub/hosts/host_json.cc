#include "hdhub/hosts/host_json.h"

#include <algorithm>
#include <set>

namespace hdhub::hosts {

using nlohmann::json;

namespace {

// `j`'s members, each a string or absent, into `fields`; InvalidArgument
// for one that is not a string or not among `fields` (and `others`).
Status Strings(const json& j, std::string_view what, const std::vector<std::pair<const char*, std::string*>>& fields,
               const std::set<std::string>& others) {
  if (!j.is_object()) return InvalidArgumentError(std::string(what) + " must be a JSON object");
  for (const auto& item : j.items()) {
    const std::string& key = item.key();
    const json& value = item.value();
    auto it = std::find_if(fields.begin(), fields.end(), [&](const auto& f) { return key == f.first; });
    if (it == fields.end()) {
      if (others.contains(key)) continue;
      return InvalidArgumentError(std::string(what) + ": unknown member \"" + key + "\"");
    }
    if (!value.is_string()) return InvalidArgumentError(std::string(what) + ": \"" + key + "\" must be a string");
    *it->second = value.get<std::string>();
  }
  return OkStatus();
}

StatusOr<Qualification> QualificationFromJson(const json& j) {
  Qualification q;
  std::string from, until;
  RETURN_IF_ERROR(Strings(j, "a qualification",
                          {{"scheme", &q.scheme},
                           {"reference", &q.reference},
                           {"valid_from", &from},
                           {"valid_until", &until},
                           {"evidence", &q.evidence}},
                          {}));
  ASSIGN_OR_RETURN(q.valid_from, ParseDay(from, "valid_from"));
  ASSIGN_OR_RETURN(q.valid_until, ParseDay(until, "valid_until"));
  return q;
}

}  // namespace

StatusOr<HostSpec> HostSpecFromJson(const json& j) {
  HostSpec spec;
  RETURN_IF_ERROR(Strings(j, "a host declaration",
                          {{"name", &spec.name},
                           {"jurisdiction", &spec.jurisdiction},
                           {"operator", &spec.operator_name},
                           {"owner_jurisdiction", &spec.owner_jurisdiction}},
                          {"local", "qualifications"}));
  if (j.contains("local")) {
    if (!j["local"].is_boolean()) return InvalidArgumentError("a host declaration: \"local\" must be true or false");
    spec.local = j["local"].get<bool>();
  }
  if (j.contains("qualifications")) {
    if (!j["qualifications"].is_array()) {
      return InvalidArgumentError("a host declaration: \"qualifications\" must be an array");
    }
    for (const json& q : j["qualifications"]) {
      ASSIGN_OR_RETURN(Qualification parsed, QualificationFromJson(q));
      spec.qualifications.push_back(std::move(parsed));
    }
  }
  return spec;
}

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

#include "hdhub/hosts/sovereignty_policy.h"

#include <set>

namespace hdhub::hosts {
namespace {

using nlohmann::json;

Criterion CountryCriterion(std::string name, bool required, const std::string& code, const std::string& whose) {
  Criterion c{.name = std::move(name)};
  if (!required) {
    c.met = true;
    c.why = "not required by the policy";
  } else if (code.empty()) {
    c.why = whose + " is not declared";
  } else if (IsEuMember(code)) {
    c.met = true;
    c.why = whose + " is " + code + ", an EU member state";
  } else {
    c.why = whose + " is " + code + ", outside the EU: its law may reach the data";
  }
  return c;
}

std::string Describe(const Qualification& q) {
  return q.scheme + " " + q.reference + ", valid " + FormatDay(q.valid_from) + " to " + FormatDay(q.valid_until) +
         " (evidence: " + q.evidence + ")";
}

Criterion QualificationCriterion(const std::string& scheme, const HostSpec& host, Day day) {
  Criterion c{.name = "qualification:" + scheme};
  const Qualification* latest = nullptr;
  for (const Qualification& q : host.qualifications) {
    if (q.scheme != scheme) continue;
    if (q.InForceOn(day)) {
      c.met = true;
      c.why = Describe(q) + ": in force on " + FormatDay(day);
      return c;
    }
    if (latest == nullptr || q.valid_until > latest->valid_until) latest = &q;
  }
  if (latest == nullptr) {
    c.why = "no " + scheme + " qualification declared";
  } else if (latest->valid_from > day) {
    c.why = Describe(*latest) + ": not yet in force on " + FormatDay(day);
  } else {
    c.why = Describe(*latest) + ": lapsed, not in force on " + FormatDay(day);
  }
  return c;
}

Status Bool(const json& j, const char* key, bool* out) {
  if (!j.contains(key)) return OkStatus();
  if (!j[key].is_boolean())
    return InvalidArgumentError(std::string("policy member \"") + key + "\" must be true or false");
  *out = j[key].get<bool>();
  return OkStatus();
}

}  // namespace

json SovereigntyPolicy::ToJson() const {
  return json{{"require_eu_jurisdiction", require_eu_jurisdiction},
              {"require_eu_ownership", require_eu_ownership},
              {"required_qualifications", required_qualifications},
              {"allow_local", allow_local}};
}

StatusOr<SovereigntyPolicy> SovereigntyPolicy::FromJson(const json& j) {
  if (!j.is_object()) return InvalidArgumentError("a sovereignty policy must be a JSON object");
  static const std::set<std::string> kKnown = {"require_eu_jurisdiction", "require_eu_ownership",
                                               "required_qualifications", "allow_local"};
  for (const auto& [key, value] : j.items()) {
    if (!kKnown.contains(key)) return InvalidArgumentError("unknown policy member \"" + key + "\"");
  }
  SovereigntyPolicy p;
  RETURN_IF_ERROR(Bool(j, "require_eu_jurisdiction", &p.require_eu_jurisdiction));
  RETURN_IF_ERROR(Bool(j, "require_eu_ownership", &p.require_eu_ownership));
  RETURN_IF_ERROR(Bool(j, "allow_local", &p.allow_local));
  if (j.contains("required_qualifications")) {
    const json& list = j["required_qualifications"];
    if (!list.is_array()) return InvalidArgumentError("policy member \"required_qualifications\" must be an array");
    p.required_qualifications.clear();
    for (const json& scheme : list) {
      if (!scheme.is_string() || scheme.get<std::string>().empty()) {
        return InvalidArgumentError("policy member \"required_qualifications\" must hold scheme names");
      }
      p.required_qualifications.push_back(scheme.get<std::string>());
    }
  }
  return p;
}

std::string PlacementDecision::FailedCriteria() const {
  std::string out;
  for (const Criterion& c : criteria) {
    if (c.met) continue;
    out += (out.empty() ? "" : ", ") + c.name;
  }
  return out;
}

Status PlacementDecision::AsStatus() const {
  if (allowed) return OkStatus();
  std::string message = "host " + host + " may not hold health data under the sovereignty policy on " + FormatDay(day) +
                        ": it fails " + FailedCriteria();
  for (const Criterion& c : criteria) {
    if (!c.met) message += "; " + c.name + ": " + c.why;
  }
  return FailedPreconditionError(message + " (hdhub host show " + host + ")");
}

json PlacementDecision::ToJson() const {
  json list = json::array();
  for (const Criterion& c : criteria) list.push_back({{"criterion", c.name}, {"met", c.met}, {"why", c.why}});
  return json{{"host", host},       {"uri", uri},           {"day", FormatDay(day)},
              {"allowed", allowed}, {"exempted", exempted}, {"criteria", std::move(list)}};
}

PlacementDecision Evaluate(const HostRecord& record, const SovereigntyPolicy& policy, TimePoint now) {
  const HostSpec& host = record.spec;
  PlacementDecision d{.host = host.name, .uri = host.uri, .day = DayOf(now)};
  d.criteria.push_back(
      CountryCriterion("jurisdiction", policy.require_eu_jurisdiction, host.jurisdiction, "the host's jurisdiction"));
  const std::string owner = "the owner of its operator" + (host.operator_name.empty() ? "" : " " + host.operator_name);
  d.criteria.push_back(
      CountryCriterion("ownership", policy.require_eu_ownership, host.owner_jurisdiction, owner + "'s jurisdiction"));
  for (const std::string& scheme : policy.required_qualifications) {
    d.criteria.push_back(QualificationCriterion(scheme, host, d.day));
  }
  bool all_met = true;
  for (const Criterion& c : d.criteria) all_met = all_met && c.met;
  d.allowed = all_met;
  if (host.local) {
    Criterion local{.name = "local", .met = policy.allow_local};
    local.why = policy.allow_local ? "a local host (" + UriScheme(host.uri) +
                                         ":) on the hub's own machine, accepted because the policy allows local hosts"
                                   : "a local host, and the policy does not allow local hosts";
    d.exempted = !all_met && policy.allow_local;
    d.allowed = all_met || policy.allow_local;
    d.criteria.push_back(std::move(local));
  }
  return d;
}

}  // namespace hdhub::hosts

#include "hdhub/ingest/report.h"

namespace hdhub::ingest {

std::string_view PolicyName(InvalidPolicy policy) {
  switch (policy) {
    case InvalidPolicy::kFail:
      return "fail";
    case InvalidPolicy::kRejectRow:
      return "reject-row";
    case InvalidPolicy::kSetNull:
      return "set-null";
  }
  return "fail";
}

StatusOr<InvalidPolicy> ParsePolicy(std::string_view name) {
  for (InvalidPolicy p : {InvalidPolicy::kFail, InvalidPolicy::kRejectRow, InvalidPolicy::kSetNull}) {
    if (PolicyName(p) == name) return p;
  }
  return InvalidArgumentError("'" + std::string(name) +
                              "' is not a policy for invalid values: use fail, "
                              "reject-row or set-null");
}

nlohmann::json IngestReport::ToJson() const {
  nlohmann::json issues_json = nlohmann::json::array();
  for (const FieldIssue& i : issues) {
    issues_json.push_back(
        {{"field", i.field}, {"refused", i.count}, {"first_line", i.first_line}, {"reason", i.reason}});
  }
  nlohmann::json out = {{"on_invalid", std::string(PolicyName(policy))},
                        {"rows_read", rows_read},
                        {"rows_stored", rows_stored},
                        {"rows_rejected", rows_rejected},
                        {"refused_values", issues_json},
                        {"pseudonymized", pseudonymized},
                        {"dropped", dropped},
                        {"generalised", generalised},
                        {"record_identifiers", record_identifiers},
                        {"unchecked_nomenclatures", unchecked_nomenclatures}};
  if (reference) out["reference"] = true;  // absent: an extract (reports before reference tables had none)
  return out;
}

std::string IngestReport::IssuesText(size_t max_fields) const {
  std::string out;
  for (size_t i = 0; i < issues.size() && i < max_fields; ++i) {
    const FieldIssue& f = issues[i];
    out += (i ? "; " : "") + std::string("field ") + f.field + ": " + std::to_string(f.count) + " value" +
           (f.count == 1 ? "" : "s") + " refused (" + f.reason + "), first at line " +
           std::to_string(f.first_line);
  }
  if (issues.size() > max_fields) out += "; and " + std::to_string(issues.size() - max_fields) + " more fields";
  return out;
}

}  // namespace hdhub::ingest

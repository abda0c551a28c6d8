// The airlock's export requests as JSON (export_json.h).
#include "hdhub/server/export_json.h"

#include <string>

#include "hdhub/audit/note.h"
#include "hdhub/common/bytes.h"
#include "hdhub/common/clock.h"

namespace hdhub::server {

namespace {

using json = nlohmann::json;

std::string Time(int64_t us) { return FormatRfc3339(FromMicros(us)); }

// A stored JSON text as JSON (a string when it does not parse).
json Parsed(const std::string& text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() ? json(text) : j;
}

json FrameJson(const exports::FrameRecord& f) {
  return {{"name", f.name},
          {"declaration", Parsed(f.spec_json)},
          {"sql_sha256", f.sql_sha256},
          {"created_by", f.created_by},
          {"created_at", Time(f.created_at_us)},
          {"released", f.released_seq.has_value()}};
}

json OutputJson(const exports::OutputRecord& o) {
  return {{"name", o.name},
          {"revision", o.revision},
          {"kind", std::string(exports::ToString(o.kind))},
          {"format", o.format},
          {"declaration", Parsed(o.declaration_json)},
          {"bytes", o.bytes},
          {"sha256", o.sha256},
          {"verdict", Parsed(o.verdict_json)}};
}

json OutputReviewsJson(const std::vector<exports::OutputReview>& reviews) {
  json out = json::array();
  for (const exports::OutputReview& d : reviews) {
    out.push_back(
        {{"output", d.output}, {"decision", std::string(exports::ToString(d.decision))}, {"comment", d.comment}});
  }
  return out;
}

json DecisionRecordJson(const exports::DecisionRecord& d) {
  return {{"decision", d.reject ? "reject" : "return"},         {"actor", d.actor}, {"revision", d.revision},
          {"reason", std::string(exports::ToString(d.reason))}, {"text", d.text},   {"at", Time(d.at_us)}};
}

// The line's public fields (those its register entry covers), its event and
// its register entry (null for a release made before they were recorded).
json RegisterEntryJson(const service::RegisterEntry& e) {
  json out = service::RegisterFields(e);
  out["audit_index"] = e.audit_index;
  out["register_entry"] = e.register_entry ? json(*e.register_entry) : json(nullptr);
  return out;
}

json RulesRecordJson(const std::optional<exports::HubRulesRecord>& r) {
  if (!r) return nullptr;
  return {{"version", r->version},
          {"rules", json::parse(r->rules_json, nullptr, /*allow_exceptions=*/false)},
          {"proposed_by", r->proposed_by},
          {"confirmed_by", r->confirmed_by.empty() ? json(nullptr) : json(r->confirmed_by)},
          {"at", Time(r->at_us)}};
}

StatusOr<int64_t> RevisionField(const json& body) {
  auto it = body.find("revision");
  if (it == body.end() || !it->is_number_integer()) return InvalidArgumentError("revision must be a whole number");
  return it->get<int64_t>();
}

json FilesJson(const std::vector<service::ReleasedFile>& files) {
  json out = json::array();
  for (const service::ReleasedFile& f : files) {
    out.push_back({{"name", f.name},
                   {"format", f.format},
                   {"bytes", f.bytes},
                   {"sha256", f.sha256},
                   {"content_base64", audit::Base64Encode(AsBytes(f.content))}});
  }
  return out;
}

}  // namespace

json ExportRequestJson(const service::ExportRequestView& v) {
  const exports::RequestRecord& r = v.request;
  json out = {{"id", r.id},
              {"project", r.project},
              {"author", r.author},
              {"title", r.title},
              {"state", std::string(exports::ToString(r.state))},
              {"revision", r.revision},
              {"created_at", Time(r.created_at_us)},
              {"frames", json::array()},
              {"outputs", json::array()},
              {"reviews", json::array()},
              {"decisions", json::array()}};
  for (const exports::FrameRecord& f : v.frames) out["frames"].push_back(FrameJson(f));
  for (const exports::OutputRecord& o : v.outputs) out["outputs"].push_back(OutputJson(o));
  for (const exports::CheckerReview& rv : v.reviews) {
    out["reviews"].push_back({{"checker", rv.checker},
                              {"revision", rv.revision},
                              {"at", Time(rv.at_us)},
                              {"decisions", OutputReviewsJson(rv.decisions)}});
  }
  for (const exports::DecisionRecord& d : v.decisions) out["decisions"].push_back(DecisionRecordJson(d));
  if (v.evidence) {
    out["evidence"] = json::array();
    for (const std::string& e : *v.evidence) out["evidence"].push_back(Parsed(e));
  }
  if (v.files) out["files"] = FilesJson(*v.files);
  if (v.checks) out["checks"] = Parsed(*v.checks);
  return out;
}

json ExportSummaryJson(const service::ExportRequestSummary& s) {
  return {{"id", s.id},
          {"project", s.project},
          {"author", s.author},
          {"state", std::string(exports::ToString(s.state))},
          {"revision", s.revision},
          {"created_at", Time(s.created_at_us)},
          {"title", s.title}};
}

StatusOr<json> ExportChangeJson(const service::ExportChange& change) {
  switch (change.kind) {
    case service::ExportChangeKind::kFrame:
    case service::ExportChangeKind::kOutput: {
      const bool frame = change.kind == service::ExportChangeKind::kFrame;
      json declaration = json::parse(change.json, nullptr, /*allow_exceptions=*/false);
      if (declaration.is_discarded() || !declaration.is_object()) {
        return InvalidArgumentError(std::string(frame ? "the frame" : "the output") +
                                    " declaration must be a JSON object");
      }
      json out{{frame ? "frame" : "output", std::move(declaration)}};
      if (change.content) out["content_base64"] = audit::Base64Encode(AsBytes(*change.content));
      return out;
    }
    case service::ExportChangeKind::kRemove:
      return json{{"remove", change.name}};
    case service::ExportChangeKind::kRecompute:
      break;
  }
  return json{{"recompute", true}};
}

StatusOr<service::ExportChange> ExportChangeFromJson(const json& body) {
  constexpr char kOne[] = R"(a change is one of {"frame": {...}}, {"output": {...}[, "content_base64": FILE]}, )"
                          R"({"remove": NAME}, {"recompute": true})";
  if (!body.is_object()) return InvalidArgumentError(kOne);
  if (body.size() == 2 && body.contains("output") && body.contains("content_base64")) {
    const json& declaration = body.at("output");
    const json& content = body.at("content_base64");
    if (!declaration.is_object()) return InvalidArgumentError("output must be a JSON object (the declaration)");
    if (!content.is_string()) return InvalidArgumentError("content_base64 must be the file in base64");
    StatusOr<Bytes> bytes = audit::Base64Decode(content.get<std::string>());
    if (!bytes.ok()) return InvalidArgumentError("content_base64 is not base64");
    return service::ExportChange{.kind = service::ExportChangeKind::kOutput,
                                 .json = declaration.dump(),
                                 .name = "",
                                 .content = std::string(bytes->begin(), bytes->end())};
  }
  if (body.size() != 1) return InvalidArgumentError(kOne);
  const std::string key = body.begin().key();
  const json& value = body.begin().value();
  if (key == "frame" || key == "output") {
    if (!value.is_object()) return InvalidArgumentError(key + " must be a JSON object (the declaration)");
    return service::ExportChange{
        .kind = key == "frame" ? service::ExportChangeKind::kFrame : service::ExportChangeKind::kOutput,
        .json = value.dump(),
        .name = "",
        .content = std::nullopt};
  }
  if (key == "remove") {
    if (!value.is_string()) return InvalidArgumentError("remove must be the name of an output");
    return service::ExportChange{
        .kind = service::ExportChangeKind::kRemove, .json = "", .name = value.get<std::string>()};
  }
  if (key == "recompute" && value == true) {
    return service::ExportChange{.kind = service::ExportChangeKind::kRecompute, .json = "", .name = ""};
  }
  return InvalidArgumentError(kOne);
}

json ExportReviewJson(const service::ExportReview& review) {
  return {{"revision", review.revision}, {"decisions", OutputReviewsJson(review.decisions)}};
}

StatusOr<service::ExportReview> ExportReviewFromJson(const json& body) {
  if (!body.is_object()) return InvalidArgumentError("the body must be a JSON object");
  service::ExportReview review;
  ASSIGN_OR_RETURN(review.revision, RevisionField(body));
  auto list = body.find("decisions");
  if (list == body.end() || !list->is_array()) return InvalidArgumentError("decisions must be a list");
  for (size_t i = 0; i < list->size(); ++i) {
    // Named by position: a name that is not an output's is not echoed.
    const json& d = (*list)[i];
    const std::string at = "decisions[" + std::to_string(i) + "]";
    if (!d.is_object() || !d.contains("output") || !d["output"].is_string()) {
      return InvalidArgumentError(at + " must name its output");
    }
    const json decision = d.value("decision", json());
    StatusOr<exports::OutputDecision> parsed = InvalidArgumentError("no decision");
    if (decision.is_string()) parsed = exports::ParseOutputDecision(decision.get<std::string>());
    if (!parsed.ok()) return InvalidArgumentError(at + ": decision must be approve, changes or reject");
    const json comment = d.value("comment", json(""));
    if (!comment.is_string()) return InvalidArgumentError(at + ": comment must be a string");
    review.decisions.push_back(
        {.output = d["output"].get<std::string>(), .decision = *parsed, .comment = comment.get<std::string>()});
  }
  return review;
}

json ExportDecisionJson(const service::ExportDecision& d) {
  return {{"decision", d.reject ? "reject" : "return"}, {"revision", d.revision}, {"reason", d.reason}};
}

StatusOr<service::ExportDecision> ExportDecisionFromJson(const json& body) {
  if (!body.is_object()) return InvalidArgumentError("the body must be a JSON object");
  service::ExportDecision out;
  const json decision = body.value("decision", json());
  if (decision != "return" && decision != "reject") return InvalidArgumentError("decision must be return or reject");
  out.reject = decision == "reject";
  ASSIGN_OR_RETURN(out.revision, RevisionField(body));
  const json reason = body.value("reason", json());
  if (!reason.is_string()) return InvalidArgumentError("reason must be a string");
  out.reason = reason.get<std::string>();
  return out;
}

json ReleasedFilesJson(const service::ReleasedFiles& r) {
  return {{"request", r.request},
          {"project", r.project},
          {"release", r.seq},
          {"revision", r.revision},
          {"certificate_sha256", r.certificate_sha256},
          {"files", FilesJson(r.files)},
          {"bundle_base64", audit::Base64Encode(AsBytes(r.bundle.Serialize()))}};
}

json RegisterJson(const std::vector<service::RegisterEntry>& entries) {
  json items = json::array();
  for (const service::RegisterEntry& e : entries) items.push_back(RegisterEntryJson(e));
  return {{"entries", std::move(items)}};
}

json PublicProjectJson(const service::PublicProject& p) {
  json releases = json::array();
  for (const service::RegisterEntry& e : p.releases) releases.push_back(RegisterEntryJson(e));
  json out = service::RegisterFields(p);
  out["state"] = std::string(projects::ProjectStateName(p.state));
  out["releases"] = std::move(releases);
  out["register_entry"] = p.register_entry ? json(*p.register_entry) : json(nullptr);
  return out;
}

json AirlockRulesJson(const service::AirlockRulesView& v) {
  return {{"in_force", v.in_force.ToJson()},
          {"confirmed", RulesRecordJson(v.confirmed)},
          {"pending", RulesRecordJson(v.pending)}};
}

}  // namespace hdhub::server

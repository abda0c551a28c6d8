// The airlock's export requests on the hub or through a server
// (airlock_requests.h).
#include "hdhub/cli/airlock_requests.h"

#include "hdhub/audit/note.h"
#include "hdhub/common/bytes.h"
#include "hdhub/crypto/hash.h"
#include "hdhub/exports/bundle.h"
#include "hdhub/server/export_json.h"

namespace hdhub::cli {

namespace {

using nlohmann::json;

std::string RequestPath(const std::string& id) { return "/export-requests/" + UrlEncode(id); }

StatusOr<json> AsJson(StatusOr<service::ExportRequestView> view) {
  RETURN_IF_ERROR(view.status());
  return server::ExportRequestJson(*view);
}

StatusOr<json> RulesJson(StatusOr<service::AirlockRulesView> view) {
  RETURN_IF_ERROR(view.status());
  return server::AirlockRulesJson(*view);
}

Status Malformed(const std::string& what) { return DataLossError("the server's release answer is malformed: " + what); }

StatusOr<std::string> Text(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return Malformed(std::string(key) + " is not a string");
  return it->get<std::string>();
}

StatusOr<int64_t> Number(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) return Malformed(std::string(key) + " is not a whole number");
  return it->get<int64_t>();
}

StatusOr<std::string> Decoded(const json& j, const char* key) {
  ASSIGN_OR_RETURN(std::string text, Text(j, key));
  StatusOr<Bytes> bytes = audit::Base64Decode(text);
  if (!bytes.ok()) return Malformed(std::string(key) + " is not base64");
  return std::string(bytes->begin(), bytes->end());
}

// A name that becomes part of a file name under --out: no path, no dot file.
Status CheckFileNamePart(const std::string& part) {
  if (part.empty() || part[0] == '.' || part.find_first_of("/\\") != std::string::npos ||
      part.find('\0') != std::string::npos) {
    return Malformed("a name or format cannot be part of a file name");
  }
  return OkStatus();
}

// One file of the answer, its content checked against its size and digest.
StatusOr<service::ReleasedFile> FileFromJson(const json& j) {
  if (!j.is_object()) return Malformed("a file is not an object");
  service::ReleasedFile f;
  ASSIGN_OR_RETURN(f.name, Text(j, "name"));
  ASSIGN_OR_RETURN(f.format, Text(j, "format"));
  RETURN_IF_ERROR(CheckFileNamePart(f.name));
  RETURN_IF_ERROR(CheckFileNamePart(f.format));
  ASSIGN_OR_RETURN(f.bytes, Number(j, "bytes"));
  ASSIGN_OR_RETURN(f.sha256, Text(j, "sha256"));
  ASSIGN_OR_RETURN(f.content, Decoded(j, "content_base64"));
  if (static_cast<int64_t>(f.content.size()) != f.bytes || HexEncode(crypto::Sha256(AsBytes(f.content))) != f.sha256) {
    return DataLossError("the server sent file " + f.name + " with another size or SHA-256 than it states");
  }
  return f;
}

// The answer of the release routes (ReleasedFilesJson) for request `id`.
StatusOr<service::ReleasedFiles> ReleasedFilesFromJson(const json& j, const std::string& id) {
  if (!j.is_object()) return Malformed("not an object");
  service::ReleasedFiles r;
  ASSIGN_OR_RETURN(r.request, Text(j, "request"));
  if (r.request != id) return Malformed("another request than " + id);
  ASSIGN_OR_RETURN(r.project, Text(j, "project"));
  ASSIGN_OR_RETURN(r.seq, Number(j, "release"));
  ASSIGN_OR_RETURN(r.revision, Number(j, "revision"));
  ASSIGN_OR_RETURN(r.certificate_sha256, Text(j, "certificate_sha256"));
  auto files = j.find("files");
  if (files == j.end() || !files->is_array()) return Malformed("files is not a list");
  for (const json& f : *files) {
    ASSIGN_OR_RETURN(service::ReleasedFile file, FileFromJson(f));
    r.files.push_back(std::move(file));
  }
  ASSIGN_OR_RETURN(const std::string bundle, Decoded(j, "bundle_base64"));
  StatusOr<exports::Bundle> parsed = exports::ParseBundle(bundle);
  // Written as Serialize() gives it: those must be the bytes the hub sent.
  if (!parsed.ok() || parsed->Serialize() != bundle) return Malformed("the certificate bundle does not parse");
  r.bundle = *std::move(parsed);
  return r;
}

// The rules file's JSON as the body of `path`.
StatusOr<json> ChangeRules(RemoteClient& client, const std::string& path, const std::string& rules_json) {
  const json body = json::parse(rules_json, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return InvalidArgumentError("the rules file is not JSON");
  return client.Call("POST", path, &body);
}

}  // namespace

StatusOr<json> LocalExportRequests::Create(const std::string& project, const std::string& title) {
  return AsJson(svc_.CreateExportRequest(ctx_, project, title));
}
StatusOr<json> LocalExportRequests::Change(const std::string& id, const service::ExportChange& change) {
  return AsJson(svc_.ChangeExportRequest(ctx_, id, change));
}
StatusOr<json> LocalExportRequests::Submit(const std::string& id) { return AsJson(svc_.SubmitExportRequest(ctx_, id)); }
Status LocalExportRequests::Withdraw(const std::string& id) { return svc_.WithdrawExportRequest(ctx_, id); }
StatusOr<json> LocalExportRequests::Show(const std::string& id, bool evidence) {
  return AsJson(svc_.ShowExportRequest(ctx_, id, evidence));
}
StatusOr<json> LocalExportRequests::Review(const std::string& id, const service::ExportReview& review) {
  return AsJson(svc_.ReviewExportRequest(ctx_, id, review));
}
StatusOr<json> LocalExportRequests::Decide(const std::string& id, const service::ExportDecision& decision) {
  return AsJson(svc_.DecideExportRequest(ctx_, id, decision));
}
StatusOr<std::vector<json>> LocalExportRequests::List(const service::ExportFilter& filter) {
  ASSIGN_OR_RETURN(std::vector<service::ExportRequestSummary> all, svc_.ListExportRequests(ctx_, filter));
  std::vector<json> out;
  for (const service::ExportRequestSummary& s : all) out.push_back(server::ExportSummaryJson(s));
  return out;
}

StatusOr<service::ReleasedFiles> LocalExportRequests::Release(const std::string& id) {
  return svc_.ReleaseExportRequest(ctx_, id);
}
StatusOr<service::ReleasedFiles> LocalExportRequests::Download(const std::string& id) {
  return svc_.DownloadRelease(ctx_, id);
}
StatusOr<json> LocalExportRequests::Register(const std::optional<std::string>& project) {
  ASSIGN_OR_RETURN(std::vector<service::RegisterEntry> entries, svc_.Register(ctx_, project));
  return server::RegisterJson(entries);
}
StatusOr<json> LocalExportRequests::Rules() { return RulesJson(svc_.ShowAirlockRules(ctx_)); }
StatusOr<json> LocalExportRequests::ProposeRules(const std::string& rules_json) {
  return RulesJson(svc_.ProposeAirlockRules(ctx_, rules_json));
}
StatusOr<json> LocalExportRequests::ConfirmRules(const std::string& rules_json) {
  return RulesJson(svc_.ConfirmAirlockRules(ctx_, rules_json));
}

StatusOr<json> RemoteExportRequests::Create(const std::string& project, const std::string& title) {
  const json body = {{"title", title}};
  return client_.Call("POST", "/projects/" + UrlEncode(project) + "/export-requests", &body);
}
StatusOr<json> RemoteExportRequests::Change(const std::string& id, const service::ExportChange& change) {
  ASSIGN_OR_RETURN(const json body, server::ExportChangeJson(change));
  return client_.Call("PATCH", RequestPath(id), &body);
}
StatusOr<json> RemoteExportRequests::Submit(const std::string& id) {
  const json body = json::object();
  return client_.Call("POST", RequestPath(id) + "/submit", &body);
}
Status RemoteExportRequests::Withdraw(const std::string& id) {
  const json body = json::object();
  return client_.Call("POST", RequestPath(id) + "/withdraw", &body).status();
}
StatusOr<json> RemoteExportRequests::Show(const std::string& id, bool evidence) {
  return client_.Call("GET", RequestPath(id) + (evidence ? "?evidence=true" : ""));
}
StatusOr<json> RemoteExportRequests::Review(const std::string& id, const service::ExportReview& review) {
  const json body = server::ExportReviewJson(review);
  return client_.Call("POST", RequestPath(id) + "/reviews", &body);
}
StatusOr<json> RemoteExportRequests::Decide(const std::string& id, const service::ExportDecision& decision) {
  const json body = server::ExportDecisionJson(decision);
  return client_.Call("POST", RequestPath(id) + "/decisions", &body);
}
StatusOr<std::vector<json>> RemoteExportRequests::List(const service::ExportFilter& filter) {
  std::string query;
  if (filter.project) query += "project=" + UrlEncode(*filter.project);
  if (filter.state) {
    query +=
        std::string(query.empty() ? "" : "&") + "state=" + UrlEncode(std::string(exports::ToString(*filter.state)));
  }
  ASSIGN_OR_RETURN(json items, client_.ListAll("/export-requests", query));
  return std::vector<json>(items.begin(), items.end());
}
StatusOr<service::ReleasedFiles> RemoteExportRequests::Release(const std::string& id) {
  const json body = json::object();
  ASSIGN_OR_RETURN(const json answer, client_.Call("POST", RequestPath(id) + "/release", &body));
  return ReleasedFilesFromJson(answer, id);
}
StatusOr<service::ReleasedFiles> RemoteExportRequests::Download(const std::string& id) {
  ASSIGN_OR_RETURN(const json answer, client_.Call("GET", RequestPath(id) + "/release"));
  return ReleasedFilesFromJson(answer, id);
}
StatusOr<json> RemoteExportRequests::Register(const std::optional<std::string>& project) {
  return client_.Call("GET", "/register" + (project ? "?project=" + UrlEncode(*project) : std::string()));
}
StatusOr<json> RemoteExportRequests::Rules() { return client_.Call("GET", "/airlock-rules"); }
StatusOr<json> RemoteExportRequests::ProposeRules(const std::string& rules_json) {
  return ChangeRules(client_, "/airlock-rules/proposal", rules_json);
}
StatusOr<json> RemoteExportRequests::ConfirmRules(const std::string& rules_json) {
  return ChangeRules(client_, "/airlock-rules/confirmation", rules_json);
}

}  // namespace hdhub::cli

// The airlock's export requests on the hub or through a server
// (airlock_requests.h).
#include "hdhub/cli/airlock_requests.h"

#include "hdhub/server/export_json.h"

namespace hdhub::cli {

namespace {

using nlohmann::json;

std::string RequestPath(const std::string& id) { return "/export-requests/" + UrlEncode(id); }

StatusOr<json> AsJson(StatusOr<service::ExportRequestView> view) {
  RETURN_IF_ERROR(view.status());
  return server::ExportRequestJson(*view);
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

}  // namespace hdhub::cli

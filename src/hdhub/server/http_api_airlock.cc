// The HTTP API's airlock routes (docs/airlock-workflow.md §8): export
// requests created in a project, listed, shown, changed, submitted,
// withdrawn, reviewed, returned and rejected; released and downloaded; the
// transparency register; the hub's rules shown, proposed and confirmed.
// Each handler calls one service method; who may do what, and "unknown or
// not yours", are the service's. The bodies and answers are
// export_json.h's, the CLI's --json shapes.
#include "hdhub/server/export_json.h"
#include "hdhub/server/http_api_internal.h"

namespace hdhub::server::http_api_internal {

namespace {

// ?name=true|false (absent: false).
StatusOr<bool> FlagQuery(const Call& c, const std::string& name) {
  auto it = c.query.find(name);
  if (it == c.query.end() || it->second == "false") return false;
  if (it->second == "true") return true;
  return InvalidArgumentError(name + " must be true or false");
}

HttpResponse ViewAnswer(const service::ExportRequestView& view, unsigned status = 200) {
  return Json(ExportRequestJson(view), status);
}

// The service's methods that change the request `rid` with what its body says.
template <typename T>
using ChangeMethod = StatusOr<service::ExportRequestView> (service::Service::*)(const service::RequestContext&,
                                                                                const std::string&, const T&);

// The body read by `parse`, given to `method` for the request `rid`; the
// request as it is then.
template <typename T>
StatusOr<HttpResponse> ChangeWithBody(Api& a, const Call& c, StatusOr<T> (*parse)(const json&),
                                      ChangeMethod<T> method) {
  ASSIGN_OR_RETURN(json body, Body(c));
  ASSIGN_OR_RETURN(T input, parse(body));
  ASSIGN_OR_RETURN(auto view, (a.service.*method)(*c.ctx, c.params.at("rid"), input));
  return ViewAnswer(view);
}

// The rules of the body (a JSON object, docs/airlock-workflow.md §5) given
// to `method`; the rules as they are then.
StatusOr<HttpResponse> ChangeRules(Api& a, const Call& c,
                                   StatusOr<service::AirlockRulesView> (service::Service::*method)(
                                       const service::RequestContext&, const std::string&)) {
  ASSIGN_OR_RETURN(json body, Body(c));
  ASSIGN_OR_RETURN(auto view, (a.service.*method)(*c.ctx, body.dump()));
  return Json(AirlockRulesJson(view));
}

}  // namespace

StatusOr<HttpResponse> CreateExport(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(json body, Body(c));
  ASSIGN_OR_RETURN(std::string title, StringField(body, "title"));
  ASSIGN_OR_RETURN(auto view, a.service.CreateExportRequest(*c.ctx, c.params.at("id"), title));
  return ViewAnswer(view, 201);
}

StatusOr<HttpResponse> ListExports(Api& a, const Call& c) {
  service::ExportFilter filter;
  if (auto it = c.query.find("project"); it != c.query.end() && !it->second.empty()) filter.project = it->second;
  if (auto it = c.query.find("state"); it != c.query.end() && !it->second.empty()) {
    ASSIGN_OR_RETURN(filter.state, exports::ParseRequestState(it->second));
  }
  ASSIGN_OR_RETURN(auto all, a.service.ListExportRequests(*c.ctx, filter));
  std::vector<json> items;
  for (const service::ExportRequestSummary& s : all) items.push_back(ExportSummaryJson(s));
  ASSIGN_OR_RETURN(json page, Page(c, std::move(items)));
  return Json(page);
}

StatusOr<HttpResponse> ShowExport(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(bool evidence, FlagQuery(c, "evidence"));
  ASSIGN_OR_RETURN(auto view, a.service.ShowExportRequest(*c.ctx, c.params.at("rid"), evidence));
  return ViewAnswer(view);
}

StatusOr<HttpResponse> ChangeExport(Api& a, const Call& c) {
  return ChangeWithBody(a, c, ExportChangeFromJson, &service::Service::ChangeExportRequest);
}

StatusOr<HttpResponse> SubmitExport(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(auto view, a.service.SubmitExportRequest(*c.ctx, c.params.at("rid")));
  return ViewAnswer(view);
}

StatusOr<HttpResponse> WithdrawExport(Api& a, const Call& c) {
  RETURN_IF_ERROR(a.service.WithdrawExportRequest(*c.ctx, c.params.at("rid")));
  return Json({{"id", c.params.at("rid")}, {"state", "withdrawn"}});
}

StatusOr<HttpResponse> ReviewExport(Api& a, const Call& c) {
  return ChangeWithBody(a, c, ExportReviewFromJson, &service::Service::ReviewExportRequest);
}

StatusOr<HttpResponse> DecideExport(Api& a, const Call& c) {
  return ChangeWithBody(a, c, ExportDecisionFromJson, &service::Service::DecideExportRequest);
}

StatusOr<HttpResponse> ReleaseExport(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(auto released, a.service.ReleaseExportRequest(*c.ctx, c.params.at("rid")));
  return Json(ReleasedFilesJson(released), 201);
}

StatusOr<HttpResponse> DownloadExport(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(auto released, a.service.DownloadRelease(*c.ctx, c.params.at("rid")));
  return Json(ReleasedFilesJson(released));
}

StatusOr<HttpResponse> ShowRegister(Api& a, const Call& c) {
  std::optional<std::string> project;
  if (auto it = c.query.find("project"); it != c.query.end() && !it->second.empty()) project = it->second;
  ASSIGN_OR_RETURN(auto entries, a.service.Register(*c.ctx, project));
  return Json(RegisterJson(entries));
}

StatusOr<HttpResponse> ShowPublicRegister(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(auto projects, a.service.PublicRegister({.client_address = c.request.client}));
  std::vector<json> items;
  for (const service::PublicProject& p : projects) items.push_back(PublicProjectJson(p));
  ASSIGN_OR_RETURN(json page, Page(c, std::move(items)));
  return Json(page);
}

StatusOr<HttpResponse> ShowRules(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(auto view, a.service.ShowAirlockRules(*c.ctx));
  return Json(AirlockRulesJson(view));
}

StatusOr<HttpResponse> ProposeRules(Api& a, const Call& c) {
  return ChangeRules(a, c, &service::Service::ProposeAirlockRules);
}

StatusOr<HttpResponse> ConfirmRules(Api& a, const Call& c) {
  return ChangeRules(a, c, &service::Service::ConfirmAirlockRules);
}

}  // namespace hdhub::server::http_api_internal

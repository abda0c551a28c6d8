// The internals of the HTTP API (http_api.h), shared by the files of
// hdhub_http_api only: what a handler sees (Call, Api), the JSON and request
// helpers the handlers share (http_api_json.cc), and the handlers that the
// route table in http_api.cc names, each defined in the file of its resource
// (http_api_<resource>.cc). Nothing here holds state; thread-safety is
// HttpApi's.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/common/clock.h"
#include "hdhub/common/status.h"
#include "hdhub/server/config.h"
#include "hdhub/server/http_api.h"
#include "hdhub/service/service.h"

namespace hdhub::server::http_api_internal {

using nlohmann::json;

// What a handler sees: the request, its path parameters and query, and the
// authenticated context (none for the routes without authentication).
struct Call {
  const HttpRequest& request;
  std::map<std::string, std::string> params;
  std::map<std::string, std::string> query;
  const service::RequestContext* ctx = nullptr;
};

// What handlers share: the service and the limits of queries.
struct Api {
  service::Service& service;
  const QueryLimits& limits;
  projects::SessionLimits session_limits;
};

// ---- JSON answers and request fields (http_api_json.cc) ----

std::string Dump(const json& j);
HttpResponse Json(const json& body, unsigned status = 200);
std::string Time(TimePoint t);
// `text` as a whole number; InvalidArgument naming `what` otherwise.
StatusOr<uint64_t> Unsigned(std::string_view text, std::string_view what);
// ?limit=&cursor=: the slice of `items` to answer, and the next cursor.
StatusOr<json> Page(const Call& call, std::vector<json> items);
// The request's body, a JSON object; InvalidArgument otherwise.
StatusOr<json> Body(const Call& call);
StatusOr<std::string> StringField(const json& body, const char* name);
StatusOr<std::vector<std::string>> StringList(const json& body, const char* name);

// ---- handlers, by file, each in the order of the route table ----

// http_api_catalog.cc
StatusOr<HttpResponse> ListCatalog(Api& a, const Call& c);
StatusOr<HttpResponse> ShowDataset(Api& a, const Call& c);
StatusOr<HttpResponse> RemoveDataset(Api& a, const Call& c);
StatusOr<HttpResponse> Ingest(Api& a, const Call& c);
StatusOr<HttpResponse> Withdraw(Api& a, const Call& c);

// http_api_queries.cc
StatusOr<HttpResponse> QueryCatalog(Api& a, const Call& c);
StatusOr<HttpResponse> QueryProject(Api& a, const Call& c);

// http_api_projects.cc
StatusOr<HttpResponse> ListProjects(Api& a, const Call& c);
StatusOr<HttpResponse> CreateProject(Api& a, const Call& c);
StatusOr<HttpResponse> Sweep(Api& a, const Call& c);
StatusOr<HttpResponse> ShowProject(Api& a, const Call& c);
StatusOr<HttpResponse> ChangeProject(Api& a, const Call& c);
StatusOr<HttpResponse> Approve(Api& a, const Call& c);
StatusOr<HttpResponse> CloseProject(Api& a, const Call& c);
StatusOr<HttpResponse> Build(Api& a, const Call& c);

// http_api_airlock.cc
StatusOr<HttpResponse> CreateExport(Api& a, const Call& c);
StatusOr<HttpResponse> ListExports(Api& a, const Call& c);
StatusOr<HttpResponse> ShowExport(Api& a, const Call& c);
StatusOr<HttpResponse> ChangeExport(Api& a, const Call& c);
StatusOr<HttpResponse> SubmitExport(Api& a, const Call& c);
StatusOr<HttpResponse> WithdrawExport(Api& a, const Call& c);
StatusOr<HttpResponse> ReviewExport(Api& a, const Call& c);
StatusOr<HttpResponse> DecideExport(Api& a, const Call& c);
StatusOr<HttpResponse> ReleaseExport(Api& a, const Call& c);
StatusOr<HttpResponse> DownloadExport(Api& a, const Call& c);
StatusOr<HttpResponse> ShowRegister(Api& a, const Call& c);
StatusOr<HttpResponse> ShowPublicRegister(Api& a, const Call& c);
StatusOr<HttpResponse> ShowRegisterProof(Api& a, const Call& c);
StatusOr<HttpResponse> ShowRules(Api& a, const Call& c);
StatusOr<HttpResponse> ProposeRules(Api& a, const Call& c);
StatusOr<HttpResponse> ConfirmRules(Api& a, const Call& c);

// http_api_audit.cc
StatusOr<HttpResponse> AuditEntries(Api& a, const Call& c);
StatusOr<HttpResponse> AuditProof(Api& a, const Call& c);
StatusOr<HttpResponse> AuditConsistency(Api& a, const Call& c);
StatusOr<HttpResponse> AuditVerify(Api& a, const Call& c);
StatusOr<HttpResponse> AuditCheckpoint(Api& a, const Call& c);
StatusOr<HttpResponse> AuditLogKey(Api& a, const Call& c);
StatusOr<HttpResponse> AuditWitnesses(Api& a, const Call& c);

// http_api_hosts.cc
StatusOr<HttpResponse> CheckHost(Api& a, const Call& c);
StatusOr<HttpResponse> ListHosts(Api& a, const Call& c);
StatusOr<HttpResponse> ShowHost(Api& a, const Call& c);

// http_api_accounts.cc
StatusOr<HttpResponse> Me(Api& a, const Call& c);
StatusOr<HttpResponse> ListUsers(Api& a, const Call& c);
StatusOr<HttpResponse> AddUser(Api& a, const Call& c);
StatusOr<HttpResponse> GrantRole(Api& a, const Call& c);
StatusOr<HttpResponse> RevokeRole(Api& a, const Call& c);
StatusOr<HttpResponse> DisableUser(Api& a, const Call& c);
StatusOr<HttpResponse> EnableUser(Api& a, const Call& c);
StatusOr<HttpResponse> SetPassword(Api& a, const Call& c);
StatusOr<HttpResponse> IssueToken(Api& a, const Call& c);
StatusOr<HttpResponse> ListTokens(Api& a, const Call& c);
StatusOr<HttpResponse> RevokeToken(Api& a, const Call& c);

}  // namespace hdhub::server::http_api_internal

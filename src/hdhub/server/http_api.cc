// The HTTP API's route table and dispatch (HttpApi::Handle: the query
// string, the route, the bearer token, then the handler), and the one
// mapping of a Status to an application/problem+json answer. The handlers
// are in http_api_<resource>.cc, their shared helpers in http_api_json.cc.
#include "hdhub/server/http_api.h"

#include <cctype>
#include <charconv>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>

#include "hdhub/audit/request_scope.h"
#include "hdhub/common/bytes.h"
#include "hdhub/crypto/random.h"
#include "hdhub/server/http_api_internal.h"
#include "hdhub/server/openapi_json.h"
#include "hdhub/server/service_backend.h"

namespace hdhub::server {

namespace http_api_internal {
namespace {

using Handler = std::function<StatusOr<HttpResponse>(Api&, const Call&)>;

struct Route {
  std::string_view method;
  std::string_view pattern;
  bool authenticated;
  Handler handler;
};

constexpr std::string_view kIngestRoute = "/api/v1/catalog/{dataset}/versions";

const std::vector<Route>& Table() {
  static const std::vector<Route> routes = {
      {"GET", "/api/v1/health", false,
       [](Api&, const Call&) -> StatusOr<HttpResponse> {
         return Json({{"status", "ok"}});
       }},
      {"GET", "/api/v1/openapi.json", false, nullptr},  // served by HttpApi::Handle
      {"GET", "/api/v1/me", true, Me},
      {"GET", "/api/v1/session", false, nullptr},  // served by HttpApi::Handle (single sign-on)
      {"GET", "/api/v1/catalog", true, ListCatalog},
      {"POST", "/api/v1/catalog/queries", true, QueryCatalog},
      {"GET", "/api/v1/catalog/{dataset}", true, ShowDataset},
      {"DELETE", "/api/v1/catalog/{dataset}", true, RemoveDataset},
      {"POST", kIngestRoute, true, Ingest},
      {"DELETE", "/api/v1/catalog/{dataset}/versions/{version}", true, Withdraw},
      {"GET", "/api/v1/projects", true, ListProjects},
      {"POST", "/api/v1/projects", true, CreateProject},
      {"POST", "/api/v1/projects/sweep", true, Sweep},
      {"GET", "/api/v1/projects/{id}", true, ShowProject},
      {"PATCH", "/api/v1/projects/{id}", true, ChangeProject},
      {"POST", "/api/v1/projects/{id}/approvals", true, Approve},
      {"POST", "/api/v1/projects/{id}/close", true, CloseProject},
      {"POST", "/api/v1/projects/{id}/workspaces", true, Build},
      {"POST", "/api/v1/projects/{id}/queries", true, QueryProject},
      {"POST", "/api/v1/projects/{id}/export-requests", true, CreateExport},
      {"GET", "/api/v1/export-requests", true, ListExports},
      {"GET", "/api/v1/export-requests/{rid}", true, ShowExport},
      {"PATCH", "/api/v1/export-requests/{rid}", true, ChangeExport},
      {"POST", "/api/v1/export-requests/{rid}/submit", true, SubmitExport},
      {"POST", "/api/v1/export-requests/{rid}/withdraw", true, WithdrawExport},
      {"POST", "/api/v1/export-requests/{rid}/reviews", true, ReviewExport},
      {"POST", "/api/v1/export-requests/{rid}/decisions", true, DecideExport},
      {"POST", "/api/v1/export-requests/{rid}/release", true, ReleaseExport},
      {"GET", "/api/v1/export-requests/{rid}/release", true, DownloadExport},
      {"GET", "/api/v1/register", true, ShowRegister},
      {"GET", "/api/v1/public/register", false, ShowPublicRegister},
      {"GET", "/api/v1/public/register/proofs/{n}", false, ShowRegisterProof},
      {"GET", "/api/v1/airlock-rules", true, ShowRules},
      {"POST", "/api/v1/airlock-rules/proposal", true, ProposeRules},
      {"POST", "/api/v1/airlock-rules/confirmation", true, ConfirmRules},
      {"GET", "/api/v1/audit/entries", true, AuditEntries},
      {"GET", "/api/v1/audit/entries/{n}/proof", true, AuditProof},
      {"GET", "/api/v1/audit/consistency", true, AuditConsistency},
      {"GET", "/api/v1/audit/verify", true, AuditVerify},
      {"GET", "/api/v1/audit/checkpoint", true, AuditCheckpoint},
      {"GET", "/api/v1/audit/log-key", true, AuditLogKey},
      {"GET", "/api/v1/audit/witnesses", true, AuditWitnesses},
      {"POST", "/api/v1/host/check", true, CheckHost},
      {"GET", "/api/v1/hosts", true, ListHosts},
      {"GET", "/api/v1/hosts/{name}", true, ShowHost},
      {"GET", "/api/v1/users", true, ListUsers},
      {"POST", "/api/v1/users", true, AddUser},
      {"POST", "/api/v1/users/{name}/roles", true, GrantRole},
      {"DELETE", "/api/v1/users/{name}/roles/{role}", true, RevokeRole},
      {"POST", "/api/v1/users/{name}/disable", true, DisableUser},
      {"POST", "/api/v1/users/{name}/enable", true, EnableUser},
      {"PUT", "/api/v1/users/{name}/password", true, SetPassword},
      {"POST", "/api/v1/users/{name}/tokens", true, IssueToken},
      {"GET", "/api/v1/tokens", true, ListTokens},
      {"DELETE", "/api/v1/tokens/{id}", true, RevokeToken},
  };
  return routes;
}

}  // namespace
}  // namespace http_api_internal

namespace {

using http_api_internal::Api;
using http_api_internal::Call;
using http_api_internal::Dump;
using http_api_internal::kIngestRoute;
using http_api_internal::Route;
using http_api_internal::Table;

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

// Matches `path` against `pattern`, filling `params` ({name} segments).
bool Match(std::string_view pattern, std::string_view path, std::map<std::string, std::string>& params) {
  const auto want = Split(pattern, '/');
  const auto got = Split(path, '/');
  if (want.size() != got.size()) return false;
  std::map<std::string, std::string> out;
  for (size_t i = 0; i < want.size(); ++i) {
    if (want[i].size() > 2 && want[i].front() == '{' && want[i].back() == '}') {
      auto value = PercentDecode(got[i], false);
      if (!value || value->empty()) return false;
      out.emplace(std::string(want[i].substr(1, want[i].size() - 2)), *value);
    } else if (want[i] != got[i]) {
      return false;
    }
  }
  params = std::move(out);
  return true;
}

// The query string's pairs, percent-decoded, into `query`.
Status ParseQuery(std::string_view text, std::map<std::string, std::string>& query) {
  for (std::string_view pair : Split(text, '&')) {
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    auto key = PercentDecode(pair.substr(0, eq), true);
    auto value = PercentDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1), true);
    if (!key || !value) return InvalidArgumentError("malformed query string");
    query.insert_or_assign(*key, *value);
  }
  return OkStatus();
}

// An admitted request's share of its account's limits, given back at the end.
class AdmissionHold {
 public:
  AdmissionHold(RequestAdmission& admission, std::string account)
      : admission_(admission), account_(std::move(account)) {}
  AdmissionHold(const AdmissionHold&) = delete;
  AdmissionHold& operator=(const AdmissionHold&) = delete;
  ~AdmissionHold() { admission_.Release(account_); }

 private:
  RequestAdmission& admission_;
  std::string account_;
};

// ?as=<role>: the role to act in, as the CLI's --as.
StatusOr<std::optional<directory::Role>> RequestedRole(const Call& call) {
  auto it = call.query.find("as");
  if (it == call.query.end()) return std::optional<directory::Role>();
  ASSIGN_OR_RETURN(directory::Role role, directory::ParseRole(it->second));
  return std::optional<directory::Role>(role);
}

// The context of the request's bearer token, acting in ?as=<role> if given.
StatusOr<service::RequestContext> AuthenticateBearer(service::Service& service, const Call& call) {
  const HttpRequest& request = call.request;
  constexpr std::string_view kBearer = "bearer ";  // the scheme is case-insensitive (RFC 9110)
  std::string_view auth = request.authorization;
  std::string scheme(auth.substr(0, kBearer.size()));
  for (char& ch : scheme) ch = char(std::tolower(static_cast<unsigned char>(ch)));
  if (auth.size() <= kBearer.size() || scheme != kBearer) {
    return UnauthenticatedError("no bearer token");
  }
  ASSIGN_OR_RETURN(std::optional<directory::Role> as, RequestedRole(call));
  return service.Authenticate(
      {.token = SecretBytes(AsBytes(auth.substr(kBearer.size()))), .request_id = request.request_id}, request.client,
      as);
}

}  // namespace

std::optional<std::string> PercentDecode(std::string_view in, bool plus_is_space) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%') {
      if (i + 2 >= in.size()) return std::nullopt;
      int v = 0;
      auto [p, ec] = std::from_chars(in.data() + i + 1, in.data() + i + 3, v, 16);
      if (ec != std::errc() || p != in.data() + i + 3) return std::nullopt;
      out.push_back(char(v));
      i += 2;
    } else if (in[i] == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(in[i]);
    }
  }
  return out;
}

StatusOr<std::map<std::string, std::string>> ParseQueryString(std::string_view text) {
  std::map<std::string, std::string> query;
  RETURN_IF_ERROR(ParseQuery(text, query));
  return query;
}

std::vector<RouteInfo> ApiRoutes() {
  std::vector<RouteInfo> out;
  for (const Route& r : Table()) out.push_back({r.method, r.pattern});
  return out;
}

bool IsUploadRoute(std::string_view method, std::string_view target) {
  std::map<std::string, std::string> params;
  return method == "POST" && Match(kIngestRoute, target.substr(0, target.find('?')), params);
}

// The one mapping of StatusCode to HTTP status and problem title.
HttpStatus HttpStatusOf(StatusCode code) {
  static const std::map<StatusCode, HttpStatus> kStatuses = {
      {StatusCode::kOk, {200, "OK"}},
      {StatusCode::kInvalidArgument, {400, "Bad Request"}},
      {StatusCode::kOutOfRange, {400, "Bad Request"}},
      {StatusCode::kUnauthenticated, {401, "Unauthorized"}},
      {StatusCode::kPermissionDenied, {403, "Forbidden"}},
      {StatusCode::kNotFound, {404, "Not Found"}},
      {StatusCode::kAlreadyExists, {409, "Conflict"}},
      {StatusCode::kFailedPrecondition, {409, "Conflict"}},
      {StatusCode::kAborted, {409, "Conflict"}},
      {StatusCode::kResourceExhausted, {429, "Too Many Requests"}},
      {StatusCode::kUnimplemented, {501, "Not Implemented"}},
      {StatusCode::kUnavailable, {503, "Service Unavailable"}},
      {StatusCode::kDeadlineExceeded, {504, "Gateway Timeout"}},
  };
  auto it = kStatuses.find(code);
  return it != kStatuses.end() ? it->second : HttpStatus{500, "Internal Server Error"};
}

unsigned HttpStatusFor(StatusCode code) { return HttpStatusOf(code).status; }

namespace {

HttpResponse MakeProblem(unsigned http_status, std::string_view title, std::string_view detail,
                         std::string_view request_id) {
  HttpResponse out{.status = http_status,
                   .content_type = "application/problem+json",
                   .body = Dump({{"type", "about:blank"},
                                 {"title", title},
                                 {"status", http_status},
                                 {"detail", detail},
                                 {"instance", "urn:hdhub:request:" + std::string(request_id)}})};
  if (http_status == 401) out.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"hdhub\"");
  return out;
}

}  // namespace

HttpResponse Problem(unsigned http_status, std::string_view detail, std::string_view request_id) {
  // The transport's own refusals, which no StatusCode names; else the title
  // the one mapping gives that status.
  std::string_view title = http_status == 405   ? "Method Not Allowed"
                           : http_status == 413 ? "Content Too Large"
                           : http_status == 431 ? "Request Header Fields Too Large"
                                                : "";
  for (StatusCode code :
       {StatusCode::kInvalidArgument, StatusCode::kUnauthenticated, StatusCode::kPermissionDenied,
        StatusCode::kNotFound, StatusCode::kAlreadyExists, StatusCode::kResourceExhausted, StatusCode::kUnimplemented,
        StatusCode::kUnavailable, StatusCode::kDeadlineExceeded, StatusCode::kInternal}) {
    if (title.empty() && HttpStatusOf(code).status == http_status) title = HttpStatusOf(code).title;
  }
  return MakeProblem(http_status, title.empty() ? "Error" : title, detail, request_id);
}

HttpResponse ProblemFor(const Status& status, std::string_view request_id) {
  const HttpStatus http = HttpStatusOf(status.code());
  if (http.status == 401) {  // one answer for all
    return MakeProblem(http.status, http.title, "a valid bearer token or session is required", request_id);
  }
  if (http.status >= 500) {
    return MakeProblem(http.status, http.title,
                       "the request could not be completed; quote the request id to an operator", request_id);
  }
  return MakeProblem(http.status, http.title, status.message(), request_id);
}

std::string NewRequestId() {
  auto bytes = crypto::RandomBytes(8);
  if (!bytes.ok()) return "0000000000000000";
  return HexEncode(*bytes);
}

HttpApi::HttpApi(service::Service& service, std::string openapi_json, const QueryLimits& limits)
    : service_(service), openapi_json_(std::move(openapi_json)), limits_(limits) {}

StatusOr<std::filesystem::path> HttpApi::NewUploadFile() {
  ASSIGN_OR_RETURN(std::string scratch, service_.ScratchFolder());
  ASSIGN_OR_RETURN(Bytes id, crypto::RandomBytes(8));
  return std::filesystem::path(scratch) / ("upload-" + HexEncode(id));
}

HttpResponse HttpApi::Handle(const HttpRequest& request, RequestAdmission* admission) {
  // Every audit event of this request carries its id.
  audit::RequestIdScope request_scope(request.request_id);
  const std::string_view target = request.target;
  const size_t q = target.find('?');
  const std::string_view path = target.substr(0, q);
  // Single sign-on's browser routes (sso.h), outside the API.
  if (path == "/auth" || path.starts_with("/auth/")) {
    if (sessions_ == nullptr) return ProblemFor(NotFoundError("no such resource"), request.request_id);
    return sessions_->HandleAuth(request);
  }
  Call call{.request = request};
  if (q != std::string_view::npos) {
    if (Status parsed = ParseQuery(target.substr(q + 1), call.query); !parsed.ok()) {
      return ProblemFor(parsed, request.request_id);
    }
  }
  const Route* found = nullptr;
  bool path_known = false;
  for (const Route& r : Table()) {
    std::map<std::string, std::string> params;
    if (!Match(r.pattern, path, params)) continue;
    path_known = true;
    if (r.method == request.method) {
      found = &r;
      call.params = std::move(params);
      break;
    }
  }
  if (found == nullptr) {
    if (path_known) return Problem(405, "method not allowed on this resource", request.request_id);
    return ProblemFor(NotFoundError("no such resource"), request.request_id);
  }
  if (found->pattern == "/api/v1/openapi.json") return HttpResponse{.body = openapi_json_};
  if (found->pattern == "/api/v1/session") {
    if (sessions_ == nullptr) return ProblemFor(NotFoundError("single sign-on is not configured"), request.request_id);
    return sessions_->ShowSession(request);
  }
  std::optional<service::RequestContext> ctx;
  if (found->authenticated && request.authorization.empty() && sessions_ != nullptr &&
      sessions_->HasSessionCookie(request)) {
    // A browser's session cookie, when no Authorization header is given.
    StatusOr<std::optional<directory::Role>> as = RequestedRole(call);
    if (!as.ok()) return ProblemFor(as.status(), request.request_id);
    HttpResponse refusal;
    ctx = sessions_->Authenticate(request, *as, refusal);
    if (!ctx) return refusal;
    call.ctx = &*ctx;
  } else if (found->authenticated) {
    auto authenticated = AuthenticateBearer(service_, call);
    if (!authenticated.ok()) return ProblemFor(authenticated.status(), request.request_id);
    ctx.emplace(std::move(*authenticated));
    call.ctx = &*ctx;
  }
  // The account's limits, once it is known; its share is given back when
  // the handler returns, a streamed answer sent.
  std::optional<AdmissionHold> hold;
  if (admission != nullptr && ctx) {
    const std::string& account = ctx->principal().user;
    if (Status admitted = admission->Admit(account, request); !admitted.ok()) {
      HttpResponse refused = ProblemFor(admitted, request.request_id);
      if (refused.status == HttpStatusFor(StatusCode::kResourceExhausted)) {
        refused.headers.emplace_back("Retry-After", "1");
      }
      return refused;
    }
    hold.emplace(*admission, account);
  }
  Api api{.service = service_, .limits = limits_, .session_limits = SessionLimitsOf(limits_)};
  StatusOr<HttpResponse> out = found->handler(api, call);
  if (!out.ok()) return ProblemFor(out.status(), request.request_id);
  return std::move(*out);
}

std::string_view BuiltinOpenApiJson() { return kOpenApiJson; }

}  // namespace hdhub::server

#include "hdhub/server/http_api.h"

#include <charconv>
#include <cmath>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "hdhub/common/bytes.h"
#include "hdhub/common/clock.h"
#include "hdhub/crypto/random.h"
#include "hdhub/server/openapi_json.h"

namespace hdhub::server {

namespace {

using nlohmann::json;

constexpr size_t kDefaultLimit = 100;
constexpr size_t kMaxLimit = 1000;

// What a handler sees: the request, its path parameters and query, and the
// authenticated context (none for the routes without authentication).
struct Call {
  const HttpRequest& request;
  std::map<std::string, std::string> params;
  std::map<std::string, std::string> query;
  const service::RequestContext* ctx = nullptr;
};

using Handler = std::function<StatusOr<HttpResponse>(service::Service&, const Call&)>;

struct Route {
  std::string_view method;
  std::string_view pattern;
  bool authenticated;
  Handler handler;
};

HttpResponse Json(const json& body, unsigned status = 200) {
  return {.status = status, .body = body.dump(-1, ' ', false, json::error_handler_t::replace)};
}

std::string Time(TimePoint t) { return FormatRfc3339(t); }

// Percent-decoding of a path segment or query value; nullopt when malformed.
std::optional<std::string> Decode(std::string_view in, bool plus_is_space) {
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
      auto value = Decode(got[i], false);
      if (!value || value->empty()) return false;
      out.emplace(std::string(want[i].substr(1, want[i].size() - 2)), *value);
    } else if (want[i] != got[i]) {
      return false;
    }
  }
  params = std::move(out);
  return true;
}

StatusOr<uint64_t> Unsigned(std::string_view text, std::string_view what) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size()) {
    return InvalidArgumentError(std::string(what) + " must be a whole number");
  }
  return v;
}

// ?limit=&cursor=: the slice of `items` to answer, and the next cursor.
// The cursor is the hex of "o:<offset>": opaque to clients, checked here.
StatusOr<json> Page(const Call& call, std::vector<json> items) {
  size_t limit = kDefaultLimit, offset = 0;
  if (auto it = call.query.find("limit"); it != call.query.end()) {
    ASSIGN_OR_RETURN(uint64_t v, Unsigned(it->second, "limit"));
    if (v == 0 || v > kMaxLimit) return InvalidArgumentError("limit must be between 1 and 1000");
    limit = v;
  }
  if (auto it = call.query.find("cursor"); it != call.query.end()) {
    auto raw = HexDecode(it->second);
    const std::string text = raw.ok() ? std::string(raw->begin(), raw->end()) : "";
    if (!raw.ok() || text.rfind("o:", 0) != 0) return InvalidArgumentError("cursor is not valid");
    ASSIGN_OR_RETURN(uint64_t v, Unsigned(std::string_view(text).substr(2), "cursor"));
    if (v > items.size()) return InvalidArgumentError("cursor is not valid");
    offset = v;
  }
  const size_t end = std::min(items.size(), offset + limit);
  json page = json::array();
  for (size_t i = offset; i < end; ++i) page.push_back(std::move(items[i]));
  json next = nullptr;
  if (end < items.size()) next = HexEncode(AsBytes("o:" + std::to_string(end)));
  return json{{"items", std::move(page)}, {"next", next}};
}

StatusOr<json> Body(const Call& call) {
  json body = json::parse(call.request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) return InvalidArgumentError("the body must be a JSON object");
  return body;
}

StatusOr<std::string> StringField(const json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || !it->is_string()) return InvalidArgumentError(std::string(name) + " must be a string");
  return it->get<std::string>();
}

json RolesJson(const std::vector<directory::Role>& roles) {
  json out = json::array();
  for (directory::Role r : roles) out.push_back(std::string(directory::RoleName(r)));
  return out;
}

json ProjectJson(const projects::ProjectRecord& p, TimePoint now) {
  return {{"id", p.spec.id},
          {"authorisation_ref", p.spec.authorisation_ref},
          {"purpose", p.spec.purpose},
          {"members", p.spec.members},
          {"start", Time(p.spec.start)},
          {"end", Time(p.spec.end)},
          {"state", std::string(projects::ProjectStateName(p.state))},
          {"phase", std::string(projects::PhaseName(p.PhaseAt(now)))},
          {"scope_version", p.scope_version},
          {"approvers", p.approvers},
          {"created_by", p.created_by},
          {"created_at", Time(p.created_at)}};
}

json VersionJson(const catalog::VersionRecord& v) {
  json out = {{"dataset", v.dataset},
              {"version", v.version},
              {"state", std::string(catalog::VersionStateName(v.state))},
              {"created_at", Time(v.created_at)},
              {"source_digest", v.source_digest}};
  out["row_count"] = v.row_count ? json(*v.row_count) : json(nullptr);
  out["committed_at"] = v.committed_at ? json(Time(*v.committed_at)) : json(nullptr);
  json schema = json::parse(v.schema_json, nullptr, false);
  out["schema"] = schema.is_discarded() ? json(nullptr) : schema;
  return out;
}

json CellJson(const sql::Cell& cell) {
  if (cell.is_null()) return nullptr;
  const sql::Value& v = cell.value();
  if (const bool* b = std::get_if<bool>(&v)) return *b;
  if (const int64_t* i = std::get_if<int64_t>(&v)) return *i;
  if (const double* d = std::get_if<double>(&v); d != nullptr && std::isfinite(*d)) return *d;
  return *cell.text();
}

std::string CsvField(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string HashHex(const audit::Hash& h) { return HexEncode(ByteSpan(h.data(), h.size())); }

// ---- handlers, in the order of the route table ----

StatusOr<HttpResponse> Me(service::Service&, const Call& c) {
  return Json({{"user", c.ctx->principal().user}, {"roles", RolesJson(c.ctx->principal().roles)}});
}

StatusOr<HttpResponse> ListCatalog(service::Service& s, const Call& c) {
  ASSIGN_OR_RETURN(auto lines, s.ListCatalog(*c.ctx, c.query.count("unfinished") > 0));
  std::vector<json> items;
  for (const auto& l : lines) {
    json v = VersionJson(l.version);
    v["objects"] = l.objects;
    items.push_back(std::move(v));
  }
  ASSIGN_OR_RETURN(json page, Page(c, std::move(items)));
  return Json(page);
}

StatusOr<HttpResponse> ShowDataset(service::Service& s, const Call& c) {
  int64_t version = 0;
  if (auto it = c.query.find("version"); it != c.query.end()) {
    ASSIGN_OR_RETURN(uint64_t v, Unsigned(it->second, "version"));
    if (v == 0 || v > uint64_t(INT64_MAX)) return InvalidArgumentError("version must be positive");
    version = int64_t(v);
  }
  ASSIGN_OR_RETURN(auto shown, s.ShowVersion(*c.ctx, c.params.at("dataset"), version));
  json out = VersionJson(shown.version);
  out["objects"] = shown.objects.size();
  return Json(out);
}

StatusOr<HttpResponse> ListProjects(service::Service& s, const Call& c) {
  ASSIGN_OR_RETURN(auto projects, s.ListProjects(*c.ctx));
  std::vector<json> items;
  for (const auto& p : projects) items.push_back(ProjectJson(p, s.clock().Now()));
  ASSIGN_OR_RETURN(json page, Page(c, std::move(items)));
  return Json(page);
}

StatusOr<HttpResponse> ShowProject(service::Service& s, const Call& c) {
  ASSIGN_OR_RETURN(auto view, s.ShowProject(*c.ctx, c.params.at("id")));
  json out = ProjectJson(view.project, s.clock().Now());
  json workspaces = json::array();
  for (const auto& w : view.workspaces) {
    workspaces.push_back({{"build", w.build},
                          {"state", std::string(projects::WorkspaceStateName(w.state))},
                          {"built_by", w.built_by},
                          {"built_at", Time(w.built_at)}});
  }
  out["workspaces"] = std::move(workspaces);
  return Json(out);
}

StatusOr<HttpResponse> Approve(service::Service& s, const Call& c) {
  ASSIGN_OR_RETURN(auto state, s.ApproveProject(*c.ctx, c.params.at("id")));
  return Json({{"id", c.params.at("id")}, {"state", std::string(projects::ProjectStateName(state))}});
}

StatusOr<HttpResponse> Build(service::Service& s, const Call& c) {
  ASSIGN_OR_RETURN(auto built, s.BuildWorkspace(*c.ctx, c.params.at("id")));
  return Json({{"build", built.build}, {"rows", built.rows}}, 201);
}

// The rows of every statement: NDJSON (a {"columns": [...]} line, then one
// object per row) or CSV (a header line, then the rows), by Accept.
StatusOr<HttpResponse> Query(service::Service& s, const Call& c) {
  ASSIGN_OR_RETURN(json body, Body(c));
  ASSIGN_OR_RETURN(std::string sql_text, StringField(body, "sql"));
  const bool csv = c.request.accept.find("text/csv") != std::string::npos;
  std::string out;
  auto sink = [&](const service::StatementResult& r) -> Status {
    const auto& names = r.result.column_names;
    if (csv) {
      for (size_t i = 0; i < names.size(); ++i) out += (i ? "," : "") + CsvField(names[i]);
      out += "\r\n";
      for (const auto& row : r.result.rows) {
        for (size_t i = 0; i < row.size(); ++i) out += (i ? "," : "") + CsvField(row[i].value_or(""));
        out += "\r\n";
      }
      return OkStatus();
    }
    out += json({{"statement", r.index + 1}, {"columns", names}, {"types", r.result.column_types}})
               .dump(-1, ' ', false, json::error_handler_t::replace) +
           "\n";
    for (const auto& row : r.result.rows) {
      json line = json::object();
      for (size_t i = 0; i < row.size() && i < names.size(); ++i) line[names[i]] = CellJson(row[i]);
      out += line.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
    }
    return OkStatus();
  };
  RETURN_IF_ERROR(s.QueryProject(*c.ctx, c.params.at("id"), sql_text, projects::SessionLimits{}, sink));
  return HttpResponse{.content_type = csv ? "text/csv; charset=utf-8" : "application/x-ndjson", .body = std::move(out)};
}

StatusOr<HttpResponse> AuditEntries(service::Service& s, const Call& c) {
  audit::EntryFilter filter;
  for (const char* key : {"actor", "action", "project"}) {
    auto it = c.query.find(key);
    if (it == c.query.end()) continue;
    if (std::string_view(key) == "actor") filter.actor = it->second;
    if (std::string_view(key) == "action") filter.action = it->second;
    if (std::string_view(key) == "project") filter.project = it->second;
  }
  for (const char* key : {"since", "until"}) {
    auto it = c.query.find(key);
    if (it == c.query.end()) continue;
    auto t = ParseRfc3339(it->second);
    if (!t.ok()) return InvalidArgumentError(std::string(key) + " must be an RFC 3339 time");
    (std::string_view(key) == "since" ? filter.since : filter.until) = *t;
  }
  ASSIGN_OR_RETURN(auto raw, s.AuditEntries(*c.ctx, filter));
  std::vector<json> items;
  for (const auto& e : audit::EntriesToJson(raw)) items.push_back(e);
  ASSIGN_OR_RETURN(json page, Page(c, std::move(items)));
  return Json(page);
}

StatusOr<HttpResponse> AuditProof(service::Service& s, const Call& c) {
  ASSIGN_OR_RETURN(uint64_t index, Unsigned(c.params.at("n"), "entry"));
  uint64_t size = 0;
  if (auto it = c.query.find("size"); it != c.query.end()) {
    ASSIGN_OR_RETURN(size, Unsigned(it->second, "size"));
  }
  ASSIGN_OR_RETURN(auto proof, s.ProveInclusion(*c.ctx, index, size));
  json path = json::array();
  for (const auto& h : proof.proof) path.push_back(HashHex(h));
  return Json({{"index", proof.index},
               {"size", proof.size},
               {"leaf_hash", HashHex(proof.leaf_hash)},
               {"root", HashHex(proof.root)},
               {"proof", path}});
}

StatusOr<HttpResponse> AuditCheckpoint(service::Service& s, const Call& c) {
  ASSIGN_OR_RETURN(std::string checkpoint, s.AuditCheckpoint(*c.ctx));
  return Json({{"checkpoint", checkpoint}});
}

StatusOr<HttpResponse> ListUsers(service::Service& s, const Call& c) {
  ASSIGN_OR_RETURN(auto users, s.ListUsers(*c.ctx));
  std::vector<json> items;
  for (const auto& u : users) {
    items.push_back({{"name", u.name},
                     {"roles", RolesJson(u.roles)},
                     {"state", std::string(directory::UserStateName(u.state))},
                     {"created_at", Time(u.created_at)}});
  }
  ASSIGN_OR_RETURN(json page, Page(c, std::move(items)));
  return Json(page);
}

StatusOr<HttpResponse> AddUser(service::Service& s, const Call& c) {
  ASSIGN_OR_RETURN(json body, Body(c));
  ASSIGN_OR_RETURN(std::string name, StringField(body, "name"));
  ASSIGN_OR_RETURN(std::string password, StringField(body, "password"));
  auto roles_it = body.find("roles");
  if (roles_it == body.end() || !roles_it->is_array()) return InvalidArgumentError("roles must be a list of names");
  std::vector<directory::Role> roles;
  for (const json& r : *roles_it) {
    if (!r.is_string()) return InvalidArgumentError("roles must be a list of names");
    ASSIGN_OR_RETURN(directory::Role role, directory::ParseRole(r.get<std::string>()));
    roles.push_back(role);
  }
  RETURN_IF_ERROR(s.AddUser(*c.ctx, name, roles, SecretBytes(AsBytes(password))));
  return Json({{"name", name}, {"roles", RolesJson(roles)}}, 201);
}

StatusOr<HttpResponse> IssueToken(service::Service& s, const Call& c) {
  ASSIGN_OR_RETURN(json body, Body(c));
  int64_t ttl_seconds = 24 * 3600;
  if (auto it = body.find("ttl_seconds"); it != body.end()) {
    if (!it->is_number_integer() || it->get<int64_t>() <= 0 || it->get<int64_t>() > 366LL * 24 * 3600) {
      return InvalidArgumentError("ttl_seconds must be between 1 and a year");
    }
    ttl_seconds = it->get<int64_t>();
  }
  std::string label;
  if (body.contains("label")) {
    ASSIGN_OR_RETURN(label, StringField(body, "label"));
  }
  ASSIGN_OR_RETURN(auto issued, s.IssueToken(*c.ctx, c.params.at("name"), std::chrono::seconds(ttl_seconds), label));
  const ByteSpan token = issued.token.span();
  return Json(
      {{"id", issued.id}, {"token", std::string(token.begin(), token.end())}, {"expires_at", Time(issued.expires_at)}},
      201);
}

StatusOr<HttpResponse> RevokeToken(service::Service& s, const Call& c) {
  RETURN_IF_ERROR(s.RevokeToken(*c.ctx, c.params.at("id")));
  return HttpResponse{.status = 204, .content_type = "", .body = ""};
}

const std::vector<Route>& Table() {
  static const std::vector<Route> routes = {
      {"GET", "/api/v1/health", false,
       [](service::Service&, const Call&) -> StatusOr<HttpResponse> {
         return Json({{"status", "ok"}});
       }},
      {"GET", "/api/v1/openapi.json", false, nullptr},  // served by HttpApi::Handle
      {"GET", "/api/v1/me", true, Me},
      {"GET", "/api/v1/catalog", true, ListCatalog},
      {"GET", "/api/v1/catalog/{dataset}", true, ShowDataset},
      {"GET", "/api/v1/projects", true, ListProjects},
      {"GET", "/api/v1/projects/{id}", true, ShowProject},
      {"POST", "/api/v1/projects/{id}/approvals", true, Approve},
      {"POST", "/api/v1/projects/{id}/workspaces", true, Build},
      {"POST", "/api/v1/projects/{id}/queries", true, Query},
      {"GET", "/api/v1/audit/entries", true, AuditEntries},
      {"GET", "/api/v1/audit/entries/{n}/proof", true, AuditProof},
      {"GET", "/api/v1/audit/checkpoint", true, AuditCheckpoint},
      {"GET", "/api/v1/users", true, ListUsers},
      {"POST", "/api/v1/users", true, AddUser},
      {"POST", "/api/v1/users/{name}/tokens", true, IssueToken},
      {"DELETE", "/api/v1/tokens/{id}", true, RevokeToken},
  };
  return routes;
}

}  // namespace

std::vector<RouteInfo> ApiRoutes() {
  std::vector<RouteInfo> out;
  for (const Route& r : Table()) out.push_back({r.method, r.pattern});
  return out;
}

unsigned HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
    case StatusCode::kOutOfRange:
      return 400;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kAborted:
      return 409;
    case StatusCode::kResourceExhausted:
      return 429;
    case StatusCode::kUnimplemented:
      return 501;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kDeadlineExceeded:
      return 504;
    default:
      return 500;
  }
}

HttpResponse Problem(unsigned http_status, std::string_view detail, std::string_view request_id) {
  static const std::map<unsigned, std::string_view> kTitles = {
      {400, "Bad Request"},       {401, "Unauthorized"},        {403, "Forbidden"},
      {404, "Not Found"},         {405, "Method Not Allowed"},  {409, "Conflict"},
      {413, "Content Too Large"}, {429, "Too Many Requests"},   {500, "Internal Server Error"},
      {501, "Not Implemented"},   {503, "Service Unavailable"}, {504, "Gateway Timeout"}};
  auto title = kTitles.count(http_status) ? kTitles.at(http_status) : std::string_view("Error");
  HttpResponse out{.status = http_status,
                   .content_type = "application/problem+json",
                   .body = json({{"type", "about:blank"},
                                 {"title", title},
                                 {"status", http_status},
                                 {"detail", detail},
                                 {"instance", "urn:hdhub:request:" + std::string(request_id)}})
                               .dump(-1, ' ', false, json::error_handler_t::replace)};
  if (http_status == 401) out.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"hdhub\"");
  return out;
}

HttpResponse ProblemFor(const Status& status, std::string_view request_id) {
  const unsigned code = HttpStatusFor(status.code());
  if (code == 401) return Problem(code, "a valid bearer token is required", request_id);  // one answer for all
  if (code >= 500) {
    return Problem(code, "the request could not be completed; quote the request id to an operator", request_id);
  }
  return Problem(code, status.message(), request_id);
}

std::string NewRequestId() {
  auto bytes = crypto::RandomBytes(8);
  if (!bytes.ok()) return "0000000000000000";
  return HexEncode(*bytes);
}

HttpApi::HttpApi(service::Service& service, std::string openapi_json)
    : service_(service), openapi_json_(std::move(openapi_json)) {}

HttpResponse HttpApi::Handle(const HttpRequest& request) {
  const std::string_view target = request.target;
  const size_t q = target.find('?');
  const std::string_view path = target.substr(0, q);
  Call call{.request = request};
  if (q != std::string_view::npos) {
    for (std::string_view pair : Split(target.substr(q + 1), '&')) {
      if (pair.empty()) continue;
      const size_t eq = pair.find('=');
      auto key = Decode(pair.substr(0, eq), true);
      auto value = Decode(eq == std::string_view::npos ? "" : pair.substr(eq + 1), true);
      if (!key || !value) return ProblemFor(InvalidArgumentError("malformed query string"), request.request_id);
      call.query.insert_or_assign(*key, *value);
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
  std::optional<service::RequestContext> ctx;
  if (found->authenticated) {
    constexpr std::string_view kBearer = "bearer ";  // the scheme is case-insensitive (RFC 9110)
    std::string_view auth = request.authorization;
    std::string scheme(auth.substr(0, kBearer.size()));
    for (char& ch : scheme) ch = char(std::tolower(static_cast<unsigned char>(ch)));
    if (auth.size() <= kBearer.size() || scheme != kBearer) {
      return ProblemFor(UnauthenticatedError("no bearer token"), request.request_id);
    }
    auto authenticated =
        service_.Authenticate({.token = SecretBytes(AsBytes(auth.substr(kBearer.size())))}, request.client);
    if (!authenticated.ok()) return ProblemFor(authenticated.status(), request.request_id);
    ctx.emplace(std::move(*authenticated));
    call.ctx = &*ctx;
  }
  StatusOr<HttpResponse> out = found->handler(service_, call);
  if (!out.ok()) return ProblemFor(out.status(), request.request_id);
  return std::move(*out);
}

std::string_view BuiltinOpenApiJson() { return kOpenApiJson; }

}  // namespace hdhub::server

#include "hdhub/server/http_api.h"

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "hdhub/audit/merkle.h"
#include "hdhub/audit/request_scope.h"
#include "hdhub/common/bytes.h"
#include "hdhub/common/clock.h"
#include "hdhub/crypto/random.h"
#include "hdhub/hosts/host_json.h"
#include "hdhub/ingest/opt_out.h"
#include "hdhub/server/multipart.h"
#include "hdhub/server/openapi_json.h"
#include "hdhub/server/service_backend.h"

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

// What handlers share: the service and the limits of queries.
struct Api {
  service::Service& service;
  const QueryLimits& limits;
  projects::SessionLimits session_limits;
};

using Handler = std::function<StatusOr<HttpResponse>(Api&, const Call&)>;

struct Route {
  std::string_view method;
  std::string_view pattern;
  bool authenticated;
  Handler handler;
};

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

HttpResponse Json(const json& body, unsigned status = 200) { return {.status = status, .body = Dump(body)}; }

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

json RolesJson(const std::vector<directory::Role>& roles) { return directory::RoleNames(roles); }

StatusOr<std::string> StringParam(const Call& call, const char* name) {
  auto it = call.query.find(name);
  if (it == call.query.end() || it->second.empty()) return InvalidArgumentError(std::string(name) + " is required");
  return it->second;
}

// A flag of the query string: absent false; present empty, "true" or "1" true.
StatusOr<bool> Flag(const Call& call, const char* name) {
  auto it = call.query.find(name);
  if (it == call.query.end() || it->second == "false" || it->second == "0") return false;
  if (it->second.empty() || it->second == "true" || it->second == "1") return true;
  return InvalidArgumentError(std::string(name) + " must be true or false");
}

StatusOr<int64_t> PositiveParam(std::string_view text, std::string_view what) {
  ASSIGN_OR_RETURN(uint64_t v, Unsigned(text, what));
  if (v == 0 || v > uint64_t(INT64_MAX)) return InvalidArgumentError(std::string(what) + " must be positive");
  return int64_t(v);
}

StatusOr<std::vector<std::string>> StringList(const json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || !it->is_array()) return InvalidArgumentError(std::string(name) + " must be a list of names");
  std::vector<std::string> out;
  for (const json& v : *it) {
    if (!v.is_string()) return InvalidArgumentError(std::string(name) + " must be a list of names");
    out.push_back(v.get<std::string>());
  }
  return out;
}

StatusOr<projects::ProjectScope> ScopeField(const json& body) {
  auto it = body.find("scope");
  if (it == body.end() || !it->is_object()) return InvalidArgumentError("scope must be a JSON object");
  return projects::ProjectScope::Parse(it->dump());
}

StatusOr<TimePoint> TimeField(const json& body, const char* name) {
  ASSIGN_OR_RETURN(std::string text, StringField(body, name));
  auto t = ParseRfc3339(text);
  if (!t.ok()) return InvalidArgumentError(std::string(name) + " must be an RFC 3339 time or YYYY-MM-DD");
  return *t;
}

// As `project show --json` (cli/project_commands.cc), and created_at.
json ProjectJson(const projects::ProjectRecord& p, TimePoint now) {
  return {{"id", p.spec.id},
          {"authorisation", p.spec.authorisation_ref},
          {"purpose", p.spec.purpose},
          {"state", std::string(projects::ProjectStateName(p.state))},
          {"phase", std::string(projects::PhaseName(p.PhaseAt(now)))},
          {"scope", json::parse(p.spec.scope.ToJson(), nullptr, false)},
          {"scope_version", p.scope_version},
          {"approvers", p.approvers},
          {"members", p.spec.members},
          {"start", Time(p.spec.start)},
          {"end", Time(p.spec.end)},
          {"thresholds", json::parse(p.spec.thresholds.ToJson(), nullptr, false)},
          {"created_by", p.created_by},
          {"created_at", Time(p.created_at)},
          {"keys_destroyed", p.wrapped_pseudonym_key.empty()}};
}

json Changed(const std::string& project, std::string_view state) {
  return {{"project", project}, {"state", std::string(state)}};
}

// Field names as `catalog show --json`.
json VersionJson(const catalog::VersionRecord& v) {
  json out = {{"dataset", v.dataset},
              {"version", v.version},
              {"state", std::string(catalog::VersionStateName(v.state))},
              {"created", Time(v.created_at)},
              {"source_sha256", v.source_digest},
              {"reference", ingest::IsReferenceVersion(v)}};
  out["rows"] = v.row_count ? json(*v.row_count) : json(nullptr);
  out["committed_at"] = v.committed_at ? json(Time(*v.committed_at)) : json(nullptr);
  json schema = json::parse(v.schema_json, nullptr, false);
  out["schema"] = schema.is_discarded() ? json(nullptr) : schema;
  return out;
}

// A cell as the CLI's --json gives it: numbers when a double holds them
// exactly, else their text; NULL as null.
json CellJson(const sql::Cell& cell) {
  constexpr int64_t kMaxExact = int64_t(1) << 53;
  if (cell.is_null()) return nullptr;
  const sql::Value& v = cell.value();
  if (const bool* b = std::get_if<bool>(&v)) return *b;
  if (const int64_t* i = std::get_if<int64_t>(&v); i != nullptr && *i >= -kMaxExact && *i <= kMaxExact) return *i;
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

// A streamed answer's body: pieces gathered into blocks of kChunkBytes, each
// handed to the request's stream (the head before the first), or kept whole
// when the request has no stream.
class BodyWriter {
 public:
  static constexpr size_t kChunkBytes = 64 << 10;
  BodyWriter(const HttpRequest& request, std::string content_type)
      : request_(request), content_type_(std::move(content_type)) {}

  Status Add(std::string_view bytes) {
    buffer_ += bytes;
    return buffer_.size() >= kChunkBytes ? Flush() : OkStatus();
  }

  // The answer once the producer ended with `result`: a problem while
  // nothing was sent; after the first byte, an NDJSON error line and a cut.
  StatusOr<HttpResponse> Finish(const Status& result, bool ndjson) {
    if (!result.ok()) {
      if (!begun_) return result;
      if (ndjson) {
        const HttpResponse problem = ProblemFor(result, request_.request_id);
        json error = json::parse(problem.body, nullptr, false);
        if (error.is_object()) error.erase("type");
        (void)request_.stream->Write(Dump({{"error", error}}) + "\n");
      }
      return HttpResponse{.streamed = true, .cut = true};
    }
    if (request_.stream == nullptr) return HttpResponse{.content_type = content_type_, .body = std::move(buffer_)};
    RETURN_IF_ERROR(Flush());
    return HttpResponse{.content_type = content_type_, .streamed = true};
  }

 private:
  Status Flush() {
    if (request_.stream == nullptr) return OkStatus();
    if (!begun_) {
      RETURN_IF_ERROR(request_.stream->Begin(HttpResponse{.content_type = content_type_}));
      begun_ = true;
    }
    if (buffer_.empty()) return OkStatus();
    Status written = request_.stream->Write(buffer_);
    buffer_.clear();
    return written;
  }

  const HttpRequest& request_;
  std::string content_type_;
  std::string buffer_;
  bool begun_ = false;
};

// Each statement's result, streamed: NDJSON (a header line with the
// statement's number and columns, then one array per row) or CSV (a header
// line, then the rows), by Accept.
using QueryRun = std::function<Status(const service::ResultSink&)>;
StatusOr<HttpResponse> StreamResults(const Call& c, const QueryRun& run) {
  const bool csv = c.request.accept.find("text/csv") != std::string::npos;
  BodyWriter out(c.request, csv ? "text/csv; charset=utf-8" : "application/x-ndjson");
  std::string line;
  auto sink = [&](const service::StatementResult& r) -> Status {
    const auto& names = r.result.column_names;
    line.clear();
    if (csv) {
      for (size_t i = 0; i < names.size(); ++i) line += (i ? "," : "") + CsvField(names[i]);
      RETURN_IF_ERROR(out.Add(line + "\r\n"));
      for (const auto& row : r.result.rows) {
        line.clear();
        for (size_t i = 0; i < row.size(); ++i) line += (i ? "," : "") + CsvField(row[i].value_or(""));
        line += "\r\n";
        RETURN_IF_ERROR(out.Add(line));
      }
      return OkStatus();
    }
    json columns = json::array();
    for (size_t i = 0; i < names.size(); ++i) {
      columns.push_back(
          {{"name", names[i]}, {"type", i < r.result.column_types.size() ? r.result.column_types[i] : ""}});
    }
    RETURN_IF_ERROR(out.Add(Dump({{"statement", r.index + 1}, {"of", r.count}, {"columns", columns}}) + "\n"));
    for (const auto& row : r.result.rows) {
      json cells = json::array();
      for (const sql::Cell& cell : row) cells.push_back(CellJson(cell));
      RETURN_IF_ERROR(out.Add(Dump(cells) + "\n"));
    }
    return OkStatus();
  };
  return out.Finish(run(sink), !csv);
}

// ---- handlers, in the order of the route table ----

StatusOr<HttpResponse> Me(Api&, const Call& c) {
  return Json({{"user", c.ctx->principal().user}, {"roles", RolesJson(c.ctx->principal().roles)}});
}

StatusOr<HttpResponse> ListCatalog(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(auto lines, a.service.ListCatalog(*c.ctx, c.query.count("unfinished") > 0));
  std::vector<json> items;
  for (const auto& l : lines) {
    json v = VersionJson(l.version);
    v["objects"] = l.objects;
    items.push_back(std::move(v));
  }
  ASSIGN_OR_RETURN(json page, Page(c, std::move(items)));
  return Json(page);
}

StatusOr<HttpResponse> ShowDataset(Api& a, const Call& c) {
  int64_t version = 0;
  if (auto it = c.query.find("version"); it != c.query.end()) {
    ASSIGN_OR_RETURN(version, PositiveParam(it->second, "version"));
  }
  ASSIGN_OR_RETURN(auto shown, a.service.ShowVersion(*c.ctx, c.params.at("dataset"), version));
  json out = VersionJson(shown.version);
  out["objects"] = shown.objects.size();
  return Json(out);
}

// The upload's parts, in a folder of the scratch area removed on return.
class UploadFolder {
 public:
  static StatusOr<std::unique_ptr<UploadFolder>> Create(service::Service& s, const std::string& request_id) {
    ASSIGN_OR_RETURN(std::string scratch, s.ScratchFolder());
    std::filesystem::path path = std::filesystem::path(scratch) / ("upload-" + request_id + "-parts");
    std::error_code ec;
    if (!std::filesystem::create_directory(path, ec) || ec) {
      return InternalError("cannot make a folder for an upload in the scratch area");
    }
    return std::unique_ptr<UploadFolder>(new UploadFolder(std::move(path)));
  }
  ~UploadFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  explicit UploadFolder(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

StatusOr<std::string> ReadSmallFile(const std::filesystem::path& path, size_t limit, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  std::string out;
  out.resize(limit + 1);
  in.read(out.data(), std::streamsize(out.size()));
  out.resize(size_t(in.gcount()));
  if (out.size() > limit)
    return InvalidArgumentError(std::string(what) + " is over " + std::to_string(limit) + " bytes");
  return out;
}

StatusOr<HttpResponse> Ingest(Api& a, const Call& c) {
  constexpr size_t kMaxSchemaBytes = 4 << 20;
  if (c.request.body_file.empty()) {
    return InvalidArgumentError("the upload must be multipart/form-data, with a part named data");
  }
  ASSIGN_OR_RETURN(auto folder, UploadFolder::Create(a.service, c.request.request_id));
  ASSIGN_OR_RETURN(auto parts,
                   SplitMultipart(c.request.body_file, c.request.content_type, folder->path(), {"data", "schema"}));
  if (!parts.contains("data")) return InvalidArgumentError("the upload has no part named data (the CSV)");
  ingest::IngestRequest req;
  req.dataset = c.params.at("dataset");
  req.csv_path = parts.at("data").string();
  if (parts.contains("schema")) {
    ASSIGN_OR_RETURN(req.schema_text, ReadSmallFile(parts.at("schema"), kMaxSchemaBytes, "the schema part"));
    if (req.schema_text.empty()) return InvalidArgumentError("the schema part is empty");
  } else if (req.dataset == ingest::kOptOutDataset || req.dataset == ingest::kOptOutWithdrawalDataset) {
    req.schema_text = std::string(ingest::kOptOutSchemaJson);
  } else {
    return InvalidArgumentError("the upload has no part named schema (Table Schema JSON)");
  }
  ASSIGN_OR_RETURN(req.reference, Flag(c, "reference"));
  ASSIGN_OR_RETURN(req.new_schema_version, Flag(c, "new_schema_version"));
  ASSIGN_OR_RETURN(req.allow_empty, Flag(c, "allow_empty"));
  if (auto it = c.query.find("on_invalid"); it != c.query.end()) {
    ASSIGN_OR_RETURN(req.on_invalid, ingest::ParsePolicy(it->second));
  }
  if (auto it = c.query.find("delimiter"); it != c.query.end()) {
    if (it->second.size() != 1) return InvalidArgumentError("delimiter must be one character");
    req.delimiter = it->second[0];
  }
  ASSIGN_OR_RETURN(ingest::IngestResult r, a.service.Ingest(*c.ctx, req));
  return Json({{"dataset", r.dataset},
               {"version", r.version},
               {"rows", r.rows},
               {"already_ingested", r.already_ingested},
               {"report", r.report.ToJson()}},
              r.already_ingested ? 200 : 201);
}

StatusOr<HttpResponse> Withdraw(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(int64_t version, PositiveParam(c.params.at("version"), "version"));
  ASSIGN_OR_RETURN(std::string reason, StringParam(c, "reason"));
  ASSIGN_OR_RETURN(service::WithdrawResult r,
                   a.service.WithdrawVersion(*c.ctx, c.params.at("dataset"), version, reason));
  return Json({{"dataset", r.dataset},
               {"version", r.version},
               {"current", r.current ? json(*r.current) : json()},
               {"objects_deleted", r.objects_deleted},
               {"workspaces_shredded", r.workspaces_shredded}});
}

StatusOr<HttpResponse> RemoveDataset(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(std::string reason, StringParam(c, "reason"));
  ASSIGN_OR_RETURN(service::RemoveResult r, a.service.RemoveDataset(*c.ctx, c.params.at("dataset"), reason));
  return Json(
      {{"dataset", r.dataset}, {"versions_shredded", r.versions_shredded}, {"objects_deleted", r.objects_deleted}});
}

StatusOr<HttpResponse> QueryCatalog(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(json body, Body(c));
  ASSIGN_OR_RETURN(std::string sql_text, StringField(body, "sql"));
  sql::QueryLimits limits{.max_rows = a.limits.max_rows,
                          .timeout = std::chrono::duration_cast<std::chrono::milliseconds>(a.limits.timeout)};
  return StreamResults(
      c, [&](const service::ResultSink& sink) { return a.service.QueryCatalog(*c.ctx, sql_text, limits, sink); });
}

StatusOr<HttpResponse> ListProjects(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(auto projects, a.service.ListProjects(*c.ctx));
  std::vector<json> items;
  for (const auto& p : projects) items.push_back(ProjectJson(p, a.service.clock().Now()));
  ASSIGN_OR_RETURN(json page, Page(c, std::move(items)));
  return Json(page);
}

StatusOr<HttpResponse> CreateProject(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(json body, Body(c));
  projects::ProjectSpec spec;
  ASSIGN_OR_RETURN(spec.id, StringField(body, "id"));
  ASSIGN_OR_RETURN(spec.authorisation_ref, StringField(body, "authorisation"));
  ASSIGN_OR_RETURN(spec.purpose, StringField(body, "purpose"));
  ASSIGN_OR_RETURN(spec.scope, ScopeField(body));
  ASSIGN_OR_RETURN(spec.members, StringList(body, "members"));
  ASSIGN_OR_RETURN(spec.start, TimeField(body, "start"));
  ASSIGN_OR_RETURN(spec.end, TimeField(body, "end"));
  if (auto it = body.find("thresholds"); it != body.end()) {
    if (!it->is_object()) return InvalidArgumentError("thresholds must be a JSON object");
    ASSIGN_OR_RETURN(spec.thresholds, projects::Thresholds::FromJson(it->dump()));
  }
  RETURN_IF_ERROR(a.service.CreateProject(*c.ctx, spec));
  return Json(Changed(spec.id, "draft"), 201);
}

StatusOr<HttpResponse> ShowProject(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(auto view, a.service.ShowProject(*c.ctx, c.params.at("id")));
  json out = ProjectJson(view.project, a.service.clock().Now());
  json workspaces = json::array();
  for (const auto& w : view.workspaces) {
    workspaces.push_back({{"build", w.build},
                          {"state", std::string(projects::WorkspaceStateName(w.state))},
                          {"built_by", w.built_by},
                          {"built_at", Time(w.built_at)},
                          {"provenance", json::parse(w.provenance_json, nullptr, false)}});
  }
  out["workspaces"] = std::move(workspaces);
  return Json(out);
}

StatusOr<HttpResponse> ChangeProject(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(json body, Body(c));
  ASSIGN_OR_RETURN(projects::ProjectScope scope, ScopeField(body));
  ASSIGN_OR_RETURN(std::vector<std::string> members, StringList(body, "members"));
  RETURN_IF_ERROR(a.service.ChangeProject(*c.ctx, c.params.at("id"), scope, members));
  return Json(Changed(c.params.at("id"), "draft"));
}

StatusOr<HttpResponse> Approve(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(auto state, a.service.ApproveProject(*c.ctx, c.params.at("id")));
  return Json(Changed(c.params.at("id"), projects::ProjectStateName(state)));
}

StatusOr<HttpResponse> CloseProject(Api& a, const Call& c) {
  RETURN_IF_ERROR(a.service.CloseProject(*c.ctx, c.params.at("id")));
  return Json(Changed(c.params.at("id"), "closed"));
}

StatusOr<HttpResponse> Sweep(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(std::vector<std::string> shredded, a.service.SweepProjects(*c.ctx));
  return Json({{"shredded", shredded}});
}

StatusOr<HttpResponse> Build(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(auto built, a.service.BuildWorkspace(*c.ctx, c.params.at("id")));
  return Json({{"project", c.params.at("id")},
               {"workspace", built.build},
               {"rows", built.rows},
               {"provenance", json::parse(built.provenance_json, nullptr, false)}},
              201);
}

StatusOr<HttpResponse> QueryProject(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(json body, Body(c));
  ASSIGN_OR_RETURN(std::string sql_text, StringField(body, "sql"));
  return StreamResults(c, [&](const service::ResultSink& sink) {
    return a.service.QueryProject(*c.ctx, c.params.at("id"), sql_text, a.session_limits, sink);
  });
}

StatusOr<HttpResponse> AuditEntries(Api& a, const Call& c) {
  audit::EntryFilter filter;
  if (auto it = c.query.find("actor"); it != c.query.end()) filter.actor = it->second;
  if (auto it = c.query.find("action"); it != c.query.end()) filter.action = it->second;
  if (auto it = c.query.find("project"); it != c.query.end()) filter.project = it->second;
  for (const char* key : {"since", "until"}) {
    auto it = c.query.find(key);
    if (it == c.query.end()) continue;
    auto t = ParseRfc3339(it->second);
    if (!t.ok()) return InvalidArgumentError(std::string(key) + " must be an RFC 3339 time");
    (std::string_view(key) == "since" ? filter.since : filter.until) = *t;
  }
  ASSIGN_OR_RETURN(auto raw, a.service.AuditEntries(*c.ctx, filter));
  std::vector<json> items;
  for (const auto& e : audit::EntriesToJson(raw)) items.push_back(e);
  ASSIGN_OR_RETURN(json page, Page(c, std::move(items)));
  return Json(page);
}

uint64_t SizeParam(const Call& c, const char* name, Status& error) {
  auto it = c.query.find(name);
  if (it == c.query.end()) return 0;
  StatusOr<uint64_t> v = Unsigned(it->second, name);
  if (!v.ok()) error = v.status();
  return v.value_or(0);
}

// As `audit prove --json`, which `audit check-inclusion --file` reads.
StatusOr<HttpResponse> AuditProof(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(uint64_t index, Unsigned(c.params.at("n"), "entry"));
  Status bad = OkStatus();
  const uint64_t size = SizeParam(c, "size", bad);
  RETURN_IF_ERROR(bad);
  ASSIGN_OR_RETURN(auto proof, a.service.ProveInclusion(*c.ctx, index, size));
  return Json({{"index", proof.index},
               {"size", proof.size},
               {"leaf_hash", audit::HashToHex(proof.leaf_hash)},
               {"root", audit::HashToHex(proof.root)},
               {"proof", audit::JoinHashes(proof.proof, ",")}});
}

// As `audit consistency --json`, which `audit check-consistency --file` reads.
StatusOr<HttpResponse> AuditConsistency(Api& a, const Call& c) {
  Status bad = OkStatus();
  if (!c.query.contains("from")) return InvalidArgumentError("from (the older tree size) is required");
  const uint64_t from = SizeParam(c, "from", bad);
  const uint64_t to = SizeParam(c, "to", bad);
  RETURN_IF_ERROR(bad);
  ASSIGN_OR_RETURN(auto p, a.service.ProveConsistency(*c.ctx, from, to));
  return Json({{"size1", p.size1},
               {"size2", p.size2},
               {"root1", audit::HashToHex(p.root1)},
               {"root2", audit::HashToHex(p.root2)},
               {"proof", audit::JoinHashes(p.proof, ",")}});
}

// As `audit verify --json`.
StatusOr<HttpResponse> AuditVerify(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(audit::VerifyReport r, a.service.VerifyAudit(*c.ctx));
  return Json({{"ok", true},
               {"entries", r.entries},
               {"checkpoint_size", r.checkpoint.size},
               {"checkpoint_root", audit::HashToHex(r.checkpoint.root)},
               {"origin", r.checkpoint.origin},
               {"root_of_all", audit::HashToHex(r.root_of_all)},
               {"torn_bytes", r.torn_bytes}});
}

StatusOr<HttpResponse> AuditCheckpoint(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(std::string checkpoint, a.service.AuditCheckpoint(*c.ctx));
  return Json({{"checkpoint", checkpoint}});
}

StatusOr<HttpResponse> AuditLogKey(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(std::string key, a.service.AuditVerifierKey(*c.ctx));
  return Json({{"log_key", key}});
}

// As `hdhub check --json`; damaged objects are in the answer, not an error.
StatusOr<HttpResponse> CheckHost(Api& a, const Call& c) {
  hub::HostCheckOptions options;
  if (!c.request.body.empty()) {
    ASSIGN_OR_RETURN(json body, Body(c));
    const std::pair<const char*, bool*> flags[] = {{"dry_run", &options.dry_run},
                                                   {"remove_unknown", &options.remove_unknown}};
    for (const auto& [name, flag] : flags) {
      auto it = body.find(name);
      if (it == body.end()) continue;
      if (!it->is_boolean()) return InvalidArgumentError(std::string(name) + " must be true or false");
      *flag = it->get<bool>();
    }
  }
  ASSIGN_OR_RETURN(hub::HostCheckReport r, a.service.CheckHost(*c.ctx, options));
  return Json(hub::HostCheckJson(r, options));
}

// As `hdhub host list --json` and `host show --json`: each host with the
// evidence of today's decision on it (docs/hosts.md).
StatusOr<HttpResponse> ListHosts(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(std::vector<service::HostView> views, a.service.ListHosts(*c.ctx));
  json items = json::array();
  for (const service::HostView& v : views) items.push_back(hosts::HostViewJson(v.host, v.decision, v.current));
  return Json({{"hosts", std::move(items)}});
}

StatusOr<HttpResponse> ShowHost(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(service::HostView v, a.service.ShowHost(*c.ctx, c.params.at("name")));
  return Json(hosts::HostViewJson(v.host, v.decision, v.current));
}

// Names as `user list`'s columns.
StatusOr<HttpResponse> ListUsers(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(auto users, a.service.ListUsers(*c.ctx));
  std::vector<json> items;
  for (const auto& u : users) {
    items.push_back({{"user", u.name},
                     {"roles", RolesJson(u.roles)},
                     {"state", std::string(directory::UserStateName(u.state))},
                     {"created", Time(u.created_at)},
                     {"failed_attempts", u.failed_attempts},
                     {"locked_until", u.locked_until ? json(Time(*u.locked_until)) : json()}});
  }
  ASSIGN_OR_RETURN(json page, Page(c, std::move(items)));
  return Json(page);
}

StatusOr<std::vector<directory::Role>> RoleList(const json& body) {
  ASSIGN_OR_RETURN(std::vector<std::string> names, StringList(body, "roles"));
  std::vector<directory::Role> roles;
  for (const std::string& name : names) {
    ASSIGN_OR_RETURN(directory::Role role, directory::ParseRole(name));
    roles.push_back(role);
  }
  return roles;
}

StatusOr<HttpResponse> AddUser(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(json body, Body(c));
  ASSIGN_OR_RETURN(std::string name, StringField(body, "name"));
  ASSIGN_OR_RETURN(std::string password, StringField(body, "password"));
  ASSIGN_OR_RETURN(std::vector<directory::Role> roles, RoleList(body));
  RETURN_IF_ERROR(a.service.AddUser(*c.ctx, name, roles, SecretBytes(AsBytes(password))));
  return Json({{"user", name}, {"roles", RolesJson(roles)}}, 201);
}

StatusOr<HttpResponse> GrantRole(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(json body, Body(c));
  ASSIGN_OR_RETURN(std::string role_name, StringField(body, "role"));
  ASSIGN_OR_RETURN(directory::Role role, directory::ParseRole(role_name));
  ASSIGN_OR_RETURN(directory::GrantState state, a.service.GrantRole(*c.ctx, c.params.at("name"), role));
  const bool pending = state == directory::GrantState::kPending;
  return Json({{"user", c.params.at("name")},
               {"role", std::string(directory::RoleName(role))},
               {"done", pending ? "grant pending until a second operator grants it too" : "grant"},
               {"state", pending ? "pending" : "granted"}});
}

StatusOr<HttpResponse> RevokeRole(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(directory::Role role, directory::ParseRole(c.params.at("role")));
  RETURN_IF_ERROR(a.service.RevokeRole(*c.ctx, c.params.at("name"), role));
  return Json({{"user", c.params.at("name")}, {"role", std::string(directory::RoleName(role))}, {"done", "revoke"}});
}

StatusOr<HttpResponse> DisableUser(Api& a, const Call& c) {
  RETURN_IF_ERROR(a.service.DisableUser(*c.ctx, c.params.at("name")));
  return Json({{"user", c.params.at("name")}, {"done", "disable"}});
}

StatusOr<HttpResponse> EnableUser(Api& a, const Call& c) {
  RETURN_IF_ERROR(a.service.EnableUser(*c.ctx, c.params.at("name")));
  return Json({{"user", c.params.at("name")}, {"done", "enable"}});
}

StatusOr<HttpResponse> SetPassword(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(json body, Body(c));
  ASSIGN_OR_RETURN(std::string password, StringField(body, "password"));
  RETURN_IF_ERROR(a.service.SetPassword(*c.ctx, c.params.at("name"), SecretBytes(AsBytes(password))));
  return Json({{"user", c.params.at("name")}, {"password_changed", true}});
}

// As `token issue --json`.
StatusOr<HttpResponse> IssueToken(Api& a, const Call& c) {
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
  ASSIGN_OR_RETURN(auto issued,
                   a.service.IssueToken(*c.ctx, c.params.at("name"), std::chrono::seconds(ttl_seconds), label));
  const ByteSpan token = issued.token.span();
  return Json({{"id", issued.id},
               {"token", std::string(token.begin(), token.end())},
               {"user", c.params.at("name")},
               {"expires", Time(issued.expires_at)}},
              201);
}

// Names as `token list`'s columns; never a secret.
StatusOr<HttpResponse> ListTokens(Api& a, const Call& c) {
  std::optional<std::string> user;
  if (auto it = c.query.find("user"); it != c.query.end() && !it->second.empty()) user = it->second;
  ASSIGN_OR_RETURN(auto tokens, a.service.ListTokens(*c.ctx, user));
  const TimePoint now = a.service.clock().Now();
  std::vector<json> items;
  for (const directory::TokenRecord& t : tokens) {
    items.push_back({{"id", t.id},
                     {"user", t.user},
                     {"label", t.label},
                     {"created", Time(t.created_at)},
                     {"expires", Time(t.expires_at)},
                     {"status", t.revoked_at ? "revoked" : (now >= t.expires_at ? "expired" : "active")}});
  }
  ASSIGN_OR_RETURN(json page, Page(c, std::move(items)));
  return Json(page);
}

StatusOr<HttpResponse> RevokeToken(Api& a, const Call& c) {
  RETURN_IF_ERROR(a.service.RevokeToken(*c.ctx, c.params.at("id")));
  return HttpResponse{.status = 204, .content_type = "", .body = ""};
}

constexpr std::string_view kIngestRoute = "/api/v1/catalog/{dataset}/versions";

const std::vector<Route>& Table() {
  static const std::vector<Route> routes = {
      {"GET", "/api/v1/health", false,
       [](Api&, const Call&) -> StatusOr<HttpResponse> {
         return Json({{"status", "ok"}});
       }},
      {"GET", "/api/v1/openapi.json", false, nullptr},  // served by HttpApi::Handle
      {"GET", "/api/v1/me", true, Me},
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
      {"GET", "/api/v1/audit/entries", true, AuditEntries},
      {"GET", "/api/v1/audit/entries/{n}/proof", true, AuditProof},
      {"GET", "/api/v1/audit/consistency", true, AuditConsistency},
      {"GET", "/api/v1/audit/verify", true, AuditVerify},
      {"GET", "/api/v1/audit/checkpoint", true, AuditCheckpoint},
      {"GET", "/api/v1/audit/log-key", true, AuditLogKey},
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
    return MakeProblem(http.status, http.title, "a valid bearer token is required", request_id);
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

HttpResponse HttpApi::Handle(const HttpRequest& request) {
  // Every audit event of this request carries its id.
  audit::RequestIdScope request_scope(request.request_id);
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
    // ?as=<role>: the role to act in, as the CLI's --as.
    std::optional<directory::Role> as;
    if (auto it = call.query.find("as"); it != call.query.end()) {
      auto role = directory::ParseRole(it->second);
      if (!role.ok()) return ProblemFor(role.status(), request.request_id);
      as = *role;
    }
    auto authenticated = service_.Authenticate(
        {.token = SecretBytes(AsBytes(auth.substr(kBearer.size()))), .request_id = request.request_id}, request.client,
        as);
    if (!authenticated.ok()) return ProblemFor(authenticated.status(), request.request_id);
    ctx.emplace(std::move(*authenticated));
    call.ctx = &*ctx;
  }
  Api api{.service = service_, .limits = limits_, .session_limits = SessionLimitsOf(limits_)};
  StatusOr<HttpResponse> out = found->handler(api, call);
  if (!out.ok()) return ProblemFor(out.status(), request.request_id);
  return std::move(*out);
}

std::string_view BuiltinOpenApiJson() { return kOpenApiJson; }

}  // namespace hdhub::server

// The HTTP API's SQL routes, on the catalog and on a project's workspace,
// and the streaming of their results as NDJSON or CSV in chunks.
#include <chrono>
#include <cmath>
#include <functional>

#include "hdhub/server/http_api_internal.h"

namespace hdhub::server::http_api_internal {

namespace {

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

}  // namespace

StatusOr<HttpResponse> QueryCatalog(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(json body, Body(c));
  ASSIGN_OR_RETURN(std::string sql_text, StringField(body, "sql"));
  sql::QueryLimits limits{.max_rows = a.limits.max_rows,
                          .timeout = std::chrono::duration_cast<std::chrono::milliseconds>(a.limits.timeout)};
  return StreamResults(
      c, [&](const service::ResultSink& sink) { return a.service.QueryCatalog(*c.ctx, sql_text, limits, sink); });
}

StatusOr<HttpResponse> QueryProject(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(json body, Body(c));
  ASSIGN_OR_RETURN(std::string sql_text, StringField(body, "sql"));
  return StreamResults(c, [&](const service::ResultSink& sink) {
    return a.service.QueryProject(*c.ctx, c.params.at("id"), sql_text, a.session_limits, sink);
  });
}

}  // namespace hdhub::server::http_api_internal

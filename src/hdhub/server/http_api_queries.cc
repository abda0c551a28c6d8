// The HTTP API's SQL routes, on the catalog and on a project's workspace,
// and the streaming of their results as NDJSON or CSV in chunks. A project
// query runs on the PG wire's engine, whose rows stream with bounded memory;
// the catalog's statements are each read whole first (Service::QueryCatalog).
#include <chrono>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "duckdb.hpp"
#include "hdhub/pgwire/engine.h"
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

// The statements' results as NDJSON (for each a header line with its
// number and columns, then one array per row) or CSV (a header line, then
// the rows), by Accept, into a BodyWriter.
class ResultWriter {
 public:
  explicit ResultWriter(const HttpRequest& request)
      : csv_(request.accept.find("text/csv") != std::string::npos),
        out_(request, csv_ ? "text/csv; charset=utf-8" : "application/x-ndjson") {}

  Status Header(size_t index, size_t count, const std::vector<std::string>& names,
                const std::vector<std::string>& types) {
    if (csv_) {
      line_.clear();
      for (size_t i = 0; i < names.size(); ++i) line_ += (i ? "," : "") + CsvField(names[i]);
      return out_.Add(line_ + "\r\n");
    }
    json columns = json::array();
    for (size_t i = 0; i < names.size(); ++i) {
      columns.push_back({{"name", names[i]}, {"type", i < types.size() ? types[i] : ""}});
    }
    return out_.Add(Dump({{"statement", index + 1}, {"of", count}, {"columns", columns}}) + "\n");
  }

  Status Row(const std::vector<sql::Cell>& row) {
    line_.clear();
    if (csv_) {
      for (size_t i = 0; i < row.size(); ++i) line_ += (i ? "," : "") + CsvField(row[i].value_or(""));
      line_ += "\r\n";
      return out_.Add(line_);
    }
    json cells = json::array();
    for (const sql::Cell& cell : row) cells.push_back(CellJson(cell));
    return out_.Add(Dump(cells) + "\n");
  }

  StatusOr<HttpResponse> Finish(const Status& result) { return out_.Finish(result, !csv_); }

 private:
  bool csv_;
  BodyWriter out_;
  std::string line_;
};

// A cell of a DuckDB chunk as the CLI's --json reads it: its text, and a
// value of the kinds CellJson gives as JSON (others go as their text).
sql::Cell CellAt(duckdb::DataChunk& chunk, size_t column, size_t row) {
  const duckdb::Value v = chunk.GetValue(column, row);
  if (v.IsNull()) return sql::Cell();
  std::string text = v.ToString();
  switch (v.type().id()) {
    case duckdb::LogicalTypeId::BOOLEAN:
      return sql::Cell(v.GetValue<bool>(), std::move(text));
    case duckdb::LogicalTypeId::TINYINT:
    case duckdb::LogicalTypeId::SMALLINT:
    case duckdb::LogicalTypeId::INTEGER:
    case duckdb::LogicalTypeId::BIGINT:
    case duckdb::LogicalTypeId::UTINYINT:
    case duckdb::LogicalTypeId::USMALLINT:
    case duckdb::LogicalTypeId::UINTEGER:
      return sql::Cell(v.GetValue<int64_t>(), std::move(text));
    case duckdb::LogicalTypeId::FLOAT:
    case duckdb::LogicalTypeId::DOUBLE:
      return sql::Cell(v.GetValue<double>(), std::move(text));
    default:
      return sql::Cell(sql::Rendered{text}, std::move(text));
  }
}

// One statement of a project query on the PG wire's engine (PrepareToRun,
// then Execute): its rows are written as the engine hands them on. A result that
// fits the engine's read-ahead has its query.run durable before the first
// row; a larger one was announced (query.start) and streams, its query.run
// written when the rows end (CANCELLED when they stop early: the client
// went away and `rows` is dropped).
Status StreamStatement(pgwire::Engine& engine, const std::string& statement, size_t index, size_t count,
                       ResultWriter& out) {
  ASSIGN_OR_RETURN(std::shared_ptr<pgwire::Prepared> prepared, engine.PrepareToRun(statement));
  ASSIGN_OR_RETURN(std::unique_ptr<pgwire::Rows> rows, engine.Execute(*prepared, {}));
  const pgwire::Description& d = prepared->description();
  std::vector<std::string> types;
  for (const duckdb::LogicalType& type : d.types) types.push_back(type.ToString());
  RETURN_IF_ERROR(out.Header(index, count, d.names, types));
  std::vector<sql::Cell> cells;
  while (true) {
    ASSIGN_OR_RETURN(std::unique_ptr<duckdb::DataChunk> chunk, rows->Next());
    if (!chunk) return OkStatus();
    for (size_t row = 0; row < chunk->size(); ++row) {
      cells.clear();
      for (size_t column = 0; column < chunk->ColumnCount(); ++column) cells.push_back(CellAt(*chunk, column, row));
      RETURN_IF_ERROR(out.Row(cells));
    }
  }
}

}  // namespace

StatusOr<HttpResponse> QueryCatalog(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(json body, Body(c));
  ASSIGN_OR_RETURN(std::string sql_text, StringField(body, "sql"));
  sql::QueryLimits limits{.max_rows = a.limits.max_rows,
                          .timeout = std::chrono::duration_cast<std::chrono::milliseconds>(a.limits.timeout)};
  ResultWriter out(c.request);
  auto sink = [&](const service::StatementResult& r) -> Status {
    RETURN_IF_ERROR(out.Header(r.index, r.count, r.result.column_names, r.result.column_types));
    for (const auto& row : r.result.rows) RETURN_IF_ERROR(out.Row(row));
    return OkStatus();
  };
  return out.Finish(a.service.QueryCatalog(*c.ctx, sql_text, limits, sink));
}

// On the PG wire's engine (Service::OpenPgEngine), so that the rows stream
// and are audited as a PG client's are, within the same [serve.query].
StatusOr<HttpResponse> QueryProject(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(json body, Body(c));
  ASSIGN_OR_RETURN(std::string sql_text, StringField(body, "sql"));
  ASSIGN_OR_RETURN(std::unique_ptr<pgwire::Engine> engine,
                   a.service.OpenPgEngine(*c.ctx, c.params.at("id"), a.session_limits));
  ASSIGN_OR_RETURN(std::vector<std::string> statements, engine->Split(sql_text));
  if (statements.empty()) return InvalidArgumentError("no SQL statement to run");
  ResultWriter out(c.request);
  const size_t n = statements.size();
  Status result = OkStatus();
  for (size_t i = 0; i < n && result.ok(); ++i) {
    result = StreamStatement(*engine, statements[i], i, n, out);
    if (!result.ok() && n > 1) {
      result = result.WithContext("statement " + std::to_string(i + 1) + " of " + std::to_string(n));
    }
  }
  return out.Finish(result);
}

}  // namespace hdhub::server::http_api_internal

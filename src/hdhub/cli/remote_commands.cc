// The remote forms of commands whose answer needs more than one line of
// rendering: `hdhub query --project` through a server (remote.h).
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <set>

#include "hdhub/cli/output.h"
#include "hdhub/cli/remote.h"

namespace hdhub::cli {

namespace {

bool IsIntegerType(std::string_view t) {
  for (std::string_view name : {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
                                "UINTEGER", "UBIGINT", "UHUGEINT"}) {
    if (t == name) return true;
  }
  return false;
}

// DECIMAL(w,s)'s scale; nullopt for another type.
std::optional<uint8_t> DecimalScale(std::string_view t) {
  if (!t.starts_with("DECIMAL(") || !t.ends_with(")")) return std::nullopt;
  const size_t comma = t.find(',');
  if (comma == std::string_view::npos) return std::nullopt;
  unsigned scale = 0;
  auto [p, ec] = std::from_chars(t.data() + comma + 1, t.data() + t.size() - 1, scale);
  if (ec != std::errc() || p != t.data() + t.size() - 1 || scale > 38) return std::nullopt;
  return uint8_t(scale);
}

// "-12.340" at scale 3 -> unscaled -12340; nullopt when the text is not that.
std::optional<sql::Decimal> ParseDecimal(std::string_view text, uint8_t scale) {
  sql::Int128 unscaled = 0;
  bool negative = false, point = false, digits = false;
  unsigned fraction = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (i == 0 && c == '-') {
      negative = true;
    } else if (c == '.' && !point) {
      point = true;
    } else if (c >= '0' && c <= '9') {
      if (point && ++fraction > scale) return std::nullopt;
      unscaled = unscaled * 10 + (c - '0');
      digits = true;
    } else {
      return std::nullopt;
    }
  }
  if (!digits) return std::nullopt;
  for (; fraction < scale; ++fraction) unscaled *= 10;
  return sql::Decimal{.unscaled = negative ? -unscaled : unscaled, .scale = scale};
}

// One statement's result as it arrives: its header, then its rows.
struct Statement {
  size_t index = 0;  // from 0
  size_t of = 0;     // 0 when the server does not say
  bool duplicate_names = false;
  sql::QueryResult result;
};

}  // namespace

std::string JsonText(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

sql::Cell CellFromJson(const std::string& type, const nlohmann::json& v) {
  if (v.is_null()) return sql::Cell();
  if (v.is_boolean()) return sql::Cell(sql::Value(v.get<bool>()), v.get<bool>() ? "true" : "false");
  if (v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(INT64_MAX)) {
    return sql::Cell(sql::Value(sql::Int128(v.get<uint64_t>())), v.dump());
  }
  if (v.is_number_integer()) return sql::Cell(sql::Value(v.get<int64_t>()), v.dump());
  if (v.is_number_float()) {
    if (std::optional<uint8_t> scale = DecimalScale(type)) {  // DuckDB shows every digit of the scale
      char text[64];
      const int n = std::snprintf(text, sizeof(text), "%.*f", int(*scale), v.get<double>());
      return sql::Cell(sql::Value(v.get<double>()), std::string(text, size_t(std::max(n, 0))));
    }
    return sql::Cell(sql::Value(v.get<double>()), v.dump());
  }
  if (!v.is_string()) return sql::Cell(sql::Value(sql::Rendered{v.dump()}), v.dump());
  const std::string text = v.get<std::string>();
  if (IsIntegerType(type)) {
    int64_t n = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec == std::errc() && p == text.data() + text.size()) return sql::Cell(sql::Value(n), text);
    // Beyond 64 bits, hence beyond what a double holds: JSON shows the digits.
    return sql::Cell(sql::Value(sql::Rendered{text}), text);
  }
  if (std::optional<uint8_t> scale = DecimalScale(type)) {
    if (std::optional<sql::Decimal> d = ParseDecimal(text, *scale)) return sql::Cell(sql::Value(*d), text);
  }
  if (type == "DOUBLE" || type == "FLOAT") {
    char* end = nullptr;
    const double d = std::strtod(text.c_str(), &end);
    if (end == text.c_str() + text.size()) return sql::Cell(sql::Value(d), text);
  }
  if (type == "TIMESTAMP" && text.size() >= 19 && (text[10] == ' ' || text[10] == 'T') && text[0] >= '0' &&
      text[0] <= '9') {
    std::string iso = text, shown = text;  // JSON shows ISO 8601 (IsoTimestamp), people DuckDB's text
    iso[10] = 'T';
    shown[10] = ' ';
    return sql::Cell(sql::Value(sql::Rendered{iso}), shown);
  }
  return sql::Cell(sql::Value(text), text);
}

Status RemoteQuery(RemoteClient& client, const GlobalOptions& opts, const std::string& project, const std::string& sql,
                   int timeout_seconds) {
  nlohmann::json body = {{"sql", sql}};
  if (timeout_seconds > 0) body["timeout_seconds"] = timeout_seconds;
  std::optional<Statement> current;
  std::vector<Statement> held;  // when the server does not say how many statements there are
  auto done = [&opts, &held](Statement s) {
    if (s.of > 0) {
      PrintStatementResult(s.result, s.index, s.of, opts.json);
    } else {
      held.push_back(std::move(s));
    }
  };
  auto bad = [&client](const std::string& what) {
    return InternalError("the server " + client.server() + " sent a result line that is not " + what);
  };
  RETURN_IF_ERROR(client.Stream(
      project.empty() ? "/catalog/queries" : "/projects/" + UrlEncode(project) + "/queries", body,
      "application/x-ndjson", [&](std::string_view line) -> Status {
        if (line.empty()) return OkStatus();
        nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
        if (j.is_object() && j.contains("error")) {  // a later statement failed: the stream ends
          const nlohmann::json& e = j["error"];
          const nlohmann::json status = e.is_object() ? e.value("status", nlohmann::json(500)) : nlohmann::json(500);
          return StatusForHttp(status.is_number_integer() ? status.get<long>() : 500,
                               e.is_object() ? JsonText(e, "detail") : "the query failed");
        }
        if (j.is_object() && j.contains("columns")) {  // a statement's header
          const nlohmann::json& columns = j["columns"];
          if (!columns.is_array()) return bad("a header with columns");
          if (current) done(*std::move(current));
          current.emplace();
          std::set<std::string> names;
          for (size_t i = 0; i < columns.size(); ++i) {
            // {"name", "type"} per column, or (older servers) "columns" and "types" side by side.
            const nlohmann::json& col = columns[i];
            const nlohmann::json type = col.is_object() ? col.value("type", nlohmann::json())
                                        : j.contains("types") && j["types"].is_array() && i < j["types"].size()
                                            ? j["types"][i]
                                            : nlohmann::json();
            const nlohmann::json name = col.is_object() ? col.value("name", nlohmann::json()) : col;
            if (!name.is_string() || !type.is_string()) return bad("a header of named, typed columns");
            current->result.column_names.push_back(name.get<std::string>());
            current->result.column_types.push_back(type.get<std::string>());
            current->duplicate_names |= !names.insert(current->result.column_names.back()).second;
          }
          const nlohmann::json index = j.value("statement", nlohmann::json(1));
          const nlohmann::json of = j.value("of", nlohmann::json(0));
          if (!index.is_number_unsigned() || index.get<size_t>() == 0 || !of.is_number_unsigned()) {
            return bad("a header with a statement number");
          }
          current->index = index.get<size_t>() - 1;
          current->of = of.get<size_t>();
          return OkStatus();
        }
        if (!current) return bad("a statement's header");
        const auto& names = current->result.column_names;
        const auto& types = current->result.column_types;
        std::vector<sql::Cell> row;
        row.reserve(names.size());
        if (j.is_array() && j.size() == names.size()) {
          for (size_t i = 0; i < names.size(); ++i) row.push_back(CellFromJson(types[i], j[i]));
        } else if (j.is_object()) {
          if (current->duplicate_names) {
            return FailedPreconditionError(
                "the server sends rows as JSON objects, which cannot hold two columns of the same name: name "
                "each column of the result differently (AS)");
          }
          for (size_t i = 0; i < names.size(); ++i) {
            auto it = j.find(names[i]);
            if (it == j.end()) return bad("a row of the header's columns");
            row.push_back(CellFromJson(types[i], *it));
          }
        } else {
          return bad("a row");
        }
        current->result.rows.push_back(std::move(row));
        return OkStatus();
      }));
  if (current) done(*std::move(current));
  for (const Statement& s : held) PrintStatementResult(s.result, s.index, held.size(), opts.json);
  return OkStatus();
}

}  // namespace hdhub::cli

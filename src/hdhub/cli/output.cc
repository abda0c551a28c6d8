#include "hdhub/cli/output.h"

#include <algorithm>
#include <cmath>
#include <iostream>
#include <type_traits>

namespace hdhub::cli {
namespace {

bool IsNumeric(const std::string& type) {
  static const char* kTypes[] = {"TINYINT",   "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT",
                                 "USMALLINT", "UINTEGER", "UBIGINT", "FLOAT",  "DOUBLE",  "DECIMAL"};
  return std::any_of(std::begin(kTypes), std::end(kTypes), [&](const char* t) { return type.starts_with(t); });
}

// Display width of UTF-8 text: count the bytes that start a code point.
size_t Width(const std::string& s) {
  return size_t(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

void Pad(std::ostream& out, const std::string& s, size_t width, bool right) {
  size_t fill = width > Width(s) ? width - Width(s) : 0;
  if (right)
    out << std::string(fill, ' ') << s;
  else
    out << s << std::string(fill, ' ');
}

// Integers a double holds exactly, as JSON readers parse numbers.
constexpr int64_t kMaxExactInteger = int64_t{1} << 53;
constexpr sql::Int128 kMaxExactDecimalDigits = 1'000'000'000'000'000;  // 10^15

bool ExactInDouble(sql::Int128 v) { return v >= -kMaxExactInteger && v <= kMaxExactInteger; }

}  // namespace

nlohmann::json JsonValue(const sql::Value& value) {
  return std::visit(
      [&value](const auto& v) -> nlohmann::json {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return nullptr;
        } else if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, std::string>) {
          return v;
        } else if constexpr (std::is_same_v<T, int64_t> || std::is_same_v<T, sql::Int128>) {
          return ExactInDouble(v) ? nlohmann::json(int64_t(v)) : nlohmann::json(sql::ToText(value));
        } else if constexpr (std::is_same_v<T, double>) {
          return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(sql::ToText(value));
        } else if constexpr (std::is_same_v<T, sql::Decimal>) {
          if (v.unscaled <= -kMaxExactDecimalDigits || v.unscaled >= kMaxExactDecimalDigits) {
            return sql::DecimalToString(v);
          }
          return double(int64_t(v.unscaled)) / std::pow(10.0, v.scale);
        } else if constexpr (std::is_same_v<T, sql::Date>) {
          return sql::IsoDate(v);
        } else if constexpr (std::is_same_v<T, sql::Timestamp>) {
          return sql::IsoTimestamp(v);
        } else {
          return v.text;  // sql::Rendered
        }
      },
      value);
}

void PrintTable(const sql::QueryResult& result, std::ostream& out) {
  const size_t n = result.column_names.size();
  std::vector<size_t> width(n);
  for (size_t c = 0; c < n; ++c) width[c] = Width(result.column_names[c]);
  for (const auto& row : result.rows) {
    for (size_t c = 0; c < n; ++c) width[c] = std::max(width[c], Width(row[c].value_or("NULL")));
  }
  for (size_t c = 0; c < n; ++c) {
    out << (c ? "  " : "");
    Pad(out, result.column_names[c], width[c], IsNumeric(result.column_types[c]));
  }
  out << "\n";
  for (size_t c = 0; c < n; ++c) out << (c ? "  " : "") << std::string(width[c], '-');
  out << "\n";
  for (const auto& row : result.rows) {
    for (size_t c = 0; c < n; ++c) {
      out << (c ? "  " : "");
      Pad(out, row[c].value_or("NULL"), width[c], IsNumeric(result.column_types[c]));
    }
    out << "\n";
  }
  out << "(" << result.rows.size() << (result.rows.size() == 1 ? " row)" : " rows)") << "\n";
}

nlohmann::json ResultJson(const sql::QueryResult& result) {
  nlohmann::json j;
  j["columns"] = nlohmann::json::array();
  for (size_t c = 0; c < result.column_names.size(); ++c) {
    j["columns"].push_back({{"name", result.column_names[c]}, {"type", result.column_types[c]}});
  }
  j["rows"] = nlohmann::json::array();
  for (const auto& row : result.rows) {
    nlohmann::json r = nlohmann::json::array();
    for (const sql::Cell& cell : row) r.push_back(JsonValue(cell.value()));
    j["rows"].push_back(std::move(r));
  }
  return j;
}

void PrintJson(const sql::QueryResult& result, std::ostream& out) { out << ResultJson(result).dump() << "\n"; }

void PrintStatementResult(const sql::QueryResult& result, size_t index, size_t count, bool json) {
  if (json) {
    nlohmann::json j = ResultJson(result);
    if (count > 1) {
      j["statement"] = index + 1;
      j["of"] = count;
    }
    std::cout << j.dump() << std::endl;
    return;
  }
  if (count > 1) std::cout << (index > 0 ? "\n" : "") << "-- statement " << index + 1 << " of " << count << "\n";
  PrintTable(result, std::cout);
  std::cout.flush();
}

void PrintResult(const sql::QueryResult& result, bool json) {
  if (json) {
    PrintJson(result, std::cout);
  } else {
    PrintTable(result, std::cout);
  }
}

}  // namespace hdhub::cli

#include "hdhub/cli/output.h"

#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

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

}  // namespace

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

void PrintJson(const sql::QueryResult& result, std::ostream& out) {
  nlohmann::json j;
  j["columns"] = nlohmann::json::array();
  for (size_t c = 0; c < result.column_names.size(); ++c) {
    j["columns"].push_back({{"name", result.column_names[c]}, {"type", result.column_types[c]}});
  }
  j["rows"] = nlohmann::json::array();
  for (const auto& row : result.rows) {
    nlohmann::json r = nlohmann::json::array();
    for (const auto& cell : row) r.push_back(cell ? nlohmann::json(*cell) : nlohmann::json(nullptr));
    j["rows"].push_back(std::move(r));
  }
  out << j.dump() << "\n";
}

void PrintResult(const sql::QueryResult& result, bool json) {
  if (json) {
    PrintJson(result, std::cout);
  } else {
    PrintTable(result, std::cout);
  }
}

}  // namespace hdhub::cli

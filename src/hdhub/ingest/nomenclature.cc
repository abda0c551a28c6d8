#include "hdhub/ingest/nomenclature.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace hdhub::ingest {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> SplitLine(const std::string& line, char delimiter) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == '"' && quoted && i + 1 < line.size() && line[i + 1] == '"') {
      out.back() += '"';
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == delimiter && !quoted) {
      out.emplace_back();
    } else if (c != '\r' || i + 1 != line.size()) {
      out.back() += c;
    }
  }
  return out;
}

// "IR_SEX_V:SEX_COD" -> {"IR_SEX_V", "SEX_COD"}; "IR_NAT_V" -> {"IR_NAT_V", ""}.
std::pair<std::string, std::string> Reference(const std::string& nomenclature) {
  size_t colon = nomenclature.find(':');
  if (colon == std::string::npos) return {nomenclature, ""};
  return {nomenclature.substr(0, colon), nomenclature.substr(colon + 1)};
}

StatusOr<std::string> KeyColumn(const fs::path& json_path) {
  std::ifstream in(json_path);
  nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return InvalidArgumentError(json_path.string() + " is not a JSON object");
  if (j.contains("primaryKey") && j["primaryKey"].is_array() && !j["primaryKey"].empty() &&
      j["primaryKey"][0].is_string()) {
    return j["primaryKey"][0].get<std::string>();
  }
  return std::string();  // the first column
}

StatusOr<sql::CodeSet> LoadCodes(const fs::path& csv_path, std::string column) {
  std::ifstream in(csv_path, std::ios::binary);
  std::string line;
  if (!std::getline(in, line)) return InvalidArgumentError(csv_path.string() + ": the file is empty");
  std::vector<std::string> header = SplitLine(line, ';');
  if (column.empty()) column = header.at(0);
  auto it = std::find(header.begin(), header.end(), column);
  if (it == header.end()) {
    return InvalidArgumentError(csv_path.string() + ", line 1: no column " + column);
  }
  size_t index = size_t(it - header.begin());
  sql::CodeSet codes;
  for (size_t line_no = 2; std::getline(in, line); ++line_no) {
    if (line.empty()) continue;
    std::vector<std::string> cells = SplitLine(line, ';');
    if (cells.size() <= index) {
      return InvalidArgumentError(csv_path.string() + ", line " + std::to_string(line_no) + ": too few fields");
    }
    codes.insert(cells[index]);
  }
  return codes;
}

}  // namespace

StatusOr<Nomenclatures> Nomenclatures::Load(const std::string& dir, const TableSchema& schema) {
  Nomenclatures out;
  for (const Field& f : schema.fields) {
    if (f.nomenclature.empty() || f.nomenclature == "-") continue;
    auto [name, column] = Reference(f.nomenclature);
    fs::path csv = fs::path(dir) / (name + ".csv");
    if (dir.empty() || !fs::exists(csv)) {
      if (std::find(out.missing_.begin(), out.missing_.end(), name) == out.missing_.end()) out.missing_.push_back(name);
      continue;
    }
    if (column.empty()) {
      fs::path json = fs::path(dir) / (name + ".json");
      if (fs::exists(json)) {
        ASSIGN_OR_RETURN(column, KeyColumn(json));
      }
    }
    std::string key = name + ":" + column;
    if (std::find(out.keys_.begin(), out.keys_.end(), key) != out.keys_.end()) continue;
    ASSIGN_OR_RETURN(sql::CodeSet codes, LoadCodes(csv, column));
    out.keys_.push_back(key);
    out.sets_.push_back(std::move(codes));
  }
  return out;
}

std::optional<int> Nomenclatures::SetFor(const Field& field) const {
  if (field.nomenclature.empty() || field.nomenclature == "-") return std::nullopt;
  auto [name, column] = Reference(field.nomenclature);
  for (size_t i = 0; i < keys_.size(); ++i) {
    if (keys_[i].starts_with(name + ":") && (column.empty() || keys_[i] == name + ":" + column)) return int(i);
  }
  return std::nullopt;
}

}  // namespace hdhub::ingest

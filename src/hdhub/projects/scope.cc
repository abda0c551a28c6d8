#include "hdhub/projects/scope.h"

#include <nlohmann/json.hpp>

#include "hdhub/common/bytes.h"
#include "hdhub/common/json_number.h"
#include "hdhub/crypto/hash.h"

namespace hdhub::projects {
namespace {

using nlohmann::json;

constexpr int kMinYear = 1900;
constexpr int kMaxYear = 2100;
constexpr size_t kMaxName = 64;

bool IsName(std::string_view s) {
  if (s.empty() || s.size() > kMaxName) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

StatusOr<YearRange> ParseYears(const json& j, const std::string& where) {
  if (!j.is_object() || !j.contains("from") || !j.contains("to") || !j["from"].is_number_integer() ||
      !j["to"].is_number_integer() || j.size() != 2) {
    return InvalidArgumentError("scope: " + where + " must be {\"from\": YYYY, \"to\": YYYY}");
  }
  const std::optional<int64_t> from = JsonInteger(j["from"], kMinYear, kMaxYear);
  const std::optional<int64_t> to = JsonInteger(j["to"], kMinYear, kMaxYear);
  if (!from || !to || *from > *to) {
    return InvalidArgumentError("scope: " + where + " must be a range of years within 1900-2100, from <= to");
  }
  return YearRange{static_cast<int>(*from), static_cast<int>(*to)};
}

Status ParseTables(const json& j, ProjectScope* scope) {
  if (!j.is_object() || j.empty()) return InvalidArgumentError("scope: \"tables\" must be a non-empty object");
  for (const auto& [table, columns] : j.items()) {
    if (!IsName(table)) return InvalidArgumentError("scope: table name '" + table.substr(0, 64) + "' is not valid");
    if (!columns.is_array() || columns.empty()) {
      return InvalidArgumentError("scope: tables." + table + " must be a non-empty array of column names or [\"*\"]");
    }
    std::vector<std::string>& out = scope->tables[table];
    for (const json& c : columns) {
      if (!c.is_string() || (c.get<std::string>() != "*" && !IsName(c.get<std::string>()))) {
        return InvalidArgumentError("scope: tables." + table + " holds a column name that is not valid");
      }
      out.push_back(c.get<std::string>());
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
  }
  return OkStatus();
}

Status ParsePopulation(const json& j, PopulationFilter* p) {
  if (!j.is_object()) return InvalidArgumentError("scope: \"population\" must be an object");
  for (const auto& [key, value] : j.items()) {
    if (key == "sex") {
      if (!value.is_array()) return InvalidArgumentError("scope: population.sex must be an array of 1 and 2");
      for (const json& s : value) {
        const std::optional<int64_t> sex = s.is_number_integer() ? JsonInteger(s, 1, 2) : std::nullopt;
        if (!sex) return InvalidArgumentError("scope: population.sex must hold 1 (men) and/or 2 (women)");
        p->sexes.push_back(static_cast<int>(*sex));
      }
    } else if (key == "birth_year") {
      ASSIGN_OR_RETURN(p->birth_years, ParseYears(value, "population.birth_year"));
    } else if (key == "departments") {
      if (!value.is_array()) return InvalidArgumentError("scope: population.departments must be an array");
      for (const json& d : value) {
        std::string code = d.is_string() ? d.get<std::string>() : "";
        bool ok = code.size() >= 2 && code.size() <= 3 && code.find_first_not_of("0123456789AB") == std::string::npos;
        if (!ok) return InvalidArgumentError("scope: population.departments holds a code that is not valid");
        p->departments.push_back(code);
      }
    } else {
      return InvalidArgumentError("scope: population has an unknown filter '" + key.substr(0, 32) + "'");
    }
  }
  std::sort(p->sexes.begin(), p->sexes.end());
  std::sort(p->departments.begin(), p->departments.end());
  return OkStatus();
}

}  // namespace

StatusOr<ProjectScope> ProjectScope::Parse(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return InvalidArgumentError("scope: not a JSON object");
  ProjectScope scope;
  for (const auto& [key, value] : j.items()) {
    if (key == "tables") {
      RETURN_IF_ERROR(ParseTables(value, &scope));
    } else if (key == "years") {
      ASSIGN_OR_RETURN(scope.years, ParseYears(value, "years"));
    } else if (key == "population") {
      RETURN_IF_ERROR(ParsePopulation(value, &scope.population));
    } else {
      return InvalidArgumentError("scope: unknown key '" + key.substr(0, 32) + "'");
    }
  }
  if (scope.tables.empty()) return InvalidArgumentError("scope: \"tables\" is required");
  return scope;
}

std::string ProjectScope::ToJson() const {
  json j = json::object();
  j["tables"] = tables;
  if (years) j["years"] = {{"from", years->from}, {"to", years->to}};
  json p = json::object();
  if (!population.sexes.empty()) p["sex"] = population.sexes;
  if (population.birth_years)
    p["birth_year"] = {{"from", population.birth_years->from}, {"to", population.birth_years->to}};
  if (!population.departments.empty()) p["departments"] = population.departments;
  if (!p.empty()) j["population"] = p;
  return j.dump();
}

std::string ProjectScope::Digest() const { return HexEncode(crypto::Sha256(AsBytes(ToJson()))); }

}  // namespace hdhub::projects

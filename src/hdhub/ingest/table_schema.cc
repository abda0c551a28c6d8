#include "hdhub/ingest/table_schema.h"

#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "hdhub/common/file.h"
#include "hdhub/common/json_number.h"

namespace hdhub::ingest {
namespace {

using nlohmann::json;

const std::set<std::string, std::less<>> kKnownTypes = {"string", "integer",  "number", "boolean",
                                                        "date",   "datetime", "year",   "yearmonth"};

std::optional<double> Number(const json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_number()) return std::nullopt;
  return j[key].get<double>();
}

Status ParseField(const json& j, size_t index, std::string_view source, Field* f) {
  std::string where = std::string(source) + ": field " + std::to_string(index);
  if (!j.is_object() || !j.contains("name") || !j["name"].is_string() || j["name"].get<std::string>().empty()) {
    return InvalidArgumentError(where + " has no name");
  }
  f->name = j["name"].get<std::string>();
  f->type = j.value("type", std::string("string"));
  if (!kKnownTypes.contains(f->type)) {
    return InvalidArgumentError(where + " (" + f->name + ") has unknown type '" + f->type + "'");
  }
  f->format = j.value("format", std::string("default"));
  f->nomenclature = j.value("nomenclature", std::string());
  for (auto [key, out] : {std::pair{"title", &f->title}, std::pair{"description", &f->description}}) {
    if (j.contains(key) && j[key].is_string()) *out = j[key].get<std::string>();
  }
  if (j.contains("constraints") && j["constraints"].is_object()) {
    const json& c = j["constraints"];
    f->required = c.value("required", false);
    for (auto [key, out] : {std::pair{"minLength", &f->min_length}, std::pair{"maxLength", &f->max_length}}) {
      if (!c.contains(key)) continue;
      *out = JsonInteger(c[key], 0, std::numeric_limits<int32_t>::max());
      if (!*out) {
        return InvalidArgumentError(where + " (" + f->name + "): constraints." + key +
                                    " is not a whole number from 0 to 2147483647");
      }
    }
    f->minimum = Number(c, "minimum");
    f->maximum = Number(c, "maximum");
    if (c.contains("pattern") && c["pattern"].is_string()) f->pattern = c["pattern"].get<std::string>();
    if (c.contains("enum") && c["enum"].is_array()) {
      for (const json& e : c["enum"]) f->enum_values.push_back(e.is_string() ? e.get<std::string>() : e.dump());
    }
  }
  return OkStatus();
}

}  // namespace

StatusOr<TableSchema> TableSchema::Parse(std::string_view json_text, std::string_view source) {
  json j = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return InvalidArgumentError(std::string(source) + " is not a JSON object");
  if (!j.contains("fields") || !j["fields"].is_array() || j["fields"].empty()) {
    return InvalidArgumentError(std::string(source) + " has no \"fields\" array");
  }
  TableSchema schema;
  schema.name = j.value("name", std::string());
  std::set<std::string, std::less<>> seen;
  for (size_t i = 0; i < j["fields"].size(); ++i) {
    Field f;
    RETURN_IF_ERROR(ParseField(j["fields"][i], i, source, &f));
    if (!seen.insert(f.name).second) {
      return InvalidArgumentError(std::string(source) + ": field '" + f.name + "' appears twice");
    }
    schema.fields.push_back(std::move(f));
  }
  if (j.contains("primaryKey") && j["primaryKey"].is_array()) {
    for (const json& k : j["primaryKey"]) {
      if (k.is_string()) schema.primary_key.push_back(k.get<std::string>());
    }
  }
  if (j.contains("missingValues") && j["missingValues"].is_array()) {
    schema.missing_values.clear();
    for (const json& m : j["missingValues"]) {
      if (m.is_string()) schema.missing_values.push_back(m.get<std::string>());
    }
  }
  return schema;
}

StatusOr<std::string> ReadSchemaText(const std::string& path) {
  StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status().WithContext("schema file " + path + " cannot be read");
  return text;
}

StatusOr<TableSchema> TableSchema::Load(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadSchemaText(path));
  return Parse(text, path);
}

StatusOr<TableSchema> TableSchema::LoadOrParse(const std::string& path, std::string_view text) {
  if (!text.empty()) return Parse(text, "built-in schema");
  return Load(path);
}

const Field* TableSchema::Find(std::string_view name) const {
  for (const Field& f : fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

}  // namespace hdhub::ingest

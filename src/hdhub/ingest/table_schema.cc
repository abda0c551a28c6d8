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

// The optional members of a Table Schema, each of one JSON type: absent gives
// `fallback`; another type is refused naming the member (`where` + `prefix`),
// never an exception out of the JSON library.
StatusOr<std::string> StringMember(const json& j, const char* key, std::string fallback, const std::string& where) {
  if (!j.contains(key)) return fallback;
  if (!j[key].is_string()) return InvalidArgumentError(where + key + " is not a string");
  return j[key].get<std::string>();
}

StatusOr<bool> BoolMember(const json& j, const char* key, const std::string& where) {
  if (!j.contains(key)) return false;
  if (!j[key].is_boolean()) return InvalidArgumentError(where + key + " is not true or false");
  return j[key].get<bool>();
}

StatusOr<std::optional<double>> NumberMember(const json& j, const char* key, const std::string& where) {
  if (!j.contains(key)) return std::optional<double>();
  if (!j[key].is_number()) return InvalidArgumentError(where + key + " is not a number");
  return std::optional<double>(j[key].get<double>());
}

Status ParseField(const json& j, size_t index, std::string_view source, Field* f) {
  std::string where = std::string(source) + ": field " + std::to_string(index);
  if (!j.is_object() || !j.contains("name") || !j["name"].is_string() || j["name"].get<std::string>().empty()) {
    return InvalidArgumentError(where + " has no name");
  }
  f->name = j["name"].get<std::string>();
  const std::string member = where + " (" + f->name + "): ";
  ASSIGN_OR_RETURN(f->type, StringMember(j, "type", "string", member));
  if (!kKnownTypes.contains(f->type)) {
    return InvalidArgumentError(where + " (" + f->name + ") has unknown type '" + f->type + "'");
  }
  ASSIGN_OR_RETURN(f->format, StringMember(j, "format", "default", member));
  ASSIGN_OR_RETURN(f->nomenclature, StringMember(j, "nomenclature", "", member));
  ASSIGN_OR_RETURN(f->title, StringMember(j, "title", "", member));
  ASSIGN_OR_RETURN(f->description, StringMember(j, "description", "", member));
  if (j.contains("constraints") && j["constraints"].is_object()) {
    const json& c = j["constraints"];
    const std::string constraint = member + "constraints.";
    ASSIGN_OR_RETURN(f->required, BoolMember(c, "required", constraint));
    for (auto [key, out] : {std::pair{"minLength", &f->min_length}, std::pair{"maxLength", &f->max_length}}) {
      if (!c.contains(key)) continue;
      *out = JsonInteger(c[key], 0, std::numeric_limits<int32_t>::max());
      if (!*out) return InvalidArgumentError(constraint + key + " is not a whole number from 0 to 2147483647");
    }
    ASSIGN_OR_RETURN(f->minimum, NumberMember(c, "minimum", constraint));
    ASSIGN_OR_RETURN(f->maximum, NumberMember(c, "maximum", constraint));
    ASSIGN_OR_RETURN(f->pattern, StringMember(c, "pattern", "", constraint));
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
  ASSIGN_OR_RETURN(schema.name, StringMember(j, "name", "", std::string(source) + ": "));
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

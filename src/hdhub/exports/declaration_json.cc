#include "hdhub/exports/declaration_json.h"

#include <utility>

#include "hdhub/common/json_number.h"
#include "hdhub/exports/frame.h"
#include "hdhub/exports/request_flow.h"

namespace hdhub::exports {

using nlohmann::json;

StatusOr<json> ParseDeclarationJson(std::string_view text, std::string_view what) {
  json j = json::parse(text, /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return InvalidArgumentError(std::string(what) + ": the declaration is not valid JSON");
  return j;
}

StatusOr<Fields> Fields::Of(const json& j, std::string where) {
  if (!j.is_object()) return InvalidArgumentError(where + ": is not a JSON object");
  return Fields(j, std::move(where));
}

Status Fields::Bad(std::string_view field, std::string_view what) const {
  return InvalidArgumentError(where_ + ": field " + std::string(field) + " " + std::string(what));
}

const json* Fields::Find(std::string_view field) {
  auto it = j_->find(field);
  if (it == j_->end()) return nullptr;
  seen_.insert(std::string(field));
  return &*it;
}

StatusOr<const json*> Fields::Get(std::string_view field) {
  const json* v = Find(field);
  if (v == nullptr) return Bad(field, "is missing");
  return v;
}

StatusOr<std::string> Fields::String(std::string_view field) {
  ASSIGN_OR_RETURN(const json* v, Get(field));
  if (!v->is_string()) return Bad(field, "is not a string");
  return v->get<std::string>();
}

StatusOr<std::string> Fields::Name(std::string_view field) {
  ASSIGN_OR_RETURN(std::string s, String(field));
  if (!IsExportName(s)) return Bad(field, "is not a name [a-z][a-z0-9_-]{0,63}");
  return s;
}

StatusOr<std::string> Fields::Identifier(std::string_view field) {
  ASSIGN_OR_RETURN(std::string s, String(field));
  if (!IsSqlIdentifier(s)) return Bad(field, "is not a SQL identifier [A-Za-z_][A-Za-z0-9_]{0,63}");
  return s;
}

StatusOr<int64_t> Fields::Integer(std::string_view field, int64_t min, int64_t max) {
  ASSIGN_OR_RETURN(const json* v, Get(field));
  std::optional<int64_t> i = JsonInteger(*v, min, max);
  if (!i) return Bad(field, "is not a whole number from " + std::to_string(min) + " to " + std::to_string(max));
  return *i;
}

StatusOr<const json*> Fields::Array(std::string_view field, size_t min_size, size_t max_size) {
  ASSIGN_OR_RETURN(const json* v, Get(field));
  if (!v->is_array()) return Bad(field, "is not an array");
  if (v->size() < min_size || v->size() > max_size) {
    return Bad(field, "must hold " + std::to_string(min_size) + " to " + std::to_string(max_size) + " elements");
  }
  return v;
}

Status Fields::Done() const {
  for (const auto& [key, value] : j_->items()) {
    if (seen_.contains(key)) continue;
    // Named only when it looks like a field name: the text is the author's.
    if (IsSqlIdentifier(key)) return InvalidArgumentError(where_ + ": unknown field " + key);
    return InvalidArgumentError(where_ + ": an unknown field");
  }
  return OkStatus();
}

}  // namespace hdhub::exports

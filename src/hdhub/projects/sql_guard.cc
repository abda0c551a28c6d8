#include "hdhub/projects/sql_guard.h"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

#include "hdhub/projects/workspace_builder.h"

namespace hdhub::projects {
namespace {

constexpr std::array<std::string_view, 3> kTableFunctions = {"range", "generate_series", "unnest"};

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// A name a replacement scan could read as a file, or one of hdhub's tables.
Status CheckName(const nlohmann::json& node, const char* key) {
  auto it = node.find(key);
  if (it == node.end() || !it->is_string()) return OkStatus();
  std::string name = Lower(it->get<std::string>());
  if (name.find_first_of("/:.\\'") != std::string::npos) {
    return PermissionDeniedError("a project session reads its workspace's tables by name, not files by path");
  }
  if (name.starts_with(kHiddenTablePrefix) || name.starts_with("\"" + std::string(kHiddenTablePrefix))) {
    return PermissionDeniedError("hdhub's own tables are not readable in a project session");
  }
  return OkStatus();
}

Status Walk(const nlohmann::json& node) {
  if (node.is_array()) {
    for (const nlohmann::json& child : node) RETURN_IF_ERROR(Walk(child));
    return OkStatus();
  }
  if (!node.is_object()) return OkStatus();
  auto type = node.find("type");
  if (type != node.end() && type->is_string()) {
    const std::string& t = type->get_ref<const std::string&>();
    if (t == "BASE_TABLE" || t == "SHOW_REF") {
      for (const char* key : {"table_name", "schema_name", "catalog_name"}) RETURN_IF_ERROR(CheckName(node, key));
    } else if (t == "TABLE_FUNCTION") {
      std::string name = Lower(node.value("function", nlohmann::json::object()).value("function_name", ""));
      if (std::find(kTableFunctions.begin(), kTableFunctions.end(), name) == kTableFunctions.end()) {
        return PermissionDeniedError("table function " + name +
                                     " is not available in a project session (only range, generate_series, unnest)");
      }
    }
  }
  for (const auto& [key, child] : node.items()) RETURN_IF_ERROR(Walk(child));
  return OkStatus();
}

}  // namespace

StatusOr<std::unique_ptr<SqlGuard>> SqlGuard::Create(storage::SealedStore* sealed) {
  ASSIGN_OR_RETURN(std::unique_ptr<sql::Database> parser, sql::Database::Open(sealed, {.threads = 1}));
  RETURN_IF_ERROR(parser->LockDown({.allowed_prefix = "hdhub://nothing-readable/"}));
  return std::unique_ptr<SqlGuard>(new SqlGuard(std::move(parser)));
}

Status SqlGuard::Check(std::string_view sql) {
  for (auto it = remembered_.begin(); it != remembered_.end(); ++it) {
    if (it->sql != sql) continue;
    Verdict found = std::move(*it);
    remembered_.erase(it);
    remembered_.push_front(std::move(found));
    return remembered_.front().status;
  }
  Status verdict = Parse(sql);
  // Only the statement's own verdicts are kept, never the instance's failure.
  const bool own =
      verdict.ok() || verdict.code() == StatusCode::kPermissionDenied || verdict.code() == StatusCode::kInvalidArgument;
  if (own && sql.size() <= kLongestRemembered) {
    if (remembered_.size() == kRemembered) remembered_.pop_back();
    remembered_.push_front({std::string(sql), verdict});
  }
  return verdict;
}

Status SqlGuard::Parse(std::string_view sql) {
  ASSIGN_OR_RETURN(sql::QueryResult r, parser_->Query("SELECT json_serialize_sql(" + sql::QuoteLiteral(sql) + ")"));
  nlohmann::json tree = nlohmann::json::parse(r.rows.at(0).at(0).value_or("{}"), nullptr, false);
  if (tree.is_discarded() || !tree.is_object()) return InternalError("the SQL guard could not read the parse tree");
  if (tree.value("error", true)) {
    std::string message = tree.value("error_message", "");
    if (message.find("Only SELECT") != std::string::npos) {
      return PermissionDeniedError("a project session runs SELECT statements only");
    }
    return InvalidArgumentError(message);
  }
  return Walk(tree["statements"]);
}

}  // namespace hdhub::projects

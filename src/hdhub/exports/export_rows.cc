#include "hdhub/exports/export_rows.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>

#include "hdhub/exports/request_flow.h"

namespace hdhub::exports::internal {
namespace {

constexpr size_t kMaxAccount = 64;
constexpr size_t kSha256Hex = 64;

Status Bind(catalog::Statement& s, int index, const SqlArg& arg) {
  if (const auto* n = std::get_if<int64_t>(&arg)) return s.BindInt64(index, *n);
  if (const auto* text = std::get_if<std::string_view>(&arg)) return s.BindText(index, *text);
  if (const auto* blob = std::get_if<ByteSpan>(&arg)) return s.BindBlob(index, *blob);
  return s.BindNull(index);
}

Status Invalid(std::string_view column, std::string_view must) {
  return InvalidArgumentError(std::string(column) + " must be " + std::string(must));
}

}  // namespace

StatusOr<catalog::Statement> Query(catalog::Database& db, std::string_view sql, std::initializer_list<SqlArg> args) {
  ASSIGN_OR_RETURN(catalog::Statement statement, db.Prepare(sql));
  int index = 0;
  for (const SqlArg& arg : args) RETURN_IF_ERROR(Bind(statement, ++index, arg));
  return statement;
}

StatusOr<int64_t> Execute(catalog::Database& db, std::string_view sql, std::initializer_list<SqlArg> args) {
  ASSIGN_OR_RETURN(catalog::Statement statement, Query(db, sql, args));
  RETURN_IF_ERROR(statement.Run());
  return db.Changes();
}

Status CheckName(std::string_view column, std::string_view value) {
  return IsExportName(value) ? OkStatus() : Invalid(column, "[a-z][a-z0-9_-]{0,63}");
}

Status CheckProject(std::string_view column, std::string_view value) {
  return IsProjectId(value) ? OkStatus() : Invalid(column, "a project id, [a-z][a-z0-9-]{0,63}");
}

Status CheckAccount(std::string_view column, std::string_view value) {
  return !value.empty() && value.size() <= kMaxAccount ? OkStatus() : Invalid(column, "an account name");
}

Status CheckSha256(std::string_view column, std::string_view value) {
  bool hex = value.size() == kSha256Hex && std::all_of(value.begin(), value.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
             });
  return hex ? OkStatus() : Invalid(column, "64 lower-case hex digits");
}

Status CheckJson(std::string_view column, std::string_view value, bool object) {
  const nlohmann::json j = nlohmann::json::parse(value, nullptr, false);
  if (j.is_discarded()) return Invalid(column, "JSON");
  if (object && !j.is_object()) return Invalid(column, "a JSON object");
  return OkStatus();
}

Status Damaged(std::string_view table, std::string_view column, std::string_view key) {
  return DataLossError("exports: " + std::string(table) + "." + std::string(column) + " of " + std::string(key) +
                       " does not parse");
}

}  // namespace hdhub::exports::internal

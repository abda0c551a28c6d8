#include "hdhub/sql/database.h"

#include "duckdb.hpp"
#include "hdhub/sql/hdhub_file_system.h"

namespace hdhub::sql {
namespace {

using duckdb::ExceptionType;

std::optional<StatusCode> CodeFromPrefix(std::string_view message) {
  // ThrowForStatus writes "hdhub <CODE>: ..."; DuckDB may prepend its own
  // "IO Error: " so the prefix is searched for, not anchored.
  size_t at = message.find("hdhub ");
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view rest = message.substr(at + 6);
  for (int c = 1; c <= int(StatusCode::kUnauthenticated); ++c) {
    std::string_view name = StatusCodeName(StatusCode(c));
    if (rest.starts_with(name) && rest.substr(name.size()).starts_with(":")) return StatusCode(c);
  }
  return std::nullopt;
}

}  // namespace

Status StatusFromDuckDbError(int exception_type, std::string_view message) {
  if (std::optional<StatusCode> code = CodeFromPrefix(message)) return Status(*code, message);
  switch (ExceptionType(exception_type)) {
    case ExceptionType::PERMISSION: return PermissionDeniedError(message);
    case ExceptionType::INTERRUPT: return CancelledError(message);
    case ExceptionType::OUT_OF_MEMORY: return ResourceExhaustedError(message);
    case ExceptionType::IO:
    case ExceptionType::HTTP:
    case ExceptionType::NETWORK: return UnavailableError(message);
    case ExceptionType::INTERNAL:
    case ExceptionType::FATAL: return InternalError(message);
    default: return InvalidArgumentError(message);
  }
}

std::string QuoteIdentifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string QuoteLiteral(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

StatusOr<std::unique_ptr<Database>> Database::Open(storage::SealedStore* store, const DatabaseOptions& options) {
  std::unique_ptr<Database> db(new Database());
  db->keys_ = std::make_unique<KeyRing>();
  try {
    duckdb::DBConfig config;
    config.SetOptionByName("autoinstall_known_extensions", duckdb::Value::BOOLEAN(false));
    config.SetOptionByName("autoload_known_extensions", duckdb::Value::BOOLEAN(false));
    if (options.threads > 0) config.SetOptionByName("threads", duckdb::Value::BIGINT(options.threads));
    if (!options.memory_limit.empty()) config.SetOptionByName("memory_limit", duckdb::Value(options.memory_limit));
    db->db_ = std::make_unique<duckdb::DuckDB>(nullptr, &config);
    db->db_->instance->GetFileSystem().RegisterSubSystem(
        duckdb::make_uniq<HdhubFileSystem>(store, db->keys_.get()));
    db->connection_ = std::make_unique<duckdb::Connection>(*db->db_);
  } catch (const std::exception& e) {
    duckdb::ErrorData error(e);
    return StatusFromDuckDbError(int(error.Type()), error.Message()).WithContext("opening DuckDB");
  }
  return db;
}

Database::~Database() {
  // The connection and the instance (which owns the filesystem) go before the
  // KeyRing the filesystem points to.
  connection_.reset();
  db_.reset();
}

duckdb::DatabaseInstance& Database::instance() { return *db_->instance; }

StatusOr<QueryResult> Database::Query(std::string_view sql) {
  try {
    duckdb::unique_ptr<duckdb::MaterializedQueryResult> result = connection_->Query(std::string(sql));
    if (result->HasError()) {
      const duckdb::ErrorData& error = result->GetErrorObject();
      return StatusFromDuckDbError(int(error.Type()), error.Message());
    }
    QueryResult out;
    out.column_names.assign(result->names.begin(), result->names.end());
    for (const duckdb::LogicalType& type : result->types) out.column_types.push_back(type.ToString());
    for (duckdb::idx_t row = 0; row < result->RowCount(); ++row) {
      std::vector<std::optional<std::string>> cells;
      cells.reserve(result->ColumnCount());
      for (duckdb::idx_t col = 0; col < result->ColumnCount(); ++col) {
        duckdb::Value v = result->GetValue(col, row);
        cells.push_back(v.IsNull() ? std::nullopt : std::optional<std::string>(v.ToString()));
      }
      out.rows.push_back(std::move(cells));
    }
    return out;
  } catch (const std::exception& e) {
    duckdb::ErrorData error(e);
    return StatusFromDuckDbError(int(error.Type()), error.Message());
  }
}

Status Database::Execute(std::string_view sql) { return Query(sql).status(); }

Status Database::LockDown() {
  // Order matters: the allowed prefix first, then external access off (which
  // would otherwise refuse hdhub:// too), then freeze every setting.
  return Execute(
      "SET allowed_directories = ['hdhub://'];"
      "SET enable_external_access = false;"
      "SET lock_configuration = true;");
}

}  // namespace hdhub::sql

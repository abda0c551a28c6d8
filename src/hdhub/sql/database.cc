#include "hdhub/sql/database.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "duckdb.hpp"
#include "duckdb/parser/common_table_expression_info.hpp"
#include "duckdb/parser/expression/subquery_expression.hpp"
#include "duckdb/parser/parsed_expression_iterator.hpp"
#include "duckdb/parser/parser.hpp"
#include "duckdb/parser/statement/select_statement.hpp"
#include "duckdb/parser/tableref/basetableref.hpp"
#include "hdhub/sql/hdhub_file_system.h"
#include "hdhub/sql/openssl_encryption.h"
#include "hdhub/sql/private_temp_file_system.h"

namespace hdhub::sql {
namespace {

using duckdb::ExceptionType;

// hdhub's own error inside a DuckDB message: ThrowForStatus writes "hdhub
// <CODE>: <message>"; DuckDB may prepend its own "IO Error: " and append the
// statement's context ("LINE 1: CREATE VIEW …"), so the prefix is searched
// for, and the message ends at its line's end: what hdhub said, alone.
std::optional<Status> HdhubStatusIn(std::string_view message) {
  for (size_t at = message.find("hdhub "); at != std::string_view::npos; at = message.find("hdhub ", at + 1)) {
    std::string_view rest = message.substr(at + 6);
    for (int c = 1; c <= int(StatusCode::kUnauthenticated); ++c) {
      std::string_view name = StatusCodeName(StatusCode(c));
      if (!rest.starts_with(name) || !rest.substr(name.size()).starts_with(": ")) continue;
      std::string_view text = rest.substr(name.size() + 2);
      return Status(StatusCode(c), text.substr(0, text.find('\n')));
    }
  }
  return std::nullopt;
}

// Where DuckDB's home, extension and secret directories point: a name our
// file system claims ("hdhub:") and refuses, not a path of this machine.
constexpr char kNoLocalDirectory[] = "hdhub:none";

// Statements a locked-down instance refuses outright, whatever the settings
// would allow (ATTACH ':memory:' is harmless but has no place in a sandbox;
// the others are refused by the configuration too, and this gives a clear
// message). Isolation does not rest on this list: it is a second wall.
bool RefusedWhenLocked(duckdb::StatementType type) {
  using duckdb::StatementType;
  switch (type) {
    case StatementType::ATTACH_STATEMENT:
    case StatementType::DETACH_STATEMENT:
    case StatementType::COPY_STATEMENT:
    case StatementType::COPY_DATABASE_STATEMENT:
    case StatementType::EXPORT_STATEMENT:
    case StatementType::LOAD_STATEMENT:
    case StatementType::UPDATE_EXTENSIONS_STATEMENT:
    case StatementType::EXTENSION_STATEMENT:
    case StatementType::SET_STATEMENT:
    case StatementType::VARIABLE_SET_STATEMENT:
    case StatementType::PRAGMA_STATEMENT:
    case StatementType::VACUUM_STATEMENT:
      return true;
    default:
      return false;
  }
}

}  // namespace

Status StatusFromDuckDbError(int exception_type, std::string_view message) {
  if (std::optional<Status> own = HdhubStatusIn(message)) return *own;
  switch (ExceptionType(exception_type)) {
    case ExceptionType::PERMISSION:
      return PermissionDeniedError(message);
    case ExceptionType::INTERRUPT:
      return CancelledError(message);
    case ExceptionType::OUT_OF_MEMORY:
      return ResourceExhaustedError(message);
    case ExceptionType::IO:
    case ExceptionType::HTTP:
    case ExceptionType::NETWORK:
      return UnavailableError(message);
    case ExceptionType::INTERNAL:
    case ExceptionType::FATAL:
      return InternalError(message);
    default:
      return InvalidArgumentError(message);
  }
}

Status StatusFromDuckDbException(const std::exception& e) {
  duckdb::ErrorData error(e);
  return StatusFromDuckDbError(int(error.Type()), error.Message());
}

Status StatusFromDuckDbResult(duckdb::BaseQueryResult& result) {
  return StatusFromDuckDbError(int(result.GetErrorObject().Type()), result.GetErrorObject().Message());
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
    db->db_->instance->GetFileSystem().RegisterSubSystem(duckdb::make_uniq<HdhubFileSystem>(store, db->keys_.get()));
    if (!options.private_temp_dir.empty()) {
      duckdb::DBConfig::GetConfig(*db->db_->instance).encryption_util =
          duckdb::make_shared_ptr<OpenSslEncryptionUtil>();
      db->db_->instance->GetFileSystem().RegisterSubSystem(
          duckdb::make_uniq<PrivateTempFileSystem>(options.private_temp_dir));
    }
    db->connection_ = std::make_unique<duckdb::Connection>(*db->db_);
    // No plaintext ever spills: without a private directory DuckDB does not
    // spill at all (a query too big for memory fails); with one, it spills
    // there, encrypted, beyond the reach of SQL.
    std::string settings = options.private_temp_dir.empty()
                               ? "SET temp_directory = ''"
                               : std::string("SET temp_file_encryption = true; SET temp_directory = '") +
                                     kPrivateTempScheme +
                                     "'; SET max_temp_directory_size = " + QuoteLiteral(options.max_temp_size);
    settings += "; " + MachineHidingSettings();
    duckdb::unique_ptr<duckdb::MaterializedQueryResult> set = db->connection_->Query(settings);
    if (set->HasError()) return StatusFromDuckDbResult(*set).WithContext("configuring DuckDB");
  } catch (const std::exception& e) {
    return StatusFromDuckDbException(e).WithContext("opening DuckDB");
  }
  return db;
}

std::string MachineHidingSettings() {
  // The directories DuckDB derives from $HOME point nowhere, under the hdhub:
  // scheme (which the hdhub file system refuses cleanly, and no other file
  // system serves), and times are UTC whatever the machine's zone.
  std::string settings;
  for (const char* option : {"home_directory", "extension_directory", "secret_directory"}) {
    settings += std::string("SET ") + option + " = " + QuoteLiteral(kNoLocalDirectory) + "; ";
  }
  return settings + "SET TimeZone = 'UTC'";
}

Database::~Database() {
  watcher_.reset();  // it reads the connection's context
  // The connection and the instance (which owns the filesystem) go before the
  // KeyRing the filesystem points to.
  connection_.reset();
  db_.reset();
}

duckdb::DatabaseInstance& Database::instance() { return *db_->instance; }

Status Database::CheckType(duckdb::StatementType type) const {
  if (!locked_ || !RefusedWhenLocked(type)) return OkStatus();
  return PermissionDeniedError(duckdb::StatementTypeToString(type) +
                               " is not available here: this instance only reads its own workspace");
}

Status Database::CheckStatements(std::string_view sql) {
  if (!locked_) return OkStatus();
  try {
    for (const auto& statement : connection_->ExtractStatements(std::string(sql))) {
      RETURN_IF_ERROR(CheckType(statement->type));
    }
  } catch (const std::exception& e) {
    return StatusFromDuckDbException(e);
  }
  return OkStatus();
}

namespace {

// The tables and views a parsed statement names, anywhere (joins, subqueries
// in FROM or in expressions, CTE bodies), minus the names of its own CTEs.
class TableNameWalker {
 public:
  void Node(duckdb::QueryNode& node) {
    for (auto& [name, cte] : node.cte_map.map) {
      ctes_.insert(name);
      if (cte->query) Node(*cte->query->node);
    }
    duckdb::ParsedExpressionIterator::EnumerateQueryNodeChildren(
        node, [this](duckdb::unique_ptr<duckdb::ParsedExpression>& e) { Expr(e); },
        [this](duckdb::TableRef& ref) { Ref(ref); });
  }

  std::vector<std::string> Names() const {
    std::vector<std::string> out;
    for (const std::string& n : names_) {
      if (!ctes_.contains(n)) out.push_back(n);
    }
    return out;  // sorted: a std::set
  }

 private:
  void Expr(duckdb::unique_ptr<duckdb::ParsedExpression>& e) {
    if (!e) return;
    if (e->GetExpressionClass() == duckdb::ExpressionClass::SUBQUERY) {
      Node(*e->Cast<duckdb::SubqueryExpression>().subquery->node);
    }
    duckdb::ParsedExpressionIterator::EnumerateChildren(
        *e, [this](duckdb::unique_ptr<duckdb::ParsedExpression>& child) { Expr(child); });
  }
  // DuckDB's iterator calls this for every table reference once its
  // children (join sides, subqueries in FROM) are visited.
  void Ref(duckdb::TableRef& ref) {
    if (ref.type == duckdb::TableReferenceType::BASE_TABLE) names_.insert(ref.Cast<duckdb::BaseTableRef>().table_name);
  }

  std::set<std::string> names_, ctes_;
};

}  // namespace

StatusOr<std::vector<std::string>> Database::TablesRead(std::string_view sql) {
  try {
    duckdb::Parser parser;
    parser.ParseQuery(std::string(sql));
    TableNameWalker walker;
    for (auto& statement : parser.statements) {
      if (statement->type != duckdb::StatementType::SELECT_STATEMENT) continue;
      walker.Node(*statement->Cast<duckdb::SelectStatement>().node);
    }
    return walker.Names();
  } catch (const std::exception& e) {
    return StatusFromDuckDbException(e);
  }
}

StatusOr<std::vector<std::string>> Database::Statements(std::string_view sql) {
  std::vector<std::string> texts;
  try {
    // The parser alone (the connection's would expand pragmas into other
    // statements) keeps each statement's text: its `query` (the whole text,
    // or already its own) at its location.
    const std::string whole(sql);
    duckdb::Parser parser;
    parser.ParseQuery(whole);
    for (const auto& statement : parser.statements) {
      const std::string& source = statement->query.empty() ? whole : statement->query;
      const size_t at = std::min<size_t>(statement->stmt_location, source.size());
      const size_t length = statement->stmt_length == 0 ? std::string::npos : statement->stmt_length;
      texts.push_back(source.substr(at, length));
    }
  } catch (const std::exception& e) {
    return StatusFromDuckDbException(e);
  }
  // Each as Stream will check it: one refused statement refuses the batch.
  for (const std::string& text : texts) RETURN_IF_ERROR(CheckStatements(text));
  return texts;
}

StatusOr<std::unique_ptr<QueryStream>> Database::Stream(std::string_view sql, const QueryLimits& limits) {
  return Stream(sql, {}, limits);
}

Status Database::Idle() const {
  if (streaming_) {
    return FailedPreconditionError("a query stream is still open on this database; read it to its end or close it");
  }
  return OkStatus();
}

StatusOr<std::unique_ptr<duckdb::PreparedStatement>> Database::Prepare(std::string_view sql) {
  RETURN_IF_ERROR(Idle());
  try {
    auto statements = connection_->ExtractStatements(std::string(sql));
    for (const auto& statement : statements) RETURN_IF_ERROR(CheckType(statement->type));  // as CheckStatements
    if (statements.size() != 1) return InvalidArgumentError("only one statement can be prepared at a time");
    duckdb::unique_ptr<duckdb::PreparedStatement> prepared = connection_->Prepare(std::move(statements[0]));
    if (prepared->HasError())
      return StatusFromDuckDbError(int(prepared->GetErrorObject().Type()), prepared->GetError());
    return std::unique_ptr<duckdb::PreparedStatement>(prepared.release());
  } catch (const std::exception& e) {
    return StatusFromDuckDbException(e);
  }
}

StatusOr<std::unique_ptr<QueryStream>> Database::Stream(std::string_view sql,
                                                        const std::vector<duckdb::Value>& parameters,
                                                        const QueryLimits& limits) {
  RETURN_IF_ERROR(Idle());
  // No parse here: the stream checks the type of each statement it parsed.
  return StartStream([&](std::function<void()> release) {
    return QueryStream::Start(
        *connection_, sql, parameters, limits, [this](duckdb::StatementType type) { return CheckType(type); },
        std::move(release));
  });
}

StatusOr<std::unique_ptr<QueryStream>> Database::StartStream(const Starter& start) {
  streaming_ = true;
  if (progress_) watcher_ = std::make_unique<ProgressWatcher>(*connection_->context, progress_, progress_phase_);
  StatusOr<std::unique_ptr<QueryStream>> stream = start([this] {
    streaming_ = false;
    watcher_.reset();
  });
  if (!stream.ok()) watcher_.reset();
  return stream;
}

// Polls the running statement's progress about 4 times a second and reports
// it, from a thread of its own, until destroyed.
class ProgressWatcher {
 public:
  ProgressWatcher(duckdb::ClientContext& context, ProgressFn fn, std::string phase)
      : thread_([this, &context, fn = std::move(fn), phase = std::move(phase)] {
          std::unique_lock lock(mu_);
          while (!cv_.wait_for(lock, std::chrono::milliseconds(250), [this] { return stop_; })) {
            duckdb::QueryProgress q = context.GetQueryProgress();
            const double percent = q.GetPercentage();
            fn({.phase = phase,
                .fraction = percent < 0 ? -1.0 : percent / 100.0,
                .done = q.GetRowsProcesseed(),
                .total = q.GetTotalRowsToProcess(),
                .unit = "rows"});
          }
        }) {}
  ~ProgressWatcher() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;  // last: it starts once the rest is built
};

void Database::SetProgress(ProgressFn fn, std::string phase) {
  progress_ = std::move(fn);
  progress_phase_ = std::move(phase);
  duckdb::ClientConfig& config = duckdb::ClientConfig::GetConfig(*connection_->context);
  config.enable_progress_bar = progress_ != nullptr;  // tracking only: DuckDB prints nothing
  config.print_progress_bar = false;
  config.wait_time = 0;
}

StatusOr<QueryResult> Database::Query(std::string_view sql, const QueryLimits& limits) {
  ASSIGN_OR_RETURN(std::unique_ptr<QueryStream> stream, Stream(sql, limits));
  return Collect(*stream);
}

Status Database::Execute(std::string_view sql) { return Query(sql).status(); }

Status Database::LockDown(const LockDownOptions& options) {
  // Order matters: the allowed prefix first, then external access off (which
  // would otherwise refuse hdhub:// too), the local file system off (our
  // private temp file system keeps its own), then freeze every setting.
  RETURN_IF_ERROR(Execute("SET allowed_directories = [" + QuoteLiteral(options.allowed_prefix) +
                          "];"
                          "SET enable_external_access = false;"
                          "SET disabled_filesystems = 'LocalFileSystem';"
                          "SET lock_configuration = true;"));
  locked_ = options.refuse_statements;
  return OkStatus();
}

}  // namespace hdhub::sql

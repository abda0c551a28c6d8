// Database: one DuckDB instance with the hdhub:// filesystem registered and a
// KeyRing saying what that instance may reach. RAII over DuckDB's C++ API;
// every DuckDB exception is caught here and becomes a Status.
//
// Extension auto-install and auto-load are off (offline, each attempt would
// cost half a second, and an extension is code we did not review). LockDown()
// then turns off every route to local files and freezes the configuration, so
// that SQL run afterwards reaches hdhub:// paths under its grants and nothing
// else. With a private temp directory, DuckDB still spills big joins and
// sorts, encrypted, to a file system SQL cannot reach (private_temp_file_system.h).
//
// Ownership: owns the SealedStore pointer's user (the filesystem), the KeyRing
// and the DuckDB instance, destroyed in that order's reverse. The SealedStore
// must outlive the Database. Thread-safety: Query(), Stream() and Execute()
// may be called from one thread at a time per Database, and not while a
// QueryStream it returned is open; DuckDB parallelises inside a query.
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/common/progress.h"
#include "hdhub/common/sql_identifier.h"
#include "hdhub/common/status.h"
#include "hdhub/sql/key_ring.h"
#include "hdhub/sql/query_result.h"
#include "hdhub/sql/query_stream.h"
#include "hdhub/storage/sealed_store.h"

namespace duckdb {
class BaseQueryResult;
class DuckDB;
class Connection;
class DatabaseInstance;
class PreparedStatement;
class Value;
enum class StatementType : uint8_t;
}  // namespace duckdb

namespace hdhub::sql {

struct DatabaseOptions {
  int threads = 0;           // 0: DuckDB's default (all cores)
  std::string memory_limit;  // e.g. "2GB"; empty: DuckDB's default
  // A private, existing directory (mode 0700) for encrypted spill files;
  // empty: spilling stays DuckDB's (before LockDown) or off (after).
  std::string private_temp_dir;
  std::string max_temp_size = "16GB";  // with private_temp_dir
};

// What LockDown() leaves reachable, and the limits it freezes.
struct LockDownOptions {
  std::string allowed_prefix = "hdhub://";  // e.g. "hdhub://projects/p1/"
  // Refuse ATTACH, COPY, EXPORT, LOAD, SET, PRAGMA… by statement type (for
  // instances that run someone's SQL; hdhub's own builds COPY).
  bool refuse_statements = true;
};

class ProgressWatcher;  // database.cc

class Database {
 public:
  static StatusOr<std::unique_ptr<Database>> Open(storage::SealedStore* store, const DatabaseOptions& options = {});
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  KeyRing& keys() { return *keys_; }

  // Starts one or more statements and returns the last one's result as a
  // stream (query_stream.h) under `limits`. Errors, here or from the
  // stream's Next(): InvalidArgument for SQL errors (parser, binder,
  // catalog), PermissionDenied for anything refused by the lock-down or the
  // KeyRing, DataLoss when a sealed object fails its integrity checks,
  // FailedPrecondition while another stream is open, Internal otherwise.
  StatusOr<std::unique_ptr<QueryStream>> Stream(std::string_view sql, const QueryLimits& limits = {});
  // One statement with its parameters ($1, $2, …), as Stream.
  StatusOr<std::unique_ptr<QueryStream>> Stream(std::string_view sql, const std::vector<duckdb::Value>& parameters,
                                                const QueryLimits& limits);
  // One statement prepared, never run: its result columns and the types of
  // its parameters (as DuckDB infers them). Errors as Stream's.
  StatusOr<std::unique_ptr<duckdb::PreparedStatement>> Prepare(std::string_view sql);
  // As Stream, collecting the whole result (bounded by `limits`).
  StatusOr<QueryResult> Query(std::string_view sql, const QueryLimits& limits = {});
  Status Execute(std::string_view sql);
  // The statements of `sql`, each as its own text, in order (none for a text
  // without one), for callers that run them one at a time. InvalidArgument
  // when the text does not parse; once locked down, PermissionDenied when
  // any statement is of a refused type, so that a batch is refused whole,
  // before any of it runs.
  StatusOr<std::vector<std::string>> Statements(std::string_view sql);
  // The tables and views the SELECT statements of `sql` name (parsed, not
  // bound: nothing runs), sorted, without the names of their own CTEs, for
  // the audit log. InvalidArgument when the text does not parse.
  StatusOr<std::vector<std::string>> TablesRead(std::string_view sql);

  // Refuses local files (every DuckDB route: external access off, the local
  // file system disabled), extension loading and any further configuration
  // change, allowing only paths under options.allowed_prefix (still subject to
  // the KeyRing). With a private temp dir, spills go there, encrypted.
  // Irreversible.
  Status LockDown(const LockDownOptions& options = {});

  // While a statement runs (until its stream ends), reports the statement's progress (as
  // DuckDB estimates it) to `fn` about 4 times a second, from a thread of its
  // own, as `phase`. An empty `fn` stops the reports.
  void SetProgress(ProgressFn fn, std::string phase);

  // For registering scalar functions (ingest).
  duckdb::DatabaseInstance& instance();

 private:
  Database() = default;
  // PermissionDenied for a statement a locked instance refuses by type.
  Status CheckStatements(std::string_view sql);
  Status CheckType(duckdb::StatementType type) const;
  // FailedPrecondition while a QueryStream holds the connection.
  Status Idle() const;
  // Starts a stream with `start` (QueryStream::Start); the caller has
  // checked Idle().
  using Starter = std::function<StatusOr<std::unique_ptr<QueryStream>>(std::function<void()> release)>;
  StatusOr<std::unique_ptr<QueryStream>> StartStream(const Starter& start);

  ProgressFn progress_;
  std::string progress_phase_;
  std::unique_ptr<ProgressWatcher> watcher_;  // while a statement runs, with progress_
  bool locked_ = false;
  bool streaming_ = false;  // a QueryStream holds the connection
  std::unique_ptr<KeyRing> keys_;
  std::unique_ptr<duckdb::DuckDB> db_;
  std::unique_ptr<duckdb::Connection> connection_;
};

// Maps a DuckDB error (type and message) back to a canonical Status; the
// "hdhub <CODE>:" prefix written by ThrowForStatus wins when present.
Status StatusFromDuckDbError(int exception_type, std::string_view message);
// The same for an exception thrown by DuckDB, and for a result that failed.
Status StatusFromDuckDbException(const std::exception& e);
Status StatusFromDuckDbResult(duckdb::BaseQueryResult& result);

// Quotes an identifier (common/sql_identifier.h) / a string literal for SQL text.
using ::hdhub::QuoteIdentifier;
std::string QuoteLiteral(std::string_view value);

// SET statements after which no setting of a DuckDB instance shows the
// machine it runs on (a researcher reads duckdb_settings()): every instance a
// researcher's SQL reaches runs them (Database::Open, the PG wire's catalog).
std::string MachineHidingSettings();

}  // namespace hdhub::sql

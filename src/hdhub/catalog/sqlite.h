// A small RAII layer over SQLite's C API, shared by every hdhub component that
// keeps state in the hub's embedded database (catalog, later the directory and
// projects).
//
//   Database     owns one sqlite3 connection, opened in WAL mode with
//                synchronous=FULL, foreign keys on and a busy timeout.
//   Statement    owns one prepared statement; bind by 1-based index, Step().
//                When it goes, its compiled form goes back to its Database
//                (reset, bindings cleared), and the next Prepare of the same
//                text takes it instead of compiling again: the few statements
//                a store runs for every request are compiled once per
//                connection (at most kIdleStatements are kept).
//   Transaction  BEGIN IMMEDIATE (write) or BEGIN DEFERRED (read) in the
//                constructor, ROLLBACK in the destructor unless Commit() ran.
//   ApplyMigrations  brings one component's tables to the newest schema, with
//                its version kept in the shared `schema_version` table.
//
// Errors become Status with SQLite's own message: SQLITE_BUSY/LOCKED ->
// Unavailable (another writer holds the lock past the busy timeout: retry),
// a UNIQUE/PRIMARY KEY violation -> AlreadyExists, any other constraint or a
// trigger's RAISE -> FailedPrecondition, SQLITE_CORRUPT/NOTADB -> DataLoss,
// SQLITE_FULL -> ResourceExhausted, SQLITE_READONLY/PERM/AUTH ->
// PermissionDenied, SQLITE_CANTOPEN -> NotFound, anything else -> Internal.
//
// Ownership: a Statement or Transaction borrows its Database, which must
// outlive it. Thread-safety: a Database and its statements are used by one
// thread at a time; owners (e.g. Catalog) serialize with their own mutex.
// Several Database objects, in one or several processes, may share a file.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hdhub/catalog/sqlite_cipher.h"
#include "hdhub/common/bytes.h"
#include "hdhub/common/status.h"

namespace hdhub::catalog {

// Maps an SQLite result code (extended codes understood) to a Status whose
// message is "<what>: <sqlite message>".
Status SqliteStatus(int code, std::string_view what, std::string_view sqlite_message);

class Statement;

class Database {
 public:
  // How long a writer waits for another writer's lock before Unavailable.
  static constexpr int kDefaultBusyTimeoutMs = 5000;
  // Compiled statements kept for reuse, at most.
  static constexpr size_t kIdleStatements = 64;

  // Opens (creating if absent) the database at `path` and applies the
  // connection settings above. NotFound when the directory does not exist,
  // DataLoss when the file is not an SQLite database.
  // With `cipher`, the file (and its WAL and journals) is encrypted on disk
  // through its VFS (sqlite_cipher.h), and the connection keeps it alive:
  // FailedPrecondition for a database in clear, DataLoss for one the key
  // does not open.
  static StatusOr<std::unique_ptr<Database>> Open(const std::string& path, int busy_timeout_ms = kDefaultBusyTimeoutMs,
                                                  std::shared_ptr<const SqliteCipher> cipher = nullptr);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs one or more SQL statements that take no parameters and return no rows
  // that matter (DDL, pragmas).
  Status Exec(std::string_view sql);
  // Compiles one statement.
  StatusOr<Statement> Prepare(std::string_view sql);

  // Rows changed by the last INSERT/UPDATE/DELETE on this connection.
  int64_t Changes() const;
  // Copies the WAL into the database file and truncates the WAL to zero
  // bytes, so old page images (e.g. of a destroyed key) leave the WAL.
  // Unavailable while a reader still uses old frames; the next checkpoint
  // then finishes the job.
  Status CheckpointAndTruncateWal();
  // A consistent copy of the main database, as the bytes of a database file
  // (sqlite3_serialize, read inside one read transaction): what a backup
  // holds. Another connection's commit meanwhile is either wholly in it or not.
  StatusOr<Bytes> Serialize();
  // Replaces the whole database with the one in `image` (what Serialize
  // gives), in one transaction, through this connection (so through its
  // cipher). DataLoss when `image` is not a database.
  Status LoadImage(ByteSpan image);
  const std::string& path() const { return path_; }

  // Only Open() can name this type, so only Open() constructs a Database
  // (while std::make_unique can still reach the constructor).
  class Token {
    friend class Database;
    Token() = default;
  };
  Database(Token, sqlite3* db, std::string path, std::shared_ptr<const SqliteCipher> cipher)
      : cipher_(std::move(cipher)), db_(db), path_(std::move(path)) {}

 private:
  friend class Statement;
  Status Error(int code, std::string_view what) const;
  // A Statement's compiled form, back from it: kept (reset, bindings
  // cleared) for the next Prepare of `sql`, or finalized when enough are kept.
  void GiveBack(std::string sql, sqlite3_stmt* stmt);
  std::shared_ptr<const SqliteCipher> cipher_;  // outlives db_ (closed in ~Database)
  sqlite3* db_;
  std::string path_;
  std::mutex idle_mu_;
  std::vector<std::pair<std::string, sqlite3_stmt*>> idle_;  // guarded by idle_mu_
};

class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Parameters are 1-based, as in SQL's ?1, ?2, ...
  Status BindInt64(int index, int64_t value);
  Status BindText(int index, std::string_view value);
  Status BindBlob(int index, ByteSpan value);
  Status BindNull(int index);

  // Advances: true when a row is available, false when done.
  StatusOr<bool> Step();
  // Steps to completion, ignoring rows (INSERT/UPDATE/DELETE).
  Status Run();
  // Makes the statement runnable again with new bindings.
  Status Reset();

  bool ColumnIsNull(int column) const;
  int64_t ColumnInt64(int column) const;
  std::string ColumnText(int column) const;
  Bytes ColumnBlob(int column) const;

 private:
  friend class Database;
  Statement(Database* owner, sqlite3_stmt* stmt, std::string sql) : owner_(owner), stmt_(stmt), sql_(std::move(sql)) {}
  Status Check(int code, std::string_view what) const;
  void Release();  // gives stmt_ back to owner_
  Database* owner_;
  sqlite3_stmt* stmt_;
  std::string sql_;  // for error messages and reuse (never holds bound values)
};

class Transaction {
 public:
  enum class Mode { kRead, kWrite };
  // kWrite takes the write lock at once (BEGIN IMMEDIATE), so two writers
  // never deadlock upgrading read locks; kRead gives one consistent snapshot.
  static StatusOr<Transaction> Begin(Database* db, Mode mode);
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();  // rolls back unless committed

  Status Commit();

 private:
  explicit Transaction(Database* db) : db_(db) {}
  Database* db_;
  bool open_ = true;
};

// One step of a component's schema: the SQL that takes it from version
// (index) to version (index + 1).
struct Migration {
  std::string_view description;
  std::string_view sql;
};

// Applies the migrations of `component` that the database has not seen yet,
// each in its own write transaction with its version bump. FailedPrecondition
// when the database records a newer version than `migrations` knows (an older
// hdhub opening a newer hub's state).
Status ApplyMigrations(Database* db, std::string_view component,
                       std::span<const Migration> migrations);

// Inside a write transaction: runs `body` with the triggers `names` dropped,
// then recreates each from its own stored SQL, so that a deliberate change a
// trigger forbids (a KEK rotation replacing wrapped keys) can be made. DDL is
// transactional: other connections never see the triggers missing, and an
// error (from `body` too) rolls the drop back with the rest. NotFound for an
// unknown trigger.
Status WithTriggersSuspended(Database* db, const std::vector<std::string>& names, const std::function<Status()>& body);

// The version recorded for `component`; 0 when none.
StatusOr<int64_t> SchemaVersion(Database* db, std::string_view component);

}  // namespace hdhub::catalog

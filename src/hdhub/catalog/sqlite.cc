#include "hdhub/catalog/sqlite.h"

#include <cstring>
#include <string>
#include <utility>

namespace hdhub::catalog {

Status SqliteStatus(int code, std::string_view what, std::string_view sqlite_message) {
  std::string message(what);
  message += ": ";
  message += sqlite_message;
  switch (code & 0xff) {  // the primary code; extended codes refine it below
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE: return OkStatus();
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return UnavailableError(message + " (another writer holds the lock; retry)");
    case SQLITE_CONSTRAINT:
      if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return AlreadyExistsError(message);
      }
      return FailedPreconditionError(message);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: return DataLossError(message);
    case SQLITE_FULL: return ResourceExhaustedError(message);
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH: return PermissionDeniedError(message);
    case SQLITE_CANTOPEN: return NotFoundError(message);
    default: return InternalError(message);
  }
}

// ---------------------------------------------------------------- Database

StatusOr<std::unique_ptr<Database>> Database::Open(const std::string& path, int busy_timeout_ms,
                                                   std::shared_ptr<const SqliteCipher> cipher) {
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const char* vfs = cipher != nullptr ? cipher->vfs_name().c_str() : nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, vfs);
  // The handle exists even when opening failed and must be closed either way.
  auto db = std::make_unique<Database>(Token(), raw, path, std::move(cipher));
  if (rc != SQLITE_OK) {
    return SqliteStatus(rc, "cannot open database " + path,
                        raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc));
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, busy_timeout_ms);
  if (db->cipher_ != nullptr) {
    int in_clear = 0;
    rc = sqlite3_file_control(raw, "main", SqliteCipher::kFileControlStartsInClear, &in_clear);
    if (rc != SQLITE_OK) return db->Error(rc, "cannot read the database's first bytes");
    if (in_clear) {
      return FailedPreconditionError("database " + path +
                                     " is stored in clear, and this hub keeps its state encrypted: it was made by an "
                                     "older hdhub; rebuild it from its host's backup with 'hdhub restore' into a new "
                                     "directory (docs/formats/local-state.md)");
    }
    // The cipher's WAL layout needs 4096-byte pages; temporary tables and
    // sorts stay in memory. Reading the schema reads the first page, so a
    // wrong key shows here.
    RETURN_IF_ERROR(db->Exec("PRAGMA page_size = 4096; PRAGMA temp_store = MEMORY; PRAGMA mmap_size = 0;"));
    Status readable = db->Exec("SELECT count(*) FROM sqlite_schema");
    if (readable.code() == StatusCode::kDataLoss) {
      return DataLossError("database " + path +
                           " cannot be read with this hub's state key (another hub's, or damaged)");
    }
    RETURN_IF_ERROR(readable);
    ASSIGN_OR_RETURN(Statement page_size, db->Prepare("PRAGMA page_size"));
    ASSIGN_OR_RETURN(bool row, page_size.Step());
    if (!row || page_size.ColumnInt64(0) != SqliteCipher::kPageSize) {
      return FailedPreconditionError("database " + path + ": an encrypted database must have 4096-byte pages");
    }
  }
  // WAL lets readers proceed while a writer commits; synchronous=FULL makes a
  // commit durable before it returns, which the catalog promises its callers.
  // secure_delete zeroes overwritten and deleted content in the file, so a
  // destroyed wrapped key does not linger in a free page.
  RETURN_IF_ERROR(
      db->Exec("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; PRAGMA secure_delete = ON;"));
  ASSIGN_OR_RETURN(Statement wal, db->Prepare("PRAGMA journal_mode = WAL"));
  ASSIGN_OR_RETURN(bool has_row, wal.Step());
  if (!has_row || wal.ColumnText(0) != "wal") {
    return FailedPreconditionError("database " + path +
                                   ": the file system does not support WAL journaling");
  }
  return db;
}

Database::~Database() {
  for (auto& [sql, stmt] : idle_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Status Database::Error(int code, std::string_view what) const {
  return SqliteStatus(code, std::string(what) + " (" + path_ + ")", sqlite3_errmsg(db_));
}

Status Database::Exec(std::string_view sql) {
  std::string text(sql);
  char* error = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
  if (rc == SQLITE_OK) return OkStatus();
  std::string message = error != nullptr ? error : sqlite3_errstr(rc);
  sqlite3_free(error);
  return SqliteStatus(sqlite3_extended_errcode(db_), "SQL failed (" + path_ + ")", message);
}

StatusOr<Statement> Database::Prepare(std::string_view sql) {
  {
    std::lock_guard lock(idle_mu_);
    for (auto it = idle_.begin(); it != idle_.end(); ++it) {
      if (it->first != sql) continue;
      Statement reused(this, it->second, std::move(it->first));
      idle_.erase(it);
      return reused;
    }
  }
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return Error(rc, "cannot prepare \"" + std::string(sql) + "\"");
  }
  return Statement(this, stmt, std::string(sql));
}

void Database::GiveBack(std::string sql, sqlite3_stmt* stmt) {
  // Both leave the statement as a fresh one; their codes repeat the last
  // step's, which its Statement already reported.
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  std::lock_guard lock(idle_mu_);
  if (idle_.size() < kIdleStatements) {
    idle_.emplace_back(std::move(sql), stmt);
  } else {
    sqlite3_finalize(stmt);
  }
}

int64_t Database::Changes() const { return sqlite3_changes64(db_); }

Status Database::CheckpointAndTruncateWal() {
  int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
  if (rc != SQLITE_OK) return Error(rc, "WAL checkpoint failed");
  return OkStatus();
}

StatusOr<Bytes> Database::Serialize() {
  sqlite3_int64 size = 0;
  unsigned char* image = sqlite3_serialize(db_, "main", &size, 0);
  if (image == nullptr) {
    const int code = sqlite3_errcode(db_);
    return Error(code == SQLITE_OK ? SQLITE_NOMEM : code, "could not copy the database");
  }
  Bytes out(image, image + size);
  sqlite3_free(image);
  return out;
}

Status Database::LoadImage(ByteSpan image) {
  sqlite3* source = nullptr;
  int rc = sqlite3_open_v2(":memory:", &source, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  std::unique_ptr<sqlite3, decltype(&sqlite3_close_v2)> closer(source, &sqlite3_close_v2);
  if (rc != SQLITE_OK) return Error(rc, "cannot open an in-memory database");
  auto* copy = static_cast<unsigned char*>(sqlite3_malloc64(image.size()));
  if (copy == nullptr && !image.empty()) return Error(SQLITE_NOMEM, "cannot load a database image");
  if (!image.empty()) std::memcpy(copy, image.data(), image.size());
  // An image of a WAL database says so in its header (bytes 18 and 19 = 2),
  // and an in-memory database cannot have a WAL: read it as a rollback one.
  if (image.size() >= 20 && copy[18] == 2 && copy[19] == 2) copy[18] = copy[19] = 1;
  // SQLite owns (and frees) `copy` from here on, even on failure.
  rc = sqlite3_deserialize(source, "main", copy, sqlite3_int64(image.size()), sqlite3_int64(image.size()),
                           SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_READONLY);
  if (rc != SQLITE_OK) return SqliteStatus(rc, "a database image (" + path_ + ")", sqlite3_errmsg(source));
  sqlite3_backup* backup = sqlite3_backup_init(db_, "main", source, "main");
  if (backup == nullptr) return Error(sqlite3_errcode(db_), "cannot load a database image");
  rc = sqlite3_backup_step(backup, -1);
  const int finished = sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) return Error(rc, "cannot load a database image");
  if (finished != SQLITE_OK) return Error(finished, "cannot load a database image");
  return OkStatus();
}

// ---------------------------------------------------------------- Statement

Statement::Statement(Statement&& other) noexcept
    : owner_(other.owner_), stmt_(std::exchange(other.stmt_, nullptr)), sql_(std::move(other.sql_)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    Release();
    owner_ = other.owner_;
    stmt_ = std::exchange(other.stmt_, nullptr);
    sql_ = std::move(other.sql_);
  }
  return *this;
}

Statement::~Statement() { Release(); }

void Statement::Release() {
  if (stmt_ == nullptr) return;
  owner_->GiveBack(std::move(sql_), std::exchange(stmt_, nullptr));
}

Status Statement::Check(int code, std::string_view what) const {
  if (code == SQLITE_OK || code == SQLITE_ROW || code == SQLITE_DONE) return OkStatus();
  sqlite3* db = sqlite3_db_handle(stmt_);
  return SqliteStatus(sqlite3_extended_errcode(db), std::string(what) + " \"" + sql_ + "\"",
                      sqlite3_errmsg(db));
}

Status Statement::BindInt64(int index, int64_t value) {
  return Check(sqlite3_bind_int64(stmt_, index, value), "cannot bind");
}

Status Statement::BindText(int index, std::string_view value) {
  return Check(
      sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
      "cannot bind");
}

Status Statement::BindBlob(int index, ByteSpan value) {
  // A zero-length blob must still bind as a blob, not as NULL: SQLite binds
  // NULL when the pointer is null, so point at a static byte instead.
  static const uint8_t kEmpty = 0;
  const void* data = value.empty() ? &kEmpty : value.data();
  return Check(sqlite3_bind_blob64(stmt_, index, data, value.size(), SQLITE_TRANSIENT),
               "cannot bind");
}

Status Statement::BindNull(int index) {
  return Check(sqlite3_bind_null(stmt_, index), "cannot bind");
}

StatusOr<bool> Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return Check(rc, "cannot run");
}

Status Statement::Run() {
  while (true) {
    ASSIGN_OR_RETURN(bool row, Step());
    if (!row) return OkStatus();
  }
}

Status Statement::Reset() {
  sqlite3_reset(stmt_);  // its return value repeats the last Step() error
  return Check(sqlite3_clear_bindings(stmt_), "cannot reset");
}

bool Statement::ColumnIsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

int64_t Statement::ColumnInt64(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::ColumnText(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return "";
  return std::string(reinterpret_cast<const char*>(text), sqlite3_column_bytes(stmt_, column));
}

Bytes Statement::ColumnBlob(int column) const {
  const auto* data = static_cast<const uint8_t*>(sqlite3_column_blob(stmt_, column));
  if (data == nullptr) return {};
  return Bytes(data, data + sqlite3_column_bytes(stmt_, column));
}

// ---------------------------------------------------------------- Transaction

StatusOr<Transaction> Transaction::Begin(Database* db, Mode mode) {
  RETURN_IF_ERROR(db->Exec(mode == Mode::kWrite ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED"));
  return Transaction(db);
}

Transaction::Transaction(Transaction&& other) noexcept
    : db_(other.db_), open_(std::exchange(other.open_, false)) {}

Transaction::~Transaction() {
  // Best effort: a failed rollback leaves SQLite to roll back on close.
  if (open_) db_->Exec("ROLLBACK").IgnoreError();
}

Status Transaction::Commit() {
  if (!open_) return FailedPreconditionError("transaction already finished");
  Status status = db_->Exec("COMMIT");
  // On a failed COMMIT (e.g. SQLITE_BUSY) the transaction stays open; the
  // destructor rolls it back.
  if (status.ok()) open_ = false;
  return status;
}

// ---------------------------------------------------------------- Migrations

namespace {
constexpr std::string_view kSchemaVersionTable =
    "CREATE TABLE IF NOT EXISTS schema_version ("
    "  component TEXT PRIMARY KEY,"
    "  version INTEGER NOT NULL CHECK (version >= 0)"
    ") STRICT";
}  // namespace

StatusOr<int64_t> SchemaVersion(Database* db, std::string_view component) {
  RETURN_IF_ERROR(db->Exec(kSchemaVersionTable));
  ASSIGN_OR_RETURN(Statement select,
                   db->Prepare("SELECT version FROM schema_version WHERE component = ?1"));
  RETURN_IF_ERROR(select.BindText(1, component));
  ASSIGN_OR_RETURN(bool has_row, select.Step());
  return has_row ? select.ColumnInt64(0) : 0;
}

Status ApplyMigrations(Database* db, std::string_view component,
                       std::span<const Migration> migrations) {
  const auto known = static_cast<int64_t>(migrations.size());
  while (true) {
    // Each step re-reads the version inside its write transaction, so two
    // processes opening the same fresh database do not both run a step.
    ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db, Transaction::Mode::kWrite));
    ASSIGN_OR_RETURN(int64_t current, SchemaVersion(db, component));
    if (current > known) {
      return FailedPreconditionError("database " + db->path() + ": " + std::string(component) +
                                     " schema version " + std::to_string(current) +
                                     " is newer than this hdhub supports (" +
                                     std::to_string(known) + "); upgrade hdhub");
    }
    if (current == known) return txn.Commit();
    const Migration& step = migrations[static_cast<size_t>(current)];
    RETURN_IF_ERROR(db->Exec(step.sql).WithContext(std::string(component) + " migration " +
                                                   std::to_string(current + 1) + " (" +
                                                   std::string(step.description) + ")"));
    ASSIGN_OR_RETURN(
        Statement bump,
        db->Prepare("INSERT INTO schema_version (component, version) VALUES (?1, ?2) "
                    "ON CONFLICT (component) DO UPDATE SET version = excluded.version"));
    RETURN_IF_ERROR(bump.BindText(1, component));
    RETURN_IF_ERROR(bump.BindInt64(2, current + 1));
    RETURN_IF_ERROR(bump.Run());
    RETURN_IF_ERROR(txn.Commit());
  }
}

Status WithTriggersSuspended(Database* db, const std::vector<std::string>& names, const std::function<Status()>& body) {
  std::vector<std::string> sqls;
  ASSIGN_OR_RETURN(Statement get, db->Prepare("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?1"));
  for (const std::string& name : names) {
    RETURN_IF_ERROR(get.Reset());
    RETURN_IF_ERROR(get.BindText(1, name));
    ASSIGN_OR_RETURN(bool found, get.Step());
    if (!found) return NotFoundError("no trigger " + name);
    sqls.push_back(get.ColumnText(0));
  }
  for (const std::string& name : names) RETURN_IF_ERROR(db->Exec("DROP TRIGGER \"" + name + "\""));
  RETURN_IF_ERROR(body());
  for (const std::string& sql : sqls) RETURN_IF_ERROR(db->Exec(sql));
  return OkStatus();
}

}  // namespace hdhub::catalog

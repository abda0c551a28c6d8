// Engine: what a PG-wire session runs statements on. The protocol session
// (session.h) decides what to send and when; the engine prepares and runs.
// DuckDbEngine runs on one duckdb::Connection; `hdhub serve` gives each
// client one over its project's sandboxed workspace.
//
// DuckDB keeps one streaming result per connection: when a portal starts
// while another is suspended, the engine reads the other's remaining rows
// into memory first, so both stay valid (research/interfaces.md §3.4).
//
// Not thread-safe: one session, one engine, one thread at a time.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "duckdb.hpp"
#include "hdhub/common/status.h"

namespace hdhub::pgwire {

// A prepared statement as a client may describe it (never by running it).
struct Description {
  std::vector<std::string> names;               // result columns; empty: no rows
  std::vector<duckdb::LogicalType> types;       // of the result columns
  std::vector<duckdb::LogicalType> parameters;  // $1, $2, … (what DuckDB infers)
  bool returns_rows = false;
  std::string tag;  // the CommandComplete verb: SELECT, INSERT 0, SET, …
};

// What DuckDB says of a prepared statement: its columns, the types of its
// parameters (VARCHAR where it cannot tell) and its CommandComplete verb.
Description DescriptionOf(duckdb::PreparedStatement& statement);
// What DuckDB says of a statement it planned to run (a pending query): its
// columns and verb; no parameters.
Description DescriptionOf(const duckdb::BaseQueryResult& planned);

class Prepared {
 public:
  virtual ~Prepared() = default;
  virtual const Description& description() const = 0;
};

// A table (or view) the session may query, as pg_catalog and
// information_schema show it to the client: only these, nothing else.
struct ColumnInfo {
  std::string name;
  duckdb::LogicalType type;
  std::string description;  // the data dictionary's label; may be empty
};
struct TableInfo {
  std::string name;
  std::string description;
  std::vector<ColumnInfo> columns;
};

class Rows {
 public:
  virtual ~Rows() = default;
  // The next chunk, or nullptr once every row was read.
  virtual StatusOr<std::unique_ptr<duckdb::DataChunk>> Next() = 0;
};

class Engine {
 public:
  virtual ~Engine() = default;
  // The statements of a simple Query's text, each as text; InvalidArgument
  // when the text does not parse (nothing runs). Empty for an empty text.
  virtual StatusOr<std::vector<std::string>> Split(std::string_view sql) = 0;
  virtual StatusOr<std::shared_ptr<Prepared>> Prepare(std::string_view sql) = 0;
  // As Prepare, for a statement whose Execute follows at once, with no
  // message from the client in between (a simple Query's statement): an
  // engine may start it here, checked and planned once, for that one Execute
  // to take. The caller executes or drops what it returns before any other
  // call to the engine, and before the engine goes. Prepare by default.
  virtual StatusOr<std::shared_ptr<Prepared>> PrepareToRun(std::string_view sql) { return Prepare(sql); }
  // Starts `prepared` with `parameters` (as many as it has).
  virtual StatusOr<std::unique_ptr<Rows>> Execute(Prepared& prepared, std::vector<duckdb::Value> parameters) = 0;
  // The tables the session may query, with their columns (for the
  // pg_catalog / information_schema layer), by name.
  virtual StatusOr<std::vector<TableInfo>> Tables() = 0;
  // Called before a statement of the pg_catalog layer (catalog.h) runs: the
  // engine may refuse it as it would refuse one of its own (a revoked token,
  // a project past its window) and records it. OK by default.
  virtual Status ReadCatalog(std::string_view sql) {
    (void)sql;
    return OkStatus();
  }
  // Interrupts the statement running now, if any (it fails with Cancelled,
  // SQLSTATE 57014; the session goes on). Thread-safe: called from another
  // thread than the one running the statement (a CancelRequest, shutdown).
  virtual void Cancel() = 0;
};

class DuckDbEngine final : public Engine {
 public:
  // Borrows `connection`, which must outlive the engine.
  explicit DuckDbEngine(duckdb::Connection& connection) : connection_(connection) {}
  ~DuckDbEngine() override;

  StatusOr<std::vector<std::string>> Split(std::string_view sql) override;
  StatusOr<std::shared_ptr<Prepared>> Prepare(std::string_view sql) override;
  StatusOr<std::unique_ptr<Rows>> Execute(Prepared& prepared, std::vector<duckdb::Value> parameters) override;
  // The tables and views of the connection's default schema.
  StatusOr<std::vector<TableInfo>> Tables() override;
  void Cancel() override { connection_.Interrupt(); }

  // The streaming result alive on the connection, if any (engine internals).
  class StreamingRows;

 private:
  duckdb::Connection& connection_;
  StreamingRows* streaming_ = nullptr;
};

}  // namespace hdhub::pgwire

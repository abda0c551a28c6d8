// QueryStream: one SQL text's result, pulled chunk by chunk out of DuckDB's
// streaming result (Connection::SendQuery, StreamQueryResult::Fetch), with
// DuckDB's types kept (value.h). Obtained from Database::Stream.
//
// Pull-based, with back-pressure: Database::Stream only plans the query (its
// columns are known, nothing runs); the first Next() runs it up to its first
// rows, and DuckDB then works ahead of the consumer only as far as its small
// streaming buffer (about 1 MB): nothing more is produced until Next() asks,
// so a result is never materialised, however large.
//
// Limits hold while streaming: a chunk that would take the rows or the bytes
// delivered (the sum of cell sizes, see Next) beyond QueryLimits is not
// delivered and the stream ends with ResourceExhausted; a stream still open
// at its timeout (consumer time included) is interrupted and ends with
// DeadlineExceeded; Cancel() ends it with Cancelled. DuckDB's memory_limit
// bounds what the engine holds (ResourceExhausted beyond it).
//
// Ownership: a stream borrows its Database's connection: it must be destroyed
// before the Database, and until it has ended (or is destroyed) the Database
// refuses other queries. Destroying a stream that has not ended cancels it.
// Chunks own their data and may outlive the stream.
//
// Thread-safety: Next() and the accessors from one thread at a time; Cancel()
// from any thread, at any time while the stream object exists.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/common/status.h"
#include "hdhub/sql/value.h"

namespace duckdb {
class Connection;
class DataChunk;
class Value;
class BaseQueryResult;
class PendingQueryResult;
class QueryResult;
enum class StatementType : uint8_t;
}  // namespace duckdb

namespace hdhub::sql {

// Per-query limits; 0 means none.
struct QueryLimits {
  uint64_t max_rows = 0;                 // more rows: ResourceExhausted
  uint64_t max_bytes = 0;                // more bytes delivered: ResourceExhausted
  std::chrono::milliseconds timeout{0};  // longer: DeadlineExceeded, the query interrupted
};

// A batch of rows (at most DuckDB's vector size, 2048), column by column.
class Chunk {
 public:
  Chunk(Chunk&&) noexcept;
  Chunk& operator=(Chunk&&) noexcept;
  ~Chunk();

  size_t size() const;  // rows, at least one
  size_t column_count() const;
  bool IsNull(size_t column, size_t row) const;
  // The typed value of a cell (std::monostate for NULL). Preconditions:
  // column < column_count(), row < size().
  Value Get(size_t column, size_t row) const;
  // DuckDB's text for a cell, as its shell prints it ("NULL" for NULL).
  std::string Text(size_t column, size_t row) const;
  // The DuckDB chunk itself, for a front end that encodes DuckDB's own
  // types (the PG wire); the Chunk is empty afterwards.
  std::unique_ptr<duckdb::DataChunk> Release() &&;

 private:
  friend class QueryStream;
  explicit Chunk(std::unique_ptr<duckdb::DataChunk> data);
  std::unique_ptr<duckdb::DataChunk> data_;
};

// How a stream ended: OK once every row was delivered, otherwise the error
// (Cancelled when cancelled or destroyed early).
struct StreamSummary {
  Status status;
  uint64_t rows = 0;   // rows delivered
  uint64_t bytes = 0;  // bytes delivered
};

class QueryStream {
 public:
  // Called once, when the stream ends (its last Next(), or its destruction if
  // earlier). A failure replaces the outcome Next() reports: a query whose
  // end cannot be recorded fails (logged_query.h).
  using EndHook = std::function<Status(const StreamSummary&)>;
  // Called at most once, by Announce(): records, before rows are handed on
  // while the stream still runs, that they are about to be (logged_query.h).
  using AnnounceHook = std::function<Status()>;

  ~QueryStream();
  QueryStream(const QueryStream&) = delete;
  QueryStream& operator=(const QueryStream&) = delete;

  const std::vector<std::string>& column_names() const { return names_; }
  const std::vector<ColumnType>& column_types() const { return types_; }
  // What DuckDB planned for the statement that streams, until its first
  // Next() runs it (null before a statement is planned, or for a text with
  // none): its columns' DuckDB types and its statement type, for a front end
  // that describes a result in DuckDB's terms (the PG wire).
  const duckdb::BaseQueryResult* planned() const;

  // The next chunk, or std::nullopt once every row was delivered. A cell
  // counts its width for fixed-size types, its length for text, and the
  // length of DuckDB's rendering otherwise; NULL counts 0. Errors end the
  // stream: ResourceExhausted (a limit, or DuckDB's memory limit),
  // DeadlineExceeded, Cancelled, or the query's own error as
  // Database::Query reports it. After the end, returns the same outcome.
  StatusOr<std::optional<Chunk>> Next();

  // Ends the stream as soon as possible: the next (or the running) Next()
  // returns Cancelled. No effect once the stream has ended.
  void Cancel();

  // Sets the hook (replacing any); call before the stream ends.
  void SetEndHook(EndHook hook) { end_hook_ = std::move(hook); }
  void SetAnnounceHook(AnnounceHook hook) { announce_hook_ = std::move(hook); }

  // A consumer about to hand rows on before the stream's end (a network
  // front end streaming a large result) calls this first: it runs the
  // announce hook once (later calls return its first outcome). When the hook
  // fails, the stream ends with that error (nothing may be handed on).
  Status Announce();

  uint64_t rows() const { return rows_; }
  uint64_t bytes() const { return bytes_; }

 private:
  friend class Database;
  class Watchdog;
  // The Database's refusal of a statement by its type (OK when allowed).
  using TypeCheck = std::function<Status(duckdb::StatementType)>;
  // Starts `sql` on `connection`: parses it once, applies `check` to every
  // statement (one refused: none runs), runs the statements before the last
  // one and plans the last one, whose result streams; `release` is called
  // once the stream no longer needs the connection.
  // With `parameters` ($1, $2, …), `sql` must be one statement.
  static StatusOr<std::unique_ptr<QueryStream>> Start(duckdb::Connection& connection, std::string_view sql,
                                                      const std::vector<duckdb::Value>& parameters,
                                                      const QueryLimits& limits, const TypeCheck& check,
                                                      std::function<void()> release);
  QueryStream(duckdb::Connection& connection, const QueryLimits& limits, std::function<void()> release);
  Status Send(std::string_view sql, const std::vector<duckdb::Value>& parameters, const TypeCheck& check);
  // The last statement planned: its error, or its columns.
  Status Planned();
  // Records why Cancel() or the watchdog stopped the stream and interrupts
  // DuckDB; the first reason wins.
  void Stop(Status why);
  std::optional<Status> StopReason();
  StatusOr<std::unique_ptr<duckdb::DataChunk>> Fetch();
  Status CheckLimits(uint64_t rows, uint64_t bytes) const;
  // Ends the stream once: interrupts DuckDB unless it finished, runs the end
  // hook, releases the connection. Returns the outcome Next() reports.
  Status Finish(Status status);

  duckdb::Connection& connection_;
  const QueryLimits limits_;
  std::function<void()> release_;
  EndHook end_hook_;
  AnnounceHook announce_hook_;
  std::optional<Status> announced_;
  std::vector<std::string> names_;
  std::vector<ColumnType> types_;
  std::unique_ptr<duckdb::PendingQueryResult> pending_;  // the last statement, planned
  std::unique_ptr<duckdb::QueryResult> result_;          // its result, once the first Next() ran it
  std::unique_ptr<Watchdog> watchdog_;
  std::optional<Status> outcome_;  // set once ended
  uint64_t rows_ = 0;
  uint64_t bytes_ = 0;

  std::mutex mu_;  // guards stop_ and ended_, shared with Cancel() and the watchdog
  std::optional<Status> stop_;
  bool ended_ = false;
};

}  // namespace hdhub::sql

// ProtocolSession: the PostgreSQL protocol after authentication, as the
// PostgreSQL docs ("Message Flow") and postgres.c define it, over an Engine.
// No I/O: each frontend message goes in, the answers are appended to a
// buffer the server writes out (on Flush, Sync or a simple Query).
//
//   Simple query ('Q'): every statement of the text in turn, each answered
//     RowDescription (text formats only) / DataRow… / CommandComplete, an
//     empty text EmptyQueryResponse; the first error ends the rest; then one
//     ReadyForQuery.
//   Extended query: Parse, Bind, Describe, Execute, Close, Sync, Flush,
//     answered in order (pipelining). Describe never runs anything; Execute
//     never sends a RowDescription; Execute with a row limit sends that many
//     rows then PortalSuspended, and the next Execute goes on where it
//     stopped, its CommandComplete counting only its own rows; result format
//     codes are those of Bind; after an error every message is discarded
//     until Sync, which answers ReadyForQuery. Portals end at Sync.
//   Errors carry a SQLSTATE (SqlStateOf) and never the statement's values.
//
// Statements are classified with PostgreSQL's parser (classify.h). The
// session answers itself: SET/RESET/SHOW (settings.h, ParameterStatus when a
// reported setting changes), BEGIN/START/COMMIT/END/ROLLBACK/ABORT (the
// ReadyForQuery status I/T/E; after an error in a transaction block every
// statement fails with 25P02 until ROLLBACK), DISCARD ALL, SQL cursors
// (DECLARE [BINARY] CURSOR [WITH HOLD] FOR, FETCH/MOVE FORWARD, CLOSE; a
// cursor is a portal: Describe 'P' of its name works), and COPY (query) /
// COPY table TO STDOUT in text or csv. Catalog queries run on the session's
// own catalog database (catalog.h); the rest goes to the engine, which never
// sees a SET or a transaction statement (each engine statement commits on
// its own; the workspace is read as it is).
//
// Not thread-safe: one connection's messages, one at a time.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hdhub/common/bytes.h"
#include "hdhub/common/status.h"
#include "hdhub/pgwire/catalog.h"
#include "hdhub/pgwire/classify.h"
#include "hdhub/pgwire/engine.h"
#include "hdhub/pgwire/protocol.h"
#include "hdhub/pgwire/settings.h"

namespace hdhub::pgwire {

// The SQLSTATE of an error: 42601 syntax, 42P01 unknown table, 42703
// unknown column, 22P02 bad value, 42501 refused by the sandbox, 57014
// cancelled, 53200 out of memory, 53400 too many requests (the server's rate limit), 08P01 protocol violation, 0A000
// not supported, 26000/34000 unknown statement/portal, XX000 otherwise.
std::string SqlStateOf(const Status& status);

// Where ProtocolSession::SendRows puts rows.
struct RowSink {
  enum Kind { kDataRow, kDiscard, kCopy } kind = kDataRow;
  const CopyOptions* copy = nullptr;
};

class ProtocolSession {
 public:
  explicit ProtocolSession(Engine& engine) : engine_(engine) {}

  // After authentication: the ParameterStatus messages a client expects
  // (server_version, encodings, DateStyle, TimeZone, …, application_name as
  // the StartupMessage gave it), appended to `out`. The server then sends
  // BackendKeyData and ReadyForQuery. InvalidArgument (nothing appended) for
  // a startup parameter this server cannot honour (a client_encoding other
  // than UTF8): the server answers it FATAL 22023 and closes.
  Status Start(const std::map<std::string, std::string>& startup_parameters, Bytes& out);

  // Handles one message (type byte and body); appends the answers to `out`.
  void Handle(char type, ByteSpan body, Bytes& out);

  // While rows are sent (DataRow, CopyData), whenever the answers in `out`
  // pass kFlushBytes, Handle gives them to the flusher, which sends them to
  // the client (or starts to) and leaves `out` empty, also when it fails (on
  // the thread running Handle), so a large result never sits whole in
  // memory. A flusher's error (the client went away; it may be the error of
  // an earlier buffer's write) ends the statement with it. Without a
  // flusher, `out` holds all.
  static constexpr size_t kFlushBytes = 256 << 10;
  using Flusher = std::function<Status(Bytes& out)>;
  void SetFlusher(Flusher flusher) { flusher_ = std::move(flusher); }
  // Terminate was received, or a protocol violation ended the session.
  bool closed() const { return closed_; }

  // statement_timeout in milliseconds as the client set it (0: none); the
  // server interrupts a statement running longer (Engine::Cancel).
  int64_t statement_timeout_ms() const { return settings_.StatementTimeoutMs(); }
  // Interrupts the statement running now, on the workspace's engine or on
  // the session's catalog database (57014; the session goes on). Thread-safe:
  // the server calls it on a CancelRequest or a statement_timeout.
  void Cancel();

  // The transaction status of ReadyForQuery: 'I', 'T' or 'E'.
  char transaction_status() const;

 private:
  enum class Transaction { kIdle, kBlock, kFailed };
  // A parsed statement: engine and catalog statements are prepared on their
  // engine; the session's own statements run at Execute.
  struct Statement {
    Classified classified;
    std::shared_ptr<Prepared> prepared;
    Engine* engine = nullptr;
    std::vector<uint32_t> parameter_types;
    // DECLARE … CURSOR FOR a query with $n: the query's parameters, bound
    // with the DECLARE (a session statement, so `prepared` is null).
    std::vector<duckdb::LogicalType> cursor_parameters;
    bool empty = false;
  };
  struct Portal {
    Statement statement;
    std::vector<duckdb::Value> parameters;
    std::vector<int16_t> formats;         // per result column (prepared statements)
    std::vector<int16_t> result_formats;  // as Bind gave them (session statements)
    std::unique_ptr<Rows> rows;           // once started
    std::unique_ptr<duckdb::DataChunk> chunk;
    size_t next_row = 0;  // in `chunk`
    // The text of `chunk`'s text-format columns (PgTextColumn), made when
    // its first row is sent; empty until then.
    std::vector<std::vector<std::optional<std::string>>> text;
    bool done = false;
    bool cursor = false;  // an SQL cursor (DECLARE)
    bool hold = false;    // WITH HOLD: outlives its transaction
  };

  // The types of a statement's $n (a query's, or a DECLARE's query's).
  static const std::vector<duckdb::LogicalType>& ParametersOf(const Statement& s);
  void SimpleQuery(const std::string& sql, BackendWriter& w);
  Status RunSimple(const Classified& c, BackendWriter& w);
  Status Parse(const pgwire::Parse& m, BackendWriter& w);
  Status Bind(const pgwire::Bind& m, BackendWriter& w);
  Status Describe(const pgwire::Describe& m, BackendWriter& w);
  Status Execute(const pgwire::Execute& m, BackendWriter& w);
  // Sends up to `limit` rows of `portal` (0: all); true when it ran out.
  StatusOr<bool> SendRows(Portal& portal, uint64_t limit, BackendWriter& w, uint64_t& sent, RowSink sink = {});
  void Error(const Status& status, BackendWriter& w);

  // session_statements.cc
  // `to_run`: its portal starts at once (Engine::PrepareToRun).
  StatusOr<Statement> PrepareStatement(const Classified& c, bool to_run = false);
  // Starts the portal's statement; a catalog statement is first shown to the
  // session's engine (Engine::ReadCatalog), which may refuse it.
  Status StartPortal(Portal& portal);
  Status Admit(const Classified& c) const;  // 25P02 in a failed transaction
  // Runs a statement the session answers itself; `simple`: also its RowDescription.
  Status RunSession(const Classified& c, bool simple, const std::vector<int16_t>& result_formats, BackendWriter& w);
  // The rows a session statement returns (SHOW, FETCH), for Describe.
  StatusOr<Description> DescribeSession(const Classified& c) const;
  Status Set(const Classified& c, bool simple, BackendWriter& w);
  Status Show(const Classified& c, bool simple, BackendWriter& w);
  // The query of a DECLARE, prepared (its parameters, its rows).
  StatusOr<Statement> PrepareCursorQuery(const Classified& c);
  Status Declare(const Classified& c, std::vector<duckdb::Value> parameters = {});
  Status Fetch(const Classified& c, bool simple, const std::vector<int16_t>& result_formats, BackendWriter& w);
  Status CopyOut(const Classified& c, BackendWriter& w);
  void Begin(const Classified& c, BackendWriter& w);
  void EndTransaction(bool commit, BackendWriter& w);
  void ChangeSetting(const std::string& name, std::string value, BackendWriter& w);
  void RestoreSettings(std::map<std::string, std::string> values, BackendWriter& w);
  StatusOr<Engine*> CatalogFor();

  Engine& engine_;
  SessionSettings settings_;
  std::string user_, database_;
  std::unique_ptr<CatalogEngine> catalog_;  // created on the first catalog query
  std::atomic<Engine*> catalog_engine_ = nullptr;  // catalog_'s, for Cancel
  Transaction transaction_ = Transaction::kIdle;
  std::map<std::string, std::string> settings_at_begin_;  // restored by ROLLBACK
  std::map<std::string, std::string> before_local_;       // SET LOCAL: restored at the end
  std::map<std::string, Statement> statements_;
  std::map<std::string, Portal> portals_;  // protocol portals and SQL cursors
  bool skipping_ = false;  // after an error in the extended protocol, until Sync
  bool closed_ = false;
  Flusher flusher_;
};

// A RowDescription of `d`'s columns with `formats` (one per column; empty: text).
std::vector<FieldDescription> FieldsOf(const Description& d, const std::vector<int16_t>& formats);

// One row of COPY … TO STDOUT as PostgreSQL writes it (text: \N for NULL,
// backslash escapes; csv: quotes where needed), newline included.
std::string CopyLine(const std::vector<std::optional<std::string>>& values, const CopyOptions& options);

}  // namespace hdhub::pgwire

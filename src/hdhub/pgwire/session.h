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
// Transactions (BEGIN/COMMIT), SET/SHOW emulation, SQL cursors, COPY and the
// pg_catalog layer are not here yet (issue 10): such statements go to the
// engine as they are.
//
// Not thread-safe: one connection's messages, one at a time.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hdhub/common/bytes.h"
#include "hdhub/common/status.h"
#include "hdhub/pgwire/engine.h"
#include "hdhub/pgwire/protocol.h"

namespace hdhub::pgwire {

// The SQLSTATE of an error: 42601 syntax, 42P01 unknown table, 42703
// unknown column, 22P02 bad value, 42501 refused by the sandbox, 57014
// cancelled, 53200 out of memory, 08P01 protocol violation, 0A000 not
// supported, 26000/34000 unknown statement/portal, XX000 otherwise.
std::string SqlStateOf(const Status& status);

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
  // Terminate was received, or a protocol violation ended the session.
  bool closed() const { return closed_; }

 private:
  struct Statement {
    std::shared_ptr<Prepared> prepared;  // null for an empty text
    std::vector<uint32_t> parameter_types;
  };
  struct Portal {
    std::shared_ptr<Prepared> prepared;
    std::vector<duckdb::Value> parameters;
    std::vector<int16_t> formats;  // per result column
    std::unique_ptr<Rows> rows;    // once started
    std::unique_ptr<duckdb::DataChunk> chunk;
    size_t next_row = 0;  // in `chunk`
    bool done = false;
  };

  void SimpleQuery(const std::string& sql, BackendWriter& w);
  Status Parse(const pgwire::Parse& m, BackendWriter& w);
  Status Bind(const pgwire::Bind& m, BackendWriter& w);
  Status Describe(const pgwire::Describe& m, BackendWriter& w);
  Status Execute(const pgwire::Execute& m, BackendWriter& w);
  // Sends up to `limit` rows of `portal` (0: all); true when it ran out.
  StatusOr<bool> SendRows(Portal& portal, uint32_t limit, BackendWriter& w, uint64_t& sent);
  void Error(const Status& status, BackendWriter& w);

  Engine& engine_;
  // The session's settings as the client sees them (SHOW, ParameterStatus).
  std::map<std::string, std::string> settings_;
  std::map<std::string, Statement> statements_;
  std::map<std::string, Portal> portals_;
  bool skipping_ = false;  // after an error in the extended protocol, until Sync
  bool closed_ = false;
};

// A RowDescription of `d`'s columns with `formats` (one per column; empty: text).
std::vector<FieldDescription> FieldsOf(const Description& d, const std::vector<int16_t>& formats);

}  // namespace hdhub::pgwire

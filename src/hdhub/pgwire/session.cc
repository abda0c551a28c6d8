#include "hdhub/pgwire/session.h"

#include "hdhub/pgwire/types.h"

namespace hdhub::pgwire {
namespace {

Status UnknownStatement() { return NotFoundError("prepared statement does not exist"); }
Status UnknownPortal() { return NotFoundError("portal does not exist"); }

}  // namespace

std::string SqlStateOf(const Status& status) {
  const std::string_view m = status.message();
  auto has = [&](std::string_view s) { return m.find(s) != m.npos; };
  switch (status.code()) {
    case StatusCode::kCancelled:
      return "57014";
    case StatusCode::kResourceExhausted:
      return has("too many requests") ? "53400" : "53200";
    case StatusCode::kPermissionDenied:
      return "42501";
    case StatusCode::kUnimplemented:
      return "0A000";
    case StatusCode::kDeadlineExceeded:
      return "57014";
    case StatusCode::kNotFound:
      if (has("configuration parameter")) return "42704";
      if (has("cursor")) return "34000";
      if (has("prepared statement")) return "26000";
      if (has("portal")) return "34000";
      return "42P01";
    case StatusCode::kAlreadyExists:
      return has("portal") || has("cursor") ? "42P03" : "42P05";
    case StatusCode::kFailedPrecondition:
      if (has("transaction is aborted")) return "25P02";
      if (has("cannot run inside a transaction block")) return "25001";
      if (has("transaction block")) return "25P01";
      if (has("cannot be changed")) return "55P02";
      return "55000";
    case StatusCode::kInvalidArgument:
      if (has("protocol violation")) return "08P01";
      if (has("Parser Error") || has("syntax error")) return "42601";
      if (has("Catalog Error") && has("Function")) return "42883";
      if (has("Catalog Error") && has("Table")) return "42P01";
      if (has("Binder Error") && has("not found")) return "42703";
      if (has("there is no parameter $")) return "42P02";
      if (has("Conversion Error") || has("parameter $")) return "22P02";
      if (has("Binder Error")) return "42804";
      return "22023";
    default:
      return "XX000";
  }
}

std::vector<FieldDescription> FieldsOf(const Description& d, const std::vector<int16_t>& formats) {
  std::vector<FieldDescription> fields;
  for (size_t i = 0; i < d.names.size(); ++i) {
    const PgType t = PgTypeOf(d.types[i]);
    fields.push_back({.name = d.names[i],
                      .type_oid = t.oid,
                      .type_size = t.size,
                      .type_modifier = t.modifier,
                      .format = formats.empty() ? int16_t(0) : formats[i]});
  }
  return fields;
}

void ProtocolSession::Error(const Status& status, BackendWriter& w) {
  w.ErrorResponse({.severity = "ERROR", .sqlstate = SqlStateOf(status), .message = std::string(status.message())});
}

char ProtocolSession::transaction_status() const {
  switch (transaction_) {
    case Transaction::kBlock:
      return 'T';
    case Transaction::kFailed:
      return 'E';
    default:
      return 'I';
  }
}

Status ProtocolSession::Start(const std::map<std::string, std::string>& startup_parameters, Bytes& out) {
  // What PostgreSQL 15 reports at startup (GUC_REPORT settings). psql picks
  // its \d queries by server_version; pgJDBC refuses a client_encoding other
  // than UTF8 and a DateStyle not starting with ISO.
  SessionSettings settings;
  for (const auto& [name, value] : startup_parameters) {
    if (name == "user") {
      user_ = value;
      settings.Set("session_authorization", value);
    } else if (name == "database") {
      database_ = value;
    } else if (name == "client_encoding") {
      auto checked = settings.Check("client_encoding", {value});
      if (!checked.ok()) return InvalidArgumentError("this server speaks UTF8 only: set client_encoding to UTF8");
    } else if (name == "application_name" || name == "extra_float_digits" || name == "search_path") {
      // Other startup values this server cannot honour (a TimeZone, pgJDBC
      // sends the JVM's) are ignored: the reported value says what holds.
      if (auto checked = settings.Check(name, {value}); checked.ok()) settings.Set(name, *checked);
    }
  }
  settings.KeepAsDefaults();
  settings_ = std::move(settings);
  BackendWriter w(out);
  for (const auto& [name, value] : settings_.values()) {
    if (SessionSettings::Reported(name)) w.ParameterStatus(name, value);
  }
  return OkStatus();
}

void ProtocolSession::Handle(char type, ByteSpan body, Bytes& out) {
  BackendWriter w(out);
  auto message = DecodeFrontend(type, body);
  if (!message.ok()) {
    // A malformed message leaves the stream's framing unknown: end.
    w.ErrorResponse({.severity = "FATAL", .sqlstate = "08P01", .message = std::string(message.status().message())});
    closed_ = true;
    return;
  }
  if (auto* q = std::get_if<Query>(&*message)) {
    SimpleQuery(q->sql, w);
    return;
  }
  if (std::holds_alternative<Terminate>(*message)) {
    closed_ = true;
    return;
  }
  if (std::holds_alternative<Sync>(*message)) {
    skipping_ = false;
    if (transaction_ == Transaction::kIdle) {  // the implicit transaction ends
      std::erase_if(portals_, [](const auto& p) { return !p.second.hold; });
    }
    w.ReadyForQuery(transaction_status());
    return;
  }
  if (skipping_ || std::holds_alternative<Flush>(*message)) return;
  Status status = std::visit(
      [&](auto& m) -> Status {
        using M = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<M, pgwire::Parse>) return Parse(m, w);
        if constexpr (std::is_same_v<M, pgwire::Bind>) return Bind(m, w);
        if constexpr (std::is_same_v<M, pgwire::Describe>) return Describe(m, w);
        if constexpr (std::is_same_v<M, pgwire::Execute>) return Execute(m, w);
        if constexpr (std::is_same_v<M, pgwire::Close>) {
          if (m.kind == 'S') statements_.erase(m.name);
          if (m.kind == 'P') portals_.erase(m.name);
          w.CloseComplete();
          return OkStatus();
        }
        return InvalidArgumentError("protocol violation: unexpected message in a session");
      },
      *message);
  if (!status.ok()) {
    Error(status, w);
    skipping_ = true;
    if (transaction_ == Transaction::kBlock) transaction_ = Transaction::kFailed;
  }
}

const std::vector<duckdb::LogicalType>& ProtocolSession::ParametersOf(const Statement& s) {
  return s.prepared ? s.prepared->description().parameters : s.cursor_parameters;
}

void ProtocolSession::SimpleQuery(const std::string& sql, BackendWriter& w) {
  // A simple Query ends any extended-protocol state (postgres.c).
  skipping_ = false;
  statements_.erase("");
  portals_.erase("");
  auto statements = ClassifyAll(sql, [&](std::string_view text) { return engine_.Split(text); });
  if (!statements.ok()) {
    Error(statements.status(), w);
  } else if (statements->empty()) {
    w.EmptyQueryResponse();
  }
  for (const Classified& c : statements.ok() ? *statements : std::vector<Classified>()) {
    Status status = RunSimple(c, w);
    if (!status.ok()) {
      Error(status, w);
      if (transaction_ == Transaction::kBlock) transaction_ = Transaction::kFailed;
      break;
    }
  }
  if (transaction_ == Transaction::kIdle) {
    std::erase_if(portals_, [](const auto& p) { return !p.second.hold; });
  }
  w.ReadyForQuery(transaction_status());
}

Status ProtocolSession::RunSimple(const Classified& c, BackendWriter& w) {
  RETURN_IF_ERROR(Admit(c));
  if (c.kind != StatementKind::kEngine && c.kind != StatementKind::kCatalog) return RunSession(c, true, {}, w);
  ASSIGN_OR_RETURN(Statement statement, PrepareStatement(c, /*to_run=*/true));
  Portal portal{.statement = std::move(statement)};
  const Description& d = portal.statement.prepared->description();
  if (d.returns_rows) w.RowDescription(FieldsOf(d, {}));
  uint64_t sent = 0;
  RETURN_IF_ERROR(SendRows(portal, 0, w, sent).status());
  w.CommandComplete(d.returns_rows || d.tag != "SET" ? d.tag + " " + std::to_string(sent) : d.tag);
  return OkStatus();
}

Status ProtocolSession::Parse(const pgwire::Parse& m, BackendWriter& w) {
  if (!m.statement.empty() && statements_.contains(m.statement)) {
    return AlreadyExistsError("prepared statement already exists");
  }
  ASSIGN_OR_RETURN(std::vector<Classified> classified,
                   ClassifyAll(m.sql, [&](std::string_view text) { return engine_.Split(text); }));
  if (classified.size() > 1) return InvalidArgumentError("cannot insert multiple commands into a prepared statement");
  Statement statement{.empty = true};
  if (!classified.empty()) {
    RETURN_IF_ERROR(Admit(classified.front()));
    ASSIGN_OR_RETURN(statement, PrepareStatement(classified.front()));
    if (statement.classified.kind == StatementKind::kDeclare) {
      // psycopg 3's named cursors: DECLARE … FOR a query with $n, bound here.
      ASSIGN_OR_RETURN(Statement query, PrepareCursorQuery(statement.classified));
      statement.cursor_parameters = query.prepared->description().parameters;
    }
  }
  statement.parameter_types = m.parameter_types;
  statements_[m.statement] = std::move(statement);
  w.ParseComplete();
  return OkStatus();
}

Status ProtocolSession::Bind(const pgwire::Bind& m, BackendWriter& w) {
  auto it = statements_.find(m.statement);
  if (it == statements_.end()) return UnknownStatement();
  if (!m.portal.empty() && portals_.contains(m.portal)) return AlreadyExistsError("portal already exists");
  const Statement& statement = it->second;
  Portal portal{.statement = statement, .result_formats = m.result_formats};
  const Prepared* prepared = statement.prepared.get();
  const auto& types = ParametersOf(statement);
  if (m.parameters.size() != types.size()) {
    return InvalidArgumentError("protocol violation: bind message supplies " + std::to_string(m.parameters.size()) +
                                " parameters, but prepared statement requires " + std::to_string(types.size()));
  }
  for (size_t i = 0; i < m.parameters.size(); ++i) {
    const duckdb::LogicalType& type = types[i];
    if (!m.parameters[i]) {
      portal.parameters.emplace_back(type);
      continue;
    }
    ASSIGN_OR_RETURN(int16_t format, FormatOf(m.parameter_formats, i, m.parameters.size()));
    const uint32_t oid = i < statement.parameter_types.size() ? statement.parameter_types[i] : 0;
    ASSIGN_OR_RETURN(duckdb::Value value, FromPg(AsStringView(*m.parameters[i]), format, oid, type, i + 1));
    portal.parameters.push_back(std::move(value));
  }
  if (prepared) {
    const Description& d = prepared->description();
    for (size_t i = 0; i < d.names.size(); ++i) {
      ASSIGN_OR_RETURN(int16_t format, FormatOf(m.result_formats, i, d.names.size()));
      if (format == 1 && !HasBinaryFormat(d.types[i])) {
        return UnimplementedError("binary format is not supported for column " + std::to_string(i + 1) +
                                  ": ask for text");
      }
      portal.formats.push_back(format);
    }
  }
  portals_[m.portal] = std::move(portal);
  w.BindComplete();
  return OkStatus();
}

Status ProtocolSession::Describe(const pgwire::Describe& m, BackendWriter& w) {
  if (m.kind == 'S') {
    auto it = statements_.find(m.name);
    if (it == statements_.end()) return UnknownStatement();
    const Statement& s = it->second;
    std::vector<uint32_t> oids;
    const auto& parameters = ParametersOf(s);
    for (size_t i = 0; i < parameters.size(); ++i) {
      const uint32_t declared = i < s.parameter_types.size() ? s.parameter_types[i] : 0;
      oids.push_back(declared != 0 ? declared : PgTypeOf(parameters[i]).oid);
    }
    w.ParameterDescription(oids);
    Description d;
    if (s.prepared) {
      d = s.prepared->description();
    } else if (!s.empty) {
      ASSIGN_OR_RETURN(d, DescribeSession(s.classified));
    }
    if (d.returns_rows) {
      w.RowDescription(FieldsOf(d, {}));
    } else {
      w.NoData();
    }
    return OkStatus();
  }
  auto it = portals_.find(m.name);
  if (it == portals_.end()) return UnknownPortal();
  const Portal& p = it->second;
  if (p.statement.prepared) {
    const Description& d = p.statement.prepared->description();
    if (d.returns_rows) {
      w.RowDescription(FieldsOf(d, p.formats));
    } else {
      w.NoData();
    }
    return OkStatus();
  }
  Description d;
  if (!p.statement.empty) {
    ASSIGN_OR_RETURN(d, DescribeSession(p.statement.classified));
  }
  if (!d.returns_rows) {
    w.NoData();
    return OkStatus();
  }
  std::vector<int16_t> formats;
  for (size_t i = 0; i < d.names.size(); ++i) {
    ASSIGN_OR_RETURN(int16_t format, FormatOf(p.result_formats, i, d.names.size()));
    formats.push_back(format);
  }
  w.RowDescription(FieldsOf(d, formats));
  return OkStatus();
}

StatusOr<bool> ProtocolSession::SendRows(Portal& portal, uint64_t limit, BackendWriter& w, uint64_t& sent,
                                         RowSink sink) {
  if (!portal.rows) RETURN_IF_ERROR(StartPortal(portal));
  const bool returns_rows = portal.statement.prepared->description().returns_rows;
  std::vector<std::optional<std::string>> values;
  while (limit == 0 || sent < limit) {
    if (!portal.chunk || portal.next_row >= portal.chunk->size()) {
      ASSIGN_OR_RETURN(portal.chunk, portal.rows->Next());
      portal.next_row = 0;
      portal.text.clear();
      if (!portal.chunk) {
        portal.done = true;
        return true;
      }
    }
    if (!returns_rows) {  // e.g. the count of a statement that returns none
      portal.next_row = portal.chunk->size();
      continue;
    }
    const size_t row = portal.next_row++;
    ++sent;
    if (sink.kind == RowSink::kDiscard) continue;
    const size_t columns = portal.chunk->ColumnCount();
    auto format = [&](size_t c) { return portal.formats.empty() ? 0 : portal.formats[c]; };
    if (portal.text.empty()) {
      portal.text.resize(columns);
      for (size_t c = 0; c < columns; ++c) {
        if (format(c) != 1) portal.text[c] = PgTextColumn(*portal.chunk, c);
      }
    }
    values.clear();
    for (size_t c = 0; c < columns; ++c) {
      if (format(c) == 1) {
        ASSIGN_OR_RETURN(std::optional<std::string> binary, PgBinary(portal.chunk->GetValue(c, row)));
        values.push_back(std::move(binary));
      } else {
        values.push_back(std::move(portal.text[c][row]));  // each row is sent once
      }
    }
    if (sink.kind == RowSink::kCopy) {
      const std::string line = CopyLine(values, *sink.copy);
      w.CopyData(AsBytes(line));
    } else {
      w.DataRow(values);
    }
    if (flusher_ && w.buffer().size() >= kFlushBytes) RETURN_IF_ERROR(flusher_(w.buffer()));
  }
  return false;
}

Status ProtocolSession::Execute(const pgwire::Execute& m, BackendWriter& w) {
  auto it = portals_.find(m.portal);
  if (it == portals_.end()) return UnknownPortal();
  Portal& portal = it->second;
  if (portal.statement.empty) {
    w.EmptyQueryResponse();
    return OkStatus();
  }
  RETURN_IF_ERROR(Admit(portal.statement.classified));
  if (!portal.statement.prepared) {
    // Runs once; the statement may end the transaction and its portals.
    const Classified c = portal.statement.classified;
    if (c.kind == StatementKind::kDeclare) {
      RETURN_IF_ERROR(Declare(c, std::move(portal.parameters)));
      w.CommandComplete("DECLARE CURSOR");
      return OkStatus();
    }
    const std::vector<int16_t> formats = portal.result_formats;
    return RunSession(c, false, formats, w);
  }
  const Description& d = portal.statement.prepared->description();
  uint64_t sent = 0;
  bool finished = portal.done;
  if (!finished) {
    ASSIGN_OR_RETURN(finished, SendRows(portal, m.max_rows, w, sent));
  }
  if (!finished) {
    w.PortalSuspended();
    return OkStatus();
  }
  w.CommandComplete(d.returns_rows || d.tag != "SET" ? d.tag + " " + std::to_string(sent) : d.tag);
  return OkStatus();
}

}  // namespace hdhub::pgwire

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
      return "53200";
    case StatusCode::kPermissionDenied:
      return "42501";
    case StatusCode::kUnimplemented:
      return "0A000";
    case StatusCode::kDeadlineExceeded:
      return "57014";
    case StatusCode::kNotFound:
      if (has("prepared statement")) return "26000";
      if (has("portal")) return "34000";
      return "42P01";
    case StatusCode::kAlreadyExists:
      return has("portal") ? "42P03" : "42P05";
    case StatusCode::kInvalidArgument:
      if (has("protocol violation")) return "08P01";
      if (has("Parser Error") || has("syntax error")) return "42601";
      if (has("Catalog Error") && has("Table")) return "42P01";
      if (has("Binder Error") && has("not found")) return "42703";
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

Status ProtocolSession::Start(const std::map<std::string, std::string>& startup_parameters, Bytes& out) {
  // What PostgreSQL 15 reports at startup (GUC_REPORT settings). psql picks
  // its \d queries by server_version; pgJDBC refuses a client_encoding other
  // than UTF8 and a DateStyle not starting with ISO.
  settings_ = {{"application_name", ""},
               {"client_encoding", "UTF8"},
               {"DateStyle", "ISO, MDY"},
               {"default_transaction_read_only", "on"},
               {"in_hot_standby", "off"},
               {"integer_datetimes", "on"},
               {"IntervalStyle", "postgres"},
               {"is_superuser", "off"},
               {"server_encoding", "UTF8"},
               {"server_version", "15.0 (hdhub)"},
               {"session_authorization", ""},
               {"standard_conforming_strings", "on"},
               {"TimeZone", "UTC"}};
  for (const auto& [name, value] : startup_parameters) {
    if (name == "client_encoding") {
      std::string upper;
      for (char c : value) upper += char(std::toupper(static_cast<unsigned char>(c)));
      if (upper != "UTF8" && upper != "UTF-8" && upper != "UNICODE") {
        return InvalidArgumentError("this server speaks UTF8 only: set client_encoding to UTF8");
      }
    } else if (name == "application_name") {
      settings_[name] = value.substr(0, 63);
    } else if (name == "user") {
      settings_["session_authorization"] = value;
    }
  }
  BackendWriter w(out);
  for (const auto& [name, value] : settings_) w.ParameterStatus(name, value);
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
    portals_.clear();  // the implicit transaction ends
    w.ReadyForQuery('I');
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
  }
}

void ProtocolSession::SimpleQuery(const std::string& sql, BackendWriter& w) {
  // A simple Query ends any extended-protocol state (postgres.c).
  skipping_ = false;
  statements_.erase("");
  portals_.clear();
  auto statements = engine_.Split(sql);
  if (!statements.ok()) {
    Error(statements.status(), w);
  } else if (statements->empty()) {
    w.EmptyQueryResponse();
  } else {
    for (const std::string& text : *statements) {
      auto prepared = engine_.Prepare(text);
      Status status = prepared.status();
      if (status.ok()) {
        Portal portal{.prepared = *prepared};
        if ((*prepared)->description().returns_rows) {
          w.RowDescription(FieldsOf((*prepared)->description(), {}));
        }
        uint64_t sent = 0;
        auto ran = SendRows(portal, 0, w, sent);
        status = ran.status();
        if (status.ok()) {
          const std::string& tag = (*prepared)->description().tag;
          w.CommandComplete((*prepared)->description().returns_rows || tag != "SET" ? tag + " " + std::to_string(sent)
                                                                                    : tag);
        }
      }
      if (!status.ok()) {
        Error(status, w);
        break;
      }
    }
  }
  w.ReadyForQuery('I');
}

Status ProtocolSession::Parse(const pgwire::Parse& m, BackendWriter& w) {
  if (!m.statement.empty() && statements_.contains(m.statement)) {
    return AlreadyExistsError("prepared statement already exists");
  }
  Statement statement{.parameter_types = m.parameter_types};
  auto texts = engine_.Split(m.sql);
  RETURN_IF_ERROR(texts.status());
  if (texts->size() > 1) return InvalidArgumentError("cannot insert multiple commands into a prepared statement");
  if (!texts->empty()) {
    ASSIGN_OR_RETURN(statement.prepared, engine_.Prepare(texts->front()));
  }
  statements_[m.statement] = std::move(statement);
  w.ParseComplete();
  return OkStatus();
}

Status ProtocolSession::Bind(const pgwire::Bind& m, BackendWriter& w) {
  auto it = statements_.find(m.statement);
  if (it == statements_.end()) return UnknownStatement();
  if (!m.portal.empty() && portals_.contains(m.portal)) return AlreadyExistsError("portal already exists");
  const Statement& statement = it->second;
  Portal portal{.prepared = statement.prepared};
  const size_t expected = statement.prepared ? statement.prepared->description().parameters.size() : 0;
  if (m.parameters.size() != expected) {
    return InvalidArgumentError("protocol violation: bind message supplies " + std::to_string(m.parameters.size()) +
                                " parameters, but prepared statement requires " + std::to_string(expected));
  }
  for (size_t i = 0; i < m.parameters.size(); ++i) {
    const duckdb::LogicalType& type = statement.prepared->description().parameters[i];
    if (!m.parameters[i]) {
      portal.parameters.emplace_back(type);
      continue;
    }
    ASSIGN_OR_RETURN(int16_t format, FormatOf(m.parameter_formats, i, m.parameters.size()));
    const uint32_t oid = i < statement.parameter_types.size() ? statement.parameter_types[i] : 0;
    ASSIGN_OR_RETURN(duckdb::Value value, FromPg(AsStringView(*m.parameters[i]), format, oid, type, i + 1));
    portal.parameters.push_back(std::move(value));
  }
  if (statement.prepared) {
    const Description& d = statement.prepared->description();
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
    if (s.prepared) {
      const auto& parameters = s.prepared->description().parameters;
      for (size_t i = 0; i < parameters.size(); ++i) {
        const uint32_t declared = i < s.parameter_types.size() ? s.parameter_types[i] : 0;
        oids.push_back(declared != 0 ? declared : PgTypeOf(parameters[i]).oid);
      }
    }
    w.ParameterDescription(oids);
    if (s.prepared && s.prepared->description().returns_rows) {
      w.RowDescription(FieldsOf(s.prepared->description(), {}));
    } else {
      w.NoData();
    }
    return OkStatus();
  }
  auto it = portals_.find(m.name);
  if (it == portals_.end()) return UnknownPortal();
  const Portal& p = it->second;
  if (p.prepared && p.prepared->description().returns_rows) {
    w.RowDescription(FieldsOf(p.prepared->description(), p.formats));
  } else {
    w.NoData();
  }
  return OkStatus();
}

StatusOr<bool> ProtocolSession::SendRows(Portal& portal, uint32_t limit, BackendWriter& w, uint64_t& sent) {
  if (!portal.rows) {
    ASSIGN_OR_RETURN(portal.rows, engine_.Execute(*portal.prepared, portal.parameters));
  }
  const bool returns_rows = portal.prepared->description().returns_rows;
  std::vector<std::optional<std::string>> values;
  while (limit == 0 || sent < limit) {
    if (!portal.chunk || portal.next_row >= portal.chunk->size()) {
      ASSIGN_OR_RETURN(portal.chunk, portal.rows->Next());
      portal.next_row = 0;
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
    values.clear();
    for (size_t c = 0; c < portal.chunk->ColumnCount(); ++c) {
      const duckdb::Value v = portal.chunk->GetValue(c, row);
      const int16_t format = portal.formats.empty() ? 0 : portal.formats[c];
      if (format == 1) {
        ASSIGN_OR_RETURN(std::optional<std::string> binary, PgBinary(v));
        values.push_back(std::move(binary));
      } else {
        values.push_back(PgText(v));
      }
    }
    w.DataRow(values);
    ++sent;
  }
  return false;
}

Status ProtocolSession::Execute(const pgwire::Execute& m, BackendWriter& w) {
  auto it = portals_.find(m.portal);
  if (it == portals_.end()) return UnknownPortal();
  Portal& portal = it->second;
  if (!portal.prepared) {
    w.EmptyQueryResponse();
    return OkStatus();
  }
  const Description& d = portal.prepared->description();
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

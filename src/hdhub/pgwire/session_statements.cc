// The statements ProtocolSession answers itself (session.h): settings,
// transactions, DISCARD ALL, SQL cursors and COPY … TO STDOUT.
#include <algorithm>

#include "hdhub/pgwire/session.h"
#include "hdhub/pgwire/types.h"

namespace hdhub::pgwire {
namespace {

std::string CsvField(const std::string& v, const CopyOptions& o) {
  const bool quote =
      v.empty() || v.find_first_of(std::string("\"\r\n") + o.delimiter) != v.npos || (o.null_text && v == *o.null_text);
  if (!quote) return v;
  std::string out = "\"";
  for (char c : v) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// Appends `v` to `out` in COPY's text format: a backslash before the
// delimiter, the backslash itself and the control characters it names.
void AppendTextField(const std::string& v, char delimiter, std::string& out) {
  // Most values have nothing to escape: one pass over them, then one copy.
  // The control characters escaped, \b \t \n \v \f \r, are 8 to 13.
  const bool plain = std::none_of(
      v.begin(), v.end(), [delimiter](char c) { return c == delimiter || c == '\\' || (c >= '\b' && c <= '\r'); });
  if (plain) {
    out += v;
    return;
  }
  for (char c : v) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\v':
        out += "\\v";
        break;
      default:
        if (c == delimiter) out += '\\';
        out += c;
    }
  }
}

Description OneTextColumn(std::vector<std::string> names) {
  Description d{.names = std::move(names), .returns_rows = true, .tag = "SHOW"};
  d.types.assign(d.names.size(), duckdb::LogicalType::VARCHAR);
  return d;
}

}  // namespace

std::string CopyLine(const std::vector<std::optional<std::string>>& values, const CopyOptions& options) {
  std::string line;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) line += options.delimiter;
    if (!values[i]) {
      line += options.null_text.value_or(options.csv ? "" : "\\N");
    } else if (options.csv) {
      line += CsvField(*values[i], options);
    } else {
      AppendTextField(*values[i], options.delimiter, line);
    }
  }
  line += '\n';
  return line;
}

void ProtocolSession::Cancel() {
  engine_.Cancel();
  if (Engine* catalog = catalog_engine_.load()) catalog->Cancel();
}

StatusOr<Engine*> ProtocolSession::CatalogFor() {
  if (!catalog_) {
    ASSIGN_OR_RETURN(catalog_, CatalogEngine::Create());
    catalog_engine_ = &catalog_->engine();
  }
  ASSIGN_OR_RETURN(std::vector<TableInfo> tables, engine_.Tables());
  RETURN_IF_ERROR(catalog_->Refresh(tables, {.user = user_, .database = database_, .settings = settings_.values()}));
  return &catalog_->engine();
}

StatusOr<ProtocolSession::Statement> ProtocolSession::PrepareStatement(const Classified& c, bool to_run) {
  Statement s{.classified = c};
  if (c.kind == StatementKind::kRefused) return UnimplementedError(c.refusal);
  if (c.kind != StatementKind::kEngine && c.kind != StatementKind::kCatalog) return s;
  if (c.kind == StatementKind::kCatalog) {
    ASSIGN_OR_RETURN(s.engine, CatalogFor());
  } else {
    s.engine = &engine_;
  }
  ASSIGN_OR_RETURN(s.prepared, to_run ? s.engine->PrepareToRun(c.sql) : s.engine->Prepare(c.sql));
  const std::string& tag = s.prepared->description().tag;
  if (tag == "SET" || tag == "TRANSACTION") {
    return UnimplementedError("this statement is not supported: the session's settings are PostgreSQL's");
  }
  return s;
}

Status ProtocolSession::StartPortal(Portal& portal) {
  if (portal.statement.classified.kind == StatementKind::kCatalog) {
    RETURN_IF_ERROR(engine_.ReadCatalog(portal.statement.classified.sql));
  }
  ASSIGN_OR_RETURN(portal.rows, portal.statement.engine->Execute(*portal.statement.prepared, portal.parameters));
  return OkStatus();
}

Status ProtocolSession::Admit(const Classified& c) const {
  if (c.kind == StatementKind::kRefused) return UnimplementedError(c.refusal);
  if (transaction_ != Transaction::kFailed || c.kind == StatementKind::kCommit || c.kind == StatementKind::kRollback) {
    return OkStatus();
  }
  return FailedPreconditionError("current transaction is aborted, commands ignored until end of transaction block");
}

StatusOr<Description> ProtocolSession::DescribeSession(const Classified& c) const {
  if (c.as_select) {
    Description d = OneTextColumn({"set_config"});
    d.tag = "SELECT";
    return d;
  }
  if (c.kind == StatementKind::kShow) {
    if (c.name == "all") return OneTextColumn({"name", "setting", "description"});
    ASSIGN_OR_RETURN(std::string name, settings_.Canonical(c.name));
    return OneTextColumn({name});
  }
  if (c.kind == StatementKind::kFetch && !c.move) {
    auto it = portals_.find(c.cursor);
    if (it == portals_.end() || !it->second.cursor) return NotFoundError("cursor does not exist");
    return it->second.statement.prepared->description();
  }
  return Description{};
}

void ProtocolSession::ChangeSetting(const std::string& name, std::string value, BackendWriter& w) {
  const bool changed = settings_.Get(name) != value;
  settings_.Set(name, std::move(value));
  if (changed && SessionSettings::Reported(name)) w.ParameterStatus(name, settings_.Get(name));
}

void ProtocolSession::RestoreSettings(std::map<std::string, std::string> values, BackendWriter& w) {
  for (auto& [name, value] : values) ChangeSetting(name, std::move(value), w);
}

Status ProtocolSession::Set(const Classified& c, bool simple, BackendWriter& w) {
  if (c.kind == StatementKind::kReset && c.name == "all") {
    std::map<std::string, std::string> defaults;
    for (const auto& [name, value] : settings_.values()) defaults[name] = settings_.Default(name);
    RestoreSettings(std::move(defaults), w);
    w.CommandComplete("RESET");
    return OkStatus();
  }
  ASSIGN_OR_RETURN(
      std::string name,
      settings_.Canonical(c.kind == StatementKind::kSetTransaction ? std::string("transaction_isolation") : c.name));
  ASSIGN_OR_RETURN(std::string value,
                   settings_.Check(name, c.kind == StatementKind::kReset ? std::vector<std::string>{} : c.values));
  const bool local = c.local || c.kind == StatementKind::kSetTransaction;
  if (local && transaction_ == Transaction::kIdle) {
    w.NoticeResponse(
        {.severity = "WARNING",
         .sqlstate = "25P01",
         .message = std::string(c.kind == StatementKind::kSetTransaction ? "SET TRANSACTION" : "SET LOCAL") +
                    " can only be used in transaction blocks"});
  } else {
    if (local && !before_local_.contains(name)) before_local_[name] = settings_.Get(name);
    if (!local) before_local_.erase(name);
    ChangeSetting(name, std::move(value), w);
    if (name == "default_transaction_isolation" && transaction_ == Transaction::kIdle) {
      ChangeSetting("transaction_isolation", settings_.Get(name), w);
    }
  }
  if (c.as_select) {
    if (simple) w.RowDescription(FieldsOf(OneTextColumn({"set_config"}), {}));
    w.DataRow({settings_.Get(name)});
    w.CommandComplete("SELECT 1");
    return OkStatus();
  }
  w.CommandComplete(c.kind == StatementKind::kReset ? "RESET" : "SET");
  return OkStatus();
}

Status ProtocolSession::Show(const Classified& c, bool simple, BackendWriter& w) {
  ASSIGN_OR_RETURN(Description d, DescribeSession(c));
  if (simple) w.RowDescription(FieldsOf(d, {}));
  if (c.name == "all") {
    for (const auto& [name, value] : settings_.values()) w.DataRow({name, value, std::string()});
  } else {
    w.DataRow({settings_.Get(d.names.front())});
  }
  w.CommandComplete("SHOW");
  return OkStatus();
}

void ProtocolSession::Begin(const Classified& c, BackendWriter& w) {
  if (transaction_ != Transaction::kIdle) {
    w.NoticeResponse(
        {.severity = "WARNING", .sqlstate = "25001", .message = "there is already a transaction in progress"});
  } else {
    transaction_ = Transaction::kBlock;
    settings_at_begin_ = settings_.values();
    before_local_.clear();
    ChangeSetting("transaction_isolation", settings_.Get("default_transaction_isolation"), w);
    if (!c.values.empty()) {
      if (auto level = settings_.Check("transaction_isolation", c.values); level.ok()) {
        ChangeSetting("transaction_isolation", *level, w);
      }
    }
  }
  w.CommandComplete("BEGIN");
}

void ProtocolSession::EndTransaction(bool commit, BackendWriter& w) {
  if (transaction_ == Transaction::kIdle) {
    w.NoticeResponse({.severity = "WARNING", .sqlstate = "25P01", .message = "there is no transaction in progress"});
    w.CommandComplete(commit ? "COMMIT" : "ROLLBACK");
    return;
  }
  const bool committed = commit && transaction_ == Transaction::kBlock;
  if (committed) {
    RestoreSettings(std::move(before_local_), w);
  } else {
    RestoreSettings(std::move(settings_at_begin_), w);
  }
  ChangeSetting("transaction_isolation", settings_.Get("default_transaction_isolation"), w);
  before_local_.clear();
  settings_at_begin_.clear();
  transaction_ = Transaction::kIdle;
  // Cursors WITHOUT HOLD and the transaction's portals end with it.
  std::erase_if(portals_, [&](const auto& p) { return !(p.second.hold && committed); });
  w.CommandComplete(committed ? "COMMIT" : "ROLLBACK");
}

StatusOr<ProtocolSession::Statement> ProtocolSession::PrepareCursorQuery(const Classified& c) {
  auto inner = ClassifyWithPostgresParser(c.sql);
  if (!inner || inner->size() != 1 ||
      (inner->front().kind != StatementKind::kEngine && inner->front().kind != StatementKind::kCatalog)) {
    return InvalidArgumentError("syntax error: DECLARE CURSOR needs one query");
  }
  ASSIGN_OR_RETURN(Statement statement, PrepareStatement(inner->front()));
  if (!statement.prepared->description().returns_rows) {
    return InvalidArgumentError("syntax error: DECLARE CURSOR needs a query that returns rows");
  }
  return statement;
}

Status ProtocolSession::Declare(const Classified& c, std::vector<duckdb::Value> parameters) {
  if (!c.hold && transaction_ == Transaction::kIdle) {
    return FailedPreconditionError("DECLARE CURSOR can only be used in transaction blocks");
  }
  if (portals_.contains(c.cursor)) return AlreadyExistsError("cursor already exists");
  ASSIGN_OR_RETURN(Statement statement, PrepareCursorQuery(c));
  const size_t expected = statement.prepared->description().parameters.size();
  if (parameters.size() != expected) {
    return InvalidArgumentError("there is no parameter $" + std::to_string(parameters.size() + 1));
  }
  Portal cursor{.statement = std::move(statement), .parameters = std::move(parameters), .cursor = true, .hold = c.hold};
  const int16_t format = c.binary ? 1 : 0;
  for (const auto& type : cursor.statement.prepared->description().types) {
    if (format == 1 && !HasBinaryFormat(type)) return UnimplementedError("binary format is not supported here");
    cursor.formats.push_back(format);
  }
  portals_[c.cursor] = std::move(cursor);
  return OkStatus();
}

Status ProtocolSession::Fetch(const Classified& c, bool simple, const std::vector<int16_t>& result_formats,
                              BackendWriter& w) {
  auto it = portals_.find(c.cursor);
  if (it == portals_.end() || !it->second.cursor) return NotFoundError("cursor does not exist");
  Portal& cursor = it->second;
  const Description& d = cursor.statement.prepared->description();
  std::vector<int16_t> formats = cursor.formats;
  if (!simple) {
    formats.clear();
    for (size_t i = 0; i < d.names.size(); ++i) {
      ASSIGN_OR_RETURN(int16_t format, FormatOf(result_formats, i, d.names.size()));
      formats.push_back(format);
    }
  }
  if (simple && !c.move) w.RowDescription(FieldsOf(d, formats));
  uint64_t sent = 0;
  if (c.count > 0 && !cursor.done) {
    std::swap(cursor.formats, formats);
    auto ran = SendRows(cursor, c.count == kAll ? 0 : uint64_t(c.count), w, sent,
                        {.kind = c.move ? RowSink::kDiscard : RowSink::kDataRow});
    std::swap(cursor.formats, formats);
    RETURN_IF_ERROR(ran.status());
  }
  w.CommandComplete((c.move ? "MOVE " : "FETCH ") + std::to_string(sent));
  return OkStatus();
}

Status ProtocolSession::CopyOut(const Classified& c, BackendWriter& w) {
  auto inner = ClassifyWithPostgresParser(c.sql);
  Classified query{.sql = c.sql};
  if (inner && inner->size() == 1) query = inner->front();
  if (query.kind != StatementKind::kEngine && query.kind != StatementKind::kCatalog) {
    return InvalidArgumentError("syntax error: COPY needs a query or a table");
  }
  ASSIGN_OR_RETURN(Statement statement, PrepareStatement(query, /*to_run=*/true));
  const Description& d = statement.prepared->description();
  if (!d.returns_rows) return InvalidArgumentError("syntax error: COPY needs a query that returns rows");
  Portal portal{.statement = std::move(statement)};
  // Started before CopyOutResponse, so that an error is a plain ErrorResponse.
  RETURN_IF_ERROR(StartPortal(portal));
  w.CopyOutResponse(0, d.names.size());
  if (c.copy.header) {
    std::vector<std::optional<std::string>> names(d.names.begin(), d.names.end());
    const std::string line = CopyLine(names, c.copy);
    w.CopyData(AsBytes(line));
  }
  uint64_t sent = 0;
  auto ran = SendRows(portal, 0, w, sent, {.kind = RowSink::kCopy, .copy = &c.copy});
  RETURN_IF_ERROR(ran.status());
  w.CopyDone();
  w.CommandComplete("COPY " + std::to_string(sent));
  return OkStatus();
}

Status ProtocolSession::RunSession(const Classified& c, bool simple, const std::vector<int16_t>& result_formats,
                                   BackendWriter& w) {
  switch (c.kind) {
    case StatementKind::kSet:
    case StatementKind::kReset:
    case StatementKind::kSetTransaction:
      return Set(c, simple, w);
    case StatementKind::kShow:
      return Show(c, simple, w);
    case StatementKind::kBegin:
      Begin(c, w);
      return OkStatus();
    case StatementKind::kCommit:
    case StatementKind::kRollback:
      EndTransaction(c.kind == StatementKind::kCommit, w);
      return OkStatus();
    case StatementKind::kDiscardAll: {
      if (transaction_ != Transaction::kIdle) {
        return FailedPreconditionError("DISCARD ALL cannot run inside a transaction block");
      }
      portals_.clear();
      statements_.clear();
      std::map<std::string, std::string> defaults;
      for (const auto& [name, value] : settings_.values()) defaults[name] = settings_.Default(name);
      RestoreSettings(std::move(defaults), w);
      w.CommandComplete("DISCARD ALL");
      return OkStatus();
    }
    case StatementKind::kDeclare:
      RETURN_IF_ERROR(Declare(c));
      w.CommandComplete("DECLARE CURSOR");
      return OkStatus();
    case StatementKind::kFetch:
      return Fetch(c, simple, result_formats, w);
    case StatementKind::kClose:
      if (c.cursor.empty()) {
        std::erase_if(portals_, [](const auto& p) { return p.second.cursor; });
      } else {
        auto it = portals_.find(c.cursor);
        if (it == portals_.end() || !it->second.cursor) return NotFoundError("cursor does not exist");
        portals_.erase(it);
      }
      w.CommandComplete("CLOSE CURSOR");
      return OkStatus();
    case StatementKind::kCopyOut:
      return CopyOut(c, w);
    default:
      return UnimplementedError(c.refusal.empty() ? "this statement is not supported" : c.refusal);
  }
}

}  // namespace hdhub::pgwire

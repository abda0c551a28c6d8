#include "hdhub/pgwire/classify.h"

#include <pg_query.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

namespace hdhub::pgwire {
namespace {

using Json = nlohmann::json;

// ---- PostgreSQL's scanner (pg_query_scan's protobuf ScanResult) ----------------

struct Token {
  int start = 0;
  int end = 0;
  int kind = 0;  // pg_query.proto's Token: an ASCII code, or one of these
};
constexpr int kIdent = 258;
constexpr int kSconst = 261;
constexpr int kTypecast = 268;
constexpr int kCollate = 334;
constexpr int kCursor = 366;
constexpr int kFor = 424;
constexpr int kOperator = 545;

bool ReadVarint(const uint8_t*& p, const uint8_t* end, uint64_t& v) {
  v = 0;
  for (int shift = 0; p < end && shift < 64; shift += 7) {
    const uint8_t b = *p++;
    v |= uint64_t(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

// Reads the fields of a protobuf message: varints go to `on_varint`,
// length-delimited fields to `on_bytes`; false when malformed.
template <typename V, typename B>
bool ReadMessage(const uint8_t* p, const uint8_t* end, V&& on_varint, B&& on_bytes) {
  while (p < end) {
    uint64_t key, v;
    if (!ReadVarint(p, end, key)) return false;
    const int wire = int(key & 7), field = int(key >> 3);
    if (wire == 0) {
      if (!ReadVarint(p, end, v)) return false;
      on_varint(field, v);
    } else if (wire == 2) {
      if (!ReadVarint(p, end, v) || v > uint64_t(end - p)) return false;
      on_bytes(field, p, p + v);
      p += v;
    } else {
      return false;
    }
  }
  return true;
}

std::vector<Token> Scan(const std::string& sql) {
  std::vector<Token> tokens;
  PgQueryScanResult result = pg_query_scan(sql.c_str());
  if (result.error == nullptr) {
    const auto* data = reinterpret_cast<const uint8_t*>(result.pbuf.data);
    ReadMessage(
        data, data + result.pbuf.len, [](int, uint64_t) {},
        [&](int field, const uint8_t* p, const uint8_t* end) {
          if (field != 2) return;
          Token t;
          ReadMessage(
              p, end,
              [&](int f, uint64_t v) {
                if (f == 1) t.start = int(v);
                if (f == 2) t.end = int(v);
                if (f == 4) t.kind = int(v);
              },
              [](int, const uint8_t*, const uint8_t*) {});
          tokens.push_back(t);
        });
  }
  pg_query_free_scan_result(result);
  return tokens;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// ---- The parse tree ------------------------------------------------------------

std::string ConstText(const Json& node) {
  const Json* c = node.contains("A_Const") ? &node["A_Const"] : &node;
  if (c->contains("sval")) return (*c)["sval"].value("sval", "");
  if (c->contains("ival")) return std::to_string((*c)["ival"].value("ival", 0));
  if (c->contains("fval")) return (*c)["fval"].value("fval", "");
  if (c->contains("boolval")) return (*c)["boolval"].value("boolval", false) ? "on" : "off";
  if (c->contains("String")) return (*c)["String"].value("sval", "");
  if (c->contains("Integer")) return std::to_string((*c)["Integer"].value("ival", 0));
  if (c->contains("Boolean")) return (*c)["Boolean"].value("boolval", false) ? "true" : "false";
  return "";
}

bool IsCatalogFunction(const std::string& name) {
  static const std::set<std::string> kNames = {"version",
                                               "current_schema",
                                               "current_schemas",
                                               "current_database",
                                               "current_setting",
                                               "format_type",
                                               "obj_description",
                                               "col_description",
                                               "shobj_description",
                                               "has_table_privilege",
                                               "has_schema_privilege",
                                               "has_database_privilege",
                                               "has_any_column_privilege",
                                               "has_column_privilege",
                                               "has_function_privilege",
                                               "_pg_expandarray",
                                               "current_user",
                                               "session_user",
                                               "current_role",
                                               "inet_server_addr",
                                               "inet_server_port",
                                               "set_config",
                                               "current_catalog"};
  return name.starts_with("pg_") || kNames.contains(name);
}

// Whether the tree reads pg_catalog / information_schema or calls one of
// their functions (then it runs on the session's catalog database).
bool ReadsCatalog(const Json& node) {
  if (node.is_array()) {
    return std::any_of(node.begin(), node.end(), [](const Json& n) { return ReadsCatalog(n); });
  }
  if (!node.is_object()) return false;
  for (const auto& [key, value] : node.items()) {
    if (key == "RangeVar" || (key == "relation" && value.contains("relname"))) {
      const std::string schema = Lower(value.value("schemaname", ""));
      const std::string rel = Lower(value.value("relname", ""));
      if (schema == "pg_catalog" || schema == "information_schema" || (schema.empty() && rel.starts_with("pg_"))) {
        return true;
      }
    } else if (key == "FuncCall" && value.contains("funcname")) {
      for (const Json& part : value["funcname"]) {
        const std::string name = Lower(part.contains("String") ? part["String"].value("sval", "") : "");
        if (name == "pg_catalog" || name == "information_schema" || IsCatalogFunction(name)) return true;
      }
    } else if (key == "SQLValueFunction") {
      return true;
    } else if (key == "TypeCast" && value.contains("typeName")) {
      for (const Json& part : value["typeName"].value("names", Json::array())) {
        if (part.contains("String") && Lower(part["String"].value("sval", "")).starts_with("reg")) return true;
      }
    }
    if (ReadsCatalog(value)) return true;
  }
  return false;
}

Classified Refused(std::string message) { return {.kind = StatementKind::kRefused, .refusal = std::move(message)}; }

// The text after the first token of `kind` at depth 0 following a `after` token.
std::string TextAfter(const std::string& text, int after, int kind) {
  const std::vector<Token> tokens = Scan(text);
  bool seen = after == 0;
  for (const Token& t : tokens) {
    if (t.kind == after) seen = true;
    if (seen && t.kind == kind) return text.substr(size_t(t.end));
  }
  return "";
}

// The text inside the first parenthesis of `text` (COPY (query) TO …).
std::string FirstParenthesis(const std::string& text) {
  int depth = 0, start = -1;
  for (const Token& t : Scan(text)) {
    if (t.kind == '(' && depth++ == 0) start = t.end;
    if (t.kind == ')' && --depth == 0 && start >= 0) return text.substr(size_t(start), size_t(t.start - start));
  }
  return "";
}

std::string Quoted(const std::string& name) {
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

Classified CopyStatement(const Json& copy, const std::string& text) {
  if (copy.value("is_from", false)) {
    return Refused("COPY FROM is not supported: the workspace is written through hdhub, not over the wire");
  }
  if (copy.contains("filename") || copy.value("is_program", false)) {
    return Refused("COPY to a server file or program is not supported: use COPY … TO STDOUT (psql \\copy)");
  }
  Classified c{.kind = StatementKind::kCopyOut};
  if (copy.contains("query")) {
    c.sql = FirstParenthesis(text);
  } else {
    const Json& rel = copy["relation"];
    std::string columns;
    for (const Json& a : copy.value("attlist", Json::array())) {
      columns += (columns.empty() ? "" : ", ") + Quoted(ConstText(a));
    }
    c.sql = "SELECT " + (columns.empty() ? std::string("*") : columns) + " FROM " +
            (rel.contains("schemaname") ? Quoted(rel.value("schemaname", "")) + "." : "") +
            Quoted(rel.value("relname", ""));
  }
  for (const Json& o : copy.value("options", Json::array())) {
    const Json& d = o["DefElem"];
    const std::string name = d.value("defname", "");
    const std::string value = d.contains("arg") ? ConstText(d["arg"]) : "true";
    if (name == "format") {
      if (value != "csv" && value != "text")
        return Refused("COPY FORMAT " + value + " is not supported: use text or csv");
      c.copy.csv = value == "csv";
    } else if (name == "header") {
      c.copy.header = value == "true" || value == "on" || value == "1";
    } else if (name == "delimiter" && value.size() == 1) {
      c.copy.delimiter = value[0];
    } else if (name == "null") {
      c.copy.null_text = value;
    } else if (name == "encoding" && (Lower(value) == "utf8" || Lower(value) == "utf-8")) {
      continue;
    } else {
      return Refused("COPY option " + name + " is not supported here");
    }
  }
  bool delimiter_given = false;
  for (const Json& o : copy.value("options", Json::array()))
    delimiter_given |= o["DefElem"].value("defname", "") == "delimiter";
  if (c.copy.csv && !delimiter_given) c.copy.delimiter = ',';
  return c;
}

Classified SetStatement(const Json& set) {
  const std::string kind = set.value("kind", "");
  const std::string name = Lower(set.value("name", ""));
  Classified c{.kind = StatementKind::kSet, .name = name, .local = set.value("is_local", false)};
  if (kind == "VAR_SET_VALUE") {
    for (const Json& a : set.value("args", Json::array())) c.values.push_back(ConstText(a));
    return c;
  }
  if (kind == "VAR_SET_DEFAULT") return c;
  if (kind == "VAR_RESET") return {.kind = StatementKind::kReset, .name = name};
  if (kind == "VAR_RESET_ALL") return {.kind = StatementKind::kReset, .name = "all"};
  if (kind == "VAR_SET_MULTI" && (name == "transaction" || name == "session characteristics")) {
    c.kind = name == "transaction" ? StatementKind::kSetTransaction : StatementKind::kSet;
    c.name = "default_transaction_isolation";
    c.values.clear();
    for (const Json& a : set.value("args", Json::array())) {
      const Json& d = a["DefElem"];
      if (d.value("defname", "") == "transaction_isolation") c.values = {ConstText(d["arg"])};
    }
    if (c.values.empty() && c.kind == StatementKind::kSet) return Refused("only the isolation level can be set here");
    return c;
  }
  return Refused("this form of SET is not supported");
}

Classified TransactionStatement(const Json& t) {
  const std::string kind = t.value("kind", "");
  if (kind == "TRANS_STMT_BEGIN" || kind == "TRANS_STMT_START") {
    Classified c{.kind = StatementKind::kBegin};
    for (const Json& o : t.value("options", Json::array())) {
      if (o["DefElem"].value("defname", "") == "transaction_isolation") c.values = {ConstText(o["DefElem"]["arg"])};
    }
    return c;
  }
  if (kind == "TRANS_STMT_COMMIT") return {.kind = StatementKind::kCommit};
  if (kind == "TRANS_STMT_ROLLBACK") return {.kind = StatementKind::kRollback};
  if (kind == "TRANS_STMT_PREPARE" || kind == "TRANS_STMT_COMMIT_PREPARED" || kind == "TRANS_STMT_ROLLBACK_PREPARED") {
    return Refused("two-phase commit (PREPARE TRANSACTION) is not supported");
  }
  return Refused("savepoints are not supported");
}

Classified FetchStatement(const Json& f) {
  const std::string direction = f.value("direction", "FETCH_FORWARD");
  if (direction != "FETCH_FORWARD") return Refused("cursors here can only fetch forward (FETCH FORWARD n, NEXT, ALL)");
  const int64_t count = f.value("howMany", int64_t(0));
  return {.kind = StatementKind::kFetch,
          .cursor = f.value("portalname", ""),
          .move = f.value("ismove", false),
          .count = count == INT64_MAX ? kAll : count};
}

// SELECT set_config('name', 'value', is_local), alone: a SET that answers a row.
std::optional<Classified> SetConfig(const Json& select) {
  const Json targets = select.value("targetList", Json::array());
  if (targets.size() != 1 || select.contains("fromClause")) return std::nullopt;
  const Json call = targets[0]["ResTarget"].value("val", Json::object()).value("FuncCall", Json::object());
  const Json name = call.value("funcname", Json::array());
  if (name.empty() || Lower(name.back().contains("String") ? name.back()["String"].value("sval", "") : "") != "set_config") {
    return std::nullopt;
  }
  const Json args = call.value("args", Json::array());
  if (args.size() != 3 || !std::all_of(args.begin(), args.end(), [](const Json& a) { return a.contains("A_Const"); })) {
    return Refused("set_config is supported as SELECT set_config('name', 'value', false) alone");
  }
  return Classified{.kind = StatementKind::kSet,
                    .name = Lower(ConstText(args[0])),
                    .values = {ConstText(args[1])},
                    .local = ConstText(args[2]) == "on",
                    .as_select = true};
}

Classified ClassifyOne(const Json& stmt, const std::string& text) {
  const auto& [type, node] = *stmt.items().begin();
  if (type == "VariableSetStmt") return SetStatement(node);
  if (type == "VariableShowStmt") return {.kind = StatementKind::kShow, .name = Lower(node.value("name", ""))};
  if (type == "TransactionStmt") return TransactionStatement(node);
  if (type == "DiscardStmt") {
    if (node.value("target", "") == "DISCARD_ALL") return {.kind = StatementKind::kDiscardAll};
    return Refused("only DISCARD ALL is supported");
  }
  if (type == "DeclareCursorStmt") {
    const int options = node.value("options", 0);
    constexpr int kBinary = 0x1, kHold = 0x20;
    return {.kind = StatementKind::kDeclare,
            .sql = TextAfter(text, kCursor, kFor),
            .cursor = node.value("portalname", ""),
            .binary = (options & kBinary) != 0,
            .hold = (options & kHold) != 0};
  }
  if (type == "FetchStmt") return FetchStatement(node);
  if (type == "ClosePortalStmt") return {.kind = StatementKind::kClose, .cursor = node.value("portalname", "")};
  if (type == "CopyStmt") return CopyStatement(node, text);
  if (type == "ListenStmt" || type == "UnlistenStmt" || type == "NotifyStmt") {
    return Refused("LISTEN and NOTIFY are not supported");
  }
  if (type == "LoadStmt" || type == "DoStmt" || type == "CallStmt" || type == "CreateFunctionStmt") {
    return Refused("this statement is not supported");
  }
  if (type == "SelectStmt") {
    if (auto set = SetConfig(node)) return *set;
  }
  if (type == "SelectStmt" && ReadsCatalog(node)) {
    return {.kind = StatementKind::kCatalog, .sql = RewriteCatalogQuery(text)};
  }
  return {.kind = StatementKind::kEngine, .sql = text};
}

std::string Trim(std::string_view s) {
  const size_t first = s.find_first_not_of(" \t\r\n;");
  if (first == s.npos) return "";
  const size_t last = s.find_last_not_of(" \t\r\n;");
  return std::string(s.substr(first, last - first + 1));
}

}  // namespace

std::optional<std::vector<Classified>> ClassifyWithPostgresParser(std::string_view sql) {
  const std::string text(sql);
  PgQueryParseResult result = pg_query_parse(text.c_str());
  if (result.error != nullptr) {
    pg_query_free_parse_result(result);
    return std::nullopt;
  }
  Json tree = Json::parse(result.parse_tree, nullptr, /*allow_exceptions=*/false);
  pg_query_free_parse_result(result);
  if (tree.is_discarded()) return std::nullopt;
  std::vector<Classified> out;
  for (const Json& raw : tree.value("stmts", Json::array())) {
    const size_t location = raw.value("stmt_location", size_t(0));
    const size_t length = raw.value("stmt_len", size_t(0));
    if (location > text.size()) return std::nullopt;
    std::string statement = Trim(length == 0 ? text.substr(location) : text.substr(location, length));
    Classified c = ClassifyOne(raw["stmt"], statement);
    c.text = std::move(statement);
    if (c.kind == StatementKind::kDeclare || c.kind == StatementKind::kCopyOut) c.sql = Trim(c.sql);
    out.push_back(std::move(c));
  }
  return out;
}

namespace {

// Writes `text` with the rewrites of RewriteCatalogQuery.
class CatalogRewriter {
 public:
  explicit CatalogRewriter(std::string text) : text_(std::move(text)), tokens_(Scan(text_)) {}

  std::string Run() {
    size_t copied = 0;
    for (size_t i = 0; i < tokens_.size();) {
      const Token& t = tokens_[i];
      out_ += text_.substr(copied, size_t(t.start) - copied);
      i = Rewrite(i);
      copied = size_t(tokens_[i - 1].end);
    }
    out_ += text_.substr(std::min(copied, text_.size()));
    return out_;
  }

 private:
  std::string Word(size_t i) const {
    if (i >= tokens_.size()) return "";
    std::string w = text_.substr(size_t(tokens_[i].start), size_t(tokens_[i].end - tokens_[i].start));
    if (w.size() >= 2 && w.front() == '"') return w.substr(1, w.size() - 2);
    return Lower(w);
  }
  int Kind(size_t i) const { return i < tokens_.size() ? tokens_[i].kind : 0; }

  void Emit(size_t i, std::string_view s, bool primary) {
    const size_t at = out_.size();
    out_ += s;
    if (!primary) return;
    // A qualified name or a cast keeps the start of what it continues.
    if (!(last_ == '.' || last_ == kTypecast || Kind(i) == '.')) primary_start_ = at;
    last_ = Kind(i);
  }

  // Handles the token at `i`; returns the index of the next one.
  size_t Rewrite(size_t i) {
    const std::string w = Word(i);
    const int kind = Kind(i);
    if (w == "pg_catalog" && Kind(i + 1) == '.') return i + 2;
    if (kind == kOperator && Kind(i + 1) == '(') {  // OPERATOR(pg_catalog.~)
      size_t j = i + 2;
      if (Kind(j + 1) == '.') j += 2;
      regex_ = Word(j);
      out_ += " " + regex_ + " ";
      last_ = 0;
      return Kind(j + 1) == ')' ? j + 2 : j + 1;
    }
    if (kind == kCollate) {
      size_t j = i + 1;
      if (Kind(j + 1) == '.') j += 2;
      return j + 1;
    }
    if (w == "information_schema" && Kind(i + 1) == '.') {
      Emit(i, "information_schema_" + Word(i + 2), true);
      last_ = kIdent;
      return i + 3;
    }
    if (kind == kTypecast) return Cast(i);
    if (kind == '=' && Word(i + 1) == "any" && Kind(i + 2) == '(') {
      // x = ANY(list): DuckDB cannot unnest a correlated list; list_contains can.
      const std::string left = out_.substr(primary_start_);
      out_.resize(primary_start_);
      parens_.push_back({primary_start_, ", " + left + ")"});
      out_ += "list_contains(";
      last_ = 0;
      return i + 3;
    }
    if (kind == '(') {
      parens_.push_back({i > 0 && Kind(i - 1) == kIdent ? primary_start_ : out_.size(), ")",
                         i > 0 && Word(i - 1) == "generate_series"});
    }
    if (kind == kIdent && series_alias_ && Kind(i + 1) != '(' && Kind(i + 1) != '.') {
      // FROM generate_series(…) s: in PostgreSQL s is also the column.
      Emit(i, Word(i) + "(" + Word(i) + ")", true);
      series_alias_ = false;
      return i + 1;
    }
    series_alias_ = false;
    if (kind == ')' && !parens_.empty()) {
      series_alias_ = parens_.back().series;
      out_ += parens_.back().suffix;
      primary_start_ = parens_.back().start;
      parens_.pop_back();
      last_ = ')';
      return i + 1;
    }
    const std::string source = text_.substr(size_t(tokens_[i].start), size_t(tokens_[i].end - tokens_[i].start));
    if (source == "~" || source == "!~" || source == "~*" || source == "!~*") {
      regex_ = source;
      out_ += source.starts_with("!") ? "!~" : "~";
      last_ = 0;
      return i + 1;
    }
    if (kind == kSconst && !regex_.empty()) {
      // PostgreSQL's ~ finds the pattern anywhere; DuckDB's matches it whole.
      const size_t quote = source.find('\'');
      const std::string flags = regex_.ends_with("*") ? "(?i)" : "";
      Emit(i,
           source.substr(0, quote + 1) + flags + ".*(?:" + source.substr(quote + 1, source.size() - quote - 2) + ").*'",
           true);
      regex_.clear();
      return i + 1;
    }
    regex_.clear();
    Emit(i, source, kind == kIdent || kind == kSconst || kind == '.' || kind > 257);
    return i + 1;
  }

  // x::[pg_catalog.]regclass → hdhub_regclass(x); other casts are copied.
  size_t Cast(size_t i) {
    size_t j = i + 1;
    if (Word(j) == "pg_catalog" && Kind(j + 1) == '.') j += 2;
    const std::string type = Word(j);
    if (type == "regclass" || type == "regtype" || type == "regnamespace" || type == "regproc" || type == "regrole") {
      out_.insert(primary_start_, "hdhub_" + type + "(");
      out_ += ")";
      last_ = ')';
      return j + 1;
    }
    out_ += "::";
    last_ = kTypecast;
    return i + 1;
  }

  std::string text_;
  std::vector<Token> tokens_;
  std::string out_;
  size_t primary_start_ = 0;
  int last_ = 0;
  struct Paren {
    size_t start;         // of the primary the parenthesis closes
    std::string suffix;   // written at the closing parenthesis
    bool series = false;  // closes generate_series(…)
  };
  bool series_alias_ = false;
  std::vector<Paren> parens_;
  std::string regex_;
};

}  // namespace

std::string RewriteCatalogQuery(std::string_view sql) { return CatalogRewriter(std::string(sql)).Run(); }

}  // namespace hdhub::pgwire

#include "hdhub/pgwire/classify.h"

#include <pg_query.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "hdhub/pgwire/pg_scan.h"

namespace hdhub::pgwire {
namespace {

using Json = nlohmann::json;

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
      const std::string schema = AsciiLower(value.value("schemaname", ""));
      const std::string rel = AsciiLower(value.value("relname", ""));
      if (schema == "pg_catalog" || schema == "information_schema" || (schema.empty() && rel.starts_with("pg_"))) {
        return true;
      }
    } else if (key == "FuncCall" && value.contains("funcname")) {
      for (const Json& part : value["funcname"]) {
        const std::string name = AsciiLower(part.contains("String") ? part["String"].value("sval", "") : "");
        if (name == "pg_catalog" || name == "information_schema" || IsCatalogFunction(name)) return true;
      }
    } else if (key == "SQLValueFunction") {
      return true;
    } else if (key == "TypeCast" && value.contains("typeName")) {
      for (const Json& part : value["typeName"].value("names", Json::array())) {
        if (part.contains("String") && AsciiLower(part["String"].value("sval", "")).starts_with("reg")) return true;
      }
    }
    if (ReadsCatalog(value)) return true;
  }
  return false;
}

Classified Refused(std::string message) { return {.kind = StatementKind::kRefused, .refusal = std::move(message)}; }

// The text after the first token of `kind` at depth 0 following a `after` token.
std::string TextAfter(const std::string& text, int after, int kind) {
  const std::vector<PgToken> tokens = PgScan(text);
  bool seen = after == 0;
  for (const PgToken& t : tokens) {
    if (t.kind == after) seen = true;
    if (seen && t.kind == kind) return text.substr(size_t(t.end));
  }
  return "";
}

// The text inside the first parenthesis of `text` (COPY (query) TO …).
std::string FirstParenthesis(const std::string& text) {
  int depth = 0, start = -1;
  for (const PgToken& t : PgScan(text)) {
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
    } else if (name == "encoding" && (AsciiLower(value) == "utf8" || AsciiLower(value) == "utf-8")) {
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
  const std::string name = AsciiLower(set.value("name", ""));
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
  if (name.empty() || AsciiLower(name.back().contains("String") ? name.back()["String"].value("sval", "") : "") != "set_config") {
    return std::nullopt;
  }
  const Json args = call.value("args", Json::array());
  if (args.size() != 3 || !std::all_of(args.begin(), args.end(), [](const Json& a) { return a.contains("A_Const"); })) {
    return Refused("set_config is supported as SELECT set_config('name', 'value', false) alone");
  }
  return Classified{.kind = StatementKind::kSet,
                    .name = AsciiLower(ConstText(args[0])),
                    .values = {ConstText(args[1])},
                    .local = ConstText(args[2]) == "on",
                    .as_select = true};
}

Classified ClassifyOne(const Json& stmt, const std::string& text) {
  // (A structured binding of *stmt.items().begin() would bind a proxy that
  // dies with the statement: ASan's stack-use-after-scope.)
  if (!stmt.is_object() || stmt.empty()) return Refused("this statement is not supported");
  const auto first = stmt.begin();
  const std::string type = first.key();
  const Json& node = first.value();
  if (type == "VariableSetStmt") return SetStatement(node);
  if (type == "VariableShowStmt") return {.kind = StatementKind::kShow, .name = AsciiLower(node.value("name", ""))};
  if (type == "TransactionStmt") return TransactionStatement(node);
  if (type == "DiscardStmt") {
    if (node.value("target", "") == "DISCARD_ALL") return {.kind = StatementKind::kDiscardAll};
    return Refused("only DISCARD ALL is supported");
  }
  if (type == "DeclareCursorStmt") {
    const int options = node.value("options", 0);
    constexpr int kBinary = 0x1, kHold = 0x20;
    return {.kind = StatementKind::kDeclare,
            .sql = TextAfter(text, kPgCursor, kPgFor),
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

}  // namespace hdhub::pgwire

// Statement classification with the real PostgreSQL 15 parser (libpg_query):
// which statements of a client's text the protocol session answers itself
// (SET/SHOW/RESET, transactions, DISCARD, SQL cursors, COPY … TO STDOUT),
// which run on the private pg_catalog database of the session (catalog.h),
// which go to the engine, and which are refused (0A000) with a clear message.
//
// A text the PostgreSQL parser rejects goes to the engine as DuckDB splits
// it (DuckDB's own dialect: FROM-first, EXCLUDE, PIVOT…); the engine never
// runs a SET of its own (the session refuses a prepared SET, session.cc).
// The sandbox of the engine's connection stays what enforces isolation.
//
// Pure functions; thread-safe (libpg_query keeps its memory per thread).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/common/status.h"

namespace hdhub::pgwire {

enum class StatementKind {
  kEngine,          // sql: the statement's text
  kCatalog,         // sql: rewritten for the session's catalog database
  kSet,             // name, values (empty: DEFAULT), local
  kReset,           // name ("all" for RESET ALL)
  kShow,            // name ("all" for SHOW ALL)
  kSetTransaction,  // SET TRANSACTION / SET SESSION CHARACTERISTICS: values[0] isolation (may be empty), local
  kBegin,           // values[0]: isolation level, if given
  kCommit,
  kRollback,
  kDiscardAll,
  kDeclare,  // cursor, binary, hold, sql: the query
  kFetch,    // cursor, count (kAll for ALL), move
  kClose,    // cursor ("" for CLOSE ALL)
  kCopyOut,  // sql: the query; copy options
  kRefused,  // refusal: the message (SQLSTATE 0A000)
};

struct CopyOptions {
  bool csv = false;
  bool header = false;
  char delimiter = '\t';                 // ',' for csv
  std::optional<std::string> null_text;  // "\N" text, "" csv
};

struct Classified {
  StatementKind kind = StatementKind::kEngine;
  std::string text;  // the statement as the client wrote it
  std::string sql;
  std::string name;
  std::vector<std::string> values;
  bool local = false;
  bool as_select = false;  // kSet written SELECT set_config('name', 'value', is_local)
  std::string cursor;
  bool binary = false;
  bool hold = false;
  bool move = false;
  int64_t count = 1;
  CopyOptions copy;
  std::string refusal;
};

inline constexpr int64_t kAll = INT64_MAX;

// The statements of `sql`, in order, each classified; empty for an empty
// text. InvalidArgument (SQLSTATE 42601) only when neither PostgreSQL's nor
// the engine's parser accepts the text (`engine_split` is the engine's).
template <typename Split>
StatusOr<std::vector<Classified>> ClassifyAll(std::string_view sql, Split&& engine_split);

// What ClassifyAll uses: nullopt when PostgreSQL's parser rejects the text.
std::optional<std::vector<Classified>> ClassifyWithPostgresParser(std::string_view sql);

// Rewrites a pg_catalog query for DuckDB, token by token (PostgreSQL's
// scanner): drops the pg_catalog. qualifier and COLLATE pg_catalog.default,
// turns OPERATOR(pg_catalog.~) into ~, information_schema.x into
// information_schema_x, x::regclass / regtype / regnamespace / regproc into
// hdhub_regclass(x) … (catalog.cc defines them), and makes the regular
// expression constants of ~ and !~ match anywhere, as in PostgreSQL (DuckDB's
// ~ matches the whole string).
std::string RewriteCatalogQuery(std::string_view sql);

template <typename Split>
StatusOr<std::vector<Classified>> ClassifyAll(std::string_view sql, Split&& engine_split) {
  if (auto classified = ClassifyWithPostgresParser(sql)) return *std::move(classified);
  StatusOr<std::vector<std::string>> texts = engine_split(sql);
  if (!texts.ok()) return texts.status();
  std::vector<Classified> out;
  for (std::string& text : *texts) out.push_back({.text = text, .sql = text});
  return out;
}

}  // namespace hdhub::pgwire

// CatalogEngine: the pg_catalog / information_schema a PG-wire session
// shows, as a private in-memory DuckDB of that session, filled only from
// what the session's Engine::Tables() lists (names, columns, PostgreSQL type
// OIDs from types.h, the dictionary's descriptions) and the session's own
// values (user, database, settings). Statements that read the catalog
// (classify.h, kCatalog, already rewritten for DuckDB) run here, never on
// the workspace: a table not in Tables() cannot show.
//
// Holds pg_namespace (pg_catalog, public, information_schema), pg_class,
// pg_attribute, pg_type, pg_description, pg_database, pg_roles/pg_user,
// pg_settings, pg_am, pg_tables, empty pg_index/pg_constraint/pg_attrdef/
// pg_policy/pg_inherits/… and information_schema tables/columns/schemata,
// plus the macros psql 15 and pgJDBC call (pg_get_userbyid, format_type,
// pg_table_is_visible, version, current_schema(s), has_*_privilege, …).
// The database has no external access (no files, no extensions) and its
// configuration is locked after set-up.
//
// Not thread-safe: one per session.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "duckdb.hpp"
#include "hdhub/common/status.h"
#include "hdhub/pgwire/engine.h"

namespace hdhub::pgwire {

struct CatalogContext {
  std::string user;
  std::string database;
  std::map<std::string, std::string> settings;  // name → value, as SHOW ALL gives them
};

class CatalogEngine {
 public:
  static StatusOr<std::unique_ptr<CatalogEngine>> Create();

  // Replaces the catalog's contents with `tables` and `context`.
  Status Refresh(const std::vector<TableInfo>& tables, const CatalogContext& context);
  // Runs catalog statements (after Refresh).
  Engine& engine() { return *engine_; }

 private:
  // Refresh's work; DuckDB may throw (a value it cannot bind).
  Status Fill(const std::vector<TableInfo>& tables, const CatalogContext& context);
  CatalogEngine() = default;

  std::unique_ptr<duckdb::DuckDB> db_;
  std::unique_ptr<duckdb::Connection> connection_;
  std::unique_ptr<DuckDbEngine> engine_;
  std::string filled_for_;  // what the catalog holds now (tables and context)
};

}  // namespace hdhub::pgwire

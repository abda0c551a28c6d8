#include "hdhub/pgwire/catalog.h"

#include "hdhub/pgwire/types.h"
#include "hdhub/sql/database.h"  // StatusFromDuckDbError

namespace hdhub::pgwire {
namespace {

constexpr int64_t kPgCatalogOid = 11;
constexpr int64_t kPublicOid = 2200;
constexpr int64_t kInformationSchemaOid = 13000;
constexpr int64_t kFirstTableOid = 16384;
constexpr int64_t kPgClassOid = 1259;
constexpr int64_t kUserOid = 10;

// PostgreSQL's base types this server sends (types.h), with their array types.
struct BaseType {
  int64_t oid;
  const char* name;
  int len;
  const char* category;
  int64_t array;
  const char* display;  // format_type's answer
};
constexpr BaseType kTypes[] = {
    {16, "bool", 1, "B", 1000, "boolean"},
    {17, "bytea", -1, "U", 1001, "bytea"},
    {19, "name", 64, "S", 1003, "name"},
    {20, "int8", 8, "N", 1016, "bigint"},
    {21, "int2", 2, "N", 1005, "smallint"},
    {23, "int4", 4, "N", 1007, "integer"},
    {25, "text", -1, "S", 1009, "text"},
    {26, "oid", 4, "N", 1028, "oid"},
    {114, "json", -1, "U", 199, "json"},
    {700, "float4", 4, "N", 1021, "real"},
    {701, "float8", 8, "N", 1022, "double precision"},
    {1042, "bpchar", -1, "S", 1014, "character"},
    {1043, "varchar", -1, "S", 1015, "character varying"},
    {1082, "date", 4, "D", 1182, "date"},
    {1083, "time", 8, "D", 1183, "time without time zone"},
    {1114, "timestamp", 8, "D", 1115, "timestamp without time zone"},
    {1184, "timestamptz", 8, "D", 1185, "timestamp with time zone"},
    {1186, "interval", 16, "T", 1187, "interval"},
    {1700, "numeric", -1, "N", 1231, "numeric"},
    {2950, "uuid", 16, "U", 2951, "uuid"},
};

// PostgreSQL's default storage of a type (pg_type.typstorage, copied to
// pg_attribute.attstorage; psql's \d+ shows it): variable-length types are
// 'x' (extended), numeric 'm' (main), fixed-length 'p' (plain).
const char* StorageOf(int64_t oid, int64_t len) {
  if (len != -1) return "p";
  return oid == 1700 ? "m" : "x";
}

constexpr const char* kSchema = R"sql(
CREATE TABLE pg_namespace(oid BIGINT, nspname VARCHAR, nspowner BIGINT DEFAULT 10, nspacl VARCHAR[]);
CREATE TABLE pg_class(oid BIGINT, relname VARCHAR, relnamespace BIGINT, reltype BIGINT DEFAULT 0,
  reloftype BIGINT DEFAULT 0, relowner BIGINT DEFAULT 10, relam BIGINT DEFAULT 2, relfilenode BIGINT DEFAULT 0,
  reltablespace BIGINT DEFAULT 0, relpages INTEGER DEFAULT 0, reltuples REAL DEFAULT -1,
  relallvisible INTEGER DEFAULT 0, reltoastrelid BIGINT DEFAULT 0, relhasindex BOOLEAN DEFAULT false,
  relisshared BOOLEAN DEFAULT false, relpersistence VARCHAR DEFAULT 'p', relkind VARCHAR DEFAULT 'r',
  relnatts SMALLINT DEFAULT 0, relchecks SMALLINT DEFAULT 0, relhasrules BOOLEAN DEFAULT false,
  relhastriggers BOOLEAN DEFAULT false, relhassubclass BOOLEAN DEFAULT false, relrowsecurity BOOLEAN DEFAULT false,
  relforcerowsecurity BOOLEAN DEFAULT false, relispopulated BOOLEAN DEFAULT true, relreplident VARCHAR DEFAULT 'd',
  relispartition BOOLEAN DEFAULT false, relrewrite BIGINT DEFAULT 0, relfrozenxid BIGINT DEFAULT 0,
  relminmxid BIGINT DEFAULT 0, relacl VARCHAR[], reloptions VARCHAR[], relpartbound VARCHAR);
CREATE TABLE pg_attribute(attrelid BIGINT, attname VARCHAR, atttypid BIGINT, attstattarget INTEGER DEFAULT -1,
  attlen SMALLINT, attnum SMALLINT, attndims INTEGER DEFAULT 0, attcacheoff INTEGER DEFAULT -1, atttypmod INTEGER,
  attbyval BOOLEAN DEFAULT false, attalign VARCHAR DEFAULT 'i', attstorage VARCHAR DEFAULT 'p',
  attcompression VARCHAR DEFAULT '', attnotnull BOOLEAN DEFAULT false, atthasdef BOOLEAN DEFAULT false,
  atthasmissing BOOLEAN DEFAULT false, attidentity VARCHAR DEFAULT '', attgenerated VARCHAR DEFAULT '',
  attisdropped BOOLEAN DEFAULT false, attislocal BOOLEAN DEFAULT true, attinhcount INTEGER DEFAULT 0,
  attcollation BIGINT DEFAULT 0, attacl VARCHAR[], attoptions VARCHAR[], attfdwoptions VARCHAR[],
  attmissingval VARCHAR);
CREATE TABLE pg_type(oid BIGINT, typname VARCHAR, typnamespace BIGINT DEFAULT 11, typowner BIGINT DEFAULT 10,
  typlen SMALLINT, typbyval BOOLEAN DEFAULT false, typtype VARCHAR DEFAULT 'b', typcategory VARCHAR,
  typispreferred BOOLEAN DEFAULT false, typisdefined BOOLEAN DEFAULT true, typdelim VARCHAR DEFAULT ',',
  typrelid BIGINT DEFAULT 0, typsubscript VARCHAR DEFAULT '-', typelem BIGINT, typarray BIGINT,
  typinput VARCHAR, typoutput VARCHAR, typreceive VARCHAR, typsend VARCHAR, typalign VARCHAR DEFAULT 'i',
  typstorage VARCHAR DEFAULT 'p', typnotnull BOOLEAN DEFAULT false, typbasetype BIGINT DEFAULT 0,
  typtypmod INTEGER DEFAULT -1, typndims INTEGER DEFAULT 0, typcollation BIGINT DEFAULT 0, typdefaultbin VARCHAR,
  typdefault VARCHAR, typacl VARCHAR[], hdhub_display VARCHAR);
CREATE TABLE pg_description(objoid BIGINT, classoid BIGINT, objsubid INTEGER, description VARCHAR);
CREATE TABLE pg_index(indexrelid BIGINT, indrelid BIGINT, indnatts SMALLINT, indnkeyatts SMALLINT,
  indisunique BOOLEAN, indisprimary BOOLEAN, indisexclusion BOOLEAN, indimmediate BOOLEAN, indisclustered BOOLEAN,
  indisvalid BOOLEAN, indcheckxmin BOOLEAN, indisready BOOLEAN, indislive BOOLEAN, indisreplident BOOLEAN,
  indkey SMALLINT[], indcollation BIGINT[], indclass BIGINT[], indoption SMALLINT[], indexprs VARCHAR,
  indpred VARCHAR);
CREATE TABLE pg_constraint(oid BIGINT, conname VARCHAR, connamespace BIGINT, contype VARCHAR,
  condeferrable BOOLEAN, condeferred BOOLEAN, convalidated BOOLEAN, conrelid BIGINT, contypid BIGINT,
  conindid BIGINT, conparentid BIGINT, confrelid BIGINT, confupdtype VARCHAR, confdeltype VARCHAR,
  confmatchtype VARCHAR, conislocal BOOLEAN, coninhcount INTEGER, connoinherit BOOLEAN, conkey SMALLINT[],
  confkey SMALLINT[], conbin VARCHAR);
CREATE TABLE pg_attrdef(oid BIGINT, adrelid BIGINT, adnum SMALLINT, adbin VARCHAR);
CREATE TABLE pg_am(oid BIGINT, amname VARCHAR, amhandler VARCHAR, amtype VARCHAR);
INSERT INTO pg_am VALUES (2, 'heap', 'heap_tableam_handler', 't');
CREATE TABLE pg_collation(oid BIGINT, collname VARCHAR, collnamespace BIGINT, collowner BIGINT,
  collprovider VARCHAR, collisdeterministic BOOLEAN, collencoding INTEGER, collcollate VARCHAR, collctype VARCHAR);
CREATE TABLE pg_policy(oid BIGINT, polname VARCHAR, polrelid BIGINT, polcmd VARCHAR, polpermissive BOOLEAN,
  polroles BIGINT[], polqual VARCHAR, polwithcheck VARCHAR);
CREATE TABLE pg_statistic_ext(oid BIGINT, stxrelid BIGINT, stxname VARCHAR, stxnamespace BIGINT,
  stxowner BIGINT, stxstattarget INTEGER, stxkeys SMALLINT[], stxkind VARCHAR[]);
CREATE TABLE pg_publication(oid BIGINT, pubname VARCHAR, pubowner BIGINT, puballtables BOOLEAN,
  pubinsert BOOLEAN, pubupdate BOOLEAN, pubdelete BOOLEAN, pubtruncate BOOLEAN, pubviaroot BOOLEAN);
CREATE TABLE pg_publication_namespace(oid BIGINT, pnpubid BIGINT, pnnspid BIGINT);
CREATE TABLE pg_publication_rel(oid BIGINT, prpubid BIGINT, prrelid BIGINT, prqual VARCHAR, prattrs SMALLINT[]);
CREATE TABLE pg_inherits(inhrelid BIGINT, inhparent BIGINT, inhseqno INTEGER, inhdetachpending BOOLEAN);
CREATE TABLE pg_roles(oid BIGINT, rolname VARCHAR, rolsuper BOOLEAN, rolinherit BOOLEAN, rolcreaterole BOOLEAN,
  rolcreatedb BOOLEAN, rolcanlogin BOOLEAN, rolreplication BOOLEAN, rolconnlimit INTEGER, rolpassword VARCHAR,
  rolvaliduntil TIMESTAMPTZ, rolbypassrls BOOLEAN, rolconfig VARCHAR[]);
CREATE VIEW pg_user AS SELECT rolname AS usename, oid AS usesysid, rolcreatedb AS usecreatedb,
  rolsuper AS usesuper, rolreplication AS userepl, rolbypassrls AS usebypassrls, '********' AS passwd,
  rolvaliduntil AS valuntil, rolconfig AS useconfig FROM pg_roles;
CREATE TABLE pg_auth_members(roleid BIGINT, member BIGINT, grantor BIGINT, admin_option BOOLEAN);
CREATE TABLE pg_database(oid BIGINT, datname VARCHAR, datdba BIGINT, encoding INTEGER, datlocprovider VARCHAR,
  datistemplate BOOLEAN, datallowconn BOOLEAN, datconnlimit INTEGER, datfrozenxid BIGINT, datminmxid BIGINT,
  dattablespace BIGINT, datcollate VARCHAR, datctype VARCHAR, daticulocale VARCHAR, datcollversion VARCHAR,
  datacl VARCHAR[]);
CREATE TABLE pg_settings(name VARCHAR, setting VARCHAR, unit VARCHAR, category VARCHAR, short_desc VARCHAR,
  extra_desc VARCHAR, context VARCHAR, vartype VARCHAR, source VARCHAR, min_val VARCHAR, max_val VARCHAR,
  enumvals VARCHAR[], boot_val VARCHAR, reset_val VARCHAR, sourcefile VARCHAR, sourceline INTEGER,
  pending_restart BOOLEAN);
CREATE TABLE pg_proc(oid BIGINT, proname VARCHAR, pronamespace BIGINT, proowner BIGINT, prolang BIGINT,
  prokind VARCHAR, prorettype BIGINT, proargtypes VARCHAR, pronargs SMALLINT, proretset BOOLEAN);
CREATE TABLE pg_tablespace(oid BIGINT, spcname VARCHAR, spcowner BIGINT);
INSERT INTO pg_tablespace VALUES (1663, 'pg_default', 10);
CREATE TABLE pg_extension(oid BIGINT, extname VARCHAR, extowner BIGINT, extnamespace BIGINT, extversion VARCHAR);
CREATE TABLE pg_enum(oid BIGINT, enumtypid BIGINT, enumsortorder REAL, enumlabel VARCHAR);
CREATE TABLE pg_range(rngtypid BIGINT, rngsubtype BIGINT);
CREATE TABLE pg_depend(classid BIGINT, objid BIGINT, objsubid INTEGER, refclassid BIGINT, refobjid BIGINT,
  refobjsubid INTEGER, deptype VARCHAR);
CREATE VIEW pg_tables AS SELECT n.nspname AS schemaname, c.relname AS tablename, r.rolname AS tableowner,
  NULL::VARCHAR AS tablespace, false AS hasindexes, false AS hasrules, false AS hastriggers, false AS rowsecurity
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_roles r ON r.oid = c.relowner
  WHERE c.relkind = 'r';
CREATE VIEW pg_views AS SELECT NULL::VARCHAR AS schemaname, NULL::VARCHAR AS viewname, NULL::VARCHAR AS viewowner,
  NULL::VARCHAR AS definition WHERE false;
CREATE VIEW pg_matviews AS SELECT NULL::VARCHAR AS schemaname, NULL::VARCHAR AS matviewname,
  NULL::VARCHAR AS matviewowner WHERE false;
CREATE VIEW pg_stat_user_tables AS SELECT c.oid AS relid, 'public' AS schemaname, c.relname, NULL::BIGINT AS n_live_tup
  FROM pg_class c WHERE c.relnamespace = 2200;
CREATE VIEW information_schema_schemata AS SELECT d.datname AS catalog_name, n.nspname AS schema_name,
  r.rolname AS schema_owner FROM pg_namespace n, pg_database d, pg_roles r;
CREATE VIEW information_schema_tables AS SELECT d.datname AS table_catalog, n.nspname AS table_schema,
  c.relname AS table_name, 'BASE TABLE' AS table_type, NULL::VARCHAR AS self_referencing_column_name,
  NULL::VARCHAR AS reference_generation, NULL::VARCHAR AS user_defined_type_catalog,
  NULL::VARCHAR AS user_defined_type_schema, NULL::VARCHAR AS user_defined_type_name,
  'NO' AS is_insertable_into, 'NO' AS is_typed, NULL::VARCHAR AS commit_action
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, pg_database d WHERE c.relnamespace = 2200;
CREATE VIEW information_schema_columns AS SELECT d.datname AS table_catalog, 'public' AS table_schema,
  c.relname AS table_name, a.attname AS column_name, a.attnum::INTEGER AS ordinal_position,
  NULL::VARCHAR AS column_default, 'YES' AS is_nullable, t.hdhub_display AS data_type,
  NULL::INTEGER AS character_maximum_length, NULL::INTEGER AS numeric_precision, NULL::INTEGER AS numeric_scale,
  NULL::INTEGER AS datetime_precision, t.typname AS udt_name
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_type t ON t.oid = a.atttypid, pg_database d
  WHERE c.relnamespace = 2200;
CREATE MACRO information_schema__pg_expandarray(a) AS {'x': NULL::SMALLINT, 'n': NULL::INTEGER};
CREATE MACRO pg_get_userbyid(x) AS (SELECT rolname FROM pg_roles WHERE oid = x);
CREATE MACRO pg_table_is_visible(x) AS true;
CREATE MACRO pg_type_is_visible(x) AS true;
CREATE MACRO pg_function_is_visible(x) AS true;
CREATE MACRO pg_encoding_to_char(x) AS CASE WHEN x = 6 THEN 'UTF8' ELSE '' END;
CREATE MACRO pg_get_expr(a, b) AS NULL::VARCHAR, (a, b, c) AS NULL::VARCHAR;
CREATE MACRO pg_get_indexdef(a) AS NULL::VARCHAR, (a, b, c) AS NULL::VARCHAR;
CREATE MACRO pg_get_constraintdef(a) AS NULL::VARCHAR, (a, b) AS NULL::VARCHAR;
CREATE MACRO pg_get_viewdef(a) AS NULL::VARCHAR, (a, b) AS NULL::VARCHAR;
CREATE MACRO pg_get_partkeydef(a) AS NULL::VARCHAR;
CREATE MACRO pg_get_statisticsobjdef_columns(a) AS NULL::VARCHAR;
CREATE MACRO pg_get_function_result(a) AS NULL::VARCHAR;
CREATE MACRO pg_get_function_arguments(a) AS NULL::VARCHAR;
CREATE MACRO pg_relation_is_publishable(a) AS false;
CREATE MACRO array_upper(a, d) AS CASE WHEN len(a) > 0 THEN len(a) END;
CREATE MACRO pg_backend_pid() AS 0;
CREATE MACRO pg_table_size(x) AS NULL::BIGINT;
CREATE MACRO pg_relation_size(x) AS NULL::BIGINT, (x, f) AS NULL::BIGINT;
CREATE MACRO pg_total_relation_size(x) AS NULL::BIGINT;
CREATE MACRO pg_indexes_size(x) AS NULL::BIGINT;
CREATE MACRO pg_database_size(x) AS NULL::BIGINT;
CREATE MACRO current_user() AS (SELECT first(rolname) FROM pg_roles);
CREATE MACRO session_user() AS (SELECT first(rolname) FROM pg_roles);
CREATE MACRO current_role() AS (SELECT first(rolname) FROM pg_roles);
CREATE MACRO "user"() AS (SELECT first(rolname) FROM pg_roles);
CREATE MACRO current_database() AS (SELECT first(datname) FROM pg_database);
CREATE MACRO current_catalog() AS (SELECT first(datname) FROM pg_database);
CREATE MACRO pg_is_in_recovery() AS false;
CREATE MACRO obj_description(o) AS (SELECT first(description) FROM pg_description WHERE objoid = o AND objsubid = 0),
  (o, c) AS (SELECT first(description) FROM pg_description WHERE objoid = o AND objsubid = 0);
CREATE MACRO col_description(o, n) AS
  (SELECT first(description) FROM pg_description WHERE objoid = o AND objsubid = n);
CREATE MACRO shobj_description(o, c) AS NULL::VARCHAR;
CREATE MACRO has_table_privilege(a, b) AS true, (a, b, c) AS true;
CREATE MACRO has_schema_privilege(a, b) AS true, (a, b, c) AS true;
CREATE MACRO has_database_privilege(a, b) AS true, (a, b, c) AS true;
CREATE MACRO has_any_column_privilege(a, b) AS true, (a, b, c) AS true;
CREATE MACRO has_column_privilege(a, b, c) AS true, (a, b, c, d) AS true;
CREATE MACRO has_function_privilege(a, b) AS true, (a, b, c) AS true;
CREATE MACRO current_setting(n) AS (SELECT first(setting) FROM pg_settings WHERE lower(name) = lower(n)),
  (n, missing_ok) AS (SELECT first(setting) FROM pg_settings WHERE lower(name) = lower(n));
CREATE MACRO version() AS 'PostgreSQL 15.0 (hdhub) on x86_64-pc-linux-gnu, 64-bit';
CREATE MACRO current_schema() AS 'public';
CREATE MACRO current_schemas(b) AS CASE WHEN b THEN ['pg_catalog', 'public'] ELSE ['public'] END;
CREATE MACRO format_type(t, m) AS (SELECT first(CASE WHEN typname = 'numeric' AND m >= 4
  THEN 'numeric(' || ((m - 4) >> 16) || ',' || ((m - 4) & 65535) || ')'
  WHEN typname = 'varchar' AND m >= 4 THEN 'character varying(' || (m - 4) || ')' ELSE hdhub_display END)
  FROM pg_type WHERE oid = t);
CREATE MACRO hdhub_regclass(x) AS CASE WHEN TRY_CAST(x AS BIGINT) IS NOT NULL THEN TRY_CAST(x AS BIGINT)
  ELSE (SELECT first(oid) FROM pg_class WHERE relname = regexp_replace(CAST(x AS VARCHAR), '^pg_catalog\.', '')) END;
CREATE MACRO hdhub_regtype(x) AS (SELECT first(typname) FROM pg_type WHERE oid = TRY_CAST(x AS BIGINT));
CREATE MACRO hdhub_regnamespace(x) AS (SELECT first(nspname) FROM pg_namespace WHERE oid = TRY_CAST(x AS BIGINT));
CREATE MACRO hdhub_regproc(x) AS regexp_replace(CAST(x AS VARCHAR), '^pg_catalog\.', '');
CREATE MACRO hdhub_regrole(x) AS (SELECT first(rolname) FROM pg_roles WHERE oid = TRY_CAST(x AS BIGINT));
)sql";

Status Run(duckdb::Connection& con, const std::string& sql) {
  auto result = con.Query(sql);
  if (result->HasError()) return sql::StatusFromDuckDbError(int(result->GetErrorObject().Type()), result->GetError());
  return OkStatus();
}

}  // namespace

StatusOr<std::unique_ptr<CatalogEngine>> CatalogEngine::Create() {
  std::unique_ptr<CatalogEngine> catalog(new CatalogEngine());
  try {
    duckdb::DBConfig config;
    config.SetOptionByName("autoinstall_known_extensions", duckdb::Value::BOOLEAN(false));
    config.SetOptionByName("autoload_known_extensions", duckdb::Value::BOOLEAN(false));
    config.SetOptionByName("threads", duckdb::Value::BIGINT(1));
    config.SetOptionByName("memory_limit", duckdb::Value("64MB"));
    catalog->db_ = std::make_unique<duckdb::DuckDB>(nullptr, &config);
    catalog->connection_ = std::make_unique<duckdb::Connection>(*catalog->db_);
  } catch (const std::exception& e) {
    return sql::StatusFromDuckDbException(e);
  }
  duckdb::Connection& con = *catalog->connection_;
  RETURN_IF_ERROR(Run(con, kSchema));
  for (const BaseType& t : kTypes) {
    for (int array = 0; array < 2; ++array) {
      const std::string name = array ? std::string("_") + t.name : t.name;
      auto r = con.Query(
          "INSERT INTO pg_type (oid, typname, typlen, typcategory, typelem, typarray, typinput, typoutput, "
          "typreceive, typsend, hdhub_display, typcollation, typstorage) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
          "$9, $10, $11, $12, $13)",
          array ? t.array : t.oid, name, array ? -1 : t.len, array ? "A" : t.category, array ? t.oid : 0,
          array ? 0 : t.array, array ? "array_in" : std::string(t.name) + "in",
          array ? "array_out" : std::string(t.name) + "out", array ? "array_recv" : std::string(t.name) + "recv",
          array ? "array_send" : std::string(t.name) + "send",
          array ? std::string(t.display) + "[]" : std::string(t.display), std::string(t.category) == "S" ? 100 : 0,
          StorageOf(array ? t.array : t.oid, array ? -1 : t.len));
      if (r->HasError()) return InternalError("the catalog's pg_type could not be filled");
    }
  }
  RETURN_IF_ERROR(Run(con, sql::MachineHidingSettings() +
                               "; SET temp_directory = ''; SET enable_external_access = false; "
                               "SET allow_community_extensions = false; SET lock_configuration = true;"));
  catalog->engine_ = std::make_unique<DuckDbEngine>(con);
  return catalog;
}

Status CatalogEngine::Refresh(const std::vector<TableInfo>& tables, const CatalogContext& context) {
  try {
    return Fill(tables, context);
  } catch (const std::exception&) {  // its text may hold a name or a label: not repeated
    filled_for_.clear();
    return InternalError("the session's catalog could not be filled");
  }
}

Status CatalogEngine::Fill(const std::vector<TableInfo>& tables, const CatalogContext& context) {
  // psql's \d runs nine catalog queries in a row: refill only on a change.
  std::string key = context.user + '\0' + context.database + '\0';
  for (const auto& [name, value] : context.settings) key += name + '=' + value + '\0';
  for (const TableInfo& table : tables) {
    key += '\1' + table.name + '\0' + table.description + '\0';
    for (const ColumnInfo& column : table.columns) {
      key += column.name + '\0' + column.type.ToString() + '\0' + column.description + '\0';
    }
  }
  if (key == filled_for_) return OkStatus();
  filled_for_.clear();
  duckdb::Connection& con = *connection_;
  RETURN_IF_ERROR(Run(con,
                      "DELETE FROM pg_namespace; DELETE FROM pg_class; DELETE FROM pg_attribute; "
                      "DELETE FROM pg_description; DELETE FROM pg_roles; DELETE FROM pg_database; "
                      "DELETE FROM pg_settings;"));
  // An error keeps its kind (a cancel stays 57014) but not its text.
  auto ok = [](const auto& r) {
    if (!r->HasError()) return OkStatus();
    return Status(sql::StatusFromDuckDbError(int(r->GetErrorObject().Type()), "").code(),
                  "the session's catalog could not be filled");
  };
  RETURN_IF_ERROR(
      ok(con.Query("INSERT INTO pg_namespace (oid, nspname) VALUES ($1, 'pg_catalog'), "
                   "($2, 'public'), ($3, 'information_schema')",
                   kPgCatalogOid, kPublicOid, kInformationSchemaOid)));
  RETURN_IF_ERROR(ok(con.Query(
      "INSERT INTO pg_roles VALUES ($1, $2, false, true, false, false, true, false, -1, '********', NULL, false, NULL)",
      kUserOid, duckdb::Value(context.user))));
  RETURN_IF_ERROR(
      ok(con.Query("INSERT INTO pg_database VALUES (16383, $1, 10, 6, 'c', false, true, -1, 0, 0, 1663, "
                   "'C.UTF-8', 'C.UTF-8', NULL, NULL, NULL)",
                   duckdb::Value(context.database))));
  for (const auto& [oid, name] : {std::pair<int64_t, const char*>{kPgClassOid, "pg_class"},
                                  {2615, "pg_namespace"},
                                  {1249, "pg_attribute"},
                                  {1247, "pg_type"}}) {
    RETURN_IF_ERROR(ok(con.Query("INSERT INTO pg_class (oid, relname, relnamespace, relkind) VALUES ($1, $2, $3, 'r')",
                                 oid, name, kPgCatalogOid)));
  }
  for (const auto& [name, value] : context.settings) {
    RETURN_IF_ERROR(
        ok(con.Query("INSERT INTO pg_settings (name, setting, context, vartype, source, boot_val, "
                     "reset_val) VALUES ($1, $2, 'user', 'string', 'session', $2, $2)",
                     duckdb::Value(name), duckdb::Value(value))));
  }
  int64_t oid = kFirstTableOid;
  for (const TableInfo& table : tables) {
    RETURN_IF_ERROR(ok(con.Query("INSERT INTO pg_class (oid, relname, relnamespace, relnatts) VALUES ($1, $2, $3, $4)",
                                 oid, duckdb::Value(table.name), kPublicOid, int64_t(table.columns.size()))));
    if (!table.description.empty()) {
      RETURN_IF_ERROR(ok(con.Query("INSERT INTO pg_description VALUES ($1, $2, 0, $3)", oid, kPgClassOid,
                                   duckdb::Value(table.description))));
    }
    for (size_t i = 0; i < table.columns.size(); ++i) {
      const ColumnInfo& column = table.columns[i];
      const PgType t = PgTypeOf(column.type);
      RETURN_IF_ERROR(
          ok(con.Query("INSERT INTO pg_attribute (attrelid, attname, atttypid, attlen, attnum, atttypmod, attstorage) "
                       "VALUES ($1, $2, $3, $4, $5, $6, $7)",
                       oid, duckdb::Value(column.name), int64_t(t.oid), int64_t(t.size), int64_t(i + 1),
                       int64_t(t.modifier), StorageOf(t.oid, t.size))));
      if (!column.description.empty()) {
        RETURN_IF_ERROR(ok(con.Query("INSERT INTO pg_description VALUES ($1, $2, $3, $4)", oid, kPgClassOid,
                                     int64_t(i + 1), duckdb::Value(column.description))));
      }
    }
    ++oid;
  }
  filled_for_ = std::move(key);
  return OkStatus();
}

}  // namespace hdhub::pgwire

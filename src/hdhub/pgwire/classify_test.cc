#include "hdhub/pgwire/classify.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace hdhub::pgwire {
namespace {

using ::testing::HasSubstr;

std::vector<Classified> Classify(std::string_view sql) {
  return ClassifyAll(sql, [](std::string_view text) -> StatusOr<std::vector<std::string>> {
           return std::vector<std::string>{std::string(text)};
         })
      .value();
}
Classified One(std::string_view sql) {
  std::vector<Classified> all = Classify(sql);
  EXPECT_EQ(all.size(), 1u) << sql;
  return all.empty() ? Classified{} : all.front();
}

TEST(ClassifyTest, SessionStatementsAreTheSessions) {
  Classified set = One("SET extra_float_digits = 3");
  EXPECT_EQ(set.kind, StatementKind::kSet);
  EXPECT_EQ(set.name, "extra_float_digits");
  EXPECT_EQ(set.values, std::vector<std::string>{"3"});
  EXPECT_TRUE(One("SET LOCAL search_path TO \"$user\", public").local);
  EXPECT_EQ(One("set time zone 'UTC'").name, "timezone");
  EXPECT_EQ(One("SHOW TRANSACTION ISOLATION LEVEL").name, "transaction_isolation");
  EXPECT_EQ(One("RESET ALL").kind, StatementKind::kReset);
  EXPECT_EQ(One("START TRANSACTION").kind, StatementKind::kBegin);
  EXPECT_EQ(One("BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY").values, std::vector<std::string>{"serializable"});
  EXPECT_EQ(One("END").kind, StatementKind::kCommit);
  EXPECT_EQ(One("ABORT").kind, StatementKind::kRollback);
  EXPECT_EQ(One("DISCARD ALL").kind, StatementKind::kDiscardAll);
  EXPECT_EQ(One("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ").kind, StatementKind::kSetTransaction);
}

TEST(ClassifyTest, CursorsAndCopy) {
  Classified declare = One("DECLARE \"srv\" BINARY NO SCROLL CURSOR WITH HOLD FOR select 1 AS \"for\"");
  EXPECT_EQ(declare.kind, StatementKind::kDeclare);
  EXPECT_EQ(declare.cursor, "srv");
  EXPECT_TRUE(declare.binary);
  EXPECT_TRUE(declare.hold);
  EXPECT_EQ(declare.sql, "select 1 AS \"for\"");
  Classified fetch = One("FETCH FORWARD 2 FROM \"srv\"");
  EXPECT_EQ(fetch.kind, StatementKind::kFetch);
  EXPECT_EQ(fetch.count, 2);
  EXPECT_EQ(One("FETCH ALL IN c").count, kAll);
  EXPECT_TRUE(One("MOVE 3 c").move);
  EXPECT_EQ(One("CLOSE ALL").cursor, "");
  Classified copy = One("COPY (select ';' a) TO STDOUT WITH (FORMAT csv, HEADER, DELIMITER ';')");
  EXPECT_EQ(copy.kind, StatementKind::kCopyOut);
  EXPECT_EQ(copy.sql, "select ';' a");
  EXPECT_TRUE(copy.copy.csv);
  EXPECT_TRUE(copy.copy.header);
  EXPECT_EQ(copy.copy.delimiter, ';');
  EXPECT_EQ(One("copy patients (id, \"Born\") to stdout csv").sql, "SELECT \"id\", \"Born\" FROM \"patients\"");
  EXPECT_EQ(One("copy patients to stdout csv").copy.delimiter, ',');
}

TEST(ClassifyTest, RefusalsSayWhat) {
  EXPECT_THAT(One("COPY t FROM STDIN").refusal, HasSubstr("COPY FROM"));
  EXPECT_THAT(One("COPY t TO '/etc/x'").refusal, HasSubstr("STDOUT"));
  EXPECT_THAT(One("COPY t TO PROGRAM 'sh'").refusal, HasSubstr("STDOUT"));
  EXPECT_THAT(One("COPY t TO STDOUT (FORMAT binary)").refusal, HasSubstr("binary"));
  EXPECT_THAT(One("LISTEN x").refusal, HasSubstr("LISTEN"));
  EXPECT_THAT(One("PREPARE TRANSACTION 'x'").refusal, HasSubstr("two-phase"));
  EXPECT_THAT(One("SAVEPOINT a").refusal, HasSubstr("savepoints"));
  EXPECT_THAT(One("FETCH BACKWARD 1 c").refusal, HasSubstr("forward"));
  for (const char* sql : {"COPY t FROM STDIN", "LISTEN x", "SAVEPOINT a"}) {
    EXPECT_EQ(One(sql).kind, StatementKind::kRefused) << sql;
  }
}

TEST(ClassifyTest, CatalogQueriesAreRecognisedAndTheRestGoesToTheEngine) {
  EXPECT_EQ(One("SELECT * FROM pg_catalog.pg_class").kind, StatementKind::kCatalog);
  EXPECT_EQ(One("SELECT * FROM information_schema.tables").kind, StatementKind::kCatalog);
  EXPECT_EQ(One("SELECT tablename FROM pg_tables").kind, StatementKind::kCatalog);
  EXPECT_EQ(One("SELECT version()").kind, StatementKind::kCatalog);
  EXPECT_EQ(One("SELECT current_user").kind, StatementKind::kCatalog);
  EXPECT_EQ(One("SELECT 'x'::regclass").kind, StatementKind::kCatalog);
  EXPECT_EQ(One("SELECT * FROM patients WHERE region = 'pg_class'").kind, StatementKind::kEngine);
  // DuckDB's dialect, which PostgreSQL's parser rejects, goes to the engine whole.
  std::vector<Classified> duck = Classify("FROM patients SELECT * EXCLUDE (born)");
  ASSERT_EQ(duck.size(), 1u);
  EXPECT_EQ(duck[0].kind, StatementKind::kEngine);
  EXPECT_EQ(duck[0].sql, "FROM patients SELECT * EXCLUDE (born)");
  std::vector<Classified> two = Classify("SELECT 1; SHOW DateStyle;");
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[0].text, "SELECT 1");
  EXPECT_EQ(two[1].text, "SHOW DateStyle");
}

TEST(ClassifyTest, CatalogRewritesArePsqlsAndJdbcsConstructsOnly) {
  EXPECT_EQ(RewriteCatalogQuery("SELECT c.oid FROM pg_catalog.pg_class c WHERE c.relname OPERATOR(pg_catalog.~) "
                                "'^(patients)$' COLLATE pg_catalog.default"),
            "SELECT c.oid FROM pg_class c WHERE c.relname  ~  '.*(?:^(patients)$).*' ");
  EXPECT_EQ(RewriteCatalogQuery("WHERE n.nspname !~ '^pg_toast' AND x ~* E'ab'"),
            "WHERE n.nspname !~ '.*(?:^pg_toast).*' AND x ~ E'(?i).*(?:ab).*'");
  EXPECT_EQ(RewriteCatalogQuery("SELECT c.reloftype::pg_catalog.regtype::pg_catalog.text, 'pg_class'::regclass"),
            "SELECT hdhub_regtype(c.reloftype)::text, hdhub_regclass('pg_class')");
  EXPECT_EQ(RewriteCatalogQuery("SELECT f(a.b)::regclass FROM information_schema.columns"),
            "SELECT hdhub_regclass(f(a.b)) FROM information_schema_columns");
  EXPECT_EQ(RewriteCatalogQuery("WHERE 'd' = any(stxkind) AND oid = ANY (pol.polroles)"),
            "WHERE list_contains(stxkind, 'd' ) AND list_contains(pol.polroles, oid )");
  EXPECT_EQ(RewriteCatalogQuery("FROM generate_series(0, 3) s, t WHERE x[s] = 1"),
            "FROM generate_series(0, 3) s(s), t WHERE x[s] = 1");
  // Strings and comments are not rewritten.
  EXPECT_EQ(RewriteCatalogQuery("SELECT 'pg_catalog.x' -- pg_catalog.y\n"), "SELECT 'pg_catalog.x' -- pg_catalog.y\n");
}

}  // namespace
}  // namespace hdhub::pgwire

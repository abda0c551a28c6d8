#include "hdhub/catalog/sqlite.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"

namespace hdhub::catalog {
namespace {

using ::hdhub::testing::StatusIs;
using ::hdhub::testing::TempDir;
using ::testing::HasSubstr;

StatusOr<int64_t> CountRows(Database* db, const std::string& table) {
  ASSIGN_OR_RETURN(Statement count, db->Prepare("SELECT count(*) FROM " + table));
  ASSIGN_OR_RETURN(bool has_row, count.Step());
  if (!has_row) return InternalError("no row");
  return count.ColumnInt64(0);
}

// -1 stands for an error, which no count or version can be.
int64_t ValueOrMinusOne(const StatusOr<int64_t>& value) { return value.ok() ? *value : -1; }

TEST(SqliteTest, OpenUsesWalAndForeignKeys) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto db, Database::Open(dir.Sub("x.db")));
  ASSERT_OK_AND_ASSIGN(Statement mode, db->Prepare("PRAGMA journal_mode"));
  ASSERT_OK_AND_ASSIGN(bool row, mode.Step());
  ASSERT_TRUE(row);
  EXPECT_EQ(mode.ColumnText(0), "wal");
  ASSERT_OK_AND_ASSIGN(Statement fk, db->Prepare("PRAGMA foreign_keys"));
  ASSERT_OK_AND_ASSIGN(row, fk.Step());
  ASSERT_TRUE(row);
  EXPECT_EQ(fk.ColumnInt64(0), 1);
}

// A statement's compiled form is reused by the next Prepare of the same
// text: it starts afresh (from the first row, no earlier binding), a change
// of schema in between is seen, and two live statements of one text are two.
TEST(SqliteTest, AReusedStatementStartsAfresh) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto db, Database::Open(dir.Sub("x.db")));
  ASSERT_OK(db->Exec("CREATE TABLE t (i INTEGER, s TEXT); INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, NULL)"));
  const std::string select = "SELECT i, s FROM t WHERE i >= ?1 ORDER BY i";
  {
    ASSERT_OK_AND_ASSIGN(Statement first, db->Prepare(select));
    ASSERT_OK(first.BindInt64(1, 2));
    ASSERT_OK_AND_ASSIGN(bool row, first.Step());
    ASSERT_TRUE(row);
    EXPECT_EQ(first.ColumnInt64(0), 2);  // left in the middle of its rows
  }
  {
    ASSERT_OK_AND_ASSIGN(Statement again, db->Prepare(select));
    ASSERT_OK_AND_ASSIGN(bool row, again.Step());  // ?1 unbound: NULL, no row
    EXPECT_FALSE(row);
    ASSERT_OK(again.Reset());
    ASSERT_OK(again.BindInt64(1, 1));
    ASSERT_OK_AND_ASSIGN(row, again.Step());
    ASSERT_TRUE(row);
    EXPECT_EQ(again.ColumnInt64(0), 1);
    // A second live statement of the same text is its own.
    ASSERT_OK_AND_ASSIGN(Statement other, db->Prepare(select));
    ASSERT_OK(other.BindInt64(1, 3));
    ASSERT_OK_AND_ASSIGN(row, other.Step());
    ASSERT_TRUE(row);
    EXPECT_EQ(other.ColumnInt64(0), 3);
    ASSERT_OK_AND_ASSIGN(row, again.Step());
    ASSERT_TRUE(row);
    EXPECT_EQ(again.ColumnInt64(0), 2);
  }
  // A kept statement does not hold the table: it can go, and come back changed.
  ASSERT_OK(
      db->Exec("DROP TABLE t; CREATE TABLE t (i INTEGER, s TEXT, extra TEXT); INSERT INTO t VALUES (5, 'e', 'x')"));
  ASSERT_OK_AND_ASSIGN(Statement after, db->Prepare(select));
  ASSERT_OK(after.BindInt64(1, 0));
  ASSERT_OK_AND_ASSIGN(bool row, after.Step());
  ASSERT_TRUE(row);
  EXPECT_EQ(after.ColumnInt64(0), 5);
  EXPECT_EQ(after.ColumnText(1), "e");
  // Many texts: more than are kept, each still right.
  for (int i = 0; i < 2 * static_cast<int>(Database::kIdleStatements); ++i) {
    ASSERT_OK_AND_ASSIGN(Statement each, db->Prepare("SELECT " + std::to_string(i)));
    ASSERT_OK_AND_ASSIGN(row, each.Step());
    ASSERT_TRUE(row);
    EXPECT_EQ(each.ColumnInt64(0), i);
  }
}

TEST(SqliteTest, OpenFailsWhenDirectoryMissing) {
  TempDir dir;
  EXPECT_THAT(Database::Open(dir.Sub("missing/x.db")), StatusIs(StatusCode::kNotFound));
}

TEST(SqliteTest, OpenFailsOnAFileThatIsNotADatabase) {
  TempDir dir;
  std::ofstream(dir.Sub("junk.db")) << std::string(4096, 'j');
  EXPECT_THAT(Database::Open(dir.Sub("junk.db")), StatusIs(StatusCode::kDataLoss));
}

TEST(SqliteTest, BindsAndReadsEveryType) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto db, Database::Open(dir.Sub("x.db")));
  ASSERT_OK(db->Exec("CREATE TABLE t (i INTEGER, s TEXT, b BLOB, n TEXT)"));
  ASSERT_OK_AND_ASSIGN(Statement insert, db->Prepare("INSERT INTO t VALUES (?1, ?2, ?3, ?4)"));
  ASSERT_OK(insert.BindInt64(1, -7));
  ASSERT_OK(insert.BindText(2, std::string_view("a\0b", 3)));
  ASSERT_OK(insert.BindBlob(3, ByteSpan()));
  ASSERT_OK(insert.BindNull(4));
  ASSERT_OK(insert.Run());
  EXPECT_EQ(db->Changes(), 1);

  ASSERT_OK_AND_ASSIGN(Statement select, db->Prepare("SELECT i, s, b, typeof(b), n FROM t"));
  ASSERT_OK_AND_ASSIGN(bool row, select.Step());
  ASSERT_TRUE(row);
  EXPECT_EQ(select.ColumnInt64(0), -7);
  EXPECT_EQ(select.ColumnText(1), std::string("a\0b", 3));
  EXPECT_TRUE(select.ColumnBlob(2).empty());
  EXPECT_EQ(select.ColumnText(3), "blob");  // an empty blob is not NULL
  EXPECT_TRUE(select.ColumnIsNull(4));
  ASSERT_OK_AND_ASSIGN(row, select.Step());
  EXPECT_FALSE(row);
}

TEST(SqliteTest, UniqueViolationIsAlreadyExistsAndOtherConstraintsFailedPrecondition) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto db, Database::Open(dir.Sub("x.db")));
  ASSERT_OK(db->Exec("CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER CHECK (v > 0))"));
  ASSERT_OK(db->Exec("INSERT INTO t VALUES ('a', 1)"));
  EXPECT_THAT(db->Exec("INSERT INTO t VALUES ('a', 2)"), StatusIs(StatusCode::kAlreadyExists));
  EXPECT_THAT(db->Exec("INSERT INTO t VALUES ('b', 0)"),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("CHECK")));
}

TEST(SqliteTest, PrepareReportsSyntaxErrorsWithTheStatement) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto db, Database::Open(dir.Sub("x.db")));
  EXPECT_THAT(db->Prepare("SELEC 1"), StatusIs(StatusCode::kInternal, HasSubstr("SELEC 1")));
}

TEST(SqliteTest, TransactionRollsBackUnlessCommitted) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto db, Database::Open(dir.Sub("x.db")));
  ASSERT_OK(db->Exec("CREATE TABLE t (v INTEGER)"));
  {
    ASSERT_OK_AND_ASSIGN(Transaction txn, Transaction::Begin(db.get(), Transaction::Mode::kWrite));
    ASSERT_OK(db->Exec("INSERT INTO t VALUES (1)"));
  }
  EXPECT_EQ(ValueOrMinusOne(CountRows(db.get(), "t")), 0) << "rolled back";
  {
    ASSERT_OK_AND_ASSIGN(Transaction txn, Transaction::Begin(db.get(), Transaction::Mode::kWrite));
    ASSERT_OK(db->Exec("INSERT INTO t VALUES (1)"));
    ASSERT_OK(txn.Commit());
    EXPECT_THAT(txn.Commit(), StatusIs(StatusCode::kFailedPrecondition));
  }
  ASSERT_OK_AND_ASSIGN(int64_t rows, CountRows(db.get(), "t"));
  EXPECT_EQ(rows, 1);
}

TEST(SqliteTest, SecondWriterGetsUnavailableWhileTheFirstHoldsTheLock) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto first, Database::Open(dir.Sub("x.db")));
  ASSERT_OK_AND_ASSIGN(auto second, Database::Open(dir.Sub("x.db"), /*busy_timeout_ms=*/0));
  ASSERT_OK_AND_ASSIGN(Transaction txn, Transaction::Begin(first.get(), Transaction::Mode::kWrite));
  EXPECT_THAT(Transaction::Begin(second.get(), Transaction::Mode::kWrite),
              StatusIs(StatusCode::kUnavailable));
  // A reader is not blocked by the writer (WAL).
  EXPECT_OK(Transaction::Begin(second.get(), Transaction::Mode::kRead));
}

constexpr Migration kSteps[] = {
    {"one", "CREATE TABLE a (v INTEGER);"},
    {"two", "CREATE TABLE b (v INTEGER);"},
};

TEST(SqliteTest, MigrationsRunOnceAndRecordTheirVersion) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto db, Database::Open(dir.Sub("x.db")));
  EXPECT_EQ(ValueOrMinusOne(SchemaVersion(db.get(), "comp")), 0);
  ASSERT_OK(ApplyMigrations(db.get(), "comp", std::span(kSteps).first(1)));
  EXPECT_EQ(ValueOrMinusOne(SchemaVersion(db.get(), "comp")), 1);
  // Re-running applies only the new step (a second CREATE TABLE a would fail).
  ASSERT_OK(ApplyMigrations(db.get(), "comp", kSteps));
  ASSERT_OK(ApplyMigrations(db.get(), "comp", kSteps));
  EXPECT_EQ(ValueOrMinusOne(SchemaVersion(db.get(), "comp")), 2);
  // Components are versioned independently.
  EXPECT_EQ(ValueOrMinusOne(SchemaVersion(db.get(), "other")), 0);
}

TEST(SqliteTest, MigrationsRefuseADatabaseFromANewerRelease) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto db, Database::Open(dir.Sub("x.db")));
  ASSERT_OK(ApplyMigrations(db.get(), "comp", kSteps));
  EXPECT_THAT(ApplyMigrations(db.get(), "comp", std::span(kSteps).first(1)),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("newer")));
}

TEST(SqliteTest, FailedMigrationLeavesTheVersionUnchanged) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto db, Database::Open(dir.Sub("x.db")));
  constexpr Migration kBad[] = {{"ok", "CREATE TABLE a (v INTEGER);"},
                                {"bad", "CREATE TABLE b (v INTEGER); NOT SQL;"}};
  EXPECT_THAT(ApplyMigrations(db.get(), "comp", kBad),
              StatusIs(StatusCode::kInternal, HasSubstr("migration 2 (bad)")));
  EXPECT_EQ(ValueOrMinusOne(SchemaVersion(db.get(), "comp")), 1);
  EXPECT_THAT(db->Prepare("SELECT * FROM b"), StatusIs(StatusCode::kInternal));
}

}  // namespace
}  // namespace hdhub::catalog

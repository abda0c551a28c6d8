// A locked-down Database is a sandbox: SQL reaches its granted hdhub:// prefix
// and nothing else, by every route DuckDB offers, while big queries still run
// (spilling encrypted to a private directory) and runaway ones are stopped.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"
#include "hdhub/crypto/random.h"
#include "hdhub/sql/database.h"
#include "hdhub/storage/memory_blob_store.h"

namespace hdhub::sql {
namespace {

namespace fs = std::filesystem;
using ::hdhub::testing::IsOk;
using ::hdhub::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

SecretBytes RandomKey() { return crypto::RandomSecret(32).value(); }

class SandboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sealed_ = std::make_unique<storage::SealedStore>(&host_, crypto::HmacSha256::Create(RandomKey()).value());
    // Two projects' tables and a dataset, written by a writer instance.
    auto writer = Database::Open(sealed_.get()).value();
    ASSERT_OK(writer->keys().Grant("projects/p1/", p1_key_.Clone(), Access::kReadWrite));
    ASSERT_OK(writer->keys().Grant("projects/p2/", p2_key_.Clone(), Access::kReadWrite));
    ASSERT_OK(writer->keys().Grant("datasets/", RandomKey(), Access::kReadWrite));
    for (const char* path : {"projects/p1/t.parquet", "projects/p2/t.parquet", "datasets/A/v1/part-0.parquet"}) {
      ASSERT_OK(writer->Execute("COPY (SELECT range AS i FROM range(1000)) TO 'hdhub://" + std::string(path) +
                                "' (FORMAT parquet)"));
    }
    fs::create_directories(temp_.path() / "spill");
    fs::permissions(temp_.path() / "spill", fs::perms::owner_all);
    ASSERT_OK_AND_ASSIGN(db_, Database::Open(sealed_.get(), {.threads = 2,
                                                             .memory_limit = "128MB",
                                                             .private_temp_dir = (temp_.path() / "spill").string()}));
    ASSERT_OK(db_->keys().Grant("projects/p1/", p1_key_.Clone(), Access::kRead));
    ASSERT_OK(db_->Execute("CREATE VIEW t AS SELECT * FROM 'hdhub://projects/p1/t.parquet'"));
    ASSERT_OK(db_->LockDown({.allowed_prefix = "hdhub://projects/p1/"}));
    std::ofstream(temp_.path() / "secret.csv") << "a\nsecret-row\n";
    fs::create_symlink("/etc/passwd", temp_.path() / "link.csv");
  }

  void ExpectRefused(const std::string& sql) {
    StatusOr<QueryResult> r = db_->Query(sql);
    EXPECT_THAT(r, Not(IsOk())) << sql;
    EXPECT_NE(r.status().code(), StatusCode::kInternal) << sql << ": " << r.status();
  }

  storage::MemoryBlobStore host_;
  std::unique_ptr<storage::SealedStore> sealed_;
  SecretBytes p1_key_ = RandomKey(), p2_key_ = RandomKey();
  testing::TempDir temp_;
  std::unique_ptr<Database> db_;
};

TEST_F(SandboxTest, OwnWorkspaceIsReadable) {
  ASSERT_OK_AND_ASSIGN(QueryResult r, db_->Query("SELECT count(*), sum(i) FROM t"));
  EXPECT_EQ(r.rows[0][0], "1000");
  EXPECT_EQ(r.rows[0][1], "499500");
}

TEST_F(SandboxTest, EveryRouteToALocalFileIsRefused) {
  const std::string secret = (temp_.path() / "secret.csv").string();
  const std::string link = (temp_.path() / "link.csv").string();
  for (const std::string& sql : std::vector<std::string>{
           "SELECT * FROM read_csv('/etc/passwd')", "SELECT * FROM read_text('/etc/passwd')",
           "SELECT * FROM read_blob('/etc/passwd')", "SELECT * FROM glob('/etc/*')", "SELECT * FROM '/etc/passwd'",
           "SELECT * FROM read_csv('file:///etc/passwd')", "SELECT * FROM read_json('/etc/passwd')",
           "SELECT * FROM read_parquet('/etc/passwd')", "SELECT * FROM read_csv('" + secret + "')",
           "SELECT * FROM '" + link + "'", "SELECT * FROM read_text('" + link + "')",
           "SELECT * FROM read_csv('~/.bashrc')", "SELECT * FROM read_csv('hdhub:/etc/passwd')",
           "SELECT * FROM read_text('hdhub://projects/p1/../../etc/passwd')"}) {
    ExpectRefused(sql);
  }
  EXPECT_THAT(db_->Query("SELECT * FROM read_csv('/etc/passwd')"), StatusIs(StatusCode::kPermissionDenied));
}

TEST_F(SandboxTest, OtherProjectsAndDatasetsDoNotExist) {
  EXPECT_THAT(db_->Query("SELECT count(*) FROM 'hdhub://projects/p2/t.parquet'"),
              StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(db_->Query("SELECT count(*) FROM 'hdhub://datasets/A/v1/part-0.parquet'"),
              StatusIs(StatusCode::kPermissionDenied));
}

// Writes, attachments, exports and extensions, with `out` a local file.
std::vector<std::string> WritesAndExtensions(const std::string& out) {
  return {"COPY (SELECT 1) TO '" + out + "'",
          "COPY t TO 'hdhub://projects/p1/x.parquet'",
          "COPY (SELECT 1) TO 'hdtmp://x.csv'",
          "EXPORT DATABASE '" + out + "'",
          "ATTACH '" + out + "' AS other",
          "ATTACH ':memory:' AS other",
          "INSTALL httpfs",
          "LOAD httpfs",
          "LOAD '/tmp/x.duckdb_extension'",
          "SELECT * FROM read_text('hdtmp://duckdb_temp_storage_DEFAULT-0.tmp')",
          "CREATE SECRET s (TYPE s3, KEY_ID 'a', SECRET 'b')"};
}

std::vector<std::string> SettingChanges() {
  return {"SET enable_external_access = true", "SET lock_configuration = false",
          "RESET lock_configuration",          "SET threads = 64",
          "SET memory_limit = '100GB'",        "SET temp_directory = '/tmp'",
          "SET allowed_directories = ['/']",   "SET disabled_filesystems = ''",
          "RESET enable_external_access",      "SET GLOBAL enable_external_access = true",
          "PRAGMA enable_profiling = 'json'",  "SET profiling_output = '/tmp/p.json'"};
}

TEST_F(SandboxTest, WritesAttachExportAndExtensionsAreRefused) {
  const std::string out = (temp_.path() / "out.csv").string();
  for (const std::string& sql : WritesAndExtensions(out)) ExpectRefused(sql);
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(SandboxTest, NoSettingCanBeChanged) {
  for (const std::string& sql : SettingChanges()) ExpectRefused(sql);
  EXPECT_THAT(db_->Query("SELECT * FROM read_csv('/etc/passwd')"), StatusIs(StatusCode::kPermissionDenied));
}

TEST_F(SandboxTest, StatementsGivesEachStatementOfABatchAsItsOwnText) {
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> texts,
                       db_->Statements("SELECT 1 AS a;\n-- a comment; not a statement\nSELECT ';' AS b; "
                                       "SELECT count(*) AS n FROM t"));
  ASSERT_EQ(texts.size(), 3u);
  for (const std::string& text : texts) {
    ASSERT_OK_AND_ASSIGN(std::vector<std::string> again, db_->Statements(text));
    EXPECT_EQ(again.size(), 1u) << text;
  }
  EXPECT_THAT(texts[0], HasSubstr("SELECT 1 AS a"));
  ASSERT_OK_AND_ASSIGN(QueryResult b, db_->Query(texts[1]));
  EXPECT_EQ(b.rows.at(0).at(0), ";");
  ASSERT_OK_AND_ASSIGN(QueryResult n, db_->Query(texts[2]));
  EXPECT_EQ(n.rows.at(0).at(0), "1000");
  EXPECT_THAT(db_->Statements(" ; -- nothing"), ::hdhub::testing::IsOkAndHolds(::testing::IsEmpty()));
  EXPECT_THAT(db_->Statements("SELECT 1; SELEC 2"), StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(SandboxTest, ABatchHoldingARefusedStatementIsRefusedWhole) {
  std::vector<std::string> refused = WritesAndExtensions((temp_.path() / "out.csv").string());
  for (std::string& sql : SettingChanges()) refused.push_back(std::move(sql));
  for (const std::string& sql : refused) {
    StatusOr<std::vector<std::string>> batch = db_->Statements("SELECT 1; " + sql + "; SELECT 2");
    StatusOr<QueryResult> alone = db_->Query(sql);
    // Refused by type before anything runs, or (read_text, CREATE SECRET) when the statement itself runs.
    if (batch.ok()) {
      EXPECT_THAT(alone, Not(IsOk())) << sql;
      EXPECT_THAT(db_->Query(batch->at(1)), Not(IsOk())) << sql;
    } else {
      EXPECT_THAT(batch.status(), StatusIs(StatusCode::kPermissionDenied)) << sql;
    }
  }
}

// A text run as one stream is parsed once and every statement's type checked
// before any runs: a refused statement anywhere refuses the whole text, and
// the statements before it have not run (here: no temp table left behind).
TEST_F(SandboxTest, AStreamHoldingARefusedStatementRunsNoneOfIt) {
  ASSERT_OK(db_->Query("CREATE TEMP TABLE kept AS SELECT 42 AS v; SELECT 1").status());
  ASSERT_OK_AND_ASSIGN(QueryResult kept, db_->Query("SELECT v FROM kept"));
  EXPECT_EQ(kept.rows.at(0).at(0), "42");
  for (std::string refused : {"ATTACH ':memory:' AS other", "SET threads = 64", "LOAD httpfs"}) {
    EXPECT_THAT(db_->Query("CREATE TEMP TABLE never AS SELECT 42 AS v; " + refused + "; SELECT 1"),
                StatusIs(StatusCode::kPermissionDenied))
        << refused;
    EXPECT_THAT(db_->Query("SELECT v FROM never"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("never")))
        << refused;
  }
  EXPECT_THAT(db_->Stream("CREATE TEMP TABLE never AS SELECT 42 AS v; SET threads = 64"),
              StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(db_->Query("SELECT v FROM never"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("never")));
  EXPECT_OK(db_->Query("SELECT 1").status());  // the instance is still usable
}

TEST_F(SandboxTest, BigQueriesSpillEncryptedInsteadOfFailing) {
  // 128 MB of memory for a sort of ~ 400 MB: DuckDB must spill to hdtmp://.
  ASSERT_OK_AND_ASSIGN(
      QueryResult r,
      db_->Query("SELECT count(*) FROM (SELECT i, md5(i::VARCHAR) AS h FROM range(5000000) r(i) ORDER BY h)"));
  EXPECT_EQ(r.rows[0][0], "5000000");
}

TEST_F(SandboxTest, NoInstanceSpillsPlaintextToALocalDirectory) {
  // Without a private directory, an instance does not spill at all (DuckDB's
  // default is ./.tmp, in clear): a sort bigger than memory fails instead.
  ASSERT_OK_AND_ASSIGN(auto plain, Database::Open(sealed_.get(), {.threads = 1, .memory_limit = "64MB"}));
  ASSERT_OK_AND_ASSIGN(QueryResult dir, plain->Query("SELECT current_setting('temp_directory')"));
  EXPECT_EQ(dir.rows[0][0], "");
  EXPECT_FALSE(
      plain->Query("SELECT count(*) FROM (SELECT md5(i::VARCHAR) AS h FROM range(5000000) r(i) ORDER BY h)").ok());
  EXPECT_FALSE(std::filesystem::exists(".tmp"));
  ASSERT_OK_AND_ASSIGN(QueryResult mine, db_->Query("SELECT current_setting('temp_directory'), "
                                                    "current_setting('temp_file_encryption')"));
  EXPECT_EQ(mine.rows[0][0], "hdtmp://");
  EXPECT_EQ(mine.rows[0][1], "true");
}

TEST_F(SandboxTest, RunawayQueryIsCancelledAtItsTimeout) {
  StatusOr<QueryResult> r = db_->Query("SELECT count(*) FROM range(100000000) a, range(100000000) b",
                                       QueryLimits{.timeout = std::chrono::milliseconds(500)});
  EXPECT_THAT(r, StatusIs(StatusCode::kDeadlineExceeded, HasSubstr("cancelled")));
  EXPECT_OK(db_->Query("SELECT 1").status());  // the instance is still usable
}

TEST_F(SandboxTest, ResultLargerThanTheLimitIsRefused) {
  EXPECT_THAT(db_->Query("SELECT * FROM t", QueryLimits{.max_rows = 100}),
              StatusIs(StatusCode::kResourceExhausted, HasSubstr("100 rows")));
  ASSERT_OK_AND_ASSIGN(QueryResult r, db_->Query("SELECT * FROM t", QueryLimits{.max_rows = 1000}));
  EXPECT_EQ(r.rows.size(), 1000u);
}

}  // namespace
}  // namespace hdhub::sql

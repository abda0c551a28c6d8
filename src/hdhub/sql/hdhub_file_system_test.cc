#include "hdhub/sql/hdhub_file_system.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hdhub/common/status_matchers.h"
#include "hdhub/crypto/hash.h"
#include "hdhub/crypto/random.h"
#include "hdhub/sql/database.h"
#include "hdhub/storage/memory_blob_store.h"

namespace hdhub::sql {
namespace {

using ::hdhub::testing::IsOk;
using ::hdhub::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

SecretBytes RandomKey() { return crypto::RandomSecret(32).value(); }

class HdhubFileSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sealed_ = std::make_unique<storage::SealedStore>(&host_, crypto::HmacSha256::Create(RandomKey()).value(),
                                                     /*segment_size=*/4096);
    ASSERT_OK_AND_ASSIGN(db_, Database::Open(sealed_.get(), {.threads = 2}));
    ASSERT_OK(db_->keys().Grant("data/", RandomKey(), Access::kReadWrite));
    ASSERT_OK(db_->keys().Grant("frozen/", RandomKey(), Access::kRead));
  }

  std::string Scalar(const std::string& sql) {
    StatusOr<QueryResult> r = db_->Query(sql);
    EXPECT_THAT(r, IsOk());
    if (!r.ok() || r->rows.empty()) return "<none>";
    return r->rows[0][0].value_or("NULL");
  }

  size_t HostObjects() { return host_.List("").value().size(); }

  storage::MemoryBlobStore host_;
  std::unique_ptr<storage::SealedStore> sealed_;
  std::unique_ptr<Database> db_;
};

constexpr char kTable[] =
    "SELECT i AS id, i % 7 AS grp, 'name-' || i AS label, i * 0.5 AS amount FROM range(300000) t(i)";

TEST_F(HdhubFileSystemTest, ParquetWrittenAndReadBackThroughSealedStore) {
  ASSERT_OK(db_->Execute(std::string("COPY (") + kTable +
                         ") TO 'hdhub://data/t.parquet' (FORMAT parquet, ROW_GROUP_SIZE 50000)"));
  EXPECT_EQ(HostObjects(), 1u);
  EXPECT_EQ(Scalar("SELECT count(*) FROM 'hdhub://data/t.parquet'"), "300000");
  // Same answers as the query computed directly, including a filtered scan that
  // reads only some row groups (ranged reads of segments in the middle).
  EXPECT_EQ(Scalar("SELECT sum(amount) FROM 'hdhub://data/t.parquet' WHERE id BETWEEN 120000 AND 180000"),
            Scalar(std::string("SELECT sum(amount) FROM (") + kTable + ") WHERE id BETWEEN 120000 AND 180000"));
  EXPECT_EQ(Scalar("SELECT string_agg(DISTINCT grp::VARCHAR, ',' ORDER BY grp::VARCHAR) FROM "
                   "read_parquet('hdhub://data/t.parquet')"),
            "0,1,2,3,4,5,6");
}

TEST_F(HdhubFileSystemTest, CsvWrittenAndReadBack) {
  ASSERT_OK(db_->Execute(
      "COPY (SELECT 1 AS a, 'x' AS b UNION ALL SELECT 2, 'y') TO 'hdhub://data/t.csv' (FORMAT csv, HEADER)"));
  EXPECT_EQ(Scalar("SELECT string_agg(b, '' ORDER BY a) FROM read_csv('hdhub://data/t.csv')"), "xy");
}

TEST_F(HdhubFileSystemTest, FailedCopyLeavesNothingOnHost) {
  Status s = db_->Execute(
      "COPY (SELECT CASE WHEN i = 250000 THEN error('stop here') ELSE i END AS v FROM range(300000) t(i)) "
      "TO 'hdhub://data/broken.parquet' (FORMAT parquet)");
  EXPECT_THAT(s, Not(IsOk()));
  EXPECT_EQ(HostObjects(), 0u);
}

TEST_F(HdhubFileSystemTest, FailedOverwriteKeepsOldObject) {
  ASSERT_OK(db_->Execute("COPY (SELECT 42 AS v) TO 'hdhub://data/keep.parquet' (FORMAT parquet)"));
  Status s = db_->Execute(
      "COPY (SELECT CASE WHEN i = 250000 THEN error('stop here') ELSE i END AS v FROM range(300000) t(i)) "
      "TO 'hdhub://data/keep.parquet' (FORMAT parquet)");
  EXPECT_THAT(s, Not(IsOk()));
  EXPECT_EQ(Scalar("SELECT v FROM 'hdhub://data/keep.parquet'"), "42");
}

TEST_F(HdhubFileSystemTest, SuccessfulOverwriteReplacesObject) {
  ASSERT_OK(db_->Execute("COPY (SELECT 1 AS v) TO 'hdhub://data/o.parquet' (FORMAT parquet)"));
  ASSERT_OK(db_->Execute("COPY (SELECT 2 AS v) TO 'hdhub://data/o.parquet' (FORMAT parquet)"));
  EXPECT_EQ(Scalar("SELECT v FROM 'hdhub://data/o.parquet'"), "2");
  EXPECT_EQ(HostObjects(), 1u);
}

TEST_F(HdhubFileSystemTest, PathOutsideGrantsIsRefused) {
  EXPECT_THAT(db_->Query("SELECT * FROM 'hdhub://other/t.parquet'"),
              StatusIs(StatusCode::kPermissionDenied, HasSubstr("outside")));
  EXPECT_THAT(db_->Execute("COPY (SELECT 1) TO 'hdhub://other/t.parquet' (FORMAT parquet)"),
              StatusIs(StatusCode::kPermissionDenied));
  EXPECT_EQ(HostObjects(), 0u);
}

TEST_F(HdhubFileSystemTest, WriteUnderReadOnlyGrantIsRefused) {
  EXPECT_THAT(db_->Execute("COPY (SELECT 1) TO 'hdhub://frozen/t.parquet' (FORMAT parquet)"),
              StatusIs(StatusCode::kPermissionDenied, HasSubstr("read-only")));
}

TEST_F(HdhubFileSystemTest, MalformedHdhubPathNeverFallsThroughToLocalFiles) {
  EXPECT_THAT(db_->Query("SELECT * FROM read_csv('hdhub:/etc/passwd')"), Not(IsOk()));
  EXPECT_THAT(db_->Query("SELECT * FROM read_csv('hdhub:///etc/passwd')"), Not(IsOk()));
  EXPECT_THAT(db_->Query("SELECT * FROM read_csv('hdhub://data/../../etc/passwd')"), Not(IsOk()));
}

TEST_F(HdhubFileSystemTest, AttachOnHdhubIsRefused) {
  // A database file needs positional rewrites, which sealed objects refuse.
  EXPECT_THAT(db_->Execute("ATTACH 'hdhub://data/db.duckdb' AS x"), Not(IsOk()));
  EXPECT_EQ(HostObjects(), 0u);
}

TEST_F(HdhubFileSystemTest, TamperedObjectOnHostIsDataLoss) {
  ASSERT_OK(db_->Execute(std::string("COPY (") + kTable + ") TO 'hdhub://data/t.parquet' (FORMAT parquet)"));
  std::string object = sealed_->ObjectNameFor("data/t.parquet");
  ASSERT_OK_AND_ASSIGN(Bytes bytes, host_.Get(object));
  bytes[bytes.size() / 2] ^= 0x01;
  ASSERT_OK(host_.Put(object, bytes));
  // Every column is read, so the altered segment is read whatever it holds.
  EXPECT_THAT(db_->Query("SELECT sum(id), sum(grp), max(label), sum(amount) FROM 'hdhub://data/t.parquet'"),
              StatusIs(StatusCode::kDataLoss));
}

TEST_F(HdhubFileSystemTest, LockDownRefusesLocalFilesButKeepsHdhub) {
  ASSERT_OK(db_->Execute("COPY (SELECT 7 AS v) TO 'hdhub://data/l.parquet' (FORMAT parquet)"));
  ASSERT_OK(db_->LockDown());
  EXPECT_EQ(Scalar("SELECT v FROM 'hdhub://data/l.parquet'"), "7");
  EXPECT_THAT(db_->Query("SELECT * FROM read_csv('/etc/passwd')"), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(db_->Query("SELECT * FROM read_text('/etc/hostname')"), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(db_->Execute("SET enable_external_access = true"), Not(IsOk()));
  EXPECT_THAT(db_->Execute("COPY (SELECT 1) TO '/tmp/hdhub-lockdown-escape.csv'"), Not(IsOk()));
}

TEST_F(HdhubFileSystemTest, CommitListenerSeesPublishedObjects) {
  std::vector<storage::SealedObjectInfo> seen;
  db_->keys().SetCommitListener([&seen](const storage::SealedObjectInfo& info) { seen.push_back(info); });
  ASSERT_OK(db_->Execute("COPY (SELECT 1 AS v) TO 'hdhub://data/c.parquet' (FORMAT parquet)"));
  ASSERT_THAT(seen, SizeIs(1));
  EXPECT_EQ(seen[0].logical_name, "data/c.parquet");
  EXPECT_EQ(seen[0].object_name, sealed_->ObjectNameFor("data/c.parquet"));
}

TEST(LogicalNameFromPathTest, AcceptsPlainNamesAndRefusesTricks) {
  EXPECT_THAT(LogicalNameFromPath("hdhub://a/b.parquet"), IsOk());
  EXPECT_EQ(*LogicalNameFromPath("hdhub://a/b.parquet"), "a/b.parquet");
  for (const char* bad : {"hdhub:/a", "hdhub://", "hdhub:///a", "hdhub://a//b", "hdhub://a/../b", "hdhub://./a",
                          "hdhub://a/*.parquet", "file:///etc/passwd", "hdhub://a\nb"}) {
    EXPECT_THAT(LogicalNameFromPath(bad), StatusIs(StatusCode::kInvalidArgument)) << bad;
  }
}

}  // namespace
}  // namespace hdhub::sql

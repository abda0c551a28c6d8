// Withdrawing a version and removing a dataset (catalog.h): the key goes and
// the record of who, when and why comes in one transaction; the previous
// version is current again; numbers are never reused; a removed name may be
// used again; the records hold against raw SQL; an older catalog migrates.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "hdhub/catalog/catalog.h"
#include "hdhub/catalog/catalog_schema.h"
#include "hdhub/catalog/sqlite.h"
#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"

namespace hdhub::catalog {
namespace {

using ::hdhub::testing::StatusIs;
using ::hdhub::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr std::string_view kSchema = R"({"fields":[]})";
const std::string kDigest(64, 'd');
const Bytes kWrapped = {9, 8, 7};

class CatalogWithdrawalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(catalog_, Catalog::Open(path_, &clock_));
    ASSERT_OK(catalog_->CreateDataset("ER_PRS_F"));
    for (int i = 1; i <= 2; ++i) Commit("ER_PRS_F", static_cast<uint64_t>(i) * 10);
  }

  int64_t Commit(std::string_view dataset, uint64_t rows) {
    StatusOr<int64_t> v = catalog_->BeginVersion(dataset, kSchema, kDigest, kWrapped);
    EXPECT_OK(v.status());
    if (!v.ok()) return 0;
    EXPECT_OK(catalog_->AddObject(
        dataset, *v, {"part-" + std::to_string(*v), "o/" + std::to_string(*v), 1, 2, std::string(64, 'e')}));
    EXPECT_OK(catalog_->CommitVersion(dataset, *v, rows));
    return *v;
  }

  std::vector<std::string> Listed() {
    std::vector<std::string> names;
    StatusOr<std::vector<DatasetRecord>> listed = catalog_->ListDatasets();
    EXPECT_OK(listed.status());
    if (!listed.ok()) return names;
    for (const DatasetRecord& d : *listed) names.push_back(d.name);
    return names;
  }

  TempDir dir_;
  std::string path_ = dir_.Sub("catalog.db");
  FakeClock clock_{TimePoint(std::chrono::seconds(1'800'000'000))};
  std::unique_ptr<Catalog> catalog_;
};

TEST_F(CatalogWithdrawalTest, WithdrawnVersionIsShreddedRecordedAndThePreviousOneIsCurrent) {
  clock_.Advance(std::chrono::hours(1));
  ASSERT_OK(catalog_->WithdrawVersion("ER_PRS_F", 2, "olga", "wrong month ingested"));
  ASSERT_OK_AND_ASSIGN(VersionWithObjects current, catalog_->LatestCommittedVersion("ER_PRS_F"));
  EXPECT_EQ(current.version.version, 1);
  EXPECT_FALSE(current.version.withdrawal.has_value());
  ASSERT_OK_AND_ASSIGN(VersionWithObjects withdrawn, catalog_->GetVersion("ER_PRS_F", 2));
  EXPECT_EQ(withdrawn.version.state, VersionState::kShredded);
  EXPECT_TRUE(withdrawn.version.wrapped_dek.empty());
  ASSERT_TRUE(withdrawn.version.withdrawal.has_value());
  EXPECT_EQ(withdrawn.version.withdrawal->by, "olga");
  EXPECT_EQ(withdrawn.version.withdrawal->reason, "wrong month ingested");
  EXPECT_EQ(withdrawn.version.withdrawal->at, clock_.Now());
  EXPECT_EQ(withdrawn.objects.size(), 1u) << "its objects stay recorded, for the cleanup";
  // Version numbers are never reused.
  EXPECT_EQ(Commit("ER_PRS_F", 30), 3);
}

TEST_F(CatalogWithdrawalTest, WithdrawingTheOnlyVersionLeavesNoCurrentVersion) {
  ASSERT_OK(catalog_->WithdrawVersion("ER_PRS_F", 2, "olga", "mistake"));
  ASSERT_OK(catalog_->WithdrawVersion("ER_PRS_F", 1, "olga", "mistake too"));
  EXPECT_THAT(catalog_->LatestCommittedVersion("ER_PRS_F"), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(Listed(), ElementsAre("ER_PRS_F")) << "a withdrawal does not remove the dataset";
}

TEST_F(CatalogWithdrawalTest, OnlyACommittedVersionCanBeWithdrawnOnce) {
  ASSERT_OK_AND_ASSIGN(int64_t pending, catalog_->BeginVersion("ER_PRS_F", kSchema, kDigest, kWrapped));
  EXPECT_THAT(catalog_->WithdrawVersion("ER_PRS_F", pending, "olga", "why"),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("pending")));
  ASSERT_OK(catalog_->WithdrawVersion("ER_PRS_F", 2, "olga", "why"));
  EXPECT_THAT(catalog_->WithdrawVersion("ER_PRS_F", 2, "oscar", "again"),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("shredded")));
  EXPECT_EQ(catalog_->GetVersion("ER_PRS_F", 2)->version.withdrawal->by, "olga") << "the first record stays";
  EXPECT_THAT(catalog_->WithdrawVersion("ER_PRS_F", 9, "olga", "why"), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(catalog_->WithdrawVersion("NOPE", 1, "olga", "why"), StatusIs(StatusCode::kNotFound));
}

TEST_F(CatalogWithdrawalTest, AReasonAndAnAccountAreRequired) {
  for (std::string_view reason : {std::string_view(""), std::string_view("two\nlines"), std::string_view("\x1b[2J")}) {
    EXPECT_THAT(catalog_->WithdrawVersion("ER_PRS_F", 2, "olga", reason), StatusIs(StatusCode::kInvalidArgument));
    EXPECT_THAT(catalog_->RemoveDataset("ER_PRS_F", "olga", reason), StatusIs(StatusCode::kInvalidArgument));
  }
  EXPECT_THAT(catalog_->WithdrawVersion("ER_PRS_F", 2, "olga", std::string(501, 'x')),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(catalog_->WithdrawVersion("ER_PRS_F", 2, "", "why"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(catalog_->LatestCommittedVersion("ER_PRS_F")->version.version, 2) << "nothing changed";
}

TEST_F(CatalogWithdrawalTest, RemovedDatasetIsUnlistedShreddedAndItsNameCanBeUsedAgain) {
  ASSERT_OK(catalog_->CreateDataset("ER_PRS_FF"));
  Commit("ER_PRS_FF", 5);
  ASSERT_OK_AND_ASSIGN(int64_t pending, catalog_->BeginVersion("ER_PRS_FF", kSchema, kDigest, kWrapped));
  ASSERT_OK_AND_ASSIGN(std::vector<int64_t> shredded, catalog_->RemoveDataset("ER_PRS_FF", "sam", "typo"));
  EXPECT_THAT(shredded, ElementsAre(1, pending));
  EXPECT_THAT(Listed(), ElementsAre("ER_PRS_F"));
  ASSERT_OK_AND_ASSIGN(std::vector<DatasetRecord> all, catalog_->ListDatasets(Catalog::Listing::kWithRemoved));
  ASSERT_EQ(all.size(), 2u);
  EXPECT_TRUE(all[1].removed_at.has_value());
  ASSERT_OK_AND_ASSIGN(std::vector<VersionRecord> versions, catalog_->ListVersions("ER_PRS_FF"));
  for (const VersionRecord& v : versions) {
    EXPECT_EQ(v.state, VersionState::kShredded);
    EXPECT_TRUE(v.wrapped_dek.empty());
    ASSERT_TRUE(v.withdrawal.has_value());
    EXPECT_EQ(v.withdrawal->reason, "typo");
  }
  EXPECT_THAT(catalog_->LatestCommittedVersion("ER_PRS_FF"), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(catalog_->BeginVersion("ER_PRS_FF", kSchema, kDigest, kWrapped), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(catalog_->RemoveDataset("ER_PRS_FF", "sam", "again"), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(catalog_->WithdrawVersion("ER_PRS_FF", 1, "sam", "x"), StatusIs(StatusCode::kNotFound));

  // The name is free again; its versions continue after the removed ones.
  ASSERT_OK(catalog_->CreateDataset("ER_PRS_FF"));
  EXPECT_THAT(Listed(), ElementsAre("ER_PRS_F", "ER_PRS_FF"));
  EXPECT_EQ(Commit("ER_PRS_FF", 7), pending + 1);
  EXPECT_EQ(catalog_->LatestCommittedVersion("ER_PRS_FF")->version.version, pending + 1);
  // The tombstone stays, and holds against raw SQL.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> raw, Database::Open(path_));
  ASSERT_OK_AND_ASSIGN(Statement count, raw->Prepare("SELECT count(*), max(last_version) FROM dataset_removal"));
  ASSERT_OK_AND_ASSIGN(bool row, count.Step());
  ASSERT_TRUE(row);
  EXPECT_EQ(count.ColumnInt64(0), 1);
  EXPECT_EQ(count.ColumnInt64(1), pending);
  EXPECT_THAT(raw->Exec("DELETE FROM dataset_removal"), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(raw->Exec("UPDATE dataset_removal SET removal_reason = 'x'"), StatusIs(StatusCode::kFailedPrecondition));
}

TEST_F(CatalogWithdrawalTest, WithdrawalRecordsHoldAgainstRawSql) {
  ASSERT_OK(catalog_->WithdrawVersion("ER_PRS_F", 2, "olga", "wrong file"));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> raw, Database::Open(path_));
  ASSERT_OK(raw->Exec("PRAGMA foreign_keys = OFF"));
  EXPECT_THAT(raw->Exec("DELETE FROM version_withdrawal"), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(raw->Exec("UPDATE version_withdrawal SET withdrawn_by = 'mallory'"),
              StatusIs(StatusCode::kFailedPrecondition));
  // A version keeps its key unless the withdrawal destroys it with it.
  EXPECT_THAT(raw->Exec("INSERT INTO version_withdrawal VALUES ('ER_PRS_F', 1, 0, 'mallory', 'hide it')"),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("destruction of its key")));
  EXPECT_EQ(catalog_->LatestCommittedVersion("ER_PRS_F")->version.version, 1);
}

TEST_F(CatalogWithdrawalTest, ACatalogAtSchemaVersionFourMigratesWithItsVersionsIntact) {
  const std::string old_path = dir_.Sub("old.db");
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Database> db, Database::Open(old_path));
    ASSERT_OK(ApplyMigrations(db.get(), kCatalogComponent, CatalogMigrations().first(4)));
    ASSERT_OK(db->Exec("INSERT INTO dataset VALUES ('IR_BEN_R', 0)"));
    ASSERT_OK(
        db->Exec("INSERT INTO dataset_version (dataset, version, state, schema_json, row_count, wrapped_dek, "
                 "source_digest, created_at_us, committed_at_us) VALUES ('IR_BEN_R', 1, 'committed', '{}', 3, "
                 "x'01', '" +
                 kDigest + "', 0, 0)"));
  }
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Catalog> migrated, Catalog::Open(old_path, &clock_));
  ASSERT_OK_AND_ASSIGN(int64_t schema, SchemaVersion(migrated->database_for_test(), kCatalogComponent));
  EXPECT_EQ(schema, 5);
  ASSERT_OK_AND_ASSIGN(VersionWithObjects v, migrated->LatestCommittedVersion("IR_BEN_R"));
  EXPECT_EQ(v.version.row_count, 3u);
  EXPECT_FALSE(v.version.withdrawal.has_value());
  ASSERT_OK_AND_ASSIGN(std::vector<DatasetRecord> listed, migrated->ListDatasets());
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_FALSE(listed[0].removed_at.has_value());
  EXPECT_OK(migrated->WithdrawVersion("IR_BEN_R", 1, "olga", "after the upgrade"));
  EXPECT_EQ(migrated->ListVersions("IR_BEN_R")->at(0).withdrawal->reason, "after the upgrade");
}

}  // namespace
}  // namespace hdhub::catalog

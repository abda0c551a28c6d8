// Invariants that must hold whatever the client: immutability enforced by
// SQLite triggers (checked with raw SQL on a second connection), persistence
// across reopening, and readers working while another Catalog object writes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "hdhub/catalog/catalog.h"
#include "hdhub/catalog/sqlite.h"
#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"

namespace hdhub::catalog {
namespace {

using ::hdhub::testing::StatusIs;
using ::hdhub::testing::TempDir;
using ::testing::HasSubstr;

constexpr std::string_view kSchema = R"({"fields":[]})";
const std::string kDigest(64, 'd');
const Bytes kWrapped = {9, 8, 7};

ObjectRecord Object(const std::string& logical) {
  return {logical, "o/" + logical, 1, 2, std::string(64, 'e')};
}

class CatalogInvariantsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(catalog_, Catalog::Open(path_, &clock_));
    ASSERT_OK(catalog_->CreateDataset("ER_PRS_F"));
    ASSERT_OK_AND_ASSIGN(committed_,
                         catalog_->BeginVersion("ER_PRS_F", kSchema, kDigest, kWrapped));
    ASSERT_OK(catalog_->AddObject("ER_PRS_F", committed_, Object("a")));
    ASSERT_OK(catalog_->CommitVersion("ER_PRS_F", committed_, 10));
    ASSERT_OK_AND_ASSIGN(pending_, catalog_->BeginVersion("ER_PRS_F", kSchema, kDigest, kWrapped));
    ASSERT_OK(catalog_->AddObject("ER_PRS_F", pending_, Object("b")));
    // A client that bypasses the API, with foreign keys off for good measure.
    ASSERT_OK_AND_ASSIGN(raw_, Database::Open(path_));
    ASSERT_OK(raw_->Exec("PRAGMA foreign_keys = OFF"));
  }

  Status RawSql(const std::string& sql) { return raw_->Exec(sql); }
  std::string Where(int64_t v) {
    return " WHERE dataset = 'ER_PRS_F' AND version = " + std::to_string(v);
  }

  TempDir dir_;
  std::string path_ = dir_.Sub("catalog.db");
  FakeClock clock_{TimePoint(std::chrono::seconds(1'800'000'000))};
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<Database> raw_;
  int64_t committed_ = 0;
  int64_t pending_ = 0;
};

TEST_F(CatalogInvariantsTest, TriggersRefuseChangesToACommittedVersion) {
  for (const std::string& sql : {
           "UPDATE dataset_version SET row_count = 11" + Where(committed_),
           "UPDATE dataset_version SET schema_json = '{}'" + Where(committed_),
           "UPDATE dataset_version SET committed_at_us = 0" + Where(committed_),
           "UPDATE dataset_version SET state = 'pending'" + Where(committed_),
           "UPDATE dataset_version SET state = 'discarded'" + Where(committed_),
           "UPDATE dataset_version SET wrapped_dek = x'01'" + Where(committed_),
           "UPDATE dataset_version SET version = 99" + Where(committed_),
           "DELETE FROM dataset_version" + Where(committed_),
           "UPDATE version_object SET ciphertext_sha256 = '" + std::string(64, 'f') + "'" +
               Where(committed_),
           "DELETE FROM version_object" + Where(committed_),
           "INSERT INTO version_object VALUES ('ER_PRS_F', " + std::to_string(committed_) +
               ", 'z', 'o/z', 1, 2, '" + std::string(64, 'e') + "')",
           std::string("DELETE FROM dataset"),
           std::string("UPDATE dataset SET name = 'OTHER'"),
       }) {
    EXPECT_THAT(RawSql(sql), StatusIs(StatusCode::kFailedPrecondition, HasSubstr("catalog:")))
        << sql;
  }
  ASSERT_OK_AND_ASSIGN(VersionWithObjects got, catalog_->GetVersion("ER_PRS_F", committed_));
  EXPECT_EQ(got.version.row_count, 10u);
  EXPECT_EQ(got.version.wrapped_dek, kWrapped);
  ASSERT_EQ(got.objects.size(), 1u);
  EXPECT_EQ(got.objects[0].ciphertext_sha256, std::string(64, 'e'));
}

TEST_F(CatalogInvariantsTest, TriggersAllowOnlyTheDocumentedTransitions) {
  // Shredding by hand must empty the key; a key is never swapped.
  EXPECT_THAT(RawSql("UPDATE dataset_version SET state = 'shredded'" + Where(committed_)),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(RawSql("UPDATE dataset_version SET wrapped_dek = x'0102'" + Where(pending_)),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("never replaced")));
  EXPECT_OK(RawSql("UPDATE dataset_version SET state = 'shredded', wrapped_dek = x''" +
                   Where(committed_)));
  EXPECT_THAT(RawSql("UPDATE dataset_version SET state = 'committed'" + Where(committed_)),
              StatusIs(StatusCode::kFailedPrecondition));
  // A pending version's identity is fixed too.
  EXPECT_THAT(RawSql("UPDATE dataset_version SET schema_json = '{}'" + Where(pending_)),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("identity")));
}

TEST_F(CatalogInvariantsTest, ChecksRefuseMalformedRows) {
  EXPECT_THAT(RawSql("INSERT INTO dataset (name, created_at_us) VALUES ('BAD-NAME', 0)"),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(RawSql("INSERT INTO dataset_version (dataset, version, state, schema_json, "
                     "wrapped_dek, source_digest, created_at_us) VALUES ('ER_PRS_F', 50, "
                     "'pending', '{}', x'', '" +
                     kDigest + "', 0)"),
              StatusIs(StatusCode::kFailedPrecondition))
      << "an unshredded version needs a wrapped key";
}

TEST_F(CatalogInvariantsTest, StateSurvivesReopening) {
  raw_.reset();
  catalog_.reset();
  ASSERT_OK_AND_ASSIGN(catalog_, Catalog::Open(path_, &clock_));
  ASSERT_OK_AND_ASSIGN(VersionWithObjects latest, catalog_->LatestCommittedVersion("ER_PRS_F"));
  EXPECT_EQ(latest.version.version, committed_);
  EXPECT_EQ(latest.version.row_count, 10u);
  EXPECT_EQ(latest.version.wrapped_dek, kWrapped);
  ASSERT_EQ(latest.objects.size(), 1u);
  ASSERT_OK_AND_ASSIGN(auto pending, catalog_->ListPendingVersions());
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].version.version, pending_);
  EXPECT_EQ(*catalog_->BeginVersion("ER_PRS_F", kSchema, kDigest, kWrapped), pending_ + 1);
  ASSERT_OK_AND_ASSIGN(int64_t schema, SchemaVersion(catalog_->database_for_test(), "catalog"));
  EXPECT_EQ(schema, 5);
}

TEST_F(CatalogInvariantsTest, ReadersSeeCommittedStatesWhileAnotherCatalogWrites) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Catalog> writer, Catalog::Open(path_, &clock_));
  constexpr int kVersions = 20;
  std::atomic<bool> done = false;
  std::atomic<int> failures = 0;
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&] {
      while (!done) {
        // Every committed version a reader sees is complete: committed with
        // its row count and its single object, never half-written.
        StatusOr<VersionWithObjects> latest = catalog_->LatestCommittedVersion("ER_PRS_F");
        if (!latest.ok() || !latest->version.row_count.has_value() ||
            *latest->version.row_count != static_cast<uint64_t>(latest->version.version) * 10 ||
            latest->objects.size() != 1) {
          ++failures;
        }
      }
    });
  }
  auto write_versions = [&]() -> Status {
    for (int i = 0; i < kVersions; ++i) {
      ASSIGN_OR_RETURN(int64_t v, writer->BeginVersion("ER_PRS_F", kSchema, kDigest, kWrapped));
      RETURN_IF_ERROR(writer->AddObject("ER_PRS_F", v, Object("part-0")));
      RETURN_IF_ERROR(writer->CommitVersion("ER_PRS_F", v, static_cast<uint64_t>(v) * 10));
    }
    return OkStatus();
  };
  Status written = write_versions();
  done = true;
  for (std::thread& t : readers) t.join();
  ASSERT_OK(written);
  EXPECT_EQ(failures, 0);
  ASSERT_OK_AND_ASSIGN(VersionWithObjects latest, catalog_->LatestCommittedVersion("ER_PRS_F"));
  EXPECT_EQ(latest.version.version, pending_ + kVersions);
}

}  // namespace
}  // namespace hdhub::catalog

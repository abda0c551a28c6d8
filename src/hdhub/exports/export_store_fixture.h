// Test-only: an ExportStore on a fresh database, a second raw connection to
// the same file (to try what the triggers must refuse), and small builders.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "hdhub/catalog/sqlite.h"
#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"
#include "hdhub/exports/export_store.h"

namespace hdhub::exports {

class ExportStoreFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(store_, ExportStore::Open(dir_.Sub("catalog.db")));
    ASSERT_OK_AND_ASSIGN(raw_, catalog::Database::Open(dir_.Sub("catalog.db")));
  }

  // A request of `project` by rita, created with its first revision.
  std::string NewRequest(const std::string& project = "diab") {
    RequestRecord r{.project = project,
                    .author = "rita",
                    .title = "Diabetes drugs by age",
                    .created_at_us = 1000,
                    .wrapped_dek = Bytes{1, 2, 3}};
    StatusOr<std::string> id = store_->CreateRequest(r);
    EXPECT_OK(id.status());
    EXPECT_OK(store_->AppendRevision(Revision(*id, 1)));
    return *id;
  }
  static RevisionRecord Revision(const std::string& id, int64_t n) {
    return RevisionRecord{.request = id,
                          .revision = n,
                          .manifest_json = R"({"outputs":[]})",
                          .manifest_salt = Bytes(32, 7),
                          .created_at_us = 1000 + n};
  }
  static OutputRecord Output(const std::string& id, int64_t revision, const std::string& name) {
    return OutputRecord{.request = id,
                        .revision = revision,
                        .name = name,
                        .kind = RequestOutputKind::kTable,
                        .format = "csv",
                        .declaration_json = R"({"frame":"a10"})",
                        .logical_name = "projects/diab/exports/" + id + "/r1/" + name,
                        .bytes = 120,
                        .sha256 = std::string(64, 'a'),
                        .verdict_json = R"({"outcome":"pass"})"};
  }
  static CheckerReview Review(const std::string& checker, int64_t revision) {
    return CheckerReview{.checker = checker,
                         .revision = revision,
                         .decisions = {{.output = "t1", .decision = OutputDecision::kApprove, .comment = "fine"}},
                         .at_us = 2000};
  }
  static FrameRecord Frame(const std::string& name = "a10", const std::string& spec = R"({"unit":"person"})") {
    return FrameRecord{.project = "diab",
                       .name = name,
                       .spec_json = spec,
                       .sql_sha256 = std::string(64, 'b'),
                       .created_by = "rita",
                       .created_at_us = 500};
  }

  // Rows of `table`, read through the raw connection.
  int64_t Count(const std::string& table) {
    StatusOr<catalog::Statement> s = raw_->Prepare("SELECT count(*) FROM " + table);
    EXPECT_OK(s.status());
    EXPECT_THAT(s->Step(), ::hdhub::testing::IsOkAndHolds(true));
    return s->ColumnInt64(0);
  }
  Status Sql(const std::string& sql) { return raw_->Exec(sql); }

  testing::TempDir dir_;
  std::unique_ptr<ExportStore> store_;
  std::unique_ptr<catalog::Database> raw_;
};

}  // namespace hdhub::exports

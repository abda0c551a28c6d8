#include "hdhub/ingest/csv_ingest.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"
#include "hdhub/crypto/random.h"
#include "hdhub/keys/memory_key_store.h"
#include "hdhub/sql/database.h"
#include "hdhub/storage/memory_blob_store.h"

namespace hdhub::ingest {
namespace {

namespace fs = std::filesystem;
using ::hdhub::testing::IsOk;
using ::hdhub::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

class CsvIngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(keys_, keys::MemoryKeyStore::Create());
    ASSERT_OK_AND_ASSIGN(auto names, keys_->HmacFor("object-names"));
    sealed_ = std::make_unique<storage::SealedStore>(&host_, std::move(names));
    ASSERT_OK_AND_ASSIGN(catalog_, catalog::Catalog::Open(dir_.Sub("catalog.db"), &clock_));
    ingester_ = std::make_unique<CsvIngester>(keys_.get(), sealed_.get(), catalog_.get());
  }

  std::string Snds(const std::string& rel) { return (testing::SharedDir() / "snds" / rel).string(); }

  IngestRequest Prs(const std::string& csv) {
    return {.dataset = "ER_PRS_F", .csv_path = csv, .schema_path = Snds("schemas/ER_PRS_F.json")};
  }

  // A copy of the ER_PRS_F sample with `edit` applied to its lines.
  std::string Variant(const std::string& name, const std::function<void(std::vector<std::string>&)>& edit) {
    std::ifstream in(Snds("synthetic/ER_PRS_F.csv"));
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    edit(lines);
    std::string path = dir_.Sub(name);
    std::ofstream out(path, std::ios::binary);
    for (const auto& l : lines) out << l << "\n";
    return path;
  }

  void ExpectNothingWritten() {
    EXPECT_THAT(host_.List("").value(), IsEmpty());
    auto versions = catalog_->ListVersions("ER_PRS_F");
    if (versions.ok()) {
      for (const auto& v : *versions) EXPECT_NE(v.state, catalog::VersionState::kCommitted);
    }
    EXPECT_THAT(catalog_->ListPendingVersions().value(), IsEmpty());
  }

  testing::TempDir dir_;
  FakeClock clock_{TimePoint(std::chrono::seconds(1'800'000'000))};
  std::unique_ptr<keys::MemoryKeyStore> keys_;
  storage::MemoryBlobStore host_;
  std::unique_ptr<storage::SealedStore> sealed_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<CsvIngester> ingester_;
};

TEST_F(CsvIngestTest, SampleBecomesCommittedSealedVersionReadableBack) {
  ASSERT_OK_AND_ASSIGN(IngestResult r, ingester_->Ingest(Prs(Snds("synthetic/ER_PRS_F.csv"))));
  EXPECT_EQ(r.version, 1);
  EXPECT_EQ(r.rows, 10u);
  EXPECT_FALSE(r.already_ingested);
  ASSERT_OK_AND_ASSIGN(catalog::VersionWithObjects v, catalog_->LatestCommittedVersion("ER_PRS_F"));
  ASSERT_EQ(v.objects.size(), 1u);
  EXPECT_EQ(v.version.row_count, 10u);

  ASSERT_OK_AND_ASSIGN(SecretBytes dek, keys_->UnwrapKey(v.version.wrapped_dek,
                                                         DataKeyContext("ER_PRS_F", v.version.source_digest)));
  ASSERT_OK_AND_ASSIGN(auto db, sql::Database::Open(sealed_.get()));
  ASSERT_OK(db->keys().Grant(VersionPrefix("ER_PRS_F", 1), std::move(dek), sql::Access::kRead));
  ASSERT_OK_AND_ASSIGN(sql::QueryResult q,
                       db->Query("SELECT count(*), typeof(any_value(EXE_SOI_DTD)), typeof(any_value(PRS_ACT_QTE)), "
                                 "typeof(any_value(PRS_NAT_REF)) "
                                 "FROM 'hdhub://" + v.objects[0].logical_name + "'"));
  EXPECT_EQ(q.rows[0][0], "10");
  EXPECT_EQ(q.rows[0][1], "DATE");
  EXPECT_EQ(q.rows[0][2], "DOUBLE");  // a Table Schema "number"
  EXPECT_EQ(q.rows[0][3], "BIGINT");  // an "integer"
}

TEST_F(CsvIngestTest, SameFileTwiceIsDetectedNotRepeated) {
  ASSERT_OK(ingester_->Ingest(Prs(Snds("synthetic/ER_PRS_F.csv"))).status());
  ASSERT_OK_AND_ASSIGN(IngestResult again, ingester_->Ingest(Prs(Snds("synthetic/ER_PRS_F.csv"))));
  EXPECT_TRUE(again.already_ingested);
  EXPECT_EQ(again.version, 1);
  EXPECT_EQ(catalog_->ListVersions("ER_PRS_F")->size(), 1u);
  EXPECT_EQ(host_.List("")->size(), 1u);
}

TEST_F(CsvIngestTest, WrongColumnCountRefusedWithLine) {
  std::string csv = Variant("extra.csv", [](auto& l) { l[3] += ",surplus"; });
  EXPECT_THAT(ingester_->Ingest(Prs(csv)), StatusIs(StatusCode::kInvalidArgument, HasSubstr("extra.csv")));
  ExpectNothingWritten();
}

TEST_F(CsvIngestTest, BadQuotingRefused) {
  std::string csv = Variant("quote.csv", [](auto& l) { l[2] = "\"unterminated," + l[2]; });
  EXPECT_THAT(ingester_->Ingest(Prs(csv)), StatusIs(StatusCode::kInvalidArgument, HasSubstr("quote.csv")));
  ExpectNothingWritten();
}

TEST_F(CsvIngestTest, UnknownOrMissingHeaderFieldRefused) {
  std::string unknown = Variant("unknown.csv", [](auto& l) { l[0].replace(0, l[0].find(','), "NOT_A_FIELD"); });
  EXPECT_THAT(ingester_->Ingest(Prs(unknown)),
              StatusIs(StatusCode::kInvalidArgument, AllOf(HasSubstr("line 1"), HasSubstr("NOT_A_FIELD"))));
  std::string missing = Variant("missing.csv", [](auto& l) {
    for (auto& line : l) line = line.substr(line.find(',') + 1);
  });
  EXPECT_THAT(ingester_->Ingest(Prs(missing)), StatusIs(StatusCode::kInvalidArgument, HasSubstr("is missing")));
  ExpectNothingWritten();
}

TEST_F(CsvIngestTest, EmptyFileRefused) {
  std::string csv = Variant("empty.csv", [](auto& l) { l.clear(); });
  EXPECT_THAT(ingester_->Ingest(Prs(csv)), StatusIs(StatusCode::kInvalidArgument, HasSubstr("empty.csv")));
  ExpectNothingWritten();
}

TEST_F(CsvIngestTest, BadValueNamesLineAndFieldNeverTheValue) {
  // BEN_AMA_COD (an integer) is the first column of the sample.
  std::string csv = Variant("value.csv", [](auto& l) { l[4] = "SECRETVALUE" + l[4].substr(l[4].find(',')); });
  Status s = ingester_->Ingest(Prs(csv)).status();
  EXPECT_THAT(s, StatusIs(StatusCode::kInvalidArgument,
                          AllOf(HasSubstr("value.csv, line 5"), HasSubstr("BEN_AMA_COD"))));
  EXPECT_THAT(std::string(s.message()), Not(HasSubstr("SECRETVALUE")));
  ExpectNothingWritten();
}

TEST_F(CsvIngestTest, OversizeFieldRefused) {
  // BEN_NIR_PSA is at most 17 characters; the sample's 12th column.
  std::string csv = Variant("long.csv", [](auto& l) {
    size_t at = 0;
    for (int i = 0; i < 11; ++i) at = l[2].find(',', at) + 1;
    l[2].insert(at, "AAAAAAAAAAAAAAAAAAAA");
  });
  EXPECT_THAT(ingester_->Ingest(Prs(csv)),
              StatusIs(StatusCode::kInvalidArgument, AllOf(HasSubstr("line 3"), HasSubstr("BEN_NIR_PSA"))));
  ExpectNothingWritten();
}

TEST_F(CsvIngestTest, InvalidUtf8Refused) {
  std::string csv = Variant("latin1.csv", [](auto& l) { l[2].replace(l[2].rfind(','), 1, ",\xe9\xff"); });
  EXPECT_THAT(ingester_->Ingest(Prs(csv)), StatusIs(StatusCode::kInvalidArgument, HasSubstr("latin1.csv")));
  ExpectNothingWritten();
}

TEST_F(CsvIngestTest, CleanupRemovesWhatACrashedIngestLeft) {
  // A crash after the version was opened and an object published, before commit.
  ASSERT_OK(catalog_->CreateDataset("ER_PRS_F"));
  ASSERT_OK_AND_ASSIGN(int64_t v, catalog_->BeginVersion("ER_PRS_F", "{}", std::string(64, 'a'), Bytes{1, 2, 3}));
  ASSERT_OK_AND_ASSIGN(SecretBytes dek, keys::NewDataKey());
  ASSERT_OK(sealed_->Put(VersionPrefix("ER_PRS_F", v) + "part-0.parquet", dek, AsBytes("partial")).status());
  ASSERT_EQ(host_.List("")->size(), 1u);
  ASSERT_OK_AND_ASSIGN(int cleaned, ingester_->CleanupPending());
  EXPECT_EQ(cleaned, 1);
  EXPECT_THAT(host_.List("").value(), IsEmpty());
  EXPECT_EQ(catalog_->GetVersion("ER_PRS_F", v)->version.state, catalog::VersionState::kDiscarded);
  // And the next ingest gets a fresh version number.
  ASSERT_OK_AND_ASSIGN(IngestResult r, ingester_->Ingest(Prs(Snds("synthetic/ER_PRS_F.csv"))));
  EXPECT_EQ(r.version, v + 1);
}

TEST_F(CsvIngestTest, BadDatasetNameRefused) {
  IngestRequest r = Prs(Snds("synthetic/ER_PRS_F.csv"));
  r.dataset = "../etc";
  EXPECT_THAT(ingester_->Ingest(r), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace hdhub::ingest

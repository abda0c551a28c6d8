#include "hdhub/catalog/catalog.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"

namespace hdhub::catalog {
namespace {

using ::hdhub::testing::IsOk;
using ::hdhub::testing::StatusIs;
using ::hdhub::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr std::string_view kSchema = R"({"fields":[{"name":"BEN_NIR_PSA","type":"string"}]})";
const std::string kDigestA(64, 'a');
const std::string kDigestB(64, 'b');
const Bytes kWrapped = {1, 2, 3, 4};

ObjectRecord Object(const std::string& logical) {
  return {logical, "o/" + std::to_string(logical.size()) + logical.substr(0, 2), 100, 160,
          std::string(64, 'c')};
}

class CatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(catalog_, Catalog::Open(path_, &clock_));
    ASSERT_OK(catalog_->CreateDataset("ER_PRS_F"));
  }
  StatusOr<int64_t> Begin(std::string_view digest = "") {
    return catalog_->BeginVersion("ER_PRS_F", kSchema, digest.empty() ? kDigestA : digest,
                                  kWrapped);
  }

  TempDir dir_;
  std::string path_ = dir_.Sub("catalog.db");
  FakeClock clock_{TimePoint(std::chrono::seconds(1'800'000'000))};
  std::unique_ptr<Catalog> catalog_;
};

TEST_F(CatalogTest, OpenFailsWhenDirectoryMissing) {
  EXPECT_THAT(Catalog::Open(dir_.Sub("nope/catalog.db"), &clock_), StatusIs(StatusCode::kNotFound));
}

TEST_F(CatalogTest, CreateDatasetValidatesNamesAndRefusesDuplicates) {
  EXPECT_THAT(catalog_->CreateDataset("ER_PRS_F"),
              StatusIs(StatusCode::kAlreadyExists, HasSubstr("ER_PRS_F")));
  EXPECT_THAT(catalog_->CreateDataset(""), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(catalog_->CreateDataset("ER-PRS"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(catalog_->CreateDataset(std::string(65, 'A')),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_OK(catalog_->CreateDataset(std::string(64, 'A')));
  EXPECT_OK(catalog_->CreateDataset("DA_PRA_R"));
  ASSERT_OK_AND_ASSIGN(auto datasets, catalog_->ListDatasets());
  EXPECT_THAT(datasets, ElementsAre(Field(&DatasetRecord::name, std::string(64, 'A')),
                                    Field(&DatasetRecord::name, "DA_PRA_R"),
                                    Field(&DatasetRecord::name, "ER_PRS_F")));
  EXPECT_EQ(datasets[2].created_at, clock_.Now());
}

TEST_F(CatalogTest, VersionsAreNumberedPerDataset) {
  ASSERT_OK(catalog_->CreateDataset("DA_PRA_R"));
  EXPECT_EQ(*Begin(), 1);
  EXPECT_EQ(*Begin(), 2);
  EXPECT_EQ(*catalog_->BeginVersion("DA_PRA_R", kSchema, kDigestA, kWrapped), 1);
  ASSERT_OK(catalog_->DiscardVersion("ER_PRS_F", 2));
  EXPECT_EQ(*Begin(), 3) << "a discarded number is never reused";
}

TEST_F(CatalogTest, BeginVersionValidatesItsInputs) {
  EXPECT_THAT(catalog_->BeginVersion("NOPE", kSchema, kDigestA, kWrapped),
              StatusIs(StatusCode::kNotFound, HasSubstr("NOPE")));
  EXPECT_THAT(catalog_->BeginVersion("ER_PRS_F", "{not json", kDigestA, kWrapped),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("schema_json")));
  EXPECT_THAT(catalog_->BeginVersion("ER_PRS_F", "[1]", kDigestA, kWrapped),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(catalog_->BeginVersion("ER_PRS_F", kSchema, std::string(64, 'A'), kWrapped),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("source_digest")));
  EXPECT_THAT(catalog_->BeginVersion("ER_PRS_F", kSchema, "abc", kWrapped),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(catalog_->BeginVersion("ER_PRS_F", kSchema, kDigestA, ByteSpan()),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("wrapped_dek")));
}

TEST_F(CatalogTest, CommittedVersionKeepsEverythingRecorded) {
  ASSERT_OK_AND_ASSIGN(int64_t v, Begin());
  ASSERT_OK(catalog_->AddObject("ER_PRS_F", v, Object("datasets/ER_PRS_F/v1/part-1.parquet")));
  ASSERT_OK(catalog_->AddObject("ER_PRS_F", v, Object("datasets/ER_PRS_F/v1/part-0.parquet")));
  clock_.Advance(std::chrono::seconds(5));
  ASSERT_OK(catalog_->CommitVersion("ER_PRS_F", v, 1234));

  ASSERT_OK_AND_ASSIGN(VersionWithObjects got, catalog_->GetVersion("ER_PRS_F", v));
  EXPECT_EQ(got.version.state, VersionState::kCommitted);
  EXPECT_EQ(got.version.schema_json, kSchema);
  EXPECT_EQ(got.version.row_count, 1234u);
  EXPECT_EQ(got.version.wrapped_dek, kWrapped);
  EXPECT_EQ(got.version.source_digest, kDigestA);
  EXPECT_EQ(got.version.committed_at, clock_.Now());
  EXPECT_EQ(got.version.created_at, clock_.Now() - std::chrono::seconds(5));
  ASSERT_EQ(got.objects.size(), 2u);
  EXPECT_EQ(got.objects[0].logical_name, "datasets/ER_PRS_F/v1/part-0.parquet");
  EXPECT_EQ(got.objects[0].plaintext_size, 100u);
  EXPECT_EQ(got.objects[0].ciphertext_size, 160u);
  EXPECT_EQ(got.objects[0].ciphertext_sha256, std::string(64, 'c'));
}

TEST_F(CatalogTest, ReportIsWrittenOnceAtCommit) {
  ASSERT_OK_AND_ASSIGN(int64_t v, Begin());
  EXPECT_EQ(catalog_->GetVersion("ER_PRS_F", v)->version.report_json, "{}");
  EXPECT_THAT(catalog_->CommitVersion("ER_PRS_F", v, 1, "not json"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(catalog_->CommitVersion("ER_PRS_F", v, 1, "[1]"), StatusIs(StatusCode::kInvalidArgument));
  ASSERT_OK(catalog_->CommitVersion("ER_PRS_F", v, 1, R"({"rows_read":1})"));
  EXPECT_EQ(catalog_->GetVersion("ER_PRS_F", v)->version.report_json, R"({"rows_read":1})");
  // Even raw SQL cannot rewrite it afterwards.
  EXPECT_THAT(catalog_->database_for_test()->Exec("UPDATE dataset_version SET report_json = '{}'"),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("written once")));
}

TEST_F(CatalogTest, SourceDigestMayBeGivenAtCommitAndNeverAfter) {
  ASSERT_OK_AND_ASSIGN(int64_t v, catalog_->BeginVersion("ER_PRS_F", kSchema, Catalog::kDigestNotYetKnown,
                                                         [](int64_t version) -> StatusOr<Bytes> {
                                                           return Bytes{uint8_t(version)};
                                                         }));
  EXPECT_EQ(catalog_->GetVersion("ER_PRS_F", v)->version.wrapped_dek, Bytes{uint8_t(v)});
  EXPECT_THAT(catalog_->CommitVersion("ER_PRS_F", v, 1, "{}", std::string_view("not hex")),
              StatusIs(StatusCode::kInvalidArgument));
  ASSERT_OK(catalog_->CommitVersion("ER_PRS_F", v, 1, "{}", kDigestB));
  EXPECT_EQ(catalog_->GetVersion("ER_PRS_F", v)->version.source_digest, kDigestB);
  EXPECT_EQ(catalog_->FindVersionBySourceDigest("ER_PRS_F", kDigestB)->version, v);
  EXPECT_THAT(catalog_->database_for_test()->Exec("UPDATE dataset_version SET source_digest = '" + kDigestA + "'"),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(catalog_->BeginVersion("ER_PRS_F", kSchema, kDigestA,
                                     [](int64_t) -> StatusOr<Bytes> { return UnavailableError("KMS down"); }),
              StatusIs(StatusCode::kUnavailable));
}

TEST_F(CatalogTest, AddObjectErrors) {
  ASSERT_OK_AND_ASSIGN(int64_t v, Begin());
  ObjectRecord bad = Object("x");
  bad.ciphertext_sha256 = "ABC";
  EXPECT_THAT(catalog_->AddObject("ER_PRS_F", v, bad), StatusIs(StatusCode::kInvalidArgument));
  bad = Object("x");
  bad.object_name.clear();
  EXPECT_THAT(catalog_->AddObject("ER_PRS_F", v, bad), StatusIs(StatusCode::kInvalidArgument));
  bad = Object("x");
  bad.plaintext_size = uint64_t{1} << 63;
  EXPECT_THAT(catalog_->AddObject("ER_PRS_F", v, bad), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(catalog_->AddObject("ER_PRS_F", 9, Object("x")), StatusIs(StatusCode::kNotFound));
  ASSERT_OK(catalog_->AddObject("ER_PRS_F", v, Object("x")));
  EXPECT_THAT(catalog_->AddObject("ER_PRS_F", v, Object("x")),
              StatusIs(StatusCode::kAlreadyExists, HasSubstr("x")));
  ASSERT_OK(catalog_->CommitVersion("ER_PRS_F", v, 1));
  EXPECT_THAT(catalog_->AddObject("ER_PRS_F", v, Object("y")),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("committed")));
}

TEST_F(CatalogTest, OnlyPendingVersionsCommitOrDiscard) {
  EXPECT_THAT(catalog_->CommitVersion("ER_PRS_F", 1, 0), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(catalog_->DiscardVersion("ER_PRS_F", 1), StatusIs(StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(int64_t committed, Begin());
  ASSERT_OK(catalog_->CommitVersion("ER_PRS_F", committed, 0));
  EXPECT_THAT(catalog_->CommitVersion("ER_PRS_F", committed, 5),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(catalog_->DiscardVersion("ER_PRS_F", committed),
              StatusIs(StatusCode::kFailedPrecondition));

  ASSERT_OK_AND_ASSIGN(int64_t discarded, Begin());
  ASSERT_OK(catalog_->DiscardVersion("ER_PRS_F", discarded));
  EXPECT_THAT(catalog_->CommitVersion("ER_PRS_F", discarded, 5),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("discarded")));
  EXPECT_THAT(catalog_->DiscardVersion("ER_PRS_F", discarded),
              StatusIs(StatusCode::kFailedPrecondition));
  ASSERT_OK_AND_ASSIGN(VersionWithObjects got, catalog_->GetVersion("ER_PRS_F", discarded));
  EXPECT_EQ(got.version.state, VersionState::kDiscarded);
  EXPECT_FALSE(got.version.row_count.has_value());
  EXPECT_FALSE(got.version.committed_at.has_value());
}

TEST_F(CatalogTest, LatestCommittedVersionSkipsOtherStates) {
  EXPECT_THAT(catalog_->LatestCommittedVersion("ER_PRS_F"), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(catalog_->LatestCommittedVersion("NOPE"), StatusIs(StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(int64_t v1, Begin());
  ASSERT_OK(catalog_->AddObject("ER_PRS_F", v1, Object("a")));
  ASSERT_OK(catalog_->CommitVersion("ER_PRS_F", v1, 10));
  ASSERT_OK_AND_ASSIGN(int64_t v2, Begin());
  ASSERT_OK(catalog_->CommitVersion("ER_PRS_F", v2, 20));
  ASSERT_OK_AND_ASSIGN(int64_t v3, Begin());  // stays pending
  ASSERT_OK_AND_ASSIGN(VersionWithObjects latest, catalog_->LatestCommittedVersion("ER_PRS_F"));
  EXPECT_EQ(latest.version.version, v2);
  ASSERT_OK(catalog_->DestroyWrappedKey("ER_PRS_F", v2));
  ASSERT_OK_AND_ASSIGN(latest, catalog_->LatestCommittedVersion("ER_PRS_F"));
  EXPECT_EQ(latest.version.version, v1);
  EXPECT_THAT(latest.objects, ElementsAre(Field(&ObjectRecord::logical_name, "a")));
  EXPECT_NE(v3, v1);
}

TEST_F(CatalogTest, GetAndListVersions) {
  EXPECT_THAT(catalog_->GetVersion("ER_PRS_F", 1), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(catalog_->ListVersions("NOPE"), StatusIs(StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(auto none, catalog_->ListVersions("ER_PRS_F"));
  EXPECT_THAT(none, IsEmpty());
  ASSERT_OK(Begin().status());
  ASSERT_OK(Begin().status());
  ASSERT_OK(catalog_->CommitVersion("ER_PRS_F", 1, 7));
  ASSERT_OK_AND_ASSIGN(auto versions, catalog_->ListVersions("ER_PRS_F"));
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[0].version, 1);
  EXPECT_EQ(versions[0].state, VersionState::kCommitted);
  EXPECT_EQ(versions[1].version, 2);
  EXPECT_EQ(versions[1].state, VersionState::kPending);
}

TEST_F(CatalogTest, FindVersionBySourceDigestFindsOnlyCommitted) {
  EXPECT_THAT(catalog_->FindVersionBySourceDigest("ER_PRS_F", kDigestA),
              StatusIs(StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(int64_t pending, Begin(kDigestB));
  EXPECT_THAT(catalog_->FindVersionBySourceDigest("ER_PRS_F", kDigestB),
              StatusIs(StatusCode::kNotFound));
  ASSERT_OK(catalog_->CommitVersion("ER_PRS_F", pending, 3));
  ASSERT_OK_AND_ASSIGN(VersionRecord found,
                       catalog_->FindVersionBySourceDigest("ER_PRS_F", kDigestB));
  EXPECT_EQ(found.version, pending);
  EXPECT_THAT(catalog_->FindVersionBySourceDigest("ER_PRS_F", kDigestA),
              StatusIs(StatusCode::kNotFound));
}

TEST_F(CatalogTest, ListPendingVersionsReturnsWhatACrashLeftBehind) {
  ASSERT_OK(catalog_->CreateDataset("DA_PRA_R"));
  ASSERT_OK_AND_ASSIGN(int64_t done, Begin());
  ASSERT_OK(catalog_->CommitVersion("ER_PRS_F", done, 1));
  ASSERT_OK_AND_ASSIGN(int64_t crashed, Begin());
  ASSERT_OK(catalog_->AddObject("ER_PRS_F", crashed, Object("half-written")));
  ASSERT_OK(catalog_->BeginVersion("DA_PRA_R", kSchema, kDigestA, kWrapped).status());

  ASSERT_OK_AND_ASSIGN(auto pending, catalog_->ListPendingVersions());
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(pending[0].version.dataset, "DA_PRA_R");
  EXPECT_EQ(pending[1].version.dataset, "ER_PRS_F");
  EXPECT_EQ(pending[1].version.version, crashed);
  EXPECT_THAT(pending[1].objects, ElementsAre(Field(&ObjectRecord::logical_name, "half-written")));
  ASSERT_OK(catalog_->DiscardVersion("ER_PRS_F", crashed));
  ASSERT_OK(catalog_->DiscardVersion("DA_PRA_R", 1));
  ASSERT_OK_AND_ASSIGN(pending, catalog_->ListPendingVersions());
  EXPECT_THAT(pending, IsEmpty());
}

TEST_F(CatalogTest, RewrapDataKeysReplacesEveryLiveKeyAndOnlyThen) {
  ASSERT_OK_AND_ASSIGN(int64_t v1, Begin());
  ASSERT_OK_AND_ASSIGN(int64_t v2, Begin(kDigestB));
  ASSERT_OK_AND_ASSIGN(int64_t v3, Begin(std::string(64, 'd')));
  ASSERT_OK(catalog_->DestroyWrappedKey("ER_PRS_F", v3));
  std::vector<int64_t> seen;
  auto rewrap = [&](std::string_view dataset, int64_t version, ByteSpan wrapped) -> StatusOr<Bytes> {
    EXPECT_EQ(dataset, "ER_PRS_F");
    EXPECT_EQ(Bytes(wrapped.begin(), wrapped.end()), kWrapped);
    seen.push_back(version);
    return Bytes{9, uint8_t(version)};
  };
  ASSERT_OK_AND_ASSIGN(size_t count, catalog_->RewrapDataKeys(rewrap));
  EXPECT_EQ(count, 2u);
  EXPECT_THAT(seen, ElementsAre(v1, v2)) << "a shredded key stays shredded";
  EXPECT_EQ(catalog_->GetVersion("ER_PRS_F", v1)->version.wrapped_dek, (Bytes{9, uint8_t(v1)}));
  EXPECT_EQ(catalog_->GetVersion("ER_PRS_F", v2)->version.wrapped_dek, (Bytes{9, uint8_t(v2)}));
  EXPECT_THAT(catalog_->GetVersion("ER_PRS_F", v3)->version.wrapped_dek, IsEmpty());
  // Outside the rotation's transaction, the trigger still refuses a replacement.
  EXPECT_THAT(catalog_->database_for_test()->Exec("UPDATE dataset_version SET wrapped_dek = x'0102'"),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("never replaced")));
  // An error part-way changes nothing, and the trigger stays.
  int calls = 0;
  auto failing = [&](std::string_view, int64_t, ByteSpan) -> StatusOr<Bytes> {
    if (++calls == 2) return DataLossError("does not unwrap");
    return Bytes{7};
  };
  EXPECT_THAT(catalog_->RewrapDataKeys(failing), StatusIs(StatusCode::kDataLoss));
  EXPECT_EQ(catalog_->GetVersion("ER_PRS_F", v1)->version.wrapped_dek, (Bytes{9, uint8_t(v1)}));
  EXPECT_THAT(catalog_->database_for_test()->Exec("UPDATE dataset_version SET wrapped_dek = x'0102'"),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("never replaced")));
}

TEST_F(CatalogTest, DestroyWrappedKeyShredsFromAnyStateAndIsIdempotent) {
  EXPECT_THAT(catalog_->DestroyWrappedKey("ER_PRS_F", 1), StatusIs(StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(int64_t committed, Begin());
  ASSERT_OK(catalog_->CommitVersion("ER_PRS_F", committed, 9));
  ASSERT_OK_AND_ASSIGN(int64_t pending, Begin());
  for (int64_t v : {committed, pending}) {
    ASSERT_OK(catalog_->DestroyWrappedKey("ER_PRS_F", v));
    ASSERT_OK(catalog_->DestroyWrappedKey("ER_PRS_F", v));
    ASSERT_OK_AND_ASSIGN(VersionWithObjects got, catalog_->GetVersion("ER_PRS_F", v));
    EXPECT_EQ(got.version.state, VersionState::kShredded);
    EXPECT_THAT(got.version.wrapped_dek, IsEmpty());
  }
  EXPECT_THAT(catalog_->CommitVersion("ER_PRS_F", pending, 1),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("shredded")));
}

TEST_F(CatalogTest, ShreddedKeyBytesLeaveTheDatabaseFiles) {
  const Bytes marker(48, 0xA7);  // stands for a wrapped key; easy to search for
  const std::string needle(marker.begin(), marker.end());
  auto files_contain_marker = [&] {
    bool found = false;
    for (const char* suffix : {"", "-wal"}) {
      std::ifstream in(path_ + suffix, std::ios::binary);
      std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      found = found || content.find(needle) != std::string::npos;
    }
    return found;
  };
  ASSERT_OK_AND_ASSIGN(int64_t v, catalog_->BeginVersion("ER_PRS_F", kSchema, kDigestA, marker));
  ASSERT_OK(catalog_->CommitVersion("ER_PRS_F", v, 1));
  ASSERT_TRUE(files_contain_marker()) << "the search would not see a surviving key";
  ASSERT_OK(catalog_->DestroyWrappedKey("ER_PRS_F", v));
  EXPECT_FALSE(files_contain_marker()) << "wrapped key bytes survive in catalog.db or its WAL";
}

}  // namespace
}  // namespace hdhub::catalog

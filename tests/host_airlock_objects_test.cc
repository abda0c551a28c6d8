// The airlock's sealed objects (exports/export_store.h, export_object) as
// the host check (hub/host_check.h) and host migration (hub/host_migration.h)
// know them: a release's files and certificate and a request's evidence are
// verified and copied like any live object, a tampered or missing one is
// reported, and the evidence of a request whose key was destroyed is a
// leftover the check removes. No ingest: the hub holds only these objects.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hdhub/common/file.h"
#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"
#include "hdhub/exports/export_store.h"
#include "hdhub/hub/host_check.h"
#include "hdhub/hub/host_migration.h"
#include "hdhub/hub/host_records.h"
#include "hdhub/keys/key_store.h"
#include "hub_test_util.h"

namespace hdhub::hub {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::Each;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr std::string_view kProject = "diab";

class HostAirlockObjectsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(Hub::Init(BuiltinBackends(), hub_dir(), passphrase_, {.fast_key_derivation_for_test = true},
                        {"tester", SecretBytes(AsBytes("the tester's long password"))}));
    ASSERT_OK_AND_ASSIGN(auto hub, Open());
    ASSERT_OK_AND_ASSIGN(auto store, exports::ExportStore::Open(hub->database_path(), hub->state_cipher()));
    ASSERT_OK_AND_ASSIGN(request_, store->CreateRequest({.project = std::string(kProject),
                                                         .author = "rita",
                                                         .title = "Diabetes drugs by age",
                                                         .created_at_us = 1000,
                                                         .wrapped_dek = Bytes{1, 2, 3}}));
    ASSERT_OK(store->AppendRevision({.request = request_,
                                     .revision = 1,
                                     .manifest_json = R"({"outputs":[]})",
                                     .manifest_salt = Bytes(32, 7),
                                     .created_at_us = 1001}));
    ASSERT_OK(store->SetState(request_, exports::RequestState::kDraft, exports::RequestState::kApproved));
    // Sealed as the service's release seals them, then recorded with it.
    ASSERT_OK_AND_ASSIGN(SecretBytes key, keys::NewDataKey());
    exports::NewRelease release{.project = std::string(kProject),
                                .request = request_,
                                .revision = 1,
                                .body = R"({"request":")" + request_ + R"("})",
                                .released_at_us = 9000,
                                .wrapped_dek = Bytes{9, 9}};
    ASSERT_OK_AND_ASSIGN(release.history_before, store->LedgerHead(kProject));
    release_object_ = Seal(*hub, key, "projects/diab/releases/1/t1", exports::ExportObjectKind::kRelease, release);
    evidence_object_ = Seal(*hub, key, "projects/diab/exports/" + request_ + "/r1/evidence.json",
                            exports::ExportObjectKind::kEvidence, release);
    ASSERT_OK(store->AppendRelease(release).status());
  }

  // Seals `logical_name` on the hub's host and adds it to `release`'s
  // objects; returns the host's object name.
  static std::string Seal(Hub& hub, const SecretBytes& key, const std::string& logical_name,
                          exports::ExportObjectKind kind, exports::NewRelease& release) {
    StatusOr<storage::SealedObjectInfo> info = hub.sealed().Put(logical_name, key, AsBytes("age,n\n18+,12\n"));
    EXPECT_OK(info.status());
    if (!info.ok()) return "";
    release.objects.push_back({.object_name = info->object_name,
                               .logical_name = logical_name,
                               .kind = kind,
                               .bytes = static_cast<int64_t>(info->ciphertext_size),
                               .sha256 = HexEncode(info->ciphertext_sha256)});
    return info->object_name;
  }

  fs::path hub_dir() const { return dir_.path() / "hub"; }
  fs::path old_host() const { return hub_dir() / "host"; }
  fs::path new_host() const { return dir_.path() / "new-host"; }
  StatusOr<std::unique_ptr<Hub>> Open(const OpenOptions& options = {}) {
    return Hub::Open(BuiltinBackends(), hub_dir(), passphrase_, &clock_, {}, options);
  }

  testing::TempDir dir_;
  SecretBytes passphrase_{AsBytes("airlock objects, amber kestrel")};
  FakeClock clock_{TimePoint(std::chrono::seconds(1'800'000'000))};
  std::string request_;
  std::string release_object_;
  std::string evidence_object_;
};

TEST_F(HostAirlockObjectsTest, TheCheckVerifiesReleaseAndEvidenceObjectsAndFindsNothingUnknown) {
  ASSERT_OK_AND_ASSIGN(auto hub, Open());
  ASSERT_OK_AND_ASSIGN(HostRecords records, CollectHostRecords(*hub));
  ASSERT_TRUE(records.live.contains(release_object_));
  ASSERT_TRUE(records.live.contains(evidence_object_));
  EXPECT_EQ(records.live.at(release_object_).label, "project diab release 1");
  EXPECT_EQ(records.live.at(evidence_object_).label, "project diab export request " + request_);
  EXPECT_EQ(records.live.at(release_object_).logical_name, "projects/diab/releases/1/t1");

  ASSERT_OK_AND_ASSIGN(HostCheckReport report, CheckHost(*hub, {.remove_unknown = true}));
  EXPECT_EQ(report.objects_verified, 2u);
  EXPECT_THAT(report.damaged, IsEmpty());
  EXPECT_EQ(report.unknown, 0u);
  EXPECT_EQ(report.leftovers, 0u);
  EXPECT_TRUE(fs::exists(old_host() / release_object_));
  EXPECT_TRUE(fs::exists(old_host() / evidence_object_));
}

TEST_F(HostAirlockObjectsTest, ATamperedOrMissingObjectIsReportedByReleaseAndRequest) {
  testing_util::FlipLastByte(old_host() / release_object_);
  fs::remove(old_host() / evidence_object_);
  ASSERT_OK_AND_ASSIGN(auto hub, Open());
  ASSERT_OK_AND_ASSIGN(HostCheckReport report, CheckHost(*hub, {.dry_run = true}));
  EXPECT_THAT(report.damaged, Each(AllOf(HasSubstr("project diab"), Not(HasSubstr("age,n")))));
  ASSERT_EQ(report.damaged.size(), 2u);
  const std::string lines = report.damaged[0] + "\n" + report.damaged[1];
  EXPECT_THAT(lines, HasSubstr("project diab release 1: sealed object 'projects/diab/releases/1/t1' differs"));
  EXPECT_THAT(lines, HasSubstr("project diab export request " + request_));
  EXPECT_THAT(lines, HasSubstr("is missing on the host"));
}

TEST_F(HostAirlockObjectsTest, EvidenceOfARequestWhoseKeyWasDestroyedIsALeftoverAndRemoved) {
  ASSERT_OK_AND_ASSIGN(auto hub, Open());
  {
    ASSERT_OK_AND_ASSIGN(auto store, exports::ExportStore::Open(hub->database_path(), hub->state_cipher()));
    ASSERT_OK(store->DestroyRequestKey(request_));
  }
  ASSERT_OK_AND_ASSIGN(HostRecords records, CollectHostRecords(*hub));
  EXPECT_FALSE(records.live.contains(evidence_object_));
  EXPECT_TRUE(records.ours.contains(evidence_object_));
  EXPECT_TRUE(records.live.contains(release_object_));

  ASSERT_OK_AND_ASSIGN(HostCheckReport report, CheckHost(*hub, {}));
  EXPECT_EQ(report.objects_verified, 1u);
  EXPECT_THAT(report.damaged, IsEmpty());
  EXPECT_EQ(report.leftovers, 1u);
  EXPECT_EQ(report.unknown, 0u);
  EXPECT_FALSE(fs::exists(old_host() / evidence_object_));
  EXPECT_TRUE(fs::exists(old_host() / release_object_));
}

TEST_F(HostAirlockObjectsTest, AMigrationCopiesTheReleaseObjectsAndTheNewHostHoldsThem) {
  {
    ASSERT_OK_AND_ASSIGN(auto hub, Open({.exclusive = true, .host_migration = true}));
    ASSERT_OK_AND_ASSIGN(HostMigrationReport r,
                         MigrateHost(*hub, BuiltinBackends(),
                                     {.to_uri = "file://" + new_host().string(), .to_name = "new", .parallel = 1}));
    ASSERT_TRUE(r.switched);
    EXPECT_EQ(r.objects_copied, 2u);
    EXPECT_THAT(r.damaged, IsEmpty());
    ASSERT_OK(FinishHostMigration(*hub));
  }
  for (const std::string& name : {release_object_, evidence_object_}) {
    ASSERT_OK_AND_ASSIGN(std::string copied, ReadFile((new_host() / name).string()));
    ASSERT_OK_AND_ASSIGN(std::string original, ReadFile((old_host() / name).string()));
    EXPECT_EQ(copied, original);
  }
  // The hub now reads the release from the new host, and the check there
  // finds it sound.
  fs::rename(old_host(), dir_.path() / "old-host-moved-away");
  ASSERT_OK_AND_ASSIGN(auto hub, Open());
  ASSERT_OK_AND_ASSIGN(HostCheckReport report, CheckHost(*hub, {.dry_run = true}));
  EXPECT_EQ(report.objects_verified, 2u);
  EXPECT_THAT(report.damaged, IsEmpty());
  EXPECT_EQ(report.unknown, 0u);
}

}  // namespace
}  // namespace hdhub::hub

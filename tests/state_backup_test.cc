// The hub's state backed up on its host as it changes, and a lost hub
// rebuilt from that backup and its key store alone (hub/state_backup.h):
// the restored hub opens, verifies its log and reads the same rows; a backup
// the host altered, dropped or rolled back is refused and leaves nothing
// behind; the log's backup stays a handful of objects; the host check and a
// migration know the backup.
#include "hdhub/hub/state_backup.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "hdhub/common/file.h"
#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"
#include "hdhub/hub/host_check.h"
#include "hdhub/hub/host_migration.h"
#include "hdhub/hub/hub.h"
#include "hdhub/hub/hub_config.h"
#include "hdhub/ingest/csv_ingest.h"
#include "hub_test_util.h"

namespace hdhub::hub {
namespace {

namespace fs = std::filesystem;
using ::hdhub::testing::StatusIs;
using ::testing::HasSubstr;

using testing_util::CountRows;
using testing_util::FlipLastByte;
using testing_util::kOperator;

class StateBackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(Hub::Init(BuiltinBackends(), hub_dir(), passphrase_, {.fast_key_derivation_for_test = true},
                        {"tester", SecretBytes(AsBytes("the tester's long password"))}));
    ASSERT_OK_AND_ASSIGN(auto hub, Open(hub_dir()));
    testing_util::IngestSynthetic(*hub, {"IR_BEN_R"});
    if (HasFatalFailure()) return;
    rows_ = CountRows(*hub);
    ASSERT_GT(rows_, 0);
  }

  fs::path hub_dir() const { return dir_.path() / "hub"; }
  fs::path host_dir() const { return hub_dir() / "host"; }
  fs::path restored() const { return dir_.path() / "restored"; }
  fs::path escrow() const { return dir_.path() / "escrow.key"; }

  StatusOr<std::unique_ptr<Hub>> Open(const fs::path& dir) {
    return Hub::Open(BuiltinBackends(), dir, passphrase_, &clock_);
  }
  // The machine is lost: the key file survives in escrow and the host
  // elsewhere (a directory outside the hub's).
  std::string LoseTheHub() {
    fs::copy_file(hub_dir() / "state" / "hub.key", escrow());
    const fs::path host = dir_.path() / "host";
    fs::rename(host_dir(), host);
    fs::remove_all(hub_dir());
    return "file://" + host.string();
  }
  StatusOr<RestoreReport> Restore(const std::string& host, bool verify_only = false) {
    return RestoreHubFiles(BuiltinBackends(), restored(), passphrase_,
                           {.host_uri = host, .keys_uri = "keyfile:" + escrow().string(), .verify_only = verify_only});
  }
  void ExpectNothingRestored() {
    EXPECT_FALSE(fs::exists(restored() / "hub.json"));
    EXPECT_FALSE(fs::exists(restored() / "state"));
    if (fs::exists(restored())) {
      EXPECT_TRUE(fs::is_empty(restored()));
    }
  }
  nlohmann::json Record(const fs::path& dir) {
    StatusOr<std::string> text = ReadFile((dir / "state" / kStateBackupRecord).string());
    EXPECT_OK(text.status());
    return nlohmann::json::parse(text.ok() ? *text : "{}");
  }
  static Status Log(Hub& hub, int n) {
    for (int i = 0; i < n; ++i) {
      RETURN_IF_ERROR(
          hub.audit().Append(audit::Event{.actor = "tester", .role = "operator", .action = "test.event"}).status());
    }
    return OkStatus();
  }

  testing::TempDir dir_;
  SecretBytes passphrase_{AsBytes("restore me, amber lynx")};
  FakeClock clock_{TimePoint(std::chrono::seconds(1'800'000'000))};
  int64_t rows_ = 0;
};

TEST_F(StateBackupTest, ALostHubIsRebuiltFromItsHostAndKeyStoreAndReadsTheSameRows) {
  uint64_t size = 0;
  std::string checkpoint;
  {
    ASSERT_OK_AND_ASSIGN(auto hub, Open(hub_dir()));
    size = hub->audit().Size();
    ASSERT_OK_AND_ASSIGN(checkpoint, hub->AuditCheckpoint());
  }
  const std::string host = LoseTheHub();
  ASSERT_OK_AND_ASSIGN(RestoreReport report, Restore(host));
  EXPECT_GE(report.log_entries, size);
  EXPECT_EQ(report.checkpoint_size, report.log_entries);
  EXPECT_EQ(report.host, host);
  EXPECT_EQ(report.keys, "keyfile:state/hub.key");
  ASSERT_OK_AND_ASSIGN(Config config, ReadConfig(restored()));
  EXPECT_EQ(config.keys, "keyfile:" + (restored() / "state" / "hub.key").string());
  EXPECT_TRUE(config.audit_key_wrapped);
  EXPECT_TRUE(config.purpose_keys_in_ring);

  ASSERT_OK_AND_ASSIGN(auto hub, Open(restored()));
  ASSERT_OK_AND_ASSIGN(audit::VerifyReport verified, hub->VerifyAudit());
  EXPECT_GE(verified.entries, size);
  ASSERT_OK_AND_ASSIGN(std::string restored_entry, hub->audit().ReadEntry(size - 1));
  EXPECT_THAT(restored_entry, HasSubstr("\"seq\":" + std::to_string(size - 1)));
  EXPECT_EQ(CountRows(*hub), rows_);
  ASSERT_OK_AND_ASSIGN(std::vector<catalog::VersionRecord> versions, hub->catalog().ListVersions("IR_BEN_R"));
  EXPECT_EQ(versions.size(), 1u);
  // The restored hub goes on backing up on the same host: a second loss
  // restores what it did since.
  ASSERT_OK(Log(*hub, 3));
  const uint64_t later = hub->audit().Size();
  hub.reset();
  ASSERT_OK_AND_ASSIGN(RestoreReport again, Restore(host, /*verify_only=*/true));
  EXPECT_GE(again.log_entries, later);
  EXPECT_EQ(again.checkpoint_size, again.log_entries);
}

TEST_F(StateBackupTest, TheHostHoldsTheLogAndCatalogOnlySealed) {
  ASSERT_OK_AND_ASSIGN(auto hub, Open(hub_dir()));
  const std::string catalog_name = (hub_dir() / "state" / "catalog.db").string();
  const nlohmann::json record = Record(hub_dir());
  ASSERT_TRUE(record.contains("catalog"));
  for (const auto& chunk : record["chunks"]) {
    ASSERT_OK_AND_ASSIGN(std::string bytes, ReadFile((host_dir() / chunk["object"].get<std::string>()).string()));
    EXPECT_EQ(bytes.find("hub.init"), std::string::npos);
    EXPECT_EQ(bytes.find("IR_BEN_R"), std::string::npos);
  }
  ASSERT_OK_AND_ASSIGN(std::string catalog,
                       ReadFile((host_dir() / record["catalog"]["object"].get<std::string>()).string()));
  EXPECT_EQ(catalog.find("SQLite format 3"), std::string::npos);
  EXPECT_EQ(catalog.find("IR_BEN_R"), std::string::npos);
}

// A copy of the hub's disk without its key store: the local database (and
// its WAL) read as noise, yet the hub reads them, and so does whoever holds
// the cipher.
TEST_F(StateBackupTest, TheLocalDatabaseIsEncryptedOnDisk) {
  ASSERT_OK_AND_ASSIGN(auto hub, Open(hub_dir()));
  std::shared_ptr<catalog::SqliteCipher> cipher = hub->state_cipher();
  ASSERT_NE(cipher, nullptr);
  const std::string catalog_name = (hub_dir() / "state" / "catalog.db").string();
  for (const std::string& file : {catalog_name, catalog_name + "-wal"}) {
    if (!fs::exists(file)) continue;
    ASSERT_OK_AND_ASSIGN(std::string bytes, ReadFile(file));
    EXPECT_EQ(bytes.find("SQLite format 3"), std::string::npos) << file;
    EXPECT_EQ(bytes.find("IR_BEN_R"), std::string::npos) << file;
    EXPECT_EQ(bytes.find("CREATE TABLE"), std::string::npos) << file;
  }
  EXPECT_GT(fs::file_size(catalog_name) + fs::file_size(catalog_name + "-wal"), 16'384u);
  hub.reset();
  EXPECT_THAT(catalog::Database::Open(catalog_name), StatusIs(StatusCode::kDataLoss, HasSubstr("not a database")));
  ASSERT_OK_AND_ASSIGN(auto db,
                       catalog::Database::Open(catalog_name, catalog::Database::kDefaultBusyTimeoutMs, cipher));
  ASSERT_OK_AND_ASSIGN(catalog::Statement names, db->Prepare("SELECT count(*) FROM dataset WHERE name = 'IR_BEN_R'"));
  ASSERT_OK_AND_ASSIGN(bool row, names.Step());
  ASSERT_TRUE(row);
  EXPECT_EQ(names.ColumnInt64(0), 1);
}

// A hub made before its database was encrypted: refused with the way over,
// which is a restore from its host into a new directory.
TEST_F(StateBackupTest, AHubWhoseDatabaseIsInClearIsRefusedAndARestoreCarriesItOver) {
  const std::string catalog_name = (hub_dir() / "state" / "catalog.db").string();
  {
    ASSERT_OK_AND_ASSIGN(auto hub, Open(hub_dir()));
    ASSERT_OK_AND_ASSIGN(
        auto db, catalog::Database::Open(catalog_name, catalog::Database::kDefaultBusyTimeoutMs, hub->state_cipher()));
    ASSERT_OK_AND_ASSIGN(Bytes image, db->Serialize());
    db.reset();
    hub.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(catalog_name + suffix);
    ASSERT_OK_AND_ASSIGN(auto clear, catalog::Database::Open(catalog_name));
    ASSERT_OK(clear->LoadImage(image));
  }
  EXPECT_THAT(Open(hub_dir()).status(), StatusIs(StatusCode::kFailedPrecondition,
                                                 HasSubstr("rebuild it from its host's backup with 'hdhub restore'")));
  fs::copy_file(hub_dir() / "state" / "hub.key", escrow());  // the old hub.json's key store
  ASSERT_OK(Restore("file://" + host_dir().string()).status());
  ASSERT_OK_AND_ASSIGN(auto hub, Open(restored()));
  EXPECT_EQ(CountRows(*hub), rows_);
  ASSERT_OK_AND_ASSIGN(std::string bytes, ReadFile((restored() / "state" / "catalog.db").string()));
  EXPECT_EQ(bytes.find("SQLite format 3"), std::string::npos);
}

TEST_F(StateBackupTest, TheLogsBackupStaysLogarithmicallyManyChunksAndNothingStale) {
  ASSERT_OK_AND_ASSIGN(auto hub, Open(hub_dir()));
  ASSERT_OK(Log(*hub, 200));
  const uint64_t n = hub->audit().Size();
  const nlohmann::json record = Record(hub_dir());
  EXPECT_EQ(record["size"].get<uint64_t>(), n);
  EXPECT_LE(record["chunks"].size(), static_cast<size_t>(std::log2(double(n))) + 2);
  EXPECT_TRUE(record["to_delete"].empty());
  // Every object on the host is a live dataset object, the checkpoint or the
  // backup's; the host check finds nothing unknown.
  ASSERT_OK_AND_ASSIGN(HostCheckReport check, CheckHost(*hub, {.dry_run = true}));
  EXPECT_EQ(check.unknown, 0u);
  EXPECT_EQ(check.leftovers, 0u);
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> names, StateBackupObjectNames(hub_dir(), hub->host_uri()));
  ASSERT_OK_AND_ASSIGN(auto listed, hub->host().List(""));
  const std::set<std::string> on_host = [&] {
    std::set<std::string> s;
    for (const auto& o : listed) s.insert(o.name);
    return s;
  }();
  for (const std::string& name : names) EXPECT_TRUE(on_host.contains(name)) << name;
  EXPECT_EQ(names.size(), 3 + record["chunks"].size());  // root, manifest, catalog, chunks
}

TEST_F(StateBackupTest, AChunkTheHostAlteredIsRefusedAndNothingIsLeft) {
  const nlohmann::json record = Record(hub_dir());
  const std::string chunk = record["chunks"][0]["object"].get<std::string>();
  const std::string host = LoseTheHub();
  FlipLastByte(dir_.path() / "host" / chunk);
  EXPECT_THAT(Restore(host).status(), StatusIs(StatusCode::kDataLoss, HasSubstr("audit log's entries 0 to")));
  ExpectNothingRestored();
  EXPECT_THAT(Restore(host, true).status(), StatusIs(StatusCode::kDataLoss));
}

TEST_F(StateBackupTest, ACatalogCopyTheHostDroppedIsRefused) {
  const nlohmann::json record = Record(hub_dir());
  const std::string catalog = record["catalog"]["object"].get<std::string>();
  const std::string host = LoseTheHub();
  fs::remove(dir_.path() / "host" / catalog);
  EXPECT_THAT(Restore(host).status(), StatusIs(StatusCode::kDataLoss, HasSubstr("catalog")));
  ExpectNothingRestored();
}

TEST_F(StateBackupTest, AManifestRolledBackBehindTheCheckpointIsRefused) {
  std::string manifest_object;
  std::string old_manifest;
  {
    ASSERT_OK_AND_ASSIGN(auto hub, Open(hub_dir()));
    manifest_object = hub->sealed().ObjectNameFor(kStateManifestName);
    ASSERT_OK_AND_ASSIGN(old_manifest, ReadFile((host_dir() / manifest_object).string()));
    ASSERT_OK(Log(*hub, 5));
  }
  // The host serves yesterday's manifest (and keeps its chunks), with
  // today's checkpoint.
  const nlohmann::json record = Record(hub_dir());
  const std::string host = LoseTheHub();
  ASSERT_OK(WriteFileAtomically((dir_.path() / "host" / manifest_object).string(), AsBytes(old_manifest), 0600));
  EXPECT_THAT(Restore(host).status(), StatusIs(StatusCode::kDataLoss));
  ExpectNothingRestored();
}

TEST_F(StateBackupTest, AWrongPassphraseOrAnotherHubsKeyIsRefusedAndNothingIsLeft) {
  testing::TempDir other;
  ASSERT_OK(Hub::Init(BuiltinBackends(), other.path() / "hub", passphrase_, {.fast_key_derivation_for_test = true},
                      {"tester", SecretBytes(AsBytes("the tester's long password"))}));
  const std::string host = LoseTheHub();
  SecretBytes wrong(AsBytes("not the passphrase at all, sorry"));
  EXPECT_THAT(RestoreHubFiles(BuiltinBackends(), restored(), wrong,
                              {.host_uri = host, .keys_uri = "keyfile:" + escrow().string()})
                  .status(),
              StatusIs(StatusCode::kPermissionDenied));
  ExpectNothingRestored();
  EXPECT_THAT(
      RestoreHubFiles(BuiltinBackends(), restored(), passphrase_,
                      {.host_uri = host, .keys_uri = "keyfile:" + (other.path() / "hub/state/hub.key").string()})
          .status(),
      StatusIs(StatusCode::kDataLoss, HasSubstr("does not unwrap")));
  ExpectNothingRestored();
}

TEST_F(StateBackupTest, RestoreRefusesADirectoryHoldingAHubOrAHostWithoutBackup) {
  EXPECT_THAT(RestoreHubFiles(BuiltinBackends(), hub_dir(), passphrase_,
                              {.host_uri = "file://" + host_dir().string(),
                               .keys_uri = "keyfile:" + (hub_dir() / "state/hub.key").string()})
                  .status(),
              StatusIs(StatusCode::kAlreadyExists));
  fs::copy_file(hub_dir() / "state" / "hub.key", escrow());
  const fs::path empty_host = dir_.path() / "empty-host";
  fs::create_directories(empty_host);
  EXPECT_THAT(Restore("file://" + empty_host.string()).status(), StatusIs(StatusCode::kNotFound));
  ExpectNothingRestored();
}

TEST_F(StateBackupTest, AfterAMigrationTheNewHostHoldsABackupThatRestores) {
  const fs::path new_host = dir_.path() / "new-host";
  uint64_t size = 0;
  {
    ASSERT_OK_AND_ASSIGN(auto hub, Hub::Open(BuiltinBackends(), hub_dir(), passphrase_, &clock_, {},
                                             {.exclusive = true, .host_migration = true}));
    ASSERT_OK_AND_ASSIGN(HostMigrationReport r,
                         MigrateHost(*hub, BuiltinBackends(),
                                     {.to_uri = "file://" + new_host.string(), .to_name = "new", .parallel = 2}));
    ASSERT_TRUE(r.switched);
    ASSERT_OK(FinishHostMigration(*hub));
    ASSERT_OK(Log(*hub, 1));  // the service logs the switch on the new host
    size = hub->audit().Size();
  }
  fs::copy_file(hub_dir() / "state" / "hub.key", escrow());
  ASSERT_OK_AND_ASSIGN(RestoreReport r, Restore("file://" + new_host.string(), /*verify_only=*/true));
  EXPECT_GE(r.log_entries, size);
  EXPECT_EQ(r.checkpoint_size, r.log_entries);
  ExpectNothingRestored();
}

}  // namespace
}  // namespace hdhub::hub

// Host migration (hub/host_migration.h) between two local file hosts: every
// live object copied byte for byte and verified, resumable at any step, an
// object altered on the old host never copied, one the new host dropped
// copied again, every other open refused while the switch is unfinished, and
// the old host purged only once the new one verifies.
#include "hdhub/hub/host_migration.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "hdhub/common/file.h"
#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"
#include "hdhub/hub/host_records.h"
#include "hdhub/hub/hub_config.h"
#include "hdhub/ingest/csv_ingest.h"
#include "hdhub/storage/fault_injecting_blob_store.h"
#include "hdhub/storage/file_blob_store.h"
#include "hub_test_util.h"

namespace hdhub::hub {
namespace {

namespace fs = std::filesystem;
using ::hdhub::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

using testing_util::CountRows;
using testing_util::FlipLastByte;
using testing_util::kOperator;

class HostMigrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(Hub::Init(BuiltinBackends(), hub_dir(), passphrase_, {.fast_key_derivation_for_test = true},
                        {"tester", SecretBytes(AsBytes("the tester's long password"))}));
    ASSERT_OK_AND_ASSIGN(auto hub, Open());
    testing_util::IngestSynthetic(*hub, {"IR_BEN_R", "ER_PHA_F", "KI_CCI_R"});
    if (HasFatalFailure()) return;
    ASSERT_OK_AND_ASSIGN(HostRecords records, CollectHostRecords(*hub));
    live_ = records.live;
    ASSERT_THAT(live_, SizeIs(3));
  }

  fs::path hub_dir() const { return dir_.path() / "hub"; }
  fs::path old_host() const { return hub_dir() / "host"; }
  fs::path new_host() const { return dir_.path() / "new-host"; }
  std::string new_uri() const { return "file://" + new_host().string(); }

  StatusOr<std::unique_ptr<Hub>> Open(const OpenOptions& options = {}) {
    return Hub::Open(BuiltinBackends(), hub_dir(), passphrase_, &clock_, {}, options);
  }
  StatusOr<std::unique_ptr<Hub>> OpenForMigration() { return Open({.exclusive = true, .host_migration = true}); }
  HostMigrationOptions To(std::function<Status(std::string_view)> hook = nullptr) {
    return {.to_uri = new_uri(), .to_name = "new", .parallel = 2, .after_step_for_test = std::move(hook)};
  }
  // Migrates and finishes, as the service does (which logs between the two).
  void MigrateAndFinish() {
    ASSERT_OK_AND_ASSIGN(auto hub, OpenForMigration());
    ASSERT_OK_AND_ASSIGN(HostMigrationReport r, MigrateHost(*hub, BuiltinBackends(), To()));
    ASSERT_TRUE(r.switched);
    ASSERT_OK(FinishHostMigration(*hub));
  }
  // Rows of IR_BEN_R as the hub reads them back through its host.

  testing::TempDir dir_;
  SecretBytes passphrase_{AsBytes("migrate me, cobalt heron")};
  FakeClock clock_{TimePoint(std::chrono::seconds(1'800'000'000))};
  std::map<std::string, RecordedObject> live_;
};

TEST_F(HostMigrationTest, EveryLiveObjectIsCopiedByteForByteThenTheHubSwitches) {
  int64_t rows_before = 0;
  {
    ASSERT_OK_AND_ASSIGN(auto hub, Open());
    rows_before = CountRows(*hub);
    ASSERT_OK_AND_ASSIGN(HostMigrationPlan plan, PlanHostMigration(*hub, To()));
    EXPECT_EQ(plan.objects, live_.size() + 1);  // and the audit checkpoint
    EXPECT_EQ(plan.objects_verified, 0u);
    EXPECT_FALSE(plan.resuming);
  }
  ASSERT_OK_AND_ASSIGN(auto hub, OpenForMigration());
  ASSERT_OK_AND_ASSIGN(HostMigrationReport r, MigrateHost(*hub, BuiltinBackends(), To()));
  EXPECT_TRUE(r.switched);
  EXPECT_FALSE(r.resumed);
  EXPECT_EQ(r.objects_copied, live_.size());
  EXPECT_THAT(r.damaged, IsEmpty());
  for (const auto& [name, o] : live_) {
    ASSERT_OK_AND_ASSIGN(std::string copied, ReadFile((new_host() / name).string()));
    ASSERT_OK_AND_ASSIGN(std::string original, ReadFile((old_host() / name).string()));
    EXPECT_EQ(copied, original) << o.label;
  }
  ASSERT_OK_AND_ASSIGN(Config config, ReadConfig(hub_dir()));
  EXPECT_EQ(config.host, new_uri());
  EXPECT_EQ(hub->host().Describe(), BuiltinBackends().hosts.Open(new_uri()).value()->Describe());
  ASSERT_OK(FinishHostMigration(*hub));
  hub.reset();

  // An ordinary open checks the new host's audit checkpoint and reads the data there.
  fs::rename(old_host(), dir_.path() / "old-host-moved-away");
  ASSERT_OK_AND_ASSIGN(auto reopened, Open());
  EXPECT_EQ(CountRows(*reopened), rows_before);
  ASSERT_OK(reopened->VerifyAudit().status());
  ASSERT_OK_AND_ASSIGN(std::optional<RetiredHost> retired, ReadRetiredHost(hub_dir()));
  ASSERT_TRUE(retired.has_value());
  EXPECT_EQ(retired->uri, "file://" + old_host().string());
  EXPECT_FALSE(fs::exists(hub_dir() / "state" / "host-migration"));
}

TEST_F(HostMigrationTest, AStoppedRunIsResumedAndCopiesOnlyWhatIsLeft) {
  {
    ASSERT_OK_AND_ASSIGN(auto hub, OpenForMigration());
    auto stop_after_first = [](std::string_view step) {
      return step == "object" ? UnavailableError("stopped for the test") : OkStatus();
    };
    HostMigrationOptions options = To(stop_after_first);
    options.parallel = 1;
    EXPECT_THAT(MigrateHost(*hub, BuiltinBackends(), options), StatusIs(StatusCode::kUnavailable));
  }
  ASSERT_OK_AND_ASSIGN(std::optional<HostMigrationJournal> journal, ReadHostMigrationJournal(hub_dir()));
  ASSERT_TRUE(journal.has_value());
  EXPECT_EQ(journal->phase, HostMigrationJournal::Phase::kCopy);
  {
    // The hub stays usable while a migration is in its copy phase.
    ASSERT_OK_AND_ASSIGN(auto hub, Open());
    ASSERT_OK_AND_ASSIGN(HostMigrationPlan plan, PlanHostMigration(*hub, To()));
    EXPECT_TRUE(plan.resuming);
    EXPECT_EQ(plan.objects_verified, 1u);
  }
  ASSERT_OK_AND_ASSIGN(auto hub, OpenForMigration());
  ASSERT_OK_AND_ASSIGN(HostMigrationReport r, MigrateHost(*hub, BuiltinBackends(), To()));
  EXPECT_TRUE(r.resumed);
  EXPECT_EQ(r.objects_already_verified, 1u);
  EXPECT_EQ(r.objects_copied, live_.size() - 1);
  EXPECT_TRUE(r.switched);
}

TEST_F(HostMigrationTest, CopyingNeedsNoExclusiveOpenButTheSwitchDoes) {
  ASSERT_OK_AND_ASSIGN(auto hub, Open({.host_migration = true}));
  HostMigrationOptions copy = To();
  copy.copy_only = true;
  ASSERT_OK_AND_ASSIGN(HostMigrationReport r, MigrateHost(*hub, BuiltinBackends(), copy));
  EXPECT_FALSE(r.switched);
  EXPECT_EQ(r.objects_copied, live_.size());
  EXPECT_THAT(MigrateHost(*hub, BuiltinBackends(), To()),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("to itself")));
  ASSERT_OK_AND_ASSIGN(Config config, ReadConfig(hub_dir()));
  EXPECT_EQ(config.host, "file://" + old_host().string());
}

TEST_F(HostMigrationTest, AnObjectAlteredOnTheOldHostIsNeverCopiedAndTheHubStays) {
  const auto& [name, altered] = *live_.begin();
  FlipLastByte(old_host() / name);
  ASSERT_OK_AND_ASSIGN(auto hub, OpenForMigration());
  ASSERT_OK_AND_ASSIGN(HostMigrationReport r, MigrateHost(*hub, BuiltinBackends(), To()));
  EXPECT_FALSE(r.switched);
  ASSERT_THAT(r.damaged, SizeIs(1));
  EXPECT_THAT(r.damaged[0], HasSubstr(altered.label));
  EXPECT_THAT(r.damaged[0], HasSubstr("differs from the recorded SHA-256"));
  EXPECT_FALSE(fs::exists(new_host() / name)) << "a damaged object reached the new host";
  EXPECT_EQ(r.objects_copied, live_.size() - 1);
  ASSERT_OK_AND_ASSIGN(Config config, ReadConfig(hub_dir()));
  EXPECT_EQ(config.host, "file://" + old_host().string());
}

TEST_F(HostMigrationTest, AnObjectTheNewHostDroppedAfterItWasVerifiedIsCopiedAgain) {
  {
    ASSERT_OK_AND_ASSIGN(auto hub, Open({.host_migration = true}));
    HostMigrationOptions copy = To();
    copy.copy_only = true;
    ASSERT_OK(MigrateHost(*hub, BuiltinBackends(), copy).status());
  }
  const std::string dropped = live_.begin()->first;
  fs::remove(new_host() / dropped);
  ASSERT_OK_AND_ASSIGN(auto hub, OpenForMigration());
  ASSERT_OK_AND_ASSIGN(HostMigrationReport r, MigrateHost(*hub, BuiltinBackends(), To()));
  EXPECT_EQ(r.objects_copied, 1u);
  EXPECT_EQ(r.objects_already_verified, live_.size() - 1);
  EXPECT_TRUE(r.switched);
  EXPECT_TRUE(fs::exists(new_host() / dropped));
}

// A new host that returns other bytes than it was sent: each copy is
// verified as it goes (the hash on copy), which such a host passes; with
// read_back the copy is read from it and the run fails at once.
TEST_F(HostMigrationTest, WithReadBackANewHostReturningOtherBytesFailsTheRun) {
  Backends backends = BuiltinBackends();
  backends.hosts.Register("corrupting", [](std::string_view rest) -> StatusOr<std::unique_ptr<storage::BlobStore>> {
    ASSIGN_OR_RETURN(std::unique_ptr<storage::BlobStore> file, storage::FileBlobStore::FromUri(rest));
    auto faulty = std::make_unique<storage::FaultInjectingBlobStore>(std::move(file));
    faulty->FlipBitOnRead(0);
    return std::unique_ptr<storage::BlobStore>(std::move(faulty));
  });
  HostMigrationOptions copy = To();
  copy.to_uri = "corrupting://" + new_host().string();
  copy.copy_only = true;
  {
    ASSERT_OK_AND_ASSIGN(auto hub, Open({.host_migration = true}));
    copy.read_back = true;
    EXPECT_THAT(MigrateHost(*hub, backends, copy),
                StatusIs(StatusCode::kDataLoss, HasSubstr("the new host did not keep what was written to it")));
    ASSERT_OK(AbandonHostMigration(*hub).status());
  }
  fs::remove_all(new_host());
  ASSERT_OK_AND_ASSIGN(auto hub, Open({.host_migration = true}));
  copy.read_back = false;
  ASSERT_OK_AND_ASSIGN(HostMigrationReport r, MigrateHost(*hub, backends, copy));
  EXPECT_FALSE(r.read_back);
  EXPECT_EQ(r.objects_copied, live_.size());
  EXPECT_EQ(HostMigrationReportJson(r)["verification"], "hash on copy");
  // What was stored is what was sent: only its reads are altered.
  for (const auto& [name, o] : live_) {
    EXPECT_EQ(ReadFile((new_host() / name).string()).value(), ReadFile((old_host() / name).string()).value())
        << o.label;
  }
}

TEST_F(HostMigrationTest, WhileTheSwitchIsUnfinishedEveryOtherOpenIsRefused) {
  for (const char* stop_at : {"switch-begin", "switched"}) {
    SCOPED_TRACE(stop_at);
    {
      ASSERT_OK_AND_ASSIGN(auto hub, OpenForMigration());
      auto stop = [stop_at](std::string_view step) {
        return step == stop_at ? UnavailableError("killed for the test") : OkStatus();
      };
      EXPECT_THAT(MigrateHost(*hub, BuiltinBackends(), To(stop)), StatusIs(StatusCode::kUnavailable));
    }
    EXPECT_THAT(Open(), StatusIs(StatusCode::kFailedPrecondition, HasSubstr("hdhub host migrate --to new")));
    // The next run (stopped once more, after hub.json changed) goes on.
  }
  ASSERT_OK_AND_ASSIGN(auto hub, OpenForMigration());
  ASSERT_OK_AND_ASSIGN(HostMigrationReport r, MigrateHost(*hub, BuiltinBackends(), To()));
  EXPECT_TRUE(r.switched);
  EXPECT_TRUE(r.resumed);
  EXPECT_EQ(r.objects_copied, 0u);
  ASSERT_OK(FinishHostMigration(*hub));
  hub.reset();
  ASSERT_OK_AND_ASSIGN(auto reopened, Open());
  EXPECT_EQ(reopened->host().Describe(), BuiltinBackends().hosts.Open(new_uri()).value()->Describe());
}

TEST_F(HostMigrationTest, TheOldHostIsPurgedOnlyOnceTheNewOneVerifies) {
  {
    ASSERT_OK_AND_ASSIGN(auto hub, Open());
    EXPECT_THAT(PurgeRetiredHost(*hub, BuiltinBackends(), nullptr), StatusIs(StatusCode::kFailedPrecondition));
  }
  MigrateAndFinish();
  const fs::path altered = new_host() / live_.begin()->first;
  FlipLastByte(altered);
  ASSERT_OK_AND_ASSIGN(auto hub, Open());
  ASSERT_OK_AND_ASSIGN(auto old, BuiltinBackends().hosts.Open("file://" + old_host().string()));
  // The live objects, the checkpoint and the hub's state backup.
  ASSERT_OK_AND_ASSIGN(auto held, old->List(""));
  EXPECT_GT(held.size(), live_.size() + 1);
  EXPECT_THAT(PurgeRetiredHost(*hub, BuiltinBackends(), nullptr),
              StatusIs(StatusCode::kDataLoss, HasSubstr("is kept")));
  ASSERT_OK_AND_ASSIGN(auto before, old->List(""));
  EXPECT_EQ(before.size(), held.size()) << "the old host lost objects although the purge was refused";

  FlipLastByte(altered);  // the new host repaired
  ASSERT_OK_AND_ASSIGN(HostPurgeReport purge, PurgeRetiredHost(*hub, BuiltinBackends(), nullptr));
  EXPECT_EQ(purge.objects_verified, live_.size());
  EXPECT_EQ(purge.objects_deleted, held.size());
  ASSERT_OK_AND_ASSIGN(auto after, old->List(""));
  EXPECT_THAT(after, IsEmpty());
  ASSERT_OK_AND_ASSIGN(std::optional<RetiredHost> retired, ReadRetiredHost(hub_dir()));
  EXPECT_FALSE(retired.has_value());
  EXPECT_THAT(PurgeRetiredHost(*hub, BuiltinBackends(), nullptr), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_GT(CountRows(*hub), 0);
}

TEST_F(HostMigrationTest, TheHubsOwnHostAndASecondTargetAreRefused) {
  ASSERT_OK_AND_ASSIGN(auto hub, OpenForMigration());
  HostMigrationOptions same = To();
  same.to_uri = "file:host";
  EXPECT_THAT(MigrateHost(*hub, BuiltinBackends(), same), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(MigrateHost(*hub, BuiltinBackends(), To([](std::string_view) { return AbortedError("stop"); })),
              StatusIs(StatusCode::kAborted));
  HostMigrationOptions other = To();
  other.to_uri = "file://" + (dir_.path() / "third-host").string();
  other.to_name = "third";
  EXPECT_THAT(MigrateHost(*hub, BuiltinBackends(), other),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("a migration to host new is under way")));
  ASSERT_OK_AND_ASSIGN(HostMigrationJournal abandoned, AbandonHostMigration(*hub));
  EXPECT_EQ(abandoned.to_name, "new");
  ASSERT_OK(MigrateHost(*hub, BuiltinBackends(), other).status());
}

TEST_F(HostMigrationTest, TheHubsHostUnderAnotherNameOrInsideItAndAFullTargetAreRefused) {
  ASSERT_OK_AND_ASSIGN(auto hub, OpenForMigration());
  HostMigrationOptions nested = To();
  nested.to_uri = "file://" + (old_host() / "inner").string();  // a purge of the old host would empty it
  EXPECT_THAT(MigrateHost(*hub, BuiltinBackends(), nested),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("the same storage")));
  HostMigrationOptions outer = To();
  outer.to_uri = "file://" + hub_dir().string();  // the old host inside the target
  EXPECT_THAT(MigrateHost(*hub, BuiltinBackends(), outer),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("the same storage")));
  ASSERT_OK_AND_ASSIGN(auto target, BuiltinBackends().hosts.Open(new_uri()));
  ASSERT_OK(target->Put("someone-else/object", AsBytes(std::string_view("not the hub's"))));
  EXPECT_THAT(MigrateHost(*hub, BuiltinBackends(), To()),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("already holds 1 objects")));
  EXPECT_FALSE(fs::exists(hub_dir() / "state" / "host-migration")) << "a refused first run left a journal";
  ASSERT_OK_AND_ASSIGN(auto listed, hub->host().List(""));
  for (const storage::ObjectInfo& o : listed) EXPECT_THAT(o.name, ::testing::Not(HasSubstr("host-check")));
}

TEST_F(HostMigrationTest, ASwitchThatCannotFinishIsAbandonedWhileTheHubIsStillOnItsHost) {
  {
    ASSERT_OK_AND_ASSIGN(auto hub, OpenForMigration());
    auto stop = [](std::string_view step) {
      return step == "switch-begin" ? UnavailableError("the target went away") : OkStatus();
    };
    EXPECT_THAT(MigrateHost(*hub, BuiltinBackends(), To(stop)), StatusIs(StatusCode::kUnavailable));
  }
  EXPECT_THAT(Open(), StatusIs(StatusCode::kFailedPrecondition));
  {
    ASSERT_OK_AND_ASSIGN(auto hub, Open({.host_migration = true}));
    ASSERT_OK(AbandonHostMigration(*hub).status());
  }
  ASSERT_OK_AND_ASSIGN(auto hub, Open());
  EXPECT_GT(CountRows(*hub), 0);
}

// An open that reached the hub while the switch held it exclusively waits,
// then opens the host hub.json names once it may: the new one (not the one
// hub.json named when the open began, whose checkpoint is now behind).
TEST_F(HostMigrationTest, AnOpenWaitingBehindTheSwitchOpensTheNewHost) {
  ASSERT_OK_AND_ASSIGN(auto hub, OpenForMigration());
  StatusOr<std::unique_ptr<Hub>> waiting = UnknownError("not opened yet");
  std::thread opener([&] { waiting = Open(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // reading hub.json, then waiting on the lock
  ASSERT_OK(MigrateHost(*hub, BuiltinBackends(), To()).status());
  ASSERT_OK(FinishHostMigration(*hub));
  hub.reset();
  opener.join();
  ASSERT_OK(waiting.status());
  EXPECT_EQ((*waiting)->host().Describe(), BuiltinBackends().hosts.Open(new_uri()).value()->Describe());
}

}  // namespace
}  // namespace hdhub::hub

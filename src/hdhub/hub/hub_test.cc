#include "hdhub/hub/hub.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "hdhub/audit/checkpoint.h"
#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"
#include "hdhub/sql/logged_query.h"

namespace hdhub::hub {
namespace {

namespace fs = std::filesystem;
using ::hdhub::testing::StatusIs;
using ::testing::HasSubstr;

class HubTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(Hub::Init(BuiltinBackends(), dir_.path() / "hub", passphrase_, {.fast_key_derivation_for_test = true},
                        First()));
  }
  FirstOperator First() { return {"alice", SecretBytes(AsBytes("alice's long password"))}; }
  StatusOr<std::unique_ptr<Hub>> Open() {
    return Hub::Open(BuiltinBackends(), dir_.path() / "hub", passphrase_, &clock_);
  }
  StatusOr<std::unique_ptr<sql::Database>> OpenCatalogDatabase(Hub& hub) {
    keys_ = hub.KeysFor(operator_);
    return hub.OpenCatalogDatabase(*keys_);
  }
  audit::Entry Last(Hub& hub) {
    return audit::DecodeEntry(hub.audit().ReadEntry(hub.audit().Size() - 1).value()).value();
  }

  testing::TempDir dir_;
  SecretBytes passphrase_{AsBytes("correct horse battery staple")};
  FakeClock clock_{TimePoint(std::chrono::seconds(1'800'000'000))};
  audit::Actor operator_{"alice", "operator"};
  std::unique_ptr<keys::KeyStore> keys_;
};

TEST_F(HubTest, InitIsAuditedAndEveryOpenLogsItsKeyUse) {
  ASSERT_OK_AND_ASSIGN(auto hub, Open());
  ASSERT_OK_AND_ASSIGN(std::string first, hub->audit().ReadEntry(0));
  bool init = false;
  for (uint64_t i = 0; i < hub->audit().Size(); ++i) {
    audit::Entry e = audit::DecodeEntry(hub->audit().ReadEntry(i).value()).value();
    if (e.event.action == "hub.init") {
      init = true;
      EXPECT_EQ(e.event.objects["host"], "file");
      EXPECT_EQ(e.event.actor, "alice");
    }
  }
  EXPECT_TRUE(init);
  EXPECT_EQ(Last(*hub).event.action, "key.derive");
}

TEST_F(HubTest, SecondInitIsRefused) {
  EXPECT_THAT(
      Hub::Init(BuiltinBackends(), dir_.path() / "hub", passphrase_, {.fast_key_derivation_for_test = true}, First()),
      StatusIs(StatusCode::kAlreadyExists));
}

TEST_F(HubTest, WrongPassphraseIsRefused) {
  EXPECT_FALSE(Hub::Open(BuiltinBackends(), dir_.path() / "hub", SecretBytes(AsBytes("wrong")), &clock_).ok());
}

TEST_F(HubTest, CheckpointIsPublishedSealedOnTheHost) {
  ASSERT_OK_AND_ASSIGN(auto hub, Open());
  ASSERT_OK_AND_ASSIGN(auto db, OpenCatalogDatabase(*hub));
  ASSERT_OK(sql::RunLoggedQuery(hub->audit(), operator_, *db, "SELECT 1", std::nullopt).status());
  std::string object = hub->sealed().ObjectNameFor("audit/checkpoint");
  ASSERT_OK_AND_ASSIGN(Bytes sealed, hub->host().Get(object));
  std::string bytes(sealed.begin(), sealed.end());
  EXPECT_EQ(bytes.find("hdhub/"), std::string::npos) << "the checkpoint is in clear on the host";
}

TEST_F(HubTest, StateRolledBackBehindTheHostCheckpointIsRefused) {
  fs::path state = dir_.path() / "hub" / "state";
  fs::copy(state, dir_.path() / "backup", fs::copy_options::recursive);
  {
    ASSERT_OK_AND_ASSIGN(auto hub, Open());
    ASSERT_OK_AND_ASSIGN(auto db, OpenCatalogDatabase(*hub));
    for (int i = 0; i < 3; ++i)
      ASSERT_OK(sql::RunLoggedQuery(hub->audit(), operator_, *db, "SELECT 1", std::nullopt).status());
  }
  fs::remove_all(state);
  fs::copy(dir_.path() / "backup", state, fs::copy_options::recursive);
  EXPECT_THAT(Open(), StatusIs(StatusCode::kDataLoss, HasSubstr("rolled back")));
}

TEST_F(HubTest, RefusedQueryIsLoggedAsDeniedWithTheTextHashOnly) {
  ASSERT_OK_AND_ASSIGN(auto hub, Open());
  ASSERT_OK_AND_ASSIGN(auto db, OpenCatalogDatabase(*hub));
  std::string sql = "SELECT * FROM read_csv('/etc/passwd')";
  EXPECT_THAT(sql::RunLoggedQuery(hub->audit(), operator_, *db, sql, std::nullopt),
              StatusIs(StatusCode::kPermissionDenied));
  audit::Entry e = Last(*hub);
  EXPECT_EQ(e.event.action, "query.run");
  EXPECT_EQ(e.event.outcome, audit::Outcome::kDenied);
  EXPECT_TRUE(e.text_sha256.has_value());
  EXPECT_EQ(hub->audit().ReadEntry(hub->audit().Size() - 1)->find("passwd"), std::string::npos);
}

TEST_F(HubTest, QueryFailsWhenItCannotBeLogged) {
  ASSERT_OK_AND_ASSIGN(auto hub, Open());
  ASSERT_OK_AND_ASSIGN(auto db, OpenCatalogDatabase(*hub));
  audit::MemoryAuditLog log(&clock_);
  log.SetFailureForTest(UnavailableError("log disk gone"));
  EXPECT_THAT(sql::RunLoggedQuery(log, operator_, *db, "SELECT 42", std::nullopt), StatusIs(StatusCode::kUnavailable));
  log.SetFailureForTest(OkStatus());
  ASSERT_OK_AND_ASSIGN(sql::QueryResult r, sql::RunLoggedQuery(log, operator_, *db, "SELECT 42", "P1"));
  EXPECT_EQ(r.rows[0][0], "42");
  audit::Entry e = audit::DecodeEntry(log.ReadEntry(0).value()).value();
  EXPECT_EQ(e.event.project, "P1");
  EXPECT_EQ(e.event.details["rows"], 1);
}

}  // namespace
}  // namespace hdhub::hub

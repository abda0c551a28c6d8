#include "hdhub/hub/hub.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "hdhub/audit/checkpoint.h"
#include "hdhub/audit/note.h"
#include "hdhub/common/file.h"
#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"
#include "hdhub/hub/audit_key.h"
#include "hdhub/hub/hub_config.h"
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

// Every file under `dir` whose bytes contain `needle`.
std::vector<std::string> FilesHolding(const fs::path& dir, std::string_view needle) {
  std::vector<std::string> found;
  for (const auto& f : fs::recursive_directory_iterator(dir)) {
    if (!f.is_regular_file()) continue;
    std::string bytes = ReadFile(f.path().string()).value();
    if (bytes.find(needle) != std::string::npos) found.push_back(f.path().string());
  }
  return found;
}

TEST_F(HubTest, ClearSigningKeyOfAnOlderHubIsWrappedAtTheNextOpenAndThenRefused) {
  const fs::path hub_dir = dir_.path() / "hub";
  // Make the hub look like one made before the key was wrapped.
  ASSERT_OK_AND_ASSIGN(Config config, ReadConfig(hub_dir));
  ASSERT_OK_AND_ASSIGN(auto keys, BuiltinBackends().key_stores(passphrase_).Open(config.keys));
  ASSERT_OK_AND_ASSIGN(LoadedAuditKey key, LoadAuditKey(*keys, hub_dir.string(), true));
  EXPECT_FALSE(key.in_clear);
  ASSERT_OK(audit::WriteSignerKeyFile(AuditKeyPath(hub_dir.string()), *key.signer));
  config.audit_key_wrapped = false;
  ASSERT_OK(WriteConfigAtomically(hub_dir, config));
  const std::string clear_file = ReadFile(AuditKeyPath(hub_dir.string())).value();
  const SecretBytes seed = key.signer->InsecureExportSeedForWrapping();
  const std::string seed_text = audit::Base64Encode(seed.span());
  const std::string raw_seed(seed.span().begin(), seed.span().end());
  {
    ASSERT_OK_AND_ASSIGN(auto hub, Open());
    bool logged = false;
    for (uint64_t i = 0; i < hub->audit().Size(); ++i) {
      logged |= audit::DecodeEntry(hub->audit().ReadEntry(i).value()).value().event.action == "audit.key_wrap";
    }
    EXPECT_TRUE(logged);
  }
  EXPECT_THAT(FilesHolding(hub_dir / "state", "PRIVATE+KEY+"), ::testing::IsEmpty());
  EXPECT_THAT(FilesHolding(hub_dir / "state", raw_seed), ::testing::IsEmpty());
  ASSERT_OK_AND_ASSIGN(config, ReadConfig(hub_dir));
  EXPECT_TRUE(config.audit_key_wrapped);
  ASSERT_OK(Open().status());
  // Someone with state/ alone puts a clear key back: refused, whatever it is.
  ASSERT_OK(WriteFileAtomically(AuditKeyPath(hub_dir.string()), AsBytes(clear_file), 0600));
  EXPECT_THAT(Open(), StatusIs(StatusCode::kDataLoss, HasSubstr("in clear")));
}

TEST_F(HubTest, NewHubKeepsItsSigningKeyWrapped) {
  const fs::path hub_dir = dir_.path() / "hub";
  ASSERT_OK_AND_ASSIGN(Config config, ReadConfig(hub_dir));
  EXPECT_TRUE(config.audit_key_wrapped);
  ASSERT_OK_AND_ASSIGN(auto keys, BuiltinBackends().key_stores(passphrase_).Open(config.keys));
  ASSERT_OK_AND_ASSIGN(LoadedAuditKey key, LoadAuditKey(*keys, hub_dir.string(), true));
  const SecretBytes seed = key.signer->InsecureExportSeedForWrapping();
  EXPECT_THAT(FilesHolding(hub_dir, std::string(seed.span().begin(), seed.span().end())), ::testing::IsEmpty());
  EXPECT_THAT(FilesHolding(hub_dir, audit::Base64Encode(seed.span())), ::testing::IsEmpty());
  EXPECT_THAT(FilesHolding(hub_dir, "PRIVATE+KEY+"), ::testing::IsEmpty());
}

std::string MacOf(keys::KeyStore& keys, std::string_view purpose) {
  auto hmac = keys.HmacFor(purpose).value();
  crypto::Digest d = hmac->Compute(AsBytes("185077512345678"));
  return HexEncode(ByteSpan(d.data(), d.size()));
}

int CountEvents(Hub& hub, std::string_view action) {
  int n = 0;
  for (uint64_t i = 0; i < hub.audit().Size(); ++i) {
    n += audit::DecodeEntry(hub.audit().ReadEntry(i).value()).value().event.action == action;
  }
  return n;
}

TEST_F(HubTest, NewHubsPurposeKeysAreRandomAndKeptWrappedInItsRing) {
  const fs::path hub_dir = dir_.path() / "hub";
  ASSERT_OK_AND_ASSIGN(Config config, ReadConfig(hub_dir));
  EXPECT_TRUE(config.purpose_keys_in_ring);
  ASSERT_OK_AND_ASSIGN(auto kek, BuiltinBackends().key_stores(passphrase_).Open(config.keys));
  ASSERT_OK_AND_ASSIGN(keys::KeyRing ring, keys::KeyRing::Read(*kek, (hub_dir / "state" / "keyring").string()));
  ASSERT_OK_AND_ASSIGN(auto hub, Open());
  auto keys = hub->KeysFor(operator_);
  for (const std::string& purpose : HubPurposes()) {
    ASSERT_NE(ring.Find(purpose), nullptr) << purpose;
    EXPECT_EQ(ring.Find(purpose)->origin, keys::kOriginRandom);
    // The hub's keys are the ring's, not derivations of the KEK.
    EXPECT_NE(MacOf(*keys, purpose), MacOf(*kek, purpose)) << purpose;
    EXPECT_THAT(FilesHolding(hub_dir, HexEncode(ring.Find(purpose)->key.span())), ::testing::IsEmpty());
  }
  EXPECT_THAT(keys->HmacFor("anything/else"), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(keys->DerivedPurposeKey(kObjectNamesPurpose), StatusIs(StatusCode::kUnimplemented));
}

TEST_F(HubTest, AHubWithoutItsRingIsRefusedAndLeftAsItWas) {
  const fs::path hub_dir = dir_.path() / "hub";
  { ASSERT_OK(Open().status()); }
  const fs::path ring = hub_dir / "state" / "keyring";
  const std::string good = ReadFile(ring.string()).value();
  fs::remove(ring);
  const std::string log_before = ReadFile((hub_dir / "state" / "audit" / "checkpoint").string()).value();
  EXPECT_THAT(Open(), StatusIs(StatusCode::kDataLoss, HasSubstr("keyring is missing")));
  EXPECT_EQ(ReadFile((hub_dir / "state" / "audit" / "checkpoint").string()).value(), log_before);
  EXPECT_FALSE(fs::exists(ring));
  // Nor with hub.json's mark removed as well: the keys would not be the hub's.
  ASSERT_OK_AND_ASSIGN(Config config, ReadConfig(hub_dir));
  config.purpose_keys_in_ring = false;
  ASSERT_OK(WriteConfigAtomically(hub_dir, config));
  EXPECT_FALSE(Open().ok());
  EXPECT_FALSE(fs::exists(ring));
  // Put back, it opens again, and hub.json says so again.
  ASSERT_OK(WriteFileAtomically(ring.string(), AsBytes(good), 0600));
  ASSERT_OK(Open().status());
  EXPECT_TRUE(ReadConfig(hub_dir).value().purpose_keys_in_ring);
}

TEST_F(HubTest, AnOlderHubsDerivedKeysMoveIntoItsRingUnchanged) {
  const fs::path hub_dir = dir_.path() / "older";
  ASSERT_OK(Hub::Init(BuiltinBackends(), hub_dir, passphrase_,
                      {.fast_key_derivation_for_test = true, .derived_purpose_keys_for_test = true}, First()));
  // Init's own open moved the derived keys into a ring; take it away again so
  // the directory is what an older hdhub left.
  ASSERT_OK_AND_ASSIGN(Config config, ReadConfig(hub_dir));
  ASSERT_TRUE(config.purpose_keys_in_ring);
  config.purpose_keys_in_ring = false;
  ASSERT_OK(WriteConfigAtomically(hub_dir, config));
  ASSERT_TRUE(fs::remove(hub_dir / "state" / "keyring"));
  // Its stage-2 pseudonym of one input, and an object it wrote under its
  // derived object names.
  ASSERT_OK_AND_ASSIGN(auto kek, BuiltinBackends().key_stores(passphrase_).Open(config.keys));
  const std::string stage2_before = MacOf(*kek, "pseudonym/stage2");
  ASSERT_OK_AND_ASSIGN(SecretBytes dek, keys::NewDataKey());
  ASSERT_OK_AND_ASSIGN(auto host, BuiltinBackends().hosts.Open(config.host));
  std::string object;
  {
    storage::SealedStore older(host.get(), kek->HmacFor(kObjectNamesPurpose).value());
    ASSERT_OK(older.Put("dataset/X/v1/part-0", dek, AsBytes("rows")).status());
    object = older.ObjectNameFor("dataset/X/v1/part-0");
  }
  int migrations = 0;
  {
    ASSERT_OK_AND_ASSIGN(auto hub, Hub::Open(BuiltinBackends(), hub_dir, passphrase_, &clock_));
    migrations = CountEvents(*hub, "keys.ring_migrate");
    EXPECT_GE(migrations, 1);
  }
  ASSERT_OK_AND_ASSIGN(config, ReadConfig(hub_dir));
  EXPECT_TRUE(config.purpose_keys_in_ring);
  ASSERT_OK_AND_ASSIGN(keys::KeyRing ring, keys::KeyRing::Read(*kek, (hub_dir / "state" / "keyring").string()));
  EXPECT_EQ(ring.Find("pseudonym/stage2")->origin, keys::kOriginKekDerived);
  ASSERT_OK_AND_ASSIGN(auto hub, Hub::Open(BuiltinBackends(), hub_dir, passphrase_, &clock_));
  EXPECT_EQ(CountEvents(*hub, "keys.ring_migrate"), migrations) << "migrated once only";
  auto keys = hub->KeysFor(operator_);
  EXPECT_EQ(MacOf(*keys, "pseudonym/stage2"), stage2_before);
  EXPECT_EQ(hub->sealed().ObjectNameFor("dataset/X/v1/part-0"), object);
  ASSERT_OK_AND_ASSIGN(Bytes back, hub->sealed().Get("dataset/X/v1/part-0", dek));
  EXPECT_EQ(std::string(back.begin(), back.end()), "rows");
}

TEST_F(HubTest, TwoCustodiansContributionsMakeTheStage2KeyAndAreNamedInTheLog) {
  const fs::path hub_dir = dir_.path() / "custodians";
  InitOptions options{.fast_key_derivation_for_test = true};
  options.stage2_contributions.push_back(keys::CustodianContribution::New().value());
  options.stage2_contributions.push_back(keys::CustodianContribution::New().value());
  const std::string a = options.stage2_contributions[0].fingerprint;
  const std::string b = options.stage2_contributions[1].fingerprint;
  ASSERT_OK(Hub::Init(BuiltinBackends(), hub_dir, passphrase_, options, First()));
  ASSERT_OK_AND_ASSIGN(auto kek, BuiltinBackends().key_stores(passphrase_).Open(ReadConfig(hub_dir).value().keys));
  ASSERT_OK_AND_ASSIGN(keys::KeyRing ring, keys::KeyRing::Read(*kek, (hub_dir / "state" / "keyring").string()));
  EXPECT_THAT(ring.Find("pseudonym/stage2")->origin, HasSubstr(a));
  EXPECT_THAT(ring.Find("pseudonym/stage2")->origin, HasSubstr(b));
  ASSERT_OK_AND_ASSIGN(keys::KeyRing remade,
                       keys::KeyRing::New(HubPurposes(), "pseudonym/stage2", options.stage2_contributions));
  EXPECT_TRUE(ring.Find("pseudonym/stage2")->key.Equals(remade.Find("pseudonym/stage2")->key));
  ASSERT_OK_AND_ASSIGN(auto hub, Hub::Open(BuiltinBackends(), hub_dir, passphrase_, &clock_));
  bool named = false;
  for (uint64_t i = 0; i < hub->audit().Size(); ++i) {
    audit::Entry e = audit::DecodeEntry(hub->audit().ReadEntry(i).value()).value();
    if (e.event.action != "hub.init") continue;
    named = e.event.details["stage2_key"] == "custodians" &&
            e.event.details["stage2_custodians"] == nlohmann::json::array({a, b});
  }
  EXPECT_TRUE(named);
  // One contribution alone, or the same twice, makes no hub.
  InitOptions one{.fast_key_derivation_for_test = true};
  one.stage2_contributions.push_back(keys::CustodianContribution::New().value());
  EXPECT_THAT(Hub::Init(BuiltinBackends(), dir_.path() / "one", passphrase_, one, First()),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_FALSE(fs::exists(dir_.path() / "one" / "hub.json"));
  EXPECT_FALSE(fs::exists(dir_.path() / "one" / "state"));
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

// A hub made before the host registry: its next open registers its local
// host, visibly (host.register by the hub), and allows it as a local host.
TEST_F(HubTest, AnOlderHubRegistersItsLocalHostAtTheNextOpen) {
  {
    std::shared_ptr<catalog::SqliteCipher> cipher;
    {
      ASSERT_OK_AND_ASSIGN(auto hub, Open());
      cipher = hub->state_cipher();
    }
    ASSERT_OK_AND_ASSIGN(auto db, catalog::Database::Open((dir_.path() / "hub" / "state" / "catalog.db").string(),
                                                          catalog::Database::kDefaultBusyTimeoutMs, cipher));
    ASSERT_OK(
        db->Exec("DROP TRIGGER host_no_delete; DROP TABLE host_qualification; DROP TABLE host; "
                 "DROP TABLE host_policy; DELETE FROM schema_version WHERE component = 'hosts';"));
  }
  ASSERT_OK_AND_ASSIGN(auto hub, Open());
  audit::Entry registered = Last(*hub);
  EXPECT_EQ(registered.event.action, "host.register");
  EXPECT_EQ(registered.event.actor, "hub");
  EXPECT_EQ(registered.event.details["local"], true);
  ASSERT_OK_AND_ASSIGN(hosts::PlacementDecision decision, hub->CurrentPlacement(clock_.Now()));
  EXPECT_EQ(decision.host, "local");
  EXPECT_TRUE(decision.exempted);
  const uint64_t size = hub->audit().Size();
  hub.reset();
  ASSERT_OK_AND_ASSIGN(hub, Open());
  EXPECT_NE(Last(*hub).event.action, "host.register");  // once
  EXPECT_GE(hub->audit().Size(), size);
}

TEST_F(HubTest, InitRefusesAnUndeclaredRemoteHostBeforeWritingAnything) {
  EXPECT_THAT(InitialHostSpec({}, "s3://bucket/hub", clock_.Now()),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("must be declared")));
  EXPECT_OK(InitialHostSpec({}, "file:host", clock_.Now()).status());
}

}  // namespace
}  // namespace hdhub::hub

#include "hdhub/hub/hub_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>

#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"
#include "hdhub/hub/hub.h"
#include "hdhub/sql/logged_query.h"

namespace hdhub::hub {
namespace {

namespace fs = std::filesystem;
using ::hdhub::testing::StatusIs;
using ::hdhub::testing::TempDir;
using ::testing::HasSubstr;

// Every regular file below `root` with its content.
std::map<std::string, std::string> Snapshot(const fs::path& root) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file()) files[fs::relative(entry.path(), root).string()] = ReadFile(entry.path()).value();
  }
  return files;
}

std::string Content(const fs::path& path) {
  StatusOr<std::string> text = ReadFile(path.string());
  return text.ok() ? *text : "<" + text.status().ToString() + ">";
}

class FailingSync : public FileOps {
 public:
  Status Sync(int fd, const std::string& path) override {
    ++syncs_;
    return fail_ ? UnavailableError("EIO on fsync") : FileOps::Sync(fd, path);
  }
  bool fail_ = false;
  int syncs_ = 0;
};

class HubConfigTest : public ::testing::Test {
 protected:
  fs::path HubDir(const std::string& name) const { return dir_.path() / name; }
  Status Init(const fs::path& hub) {
    return Hub::Init(BuiltinBackends(), hub, passphrase_, {.fast_key_derivation_for_test = true},
                     {operator_.id, SecretBytes(AsBytes("alice's long password"))});
  }
  StatusOr<std::unique_ptr<Hub>> Open(const fs::path& hub) {
    return Hub::Open(BuiltinBackends(), hub, passphrase_, &clock_);
  }

  TempDir dir_;
  SecretBytes passphrase_{AsBytes("correct horse battery staple")};
  FakeClock clock_{TimePoint(std::chrono::seconds(1'800'000'000))};
  audit::Actor operator_{"alice", "operator"};
};

TEST_F(HubConfigTest, InitStoresPathsRelativeToTheHubDirectory) {
  ASSERT_OK(Init(HubDir("hub")));
  const std::string text = Content(HubDir("hub") / kConfigName);
  EXPECT_THAT(text, HasSubstr("\"format\": 2"));
  EXPECT_THAT(text, HasSubstr("\"host\": \"file:host\""));
  EXPECT_THAT(text, HasSubstr("\"keys\": \"keyfile:state/hub.key\""));
  EXPECT_THAT(text, ::testing::Not(HasSubstr(dir_.path().string())));
}

TEST_F(HubConfigTest, CopiedHubWritesIntoTheCopyAndLeavesTheOriginalUntouched) {
  ASSERT_OK(Init(HubDir("original")));
  fs::copy(HubDir("original"), HubDir("copy"), fs::copy_options::recursive);
  const auto before = Snapshot(HubDir("original"));

  ASSERT_OK_AND_ASSIGN(auto copy, Open(HubDir("copy")));
  EXPECT_THAT(copy->host().Describe(), HasSubstr(HubDir("copy").string()));
  ASSERT_OK(copy->host().Put("probe", AsBytes("written through the copy")));
  std::unique_ptr<keys::KeyStore> keys = copy->KeysFor(operator_);
  ASSERT_OK_AND_ASSIGN(auto db, copy->OpenCatalogDatabase(*keys));
  ASSERT_OK(sql::RunLoggedQuery(copy->audit(), operator_, *db, "SELECT 1", std::nullopt).status());  // log, checkpoint
  db.reset();
  copy.reset();

  EXPECT_EQ(Snapshot(HubDir("original")), before);
  EXPECT_TRUE(fs::exists(HubDir("copy") / "host" / "probe"));
  ASSERT_OK(Open(HubDir("original")).status());  // its log still matches its host's checkpoint
}

TEST_F(HubConfigTest, FormatOneWithAbsolutePathsStillOpens) {
  ASSERT_OK(Init(HubDir("hub")));
  const fs::path abs = fs::absolute(HubDir("hub"));
  ASSERT_OK(WriteFileAtomically((HubDir("hub") / kConfigName).string(),
                                AsBytes("{\"format\": 1, \"host\": \"file://" + (abs / "host").string() +
                                        "\", \"keys\": \"keyfile:" + (abs / "state/hub.key").string() + "\"}\n"),
                                0644));
  ASSERT_OK_AND_ASSIGN(Config config, ReadConfig(HubDir("hub")));
  EXPECT_EQ(config.host, "file://" + (abs / "host").string());
  EXPECT_EQ(config.keys, "keyfile:" + (abs / "state/hub.key").string());
  ASSERT_OK(Open(HubDir("hub")).status());
}

TEST_F(HubConfigTest, ReadResolvesAgainstTheHubDirectoryNotTheWorkingDirectory) {
  ASSERT_OK(Init(HubDir("hub")));
  ASSERT_OK_AND_ASSIGN(Config config, ReadConfig(HubDir("hub")));
  const fs::path abs = fs::absolute(HubDir("hub"));
  EXPECT_EQ(config.host, "file://" + (abs / "host").string());
  EXPECT_EQ(config.keys, "keyfile:" + (abs / "state" / "hub.key").string());
}

TEST_F(HubConfigTest, WitnessesAndTheWrappedKeyMarkSurviveARewrite) {
  ASSERT_OK(Init(HubDir("hub")));
  ASSERT_OK_AND_ASSIGN(Config config, ReadConfig(HubDir("hub")));
  EXPECT_TRUE(config.audit_key_wrapped);
  const fs::path abs = fs::absolute(HubDir("hub"));
  config.witnesses = {{"w1+01234567+AQ", (abs / "witness" / "w1.cosigned").string()}, {"w2+89abcdef+AQ", "/srv/w2"}};
  ASSERT_OK(WriteConfigAtomically(HubDir("hub"), config));
  const std::string text = Content(HubDir("hub") / kConfigName);
  EXPECT_THAT(text, HasSubstr("\"checkpoint\": \"witness/w1.cosigned\""));
  EXPECT_THAT(text, HasSubstr("\"audit_key\": \"key-store\""));
  ASSERT_OK_AND_ASSIGN(Config again, ReadConfig(HubDir("hub")));
  ASSERT_EQ(again.witnesses.size(), 2u);
  EXPECT_EQ(again.witnesses[0].checkpoint, (abs / "witness" / "w1.cosigned").string());
  EXPECT_EQ(again.witnesses[1].key, "w2+89abcdef+AQ");
  EXPECT_EQ(again.witnesses[1].checkpoint, "/srv/w2");
  EXPECT_TRUE(again.audit_key_wrapped);
}

TEST_F(HubConfigTest, AHubNamingAPkcs11KeyStoreOpensItThroughTheBuiltinBackends) {
  ASSERT_OK(Init(HubDir("hub")));
  ASSERT_OK_AND_ASSIGN(Config config, ReadConfig(HubDir("hub")));
  config.keys = "pkcs11:token=hdhub;object=hdhub-kek?module-path=/nonexistent/libpkcs11.so";
  ASSERT_OK(WriteConfigAtomically(HubDir("hub"), config));
  EXPECT_THAT(Content(HubDir("hub") / kConfigName), HasSubstr("\"keys\": \"" + config.keys + "\""));
  // The scheme is known (an unknown one is InvalidArgument): the store looks for its module.
  EXPECT_THAT(Open(HubDir("hub")),
              StatusIs(StatusCode::kNotFound, HasSubstr("PKCS#11 module /nonexistent/libpkcs11.so not found")));
}

TEST_F(HubConfigTest, BadFilesAreRefusedWithTheirCode) {
  EXPECT_THAT(ReadConfig(HubDir("none")), StatusIs(StatusCode::kNotFound, HasSubstr("hdhub init")));
  fs::create_directories(HubDir("bad"));
  const std::string path = (HubDir("bad") / kConfigName).string();
  ASSERT_OK(WriteFileAtomically(path, AsBytes("{\"format\": 3, \"host\": \"memory:\", \"keys\": \"memory:\"}"), 0644));
  EXPECT_THAT(ReadConfig(HubDir("bad")), StatusIs(StatusCode::kFailedPrecondition, HasSubstr("format 3")));
  ASSERT_OK(WriteFileAtomically(path, AsBytes("{\"format\": 2, \"host\": \"memory:\"}"), 0644));
  EXPECT_THAT(ReadConfig(HubDir("bad")), StatusIs(StatusCode::kDataLoss, HasSubstr("\"keys\"")));
  ASSERT_OK(WriteFileAtomically(path, AsBytes("[1, 2"), 0644));
  EXPECT_THAT(ReadConfig(HubDir("bad")), StatusIs(StatusCode::kDataLoss));
  const std::string base = "{\"format\": 2, \"host\": \"memory:\", \"keys\": \"memory:\", ";
  ASSERT_OK(WriteFileAtomically(path, AsBytes(base + "\"audit_key\": \"clear\"}"), 0644));
  EXPECT_THAT(ReadConfig(HubDir("bad")), StatusIs(StatusCode::kDataLoss, HasSubstr("audit_key")));
  ASSERT_OK(WriteFileAtomically(path, AsBytes(base + "\"witnesses\": [{\"key\": \"w\"}]}"), 0644));
  EXPECT_THAT(ReadConfig(HubDir("bad")), StatusIs(StatusCode::kDataLoss, HasSubstr("witness")));
}

TEST_F(HubConfigTest, WriteIsDurableAndAFailedFsyncLeavesTheOldFile) {
  fs::create_directories(HubDir("hub"));
  FailingSync ops;
  ASSERT_OK(WriteConfigAtomically(HubDir("hub"), {"memory:", "memory:"}, &ops));
  EXPECT_EQ(ops.syncs_, 2) << "the file, then its folder";
  const std::string old = Content(HubDir("hub") / kConfigName);

  ops.fail_ = true;
  EXPECT_THAT(WriteConfigAtomically(HubDir("hub"), {"file:///elsewhere/host", "memory:"}, &ops),
              StatusIs(StatusCode::kUnavailable));
  EXPECT_EQ(Content(HubDir("hub") / kConfigName), old);
  EXPECT_EQ(Snapshot(HubDir("hub")).size(), 1u) << "no temporary file left";
}

TEST(HubRelativeUriTest, OnlyLocalPathsInsideTheHubBecomeRelative) {
  const fs::path hub = "/srv/hub";
  EXPECT_EQ(HubRelativeUri("file:///srv/hub/host", hub), "file:host");
  EXPECT_EQ(HubRelativeUri("keyfile:/srv/hub/state/hub.key", hub), "keyfile:state/hub.key");
  EXPECT_EQ(HubRelativeUri("file:///srv/hub-other/host", hub), "file:///srv/hub-other/host");
  EXPECT_EQ(HubRelativeUri("file:///srv/hub/../elsewhere", hub), "file:///srv/hub/../elsewhere");
  EXPECT_EQ(HubRelativeUri("file:///srv/hub", hub), "file:///srv/hub");
  EXPECT_EQ(HubRelativeUri("memory:", hub), "memory:");
  EXPECT_EQ(HubRelativeUri("pkcs11:token=t;object=o?module-path=/srv/hub/p11.so", hub),
            "pkcs11:token=t;object=o?module-path=/srv/hub/p11.so");
  EXPECT_EQ(HubRelativeUri("s3://bucket/srv/hub/x", hub), "s3://bucket/srv/hub/x");
}

TEST(HubRelativeUriTest, ResolveIsTheInverseAndKeepsAbsoluteUris) {
  const fs::path hub = "/srv/hub/";
  for (std::string uri : {"file:///srv/hub/host", "keyfile:/srv/hub/state/hub.key", "file:///other/host", "memory:"}) {
    EXPECT_EQ(ResolveHubUri(HubRelativeUri(uri, hub), hub), uri);
  }
  EXPECT_EQ(ResolveHubUri("file:host", hub), "file:///srv/hub/host");
  EXPECT_EQ(ResolveHubUri("keyfile:state/hub.key", "/srv/hub"), "keyfile:/srv/hub/state/hub.key");
  EXPECT_EQ(ResolveHubUri("pkcs11:token=t;object=o?module-path=/m.so", hub),
            "pkcs11:token=t;object=o?module-path=/m.so");
}

}  // namespace
}  // namespace hdhub::hub

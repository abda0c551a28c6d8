// KEK rotation (Hub::RotateKek, kek_rotation.cc) stopped at its last steps
// and resumed: the old key file is destroyed by its path even when a stopped
// destruction left random bytes in it, and a rotation resumed after the
// switch opens with the new KEK alone.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"
#include "hdhub/crypto/random.h"
#include "hdhub/hub/hub.h"
#include "hdhub/hub/hub_config.h"
#include "hub_test_util.h"

namespace hdhub::hub {
namespace {

namespace fs = std::filesystem;
using ::hdhub::testing::StatusIs;

class KekRotationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(Hub::Init(BuiltinBackends(), hub_dir(), passphrase_, {.fast_key_derivation_for_test = true},
                        {"tester", SecretBytes(AsBytes("the tester's long password"))}));
    ASSERT_OK_AND_ASSIGN(auto hub, Open());
    testing_util::IngestSynthetic(*hub, {"IR_BEN_R"});
  }
  fs::path hub_dir() const { return dir_.path() / "hub"; }
  StatusOr<std::unique_ptr<Hub>> Open(bool exclusive = false) {
    return Hub::Open(BuiltinBackends(), hub_dir(), passphrase_, &clock_, {}, {.exclusive = exclusive});
  }

  testing::TempDir dir_;
  SecretBytes passphrase_{AsBytes("rotate me, amber finch")};
  FakeClock clock_{TimePoint(std::chrono::seconds(1'800'000'000))};
};

TEST_F(KekRotationTest, ADestructionStoppedMidwayIsFinishedByTheNextCall) {
  const fs::path old_key = hub_dir() / "state" / "hub.key";
  {
    ASSERT_OK_AND_ASSIGN(auto hub, Open(/*exclusive=*/true));
    // Stopped once hub.json names the new KEK, before the old one goes.
    auto stop = [](std::string_view step) {
      return step == "switch" ? UnavailableError("stopped for the test") : OkStatus();
    };
    EXPECT_THAT(hub->RotateKek(BuiltinBackends(), passphrase_, "", {}, stop), StatusIs(StatusCode::kUnavailable));
  }
  ASSERT_TRUE(fs::exists(old_key));
  ASSERT_OK_AND_ASSIGN(Config config, ReadConfig(hub_dir()));
  ASSERT_NE(config.keys.find("hub-2.key"), std::string::npos) << config.keys;
  // A destruction stopped after overwriting the file, before removing it:
  // random bytes, which no key store opens any more.
  {
    ASSERT_OK_AND_ASSIGN(Bytes noise, crypto::RandomBytes(fs::file_size(old_key)));
    std::ofstream(old_key, std::ios::binary | std::ios::trunc)
        .write(reinterpret_cast<const char*>(noise.data()), static_cast<std::streamsize>(noise.size()));
  }
  EXPECT_THAT(Open(), StatusIs(StatusCode::kFailedPrecondition));  // a rotation is under way
  {
    ASSERT_OK_AND_ASSIGN(auto hub, Open(/*exclusive=*/true));
    ASSERT_OK_AND_ASSIGN(KekRotation done, hub->RotateKek(BuiltinBackends(), passphrase_, "", {}, nullptr));
    EXPECT_TRUE(done.resumed);
    EXPECT_TRUE(done.old_destroyed);
  }
  EXPECT_FALSE(fs::exists(old_key));
  EXPECT_FALSE(fs::exists(hub_dir() / "state" / "kek-rotation"));
  ASSERT_OK_AND_ASSIGN(auto hub, Open());
  EXPECT_GT(testing_util::CountRows(*hub), 0);
}

// A component above the hub (the airlock) hands its wrapped keys to the
// rotation as a step of its own, after the projects' and before the switch;
// they unwrap under the new KEK alone afterwards.
TEST_F(KekRotationTest, KeysOfAComponentAboveTheHubAreRewrappedInTheirOwnStep) {
  const audit::Actor actor{"tester", "operator"};
  ASSERT_OK_AND_ASSIGN(Bytes raw, crypto::RandomBytes(32));
  const SecretBytes key(raw);
  const std::string context = "exports/diab/diab-e1";
  Bytes wrapped;
  std::vector<std::string> steps;
  {
    ASSERT_OK_AND_ASSIGN(auto hub, Open(/*exclusive=*/true));
    ASSERT_OK_AND_ASSIGN(wrapped, hub->KeysFor(actor)->WrapKey(key, context));
    const Bytes before = wrapped;
    KeyRewrapStep more{"exports", [&](const KeyRewrapFn& rewrap) -> StatusOr<size_t> {
                         ASSIGN_OR_RETURN(wrapped, rewrap(context, wrapped));
                         return size_t{1};
                       }};
    auto record = [&](std::string_view step) {
      steps.emplace_back(step);
      return OkStatus();
    };
    ASSERT_OK_AND_ASSIGN(KekRotation done, hub->RotateKek(BuiltinBackends(), passphrase_, "", {more}, record));
    EXPECT_TRUE(done.old_destroyed);
    EXPECT_NE(wrapped, before);
  }
  EXPECT_THAT(steps, ::testing::IsSupersetOf({"projects", "exports", "switch"}));
  const auto at = [&](const std::string& name) { return std::find(steps.begin(), steps.end(), name) - steps.begin(); };
  EXPECT_LT(at("projects"), at("exports"));
  EXPECT_LT(at("exports"), at("switch"));
  ASSERT_OK_AND_ASSIGN(auto hub, Open());
  ASSERT_OK_AND_ASSIGN(SecretBytes back, hub->KeysFor(actor)->UnwrapKey(wrapped, context));
  EXPECT_TRUE(back.Equals(key));
}

}  // namespace
}  // namespace hdhub::hub

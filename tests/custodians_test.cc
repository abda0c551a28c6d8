// The stage-2 key in escrow with a new pair of custodians (Hub::
// MakeStageTwoEscrow, hdhub init --stage2-escrow): the key, so every
// pseudonym, stays as it is; a hub rebuilt from the new pair's contributions
// and the record has the very same key; the wrong pair, or an altered
// record, rebuilds nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "hdhub/common/file.h"
#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"
#include "hdhub/hub/hub.h"
#include "hub_test_util.h"

namespace hdhub::hub {
namespace {

namespace fs = std::filesystem;
using ::hdhub::testing::StatusIs;
using ::testing::HasSubstr;

keys::CustodianContribution Copy(const keys::CustodianContribution& c) { return {c.bytes.Clone(), c.fingerprint}; }

std::vector<keys::CustodianContribution> Pair(const keys::CustodianContribution& a,
                                              const keys::CustodianContribution& b) {
  std::vector<keys::CustodianContribution> pair;
  pair.push_back(Copy(a));
  pair.push_back(Copy(b));
  return pair;
}

class CustodiansTest : public ::testing::Test {
 protected:
  Status Init(const fs::path& dir, std::vector<keys::CustodianContribution> pair,
              std::optional<keys::Stage2Escrow> escrow = std::nullopt) {
    return Hub::Init(BuiltinBackends(), dir, passphrase_,
                     {.fast_key_derivation_for_test = true,
                      .stage2_contributions = std::move(pair),
                      .stage2_escrow = std::move(escrow)},
                     {"olga", SecretBytes(AsBytes("olga's long enough password"))});
  }
  StatusOr<std::unique_ptr<Hub>> Open(const fs::path& dir) {
    return Hub::Open(BuiltinBackends(), dir, passphrase_, &clock_);
  }
  // What the stage-2 key makes of one input: equal outputs, equal keys.
  static std::string StageTwo(Hub& hub) {
    auto keys = hub.KeysFor(audit::Actor{"olga", "operator"});
    auto mac = keys->HmacFor(ingest::kStageTwoPurpose);
    EXPECT_OK(mac.status());
    if (!mac.ok()) return "";
    const crypto::Digest d = (*mac)->Compute(AsBytes("a person's stage-1 pseudonym"));
    return HexEncode(ByteSpan(d.data(), d.size()));
  }
  fs::path first() const { return dir_.path() / "first"; }
  fs::path rebuilt() const { return dir_.path() / "rebuilt"; }

  keys::CustodianContribution a_ = keys::CustodianContribution::New().value();
  keys::CustodianContribution b_ = keys::CustodianContribution::New().value();
  keys::CustodianContribution c_ = keys::CustodianContribution::New().value();
  testing::TempDir dir_;
  SecretBytes passphrase_{AsBytes("custodians, amber heron")};
  FakeClock clock_{TimePoint(std::chrono::seconds(1'800'000'000))};
};

TEST_F(CustodiansTest, ANewPairKeepsTheKeyAndRebuildsItWithTheRecord) {
  ASSERT_OK(Init(first(), Pair(a_, b_)));
  std::string before;
  keys::Stage2Escrow escrow;
  {
    ASSERT_OK_AND_ASSIGN(auto hub, Open(first()));
    before = StageTwo(*hub);
    EXPECT_THAT(hub->StageTwoCustodians(), ::hdhub::testing::IsOkAndHolds(keys::CustodianPair(Pair(a_, b_)).value()));
    ASSERT_OK_AND_ASSIGN(escrow, hub->MakeStageTwoEscrow(Pair(c_, b_)));
    ASSERT_OK(hub->KeepStageTwoEscrow(escrow));
    EXPECT_EQ(StageTwo(*hub), before);
    EXPECT_THAT(hub->StageTwoCustodians(), ::hdhub::testing::IsOkAndHolds(keys::CustodianPair(Pair(b_, c_)).value()));
  }
  ASSERT_OK_AND_ASSIGN(std::string kept, ReadFile((first() / "state" / "stage2-escrow").string()));
  EXPECT_EQ(kept, escrow.Text());
  {  // reopened: the same key
    ASSERT_OK_AND_ASSIGN(auto hub, Open(first()));
    EXPECT_EQ(StageTwo(*hub), before);
  }
  // The hub is lost; its custodians B and C and their record rebuild its key.
  ASSERT_OK(Init(rebuilt(), Pair(b_, c_), escrow));
  ASSERT_OK_AND_ASSIGN(auto hub, Open(rebuilt()));
  EXPECT_EQ(StageTwo(*hub), before);
}

TEST_F(CustodiansTest, TheWrongPairOrAnAlteredRecordRebuildsNothing) {
  ASSERT_OK(Init(first(), Pair(a_, b_)));
  keys::Stage2Escrow escrow;
  {
    ASSERT_OK_AND_ASSIGN(auto hub, Open(first()));
    ASSERT_OK_AND_ASSIGN(escrow, hub->MakeStageTwoEscrow(Pair(b_, c_)));
    ASSERT_OK(hub->KeepStageTwoEscrow(escrow));
  }
  EXPECT_THAT(Init(rebuilt(), Pair(a_, b_), escrow),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("not the pair this escrow is for")));
  EXPECT_FALSE(fs::exists(rebuilt() / "state"));
  keys::Stage2Escrow altered = escrow;
  altered.pad[0] ^= 0x80;
  EXPECT_THAT(Init(rebuilt(), Pair(b_, c_), altered),
              StatusIs(StatusCode::kDataLoss, HasSubstr("does not pass its check")));
  EXPECT_FALSE(fs::exists(rebuilt() / "state"));
  EXPECT_FALSE(fs::exists(rebuilt() / "hub.json"));
}

TEST_F(CustodiansTest, AHubWithARandomKeyGetsCustodiansToo) {
  ASSERT_OK(Init(first(), {}));
  std::string before;
  keys::Stage2Escrow escrow;
  {
    ASSERT_OK_AND_ASSIGN(auto hub, Open(first()));
    EXPECT_THAT(hub->StageTwoCustodians(), ::hdhub::testing::IsOkAndHolds(""));
    before = StageTwo(*hub);
    ASSERT_OK_AND_ASSIGN(escrow, hub->MakeStageTwoEscrow(Pair(a_, c_)));
    ASSERT_OK(hub->KeepStageTwoEscrow(escrow));
    EXPECT_EQ(escrow.origin, keys::kOriginRandom);
  }
  ASSERT_OK(Init(rebuilt(), Pair(c_, a_), escrow));
  ASSERT_OK_AND_ASSIGN(auto hub, Open(rebuilt()));
  EXPECT_EQ(StageTwo(*hub), before);
}

}  // namespace
}  // namespace hdhub::hub

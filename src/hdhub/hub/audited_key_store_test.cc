#include "hdhub/hub/audited_key_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hdhub/common/status_matchers.h"
#include "hdhub/keys/kek_operations.h"
#include "hdhub/keys/key_store_conformance.h"
#include "hdhub/keys/memory_key_store.h"

namespace hdhub::hub {
namespace {

// Every key store behaviour holds through the audited view; the log the
// views write to lives as long as the test program.
audit::AuditLog* ConformanceLog() {
  static FakeClock* clock = new FakeClock(TimePoint(std::chrono::seconds(1'800'000'000)));
  static audit::MemoryAuditLog* log = new audit::MemoryAuditLog(clock);
  return log;
}
INSTANTIATE_KEY_STORE_CONFORMANCE(AuditedOverMemory,
                                  [](const std::filesystem::path&,
                                     int kek) -> StatusOr<std::unique_ptr<keys::KeyStore>> {
                                    ASSIGN_OR_RETURN(auto inner, keys::MemoryKeyStore::CreateForTest(SecretBytes(Bytes(
                                                                     keys::kKekSize, static_cast<uint8_t>(kek)))));
                                    return std::unique_ptr<keys::KeyStore>(std::make_unique<AuditedKeyStore>(
                                        std::move(inner), ConformanceLog(), audit::Actor{"conformance", "operator"}));
                                  });

using ::hdhub::testing::StatusIs;
using ::testing::HasSubstr;

class AuditedKeyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    inner_ = keys::MemoryKeyStore::Create().value();
    store_ = std::make_unique<AuditedKeyStore>(inner_.get(), &log_, actor_);
  }
  audit::Entry Entry(uint64_t i) { return audit::DecodeEntry(log_.ReadEntry(i).value()).value(); }

  FakeClock clock_{TimePoint(std::chrono::seconds(1'800'000'000))};
  audit::MemoryAuditLog log_{&clock_};
  audit::Actor actor_{"alice", "operator"};
  std::unique_ptr<keys::KeyStore> inner_;
  std::unique_ptr<AuditedKeyStore> store_;
};

TEST_F(AuditedKeyStoreTest, WrapUnwrapAndDeriveAreLoggedWithContextNeverAKey) {
  SecretBytes dek = keys::NewDataKey().value();
  ASSERT_OK_AND_ASSIGN(Bytes wrapped, store_->WrapKey(dek, "dataset/ER_PRS_F/0123"));
  ASSERT_OK(store_->UnwrapKey(wrapped, "dataset/ER_PRS_F/0123").status());
  ASSERT_OK(store_->HmacFor("pseudonym/stage2").status());
  ASSERT_EQ(log_.Size(), 3u);
  EXPECT_EQ(Entry(0).event.action, "key.wrap");
  EXPECT_EQ(Entry(0).event.objects["key_context"], "dataset/ER_PRS_F/0123");
  EXPECT_EQ(Entry(0).event.actor, "alice");
  EXPECT_EQ(Entry(1).event.action, "key.unwrap");
  EXPECT_EQ(Entry(2).event.action, "key.derive");
  EXPECT_EQ(Entry(2).event.objects["key_purpose"], "pseudonym/stage2");
  std::string all;
  for (uint64_t i = 0; i < log_.Size(); ++i) all += log_.ReadEntry(i).value();
  EXPECT_EQ(all.find(HexEncode(dek.span())), std::string::npos);
}

TEST_F(AuditedKeyStoreTest, FailedUnwrapIsLoggedAsAnError) {
  SecretBytes dek = keys::NewDataKey().value();
  ASSERT_OK_AND_ASSIGN(Bytes wrapped, store_->WrapKey(dek, "dataset/A/1"));
  EXPECT_THAT(store_->UnwrapKey(wrapped, "dataset/B/1"), StatusIs(StatusCode::kDataLoss));
  EXPECT_EQ(Entry(1).event.outcome, audit::Outcome::kError);  // an integrity failure, not a refusal
}

TEST_F(AuditedKeyStoreTest, ContextOutsideTheAuditAlphabetIsLoggedByItsHash) {
  ASSERT_OK(store_->HmacFor("a purpose with spaces").status());
  EXPECT_EQ(Entry(0).event.objects.count("key_purpose"), 0u);
  EXPECT_EQ(Entry(0).event.objects["key_purpose_sha256"].size(), 64u);
}

TEST_F(AuditedKeyStoreTest, NoKeyIsHandedOutWhenItsUseCannotBeLogged) {
  SecretBytes dek = keys::NewDataKey().value();
  ASSERT_OK_AND_ASSIGN(Bytes wrapped, store_->WrapKey(dek, "dataset/A/1"));
  log_.SetFailureForTest(UnavailableError("log disk gone"));
  EXPECT_THAT(store_->UnwrapKey(wrapped, "dataset/A/1"), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(store_->HmacFor("object-names"), StatusIs(StatusCode::kUnavailable));
}

}  // namespace
}  // namespace hdhub::hub

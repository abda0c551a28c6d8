#include "hdhub/server/limits.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "duckdb.hpp"
#include "hdhub/common/status_matchers.h"
#include "hdhub/server/limited_engine.h"

namespace hdhub::server {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class LimiterTest : public ::testing::Test {
 protected:
  Limiter Make(LimitsConfig config) {
    return Limiter(config, &clock_, [this](const Lockout& l) { lockouts_.push_back(l); });
  }
  FakeClock clock_{FromMicros(1'800'000'000'000'000)};
  std::vector<Lockout> lockouts_;
};

TEST_F(LimiterTest, ConnectionsPerKeyUpToTheLimitThenRefusedUntilOneCloses) {
  Limiter limiter = Make({.max_connections_per_account = 2, .max_connections_per_address = 1});
  EXPECT_TRUE(limiter.AcquireConnection(LimitScope::kAccount, "rita"));
  EXPECT_TRUE(limiter.AcquireConnection(LimitScope::kAccount, "rita"));
  EXPECT_FALSE(limiter.AcquireConnection(LimitScope::kAccount, "rita"));
  EXPECT_TRUE(limiter.AcquireConnection(LimitScope::kAccount, "otto"));  // another account
  EXPECT_TRUE(limiter.AcquireConnection(LimitScope::kAddress, "rita"));  // another scope, same text
  limiter.ReleaseConnection(LimitScope::kAccount, "rita");
  EXPECT_TRUE(limiter.AcquireConnection(LimitScope::kAccount, "rita"));
  EXPECT_FALSE(limiter.AcquireConnection(LimitScope::kAddress, "rita"));
}

TEST_F(LimiterTest, ConnectionSlotReleasesOnDestruction) {
  Limiter limiter = Make({.max_connections_per_address = 1});
  {
    ASSERT_TRUE(limiter.AcquireConnection(LimitScope::kAddress, "10.0.0.1"));
    ConnectionSlot slot(&limiter, LimitScope::kAddress, "10.0.0.1");
    ConnectionSlot moved = std::move(slot);
    EXPECT_FALSE(limiter.AcquireConnection(LimitScope::kAddress, "10.0.0.1"));
  }
  EXPECT_TRUE(limiter.AcquireConnection(LimitScope::kAddress, "10.0.0.1"));
}

TEST_F(LimiterTest, ZeroMeansNoLimit) {
  Limiter limiter = Make({.max_connections_per_account = 0, .max_failed_logins = 0, .requests_per_second = 0});
  for (int i = 0; i < 1000; ++i) {
    EXPECT_TRUE(limiter.AcquireConnection(LimitScope::kAccount, "rita"));
    EXPECT_TRUE(limiter.AllowRequest(LimitScope::kAccount, "rita"));
    limiter.RecordFailedLogin("rita", "10.0.0.1");
  }
  EXPECT_FALSE(limiter.LockedOut("rita", "10.0.0.1"));
  EXPECT_TRUE(lockouts_.empty());
}

TEST_F(LimiterTest, AccountLockedOutAfterNFailuresWithinTheWindowForTheLockoutDuration) {
  Limiter limiter = Make({.max_failed_logins = 3, .failed_login_window = seconds(60), .lockout = seconds(600)});
  limiter.RecordFailedLogin("rita", "10.0.0.1");
  limiter.RecordFailedLogin("rita", "10.0.0.2");
  EXPECT_FALSE(limiter.LockedOut("rita", "10.0.0.9"));
  limiter.RecordFailedLogin("rita", "10.0.0.3");
  EXPECT_TRUE(limiter.LockedOut("rita", "10.0.0.9"));  // from any address
  EXPECT_FALSE(limiter.LockedOut("otto", "10.0.0.9"));
  ASSERT_EQ(lockouts_.size(), 1u);
  EXPECT_EQ(lockouts_[0].scope, LimitScope::kAccount);
  EXPECT_EQ(lockouts_[0].key, "rita");
  EXPECT_EQ(lockouts_[0].client_address, "10.0.0.3");
  EXPECT_EQ(lockouts_[0].failures, 3u);
  // Failures meanwhile neither extend it nor report it again; a success does not lift it.
  clock_.Advance(seconds(590));
  limiter.RecordFailedLogin("rita", "10.0.0.4");
  limiter.RecordLogin("rita");
  EXPECT_TRUE(limiter.LockedOut("rita", "10.0.0.9"));
  clock_.Advance(seconds(10));
  EXPECT_FALSE(limiter.LockedOut("rita", "10.0.0.9"));
  EXPECT_EQ(lockouts_.size(), 1u);
}

TEST_F(LimiterTest, FailuresOlderThanTheWindowDoNotCount) {
  Limiter limiter = Make({.max_failed_logins = 3, .failed_login_window = seconds(60), .lockout = seconds(600)});
  limiter.RecordFailedLogin("rita", "10.0.0.1");
  limiter.RecordFailedLogin("rita", "10.0.0.2");
  clock_.Advance(seconds(61));
  limiter.RecordFailedLogin("rita", "10.0.0.3");
  EXPECT_FALSE(limiter.LockedOut("rita", "10.0.0.9"));
  EXPECT_TRUE(lockouts_.empty());
}

TEST_F(LimiterTest, AddressLockedOutAcrossAccountsIncludingUnknownOnes) {
  Limiter limiter = Make({.max_failed_logins = 3, .failed_login_window = seconds(60), .lockout = seconds(60)});
  limiter.RecordFailedLogin("a", "10.0.0.1");
  limiter.RecordFailedLogin("b", "10.0.0.1");
  limiter.RecordFailedLogin("", "10.0.0.1");  // a bad bearer token: no account
  EXPECT_TRUE(limiter.LockedOut("c", "10.0.0.1"));
  EXPECT_TRUE(limiter.LockedOut("", "10.0.0.1"));
  EXPECT_FALSE(limiter.LockedOut("a", "10.0.0.2"));
  ASSERT_EQ(lockouts_.size(), 1u);
  EXPECT_EQ(lockouts_[0].scope, LimitScope::kAddress);
  EXPECT_EQ(lockouts_[0].key, "10.0.0.1");
}

TEST_F(LimiterTest, SuccessForgetsTheAccountsFailures) {
  Limiter limiter = Make({.max_failed_logins = 2, .failed_login_window = seconds(60), .lockout = seconds(60)});
  limiter.RecordFailedLogin("rita", "10.0.0.1");
  limiter.RecordLogin("rita");
  limiter.RecordFailedLogin("rita", "10.0.0.2");
  EXPECT_FALSE(limiter.LockedOut("rita", "10.0.0.3"));
}

TEST_F(LimiterTest, TokenBucketAllowsTheBurstThenTheRate) {
  Limiter limiter = Make({.requests_per_second = 10, .request_burst = 3});
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.AllowRequest(LimitScope::kAccount, "rita")) << i;
  EXPECT_FALSE(limiter.AllowRequest(LimitScope::kAccount, "rita"));
  EXPECT_TRUE(limiter.AllowRequest(LimitScope::kAddress, "10.0.0.1"));  // its own bucket
  clock_.Advance(milliseconds(99));
  EXPECT_FALSE(limiter.AllowRequest(LimitScope::kAccount, "rita"));
  clock_.Advance(milliseconds(1));  // 0.1 s: one token
  EXPECT_TRUE(limiter.AllowRequest(LimitScope::kAccount, "rita"));
  EXPECT_FALSE(limiter.AllowRequest(LimitScope::kAccount, "rita"));
  clock_.Advance(seconds(60));  // refilled to the burst, no more
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.AllowRequest(LimitScope::kAccount, "rita")) << i;
  EXPECT_FALSE(limiter.AllowRequest(LimitScope::kAccount, "rita"));
}

// A statement is charged once: a simple Query's at PrepareToRun (where the
// engine may start it), its first Execute free; one a client prepared at
// each Execute, its Prepare free.
TEST_F(LimiterTest, AStatementPreparedToRunIsChargedOnceAndBeforeItStarts) {
  Limiter limiter = Make({.requests_per_second = 10, .request_burst = 2});
  duckdb::DuckDB db(nullptr);
  duckdb::Connection connection(db);
  LimitedEngine engine(std::make_unique<pgwire::DuckDbEngine>(connection), &limiter, "rita", "10.0.0.1");
  for (int i = 0; i < 2; ++i) {
    ASSERT_OK_AND_ASSIGN(std::shared_ptr<pgwire::Prepared> p, engine.PrepareToRun("SELECT 1 AS one"));
    EXPECT_EQ(p->description().names, std::vector<std::string>{"one"});
    EXPECT_OK(engine.Execute(*p, {}).status()) << i;
  }
  EXPECT_THAT(engine.PrepareToRun("SELECT 1"), testing::StatusIs(StatusCode::kResourceExhausted));
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<pgwire::Prepared> described, engine.Prepare("SELECT 1"));
  EXPECT_THAT(engine.Execute(*described, {}), testing::StatusIs(StatusCode::kResourceExhausted));

  clock_.Advance(milliseconds(100));  // one token
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<pgwire::Prepared> p, engine.PrepareToRun("SELECT 1"));
  EXPECT_OK(engine.Execute(*p, {}).status());
  EXPECT_THAT(engine.Execute(*p, {}), testing::StatusIs(StatusCode::kResourceExhausted)) << "a second run is charged";
}

TEST_F(LimiterTest, AnAddressHasItsOwnRateAndDepthWhenSet) {
  Limiter limiter = Make({.requests_per_second = 10,
                          .request_burst = 2,
                          .requests_per_second_per_address = 100,
                          .request_burst_per_address = 5});
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(limiter.AllowRequest(LimitScope::kAddress, "10.0.0.1")) << i;
  EXPECT_FALSE(limiter.AllowRequest(LimitScope::kAddress, "10.0.0.1"));
  for (int i = 0; i < 2; ++i) EXPECT_TRUE(limiter.AllowRequest(LimitScope::kAccount, "rita")) << i;
  EXPECT_FALSE(limiter.AllowRequest(LimitScope::kAccount, "rita"));
  clock_.Advance(milliseconds(10));  // the address's rate: one token; the account's: a tenth
  EXPECT_TRUE(limiter.AllowRequest(LimitScope::kAddress, "10.0.0.1"));
  EXPECT_FALSE(limiter.AllowRequest(LimitScope::kAccount, "rita"));
}

TEST_F(LimiterTest, PruningKeepsLockoutsAndEmptyBuckets) {
  Limiter limiter =
      Make({.max_failed_logins = 1, .lockout = seconds(600), .requests_per_second = 1, .request_burst = 1});
  limiter.RecordFailedLogin("", "10.0.0.1");
  EXPECT_TRUE(limiter.AllowRequest(LimitScope::kAccount, "rita"));
  for (int i = 0; i < 3000; ++i) limiter.AllowRequest(LimitScope::kAddress, "10.1." + std::to_string(i));
  EXPECT_TRUE(limiter.LockedOut("", "10.0.0.1"));
  EXPECT_FALSE(limiter.AllowRequest(LimitScope::kAccount, "rita"));
}

}  // namespace
}  // namespace hdhub::server

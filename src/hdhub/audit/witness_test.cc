#include "hdhub/audit/witness.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hdhub/audit/audit_log.h"
#include "hdhub/audit/checkpoint.h"
#include "hdhub/audit/ed25519.h"
#include "hdhub/audit/test_util.h"
#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"

namespace hdhub::audit {
namespace {

using ::hdhub::audit::testing::NumberedEvent;
using ::hdhub::audit::testing::TestSigner;
using ::hdhub::testing::StatusIs;
using ::testing::HasSubstr;

class WitnessTest : public ::testing::Test {
 protected:
  WitnessTest()
      : log_key_(TestSigner()),
        log_verifier_(Ed25519Verifier::FromVerifierKey(log_key_->VerifierKey()).value()),
        witness_key_(Ed25519Signer::Generate("witness.test/w1").value()),
        log_(&clock_),
        fork_(&clock_) {}

  // Signed checkpoint of the first `size` entries of `log`.
  std::string CheckpointOf(const AuditLog& log, uint64_t size) {
    return SignCheckpoint(Checkpoint{log_key_->name(), size, log.RootHash(size).value(), {}}, *log_key_).value();
  }
  void Grow(MemoryAuditLog& log, int n, int salt = 0) {
    for (int i = 0; i < n; ++i) ASSERT_OK(log.Append(NumberedEvent(salt + i)).status());
  }
  StatusOr<std::string> Witness(const std::string& cp, std::span<const Hash> proof) {
    return WitnessCheckpoint(state_.Sub("witness"), *witness_key_, *log_verifier_, cp, proof);
  }

  FakeClock clock_{TimePoint(std::chrono::seconds(1'790'000'000))};
  ::hdhub::testing::TempDir state_;
  std::unique_ptr<Ed25519Signer> log_key_;
  std::unique_ptr<Ed25519Verifier> log_verifier_;
  std::unique_ptr<Ed25519Signer> witness_key_;
  MemoryAuditLog log_;
  MemoryAuditLog fork_;
};

TEST_F(WitnessTest, FirstCheckpointIsAcceptedAndCountersigned) {
  Grow(log_, 5);
  ASSERT_OK_AND_ASSIGN(std::string cosigned, Witness(CheckpointOf(log_, 5), {}));
  auto witness_verifier = Ed25519Verifier::FromVerifierKey(witness_key_->VerifierKey()).value();
  ASSERT_OK_AND_ASSIGN(auto by_log, OpenSignedCheckpoint(cosigned, *log_verifier_));
  ASSERT_OK_AND_ASSIGN(auto by_witness, OpenSignedCheckpoint(cosigned, *witness_verifier));
  EXPECT_EQ(by_witness.checkpoint.size, 5u);
  EXPECT_EQ(by_log.note.signatures.size(), 2u);
}

TEST_F(WitnessTest, NewerCheckpointWithValidConsistencyProofIsAccepted) {
  Grow(log_, 5);
  ASSERT_OK(Witness(CheckpointOf(log_, 5), {}).status());
  Grow(log_, 8, 100);
  auto proof = log_.ConsistencyProof(5, 13).value();
  ASSERT_OK(Witness(CheckpointOf(log_, 13), proof).status());
  ASSERT_OK_AND_ASSIGN(std::string last, LastWitnessedCheckpoint(state_.Sub("witness"), log_key_->name()));
  EXPECT_THAT(last, HasSubstr("\n13\n"));
}

TEST_F(WitnessTest, RollbackIsRefused) {
  Grow(log_, 9);
  ASSERT_OK(Witness(CheckpointOf(log_, 9), {}).status());
  EXPECT_THAT(Witness(CheckpointOf(log_, 4), {}), StatusIs(StatusCode::kFailedPrecondition, HasSubstr("rollback")));
}

TEST_F(WitnessTest, SameSizeWithAnotherRootIsAFork) {
  Grow(log_, 6);
  Grow(fork_, 6, 50);
  ASSERT_OK(Witness(CheckpointOf(log_, 6), {}).status());
  EXPECT_THAT(Witness(CheckpointOf(fork_, 6), {}), StatusIs(StatusCode::kDataLoss, HasSubstr("fork")));
}

TEST_F(WitnessTest, LargerForkWithoutAValidProofIsRefused) {
  Grow(log_, 6);
  Grow(fork_, 3);
  Grow(fork_, 7, 50);  // shares 3 entries, then diverges
  ASSERT_OK(Witness(CheckpointOf(log_, 6), {}).status());
  auto forged = fork_.ConsistencyProof(6, 10).value();  // proof within the fork's own history
  EXPECT_THAT(Witness(CheckpointOf(fork_, 10), forged), StatusIs(StatusCode::kDataLoss, HasSubstr("fork")));
  EXPECT_THAT(Witness(CheckpointOf(fork_, 10), {}), StatusIs(StatusCode::kDataLoss));
  // The refused checkpoints did not replace the accepted one.
  EXPECT_THAT(LastWitnessedCheckpoint(state_.Sub("witness"), log_key_->name()).value(), HasSubstr("\n6\n"));
}

TEST_F(WitnessTest, CheckpointNotSignedByTheLogIsRefused) {
  Grow(log_, 2);
  auto impostor = Ed25519Signer::Generate(log_key_->name()).value();
  std::string cp = SignCheckpoint(Checkpoint{log_key_->name(), 2, log_.RootHash(2).value(), {}}, *impostor).value();
  EXPECT_FALSE(Witness(cp, {}).ok());
}

}  // namespace
}  // namespace hdhub::audit

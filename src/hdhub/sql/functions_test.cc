#include "hdhub/sql/functions.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hdhub/common/bytes.h"
#include "hdhub/common/status_matchers.h"
#include "hdhub/crypto/hash.h"
#include "hdhub/storage/memory_blob_store.h"

namespace hdhub::sql {
namespace {

using ::hdhub::testing::IsOk;
using ::hdhub::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

std::unique_ptr<crypto::HmacSha256> Key(std::string_view text) {
  return crypto::HmacSha256::Create(SecretBytes(AsBytes(text))).value();
}

std::string Uuid(const std::array<uint8_t, kPseudonymBytes>& b) {
  std::string hex = HexEncode(ByteSpan(b.data(), b.size()));
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
         hex.substr(20);
}

class FunctionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sealed_ = std::make_unique<storage::SealedStore>(&host_, Key("names"));
    ASSERT_OK_AND_ASSIGN(db_, Database::Open(sealed_.get(), {.threads = 2}));
  }
  std::optional<std::string> Scalar(const std::string& sql) {
    StatusOr<QueryResult> r = db_->Query(sql);
    EXPECT_THAT(r, IsOk()) << sql;
    if (!r.ok() || r->rows.empty()) return "<none>";
    return r->rows[0][0];
  }

  storage::MemoryBlobStore host_;
  std::unique_ptr<storage::SealedStore> sealed_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<crypto::HmacSha256> k_source_ = Key("source key"), k_hub_ = Key("hub key"),
                                      k_project_ = Key("project key");
};

TEST_F(FunctionsTest, NirErrorIsNullForValidAndAReasonOtherwise) {
  ASSERT_OK(RegisterNirCheck(*db_));
  EXPECT_EQ(Scalar("SELECT hdhub_nir_error('255081416802538')"), std::nullopt);
  EXPECT_EQ(Scalar("SELECT hdhub_nir_error('255081416802539')"), "check key does not match");
  EXPECT_EQ(Scalar("SELECT hdhub_nir_error(NULL)"), std::nullopt);
}

TEST_F(FunctionsTest, StageOneMatchesTheDocumentedMessageAndRefusesBadIdentities) {
  ASSERT_OK(RegisterStageOne(*db_, k_source_.get()));
  crypto::Digest expected =
      k_source_->Compute(AsBytes("255081416802538"
                                 "19550817"
                                 "2"));
  EXPECT_EQ(Scalar("SELECT hdhub_p1('255081416802538', '1955-08-17', '2')"), HexEncode(expected));
  EXPECT_EQ(Scalar("SELECT hdhub_p1('255081416802539', '1955-08-17', '2')"), std::nullopt);
  EXPECT_EQ(Scalar("SELECT hdhub_p1('255081416802538', '17/08/1955', '2')"), std::nullopt);
  EXPECT_EQ(Scalar("SELECT hdhub_p1('255081416802538', '1955-08-17', '3')"), std::nullopt);
}

TEST_F(FunctionsTest, StageTwoAcceptsP1HexAndSndsPseudonymsOnly) {
  ASSERT_OK(RegisterStageTwo(*db_, k_hub_.get()));
  std::string p1 = StageOneHex(*k_source_, "255081416802538", "19550817", '2');
  EXPECT_EQ(Scalar("SELECT hdhub_p2('" + p1 + "')::VARCHAR"), Uuid(StageTwo(*k_hub_, p1)));
  EXPECT_EQ(Scalar("SELECT hdhub_p2('ZGgyhJhsTIquZiIjE')::VARCHAR"), Uuid(StageTwo(*k_hub_, "ZGgyhJhsTIquZiIjE")));
  EXPECT_EQ(Scalar("SELECT hdhub_p2('not a pseudonym')"), std::nullopt);
  EXPECT_EQ(Scalar("SELECT hdhub_pseudonym_ok('" + p1.substr(1) + "X')"), "false");
  EXPECT_EQ(Scalar("SELECT hdhub_pseudonym_ok('ZGgyhJhs IquZiIjE')"), "false");
  EXPECT_EQ(Scalar("SELECT hdhub_pseudonym_ok('ZGgyhJhsTIquZiIjE')"), "true");
}

TEST_F(FunctionsTest, StagesAreStableAcrossCallsAndDifferAcrossKeys) {
  std::string p1 = StageOneHex(*k_source_, "255081416802538", "19550817", '2');
  EXPECT_EQ(p1, StageOneHex(*k_source_, "255081416802538", "19550817", '2'));
  EXPECT_NE(p1, StageOneHex(*Key("another source"), "255081416802538", "19550817", '2'));
  EXPECT_NE(StageTwo(*k_hub_, p1), StageTwo(*Key("another hub"), p1));
  auto p2 = StageTwo(*k_hub_, p1);
  EXPECT_NE(StageThree(*k_project_, p2), StageThree(*Key("another project"), p2));
}

TEST_F(FunctionsTest, StageThreeRekeysAUuid) {
  ASSERT_OK(RegisterStageThree(*db_, k_project_.get()));
  std::array<uint8_t, kPseudonymBytes> p2{};
  p2[0] = 0xab;
  p2[15] = 0x01;
  EXPECT_EQ(Scalar("SELECT hdhub_p3('" + Uuid(p2) + "'::UUID)::VARCHAR"), Uuid(StageThree(*k_project_, p2)));
}

TEST_F(FunctionsTest, CodeSetsAnswerMembership) {
  std::vector<CodeSet> sets = {{"A", "B"}, {"1"}};
  ASSERT_OK(RegisterCodeSets(*db_, &sets));
  EXPECT_EQ(Scalar("SELECT hdhub_code_ok(0, 'B')"), "true");
  EXPECT_EQ(Scalar("SELECT hdhub_code_ok(1, 'B')"), "false");
  EXPECT_EQ(Scalar("SELECT hdhub_code_ok(7, 'B')"), "false");
}

TEST_F(FunctionsTest, TallyCountsOnlyTheRowsACaseBranchSelects) {
  ValueTally tally({"a", "b"}, ValueTally::Mode::kCount);
  ASSERT_OK(RegisterTally(*db_, &tally));
  EXPECT_EQ(Scalar("SELECT count(CASE WHEN i % 7 = 0 THEN CASE WHEN hdhub_invalid(1) THEN NULL END ELSE i END) "
                   "FROM range(100000) t(i)"),
            std::to_string(100000 - 14286));
  EXPECT_EQ(tally.invalid(0), 0u);
  EXPECT_EQ(tally.invalid(1), 14286u);
  EXPECT_EQ(Scalar("SELECT count(*) FROM range(1000) t(i) WHERE NOT (CASE WHEN i < 10 THEN hdhub_reject(0) "
                   "ELSE false END)"),
            "990");
  EXPECT_EQ(tally.rejected_rows(), 10u);
}

TEST_F(FunctionsTest, TallyInFailModeAbortsWithTheFieldNameAndNoValue) {
  ValueTally tally({"BEN_SEX_COD"}, ValueTally::Mode::kFail);
  ASSERT_OK(RegisterTally(*db_, &tally));
  StatusOr<QueryResult> r = db_->Query(
      "SELECT CASE WHEN v = 'secret-value' THEN CASE WHEN hdhub_invalid(0) THEN NULL END ELSE v END "
      "FROM (VALUES ('ok'), ('secret-value')) t(v)");
  EXPECT_THAT(r, StatusIs(StatusCode::kInvalidArgument, HasSubstr("BEN_SEX_COD")));
  EXPECT_THAT(r.status().message(), Not(HasSubstr("secret-value")));
}

}  // namespace
}  // namespace hdhub::sql

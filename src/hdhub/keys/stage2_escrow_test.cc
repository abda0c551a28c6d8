// The stage-2 key in escrow with a new pair of custodians: the pair and the
// record remake the key, nothing else does, and a record altered or read
// with another pair is refused, naming what is wrong and never a key.
#include "hdhub/keys/stage2_escrow.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>
#include <utility>

#include "hdhub/common/file.h"
#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"

namespace hdhub::keys {
namespace {

using ::hdhub::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

CustodianContribution NewContribution() { return CustodianContribution::New().value(); }

std::vector<CustodianContribution> Pair(const CustodianContribution& a, const CustodianContribution& b) {
  std::vector<CustodianContribution> pair;
  pair.push_back({a.bytes.Clone(), a.fingerprint});
  pair.push_back({b.bytes.Clone(), b.fingerprint});
  return pair;
}

class Stage2EscrowTest : public ::testing::Test {
 protected:
  Stage2EscrowTest() {
    // The key the hub was made with, from the first pair (hdhub init).
    KeyRing ring = KeyRing::New({"pseudonym/stage2"}, "pseudonym/stage2", Pair(a_, b_)).value();
    key_ = ring.Find("pseudonym/stage2")->key.Clone();
    origin_ = ring.Find("pseudonym/stage2")->origin;
  }
  CustodianContribution a_ = NewContribution(), b_ = NewContribution(), c_ = NewContribution();
  SecretBytes key_;
  std::string origin_;
  ::hdhub::testing::TempDir dir_;
};

TEST_F(Stage2EscrowTest, TheNewPairRemakesTheKeyInEitherOrder) {
  ASSERT_OK_AND_ASSIGN(Stage2Escrow escrow, Stage2Escrow::Make(key_, origin_, Pair(b_, c_)));
  EXPECT_EQ(escrow.origin, origin_);
  EXPECT_EQ(escrow.custodians,
            std::min(b_.fingerprint, c_.fingerprint) + "+" + std::max(b_.fingerprint, c_.fingerprint));
  ASSERT_OK_AND_ASSIGN(SecretBytes key, escrow.Recover(Pair(b_, c_)));
  EXPECT_TRUE(key.Equals(key_));
  ASSERT_OK_AND_ASSIGN(SecretBytes again, escrow.Recover(Pair(c_, b_)));
  EXPECT_TRUE(again.Equals(key_));
  EXPECT_THAT(escrow.Holds(key_), ::hdhub::testing::IsOkAndHolds(true));
}

TEST_F(Stage2EscrowTest, ThePadIsNeitherTheKeyNorTheSameForAnotherPair) {
  ASSERT_OK_AND_ASSIGN(Stage2Escrow bc, Stage2Escrow::Make(key_, origin_, Pair(b_, c_)));
  ASSERT_OK_AND_ASSIGN(Stage2Escrow ac, Stage2Escrow::Make(key_, origin_, Pair(a_, c_)));
  ASSERT_OK_AND_ASSIGN(Stage2Escrow again, Stage2Escrow::Make(key_, origin_, Pair(c_, b_)));
  EXPECT_NE(bc.pad, Bytes(key_.span().begin(), key_.span().end()));
  EXPECT_NE(bc.pad, ac.pad);
  EXPECT_EQ(bc.pad, again.pad);  // deterministic: the custodians can check each other's copy
  EXPECT_EQ(bc.check, ac.check);
  EXPECT_EQ(bc.Text().find(HexEncode(key_.span())), std::string::npos);
}

TEST_F(Stage2EscrowTest, AnotherPairIsRefusedNamingBothPairs) {
  ASSERT_OK_AND_ASSIGN(Stage2Escrow escrow, Stage2Escrow::Make(key_, origin_, Pair(b_, c_)));
  EXPECT_THAT(escrow.Recover(Pair(a_, b_)),
              StatusIs(StatusCode::kInvalidArgument, AllOf(HasSubstr(a_.fingerprint), HasSubstr(escrow.custodians))));
  EXPECT_THAT(escrow.Recover(Pair(c_, c_)), StatusIs(StatusCode::kInvalidArgument, HasSubstr("same one")));
  EXPECT_THAT(Stage2Escrow::Make(key_, origin_, Pair(b_, b_)), StatusIs(StatusCode::kInvalidArgument));
  std::vector<CustodianContribution> one;
  one.push_back({c_.bytes.Clone(), c_.fingerprint});
  EXPECT_THAT(Stage2Escrow::Make(key_, origin_, one), StatusIs(StatusCode::kInvalidArgument, HasSubstr("got 1")));
}

TEST_F(Stage2EscrowTest, AnAlteredPadOrCheckFailsTheCheck) {
  ASSERT_OK_AND_ASSIGN(Stage2Escrow escrow, Stage2Escrow::Make(key_, origin_, Pair(b_, c_)));
  Stage2Escrow pad = escrow;
  pad.pad[5] ^= 0x01;
  EXPECT_THAT(pad.Recover(Pair(b_, c_)), StatusIs(StatusCode::kDataLoss, HasSubstr("does not pass its check")));
  Stage2Escrow check = escrow;
  check.check[0] = check.check[0] == '0' ? '1' : '0';
  EXPECT_THAT(check.Recover(Pair(b_, c_)), StatusIs(StatusCode::kDataLoss));
  // Made for another key: the pair opens it, the check refuses it.
  ASSERT_OK_AND_ASSIGN(Stage2Escrow other, Stage2Escrow::Make(c_.bytes, origin_, Pair(a_, b_)));
  other.check = escrow.check;
  EXPECT_THAT(other.Recover(Pair(a_, b_)), StatusIs(StatusCode::kDataLoss));
}

TEST_F(Stage2EscrowTest, TheFileRoundTripsAndIsNotOverwrittenUnlessAsked) {
  ASSERT_OK_AND_ASSIGN(Stage2Escrow escrow, Stage2Escrow::Make(key_, origin_, Pair(b_, c_)));
  const std::string path = (dir_.path() / "stage2.escrow").string();
  ASSERT_OK(escrow.Write(path, /*overwrite=*/false));
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_OK_AND_ASSIGN(Stage2Escrow read, Stage2Escrow::Read(path));
  EXPECT_EQ(read.Text(), escrow.Text());
  ASSERT_OK_AND_ASSIGN(SecretBytes key, read.Recover(Pair(c_, b_)));
  EXPECT_TRUE(key.Equals(key_));
  ASSERT_OK_AND_ASSIGN(Stage2Escrow ac, Stage2Escrow::Make(key_, origin_, Pair(a_, c_)));
  EXPECT_THAT(ac.Write(path, false), StatusIs(StatusCode::kAlreadyExists));
  EXPECT_EQ(ReadFile(path).value(), escrow.Text());
  ASSERT_OK(ac.Write(path, /*overwrite=*/true));
  EXPECT_EQ(ReadFile(path).value(), ac.Text());
}

TEST_F(Stage2EscrowTest, AMalformedRecordIsRefusedNamingTheLine) {
  ASSERT_OK_AND_ASSIGN(Stage2Escrow escrow, Stage2Escrow::Make(key_, origin_, Pair(b_, c_)));
  const std::string good = escrow.Text();
  ASSERT_OK(Stage2Escrow::Parse(good, "f").status());
  auto replace_line = [&](int n, const std::string& with) {
    std::string text = good;
    size_t start = 0;
    for (int i = 1; i < n; ++i) start = text.find('\n', start) + 1;
    return text.replace(start, text.find('\n', start) - start, with);
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"hdhub-keyring v1\n", "f, line 1: not an escrow record"},
      {replace_line(2, "origin"), "f, line 2: expected \"origin <value>\""},
      {replace_line(3, "custodians " + b_.fingerprint), "f, line 3"},
      {replace_line(3, "custodians " + std::max(b_.fingerprint, c_.fingerprint) + "+" +
                           std::min(b_.fingerprint, c_.fingerprint)),
       "f, line 3"},
      {replace_line(4, "pad " + std::string(64, 'G')), "f, line 4"},
      {replace_line(4, "pad " + std::string(62, '0')), "f, line 4"},
      {replace_line(5, "check 0123"), "f, line 5"},
      {good.substr(0, good.size() - 1), "does not end with a line feed"},
      {good + "extra\n", "f, line 6: a line after the record's end"},
      {good.substr(0, good.find("pad ")), "the record ends early"},
  };
  for (const auto& [text, message] : cases) {
    EXPECT_THAT(
        Stage2Escrow::Parse(text, "f"),
        StatusIs(StatusCode::kInvalidArgument, AllOf(HasSubstr(message), Not(HasSubstr(HexEncode(escrow.pad))))))
        << text;
  }
}

}  // namespace
}  // namespace hdhub::keys

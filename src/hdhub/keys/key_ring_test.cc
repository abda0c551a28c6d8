#include "hdhub/keys/key_ring.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>

#include "hdhub/common/file.h"
#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"
#include "hdhub/keys/memory_key_store.h"

namespace hdhub::keys {
namespace {

using ::hdhub::testing::StatusIs;
using ::hdhub::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;

const std::vector<std::string> kPurposes = {"object-names", "pseudonym/stage2", "audit-checkpoint"};

std::string Mac(KeyStore& store, std::string_view purpose, std::string_view input = "x") {
  auto hmac = store.HmacFor(purpose).value();
  crypto::Digest d = hmac->Compute(AsBytes(input));
  return HexEncode(ByteSpan(d.data(), d.size()));
}

std::string Mac(const PurposeKey& key) {
  auto hmac = crypto::HmacSha256::Create(key.key).value();
  crypto::Digest d = hmac->Compute(AsBytes("x"));
  return HexEncode(ByteSpan(d.data(), d.size()));
}

class KeyRingTest : public ::testing::Test {
 protected:
  std::string RingPath() const { return (dir_.path() / kKeyRingFileName).string(); }
  std::unique_ptr<MemoryKeyStore> kek_ = MemoryKeyStore::Create().value();
  TempDir dir_;
};

TEST_F(KeyRingTest, KeysAreRandomWrappedAndReadBackTheSame) {
  ASSERT_OK_AND_ASSIGN(KeyRing ring, KeyRing::New(kPurposes, "pseudonym/stage2", {}));
  ASSERT_OK(ring.Write(*kek_, RingPath()));
  struct stat st {};
  ASSERT_EQ(::stat(RingPath().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_OK_AND_ASSIGN(KeyRing again, KeyRing::Read(*kek_, RingPath()));
  ASSERT_EQ(again.keys().size(), kPurposes.size());
  const std::string file = ReadFile(RingPath()).value();
  for (const PurposeKey& k : ring.keys()) {
    EXPECT_EQ(k.origin, kOriginRandom);
    ASSERT_NE(again.Find(k.purpose), nullptr);
    EXPECT_TRUE(again.Find(k.purpose)->key.Equals(k.key));
    // Never in clear in the file.
    EXPECT_THAT(file, Not(HasSubstr(HexEncode(k.key.span()))));
  }
  // Not derived from the KEK: another ring over the same KEK differs.
  ASSERT_OK_AND_ASSIGN(KeyRing other, KeyRing::New(kPurposes, "pseudonym/stage2", {}));
  EXPECT_FALSE(other.Find("object-names")->key.Equals(ring.Find("object-names")->key));
  ASSERT_OK_AND_ASSIGN(SecretBytes derived, kek_->DerivedPurposeKey("object-names"));
  EXPECT_FALSE(derived.Equals(ring.Find("object-names")->key));
}

TEST_F(KeyRingTest, AnotherKekMovedOrAlteredLinesAreDataLoss) {
  ASSERT_OK_AND_ASSIGN(KeyRing ring, KeyRing::New(kPurposes, "pseudonym/stage2", {}));
  ASSERT_OK(ring.Write(*kek_, RingPath()));
  auto other_kek = MemoryKeyStore::Create().value();
  EXPECT_THAT(KeyRing::Read(*other_kek, RingPath()), StatusIs(StatusCode::kDataLoss, HasSubstr("does not unwrap")));

  const std::string good = ReadFile(RingPath()).value();
  auto rewrite = [&](std::string text) { ASSERT_OK(WriteFileAtomically(RingPath(), AsBytes(text), 0600)); };
  // Swap the purposes of two lines: each key is bound to its purpose.
  std::string swapped = good;
  swapped.replace(swapped.find("object-names"), 12, "OBJECT-NAMES");
  swapped.replace(swapped.find("audit-checkpoint"), 16, "object-names");
  swapped.replace(swapped.find("OBJECT-NAMES"), 12, "audit-checkpoint");
  rewrite(swapped);
  EXPECT_THAT(KeyRing::Read(*kek_, RingPath()), StatusIs(StatusCode::kDataLoss));
  // An origin rewritten (a random key passed off as the custodians'): refused.
  std::string origin = good;
  origin.replace(origin.find(" random "), 8, " custodians:00+11 ");
  rewrite(origin);
  EXPECT_THAT(KeyRing::Read(*kek_, RingPath()), StatusIs(StatusCode::kDataLoss));
  rewrite("hdhub-keyring v2\n");
  EXPECT_THAT(KeyRing::Read(*kek_, RingPath()), StatusIs(StatusCode::kDataLoss, HasSubstr("line 1")));
  rewrite(good + "object-names random 00\n");
  EXPECT_THAT(KeyRing::Read(*kek_, RingPath()), StatusIs(StatusCode::kDataLoss, HasSubstr("line 5")));
  rewrite(good.substr(0, good.size() - 10) + "\n");
  EXPECT_THAT(KeyRing::Read(*kek_, RingPath()), StatusIs(StatusCode::kDataLoss, HasSubstr("line 4")));
  std::filesystem::remove(RingPath());
  EXPECT_THAT(KeyRing::Read(*kek_, RingPath()), StatusIs(StatusCode::kNotFound));
}

TEST_F(KeyRingTest, Stage2KeyComesFromBothContributionsInEitherOrder) {
  ASSERT_OK_AND_ASSIGN(CustodianContribution a, CustodianContribution::New());
  ASSERT_OK_AND_ASSIGN(CustodianContribution b, CustodianContribution::New());
  std::vector<CustodianContribution> ab;
  ab.push_back({a.bytes.Clone(), a.fingerprint});
  ab.push_back({b.bytes.Clone(), b.fingerprint});
  std::vector<CustodianContribution> ba;
  ba.push_back({b.bytes.Clone(), b.fingerprint});
  ba.push_back({a.bytes.Clone(), a.fingerprint});
  ASSERT_OK_AND_ASSIGN(KeyRing r1, KeyRing::New(kPurposes, "pseudonym/stage2", ab));
  ASSERT_OK_AND_ASSIGN(KeyRing r2, KeyRing::New(kPurposes, "pseudonym/stage2", ba));
  const PurposeKey* k1 = r1.Find("pseudonym/stage2");
  ASSERT_NE(k1, nullptr);
  EXPECT_TRUE(k1->key.Equals(r2.Find("pseudonym/stage2")->key));
  EXPECT_THAT(k1->origin, HasSubstr("custodians:"));
  EXPECT_THAT(k1->origin, HasSubstr(a.fingerprint));
  EXPECT_THAT(k1->origin, HasSubstr(b.fingerprint));
  // Neither contribution is the key, and a third custodian changes it.
  EXPECT_FALSE(k1->key.Equals(a.bytes));
  EXPECT_FALSE(k1->key.Equals(b.bytes));
  ASSERT_OK_AND_ASSIGN(CustodianContribution c, CustodianContribution::New());
  std::vector<CustodianContribution> ac;
  ac.push_back({a.bytes.Clone(), a.fingerprint});
  ac.push_back({c.bytes.Clone(), c.fingerprint});
  EXPECT_FALSE(KeyRing::New(kPurposes, "pseudonym/stage2", ac).value().Find("pseudonym/stage2")->key.Equals(k1->key));
  // Other purposes stay random.
  EXPECT_EQ(r1.Find("object-names")->origin, kOriginRandom);
  // The origin survives the file.
  ASSERT_OK(r1.Write(*kek_, RingPath()));
  EXPECT_EQ(KeyRing::Read(*kek_, RingPath()).value().Find("pseudonym/stage2")->origin, k1->origin);
}

TEST_F(KeyRingTest, Stage2NeedsTwoDistinctContributions) {
  ASSERT_OK_AND_ASSIGN(CustodianContribution a, CustodianContribution::New());
  std::vector<CustodianContribution> one;
  one.push_back({a.bytes.Clone(), a.fingerprint});
  EXPECT_THAT(KeyRing::New(kPurposes, "pseudonym/stage2", one),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("two custodians")));
  one.push_back({a.bytes.Clone(), a.fingerprint});
  EXPECT_THAT(KeyRing::New(kPurposes, "pseudonym/stage2", one),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("the same one")));
}

TEST_F(KeyRingTest, ContributionFileRoundTripsAndIsNeverOverwritten) {
  ASSERT_OK_AND_ASSIGN(CustodianContribution a, CustodianContribution::New());
  const std::string path = (dir_.path() / "cnam.contribution").string();
  ASSERT_OK(a.Write(path));
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_OK_AND_ASSIGN(CustodianContribution back, CustodianContribution::Read(path));
  EXPECT_TRUE(back.bytes.Equals(a.bytes));
  EXPECT_EQ(back.fingerprint, a.fingerprint);
  EXPECT_EQ(a.fingerprint.size(), 16u);
  ASSERT_OK_AND_ASSIGN(CustodianContribution b, CustodianContribution::New());
  EXPECT_THAT(b.Write(path), StatusIs(StatusCode::kAlreadyExists));
  EXPECT_TRUE(CustodianContribution::Read(path).value().bytes.Equals(a.bytes));
  const std::string text = ReadFile(path).value();
  ASSERT_OK(WriteFileAtomically(path, AsBytes(text.substr(0, text.size() - 3) + "\n"), 0600));
  auto bad = CustodianContribution::Read(path);
  EXPECT_THAT(bad, StatusIs(StatusCode::kInvalidArgument, HasSubstr("line 2")));
  // The error never quotes the secret.
  EXPECT_THAT(std::string(bad.status().message()), Not(HasSubstr(text.substr(32, 20))));
  ASSERT_OK(WriteFileAtomically(path, AsBytes("a NIR list\n"), 0600));
  EXPECT_THAT(CustodianContribution::Read(path), StatusIs(StatusCode::kInvalidArgument, HasSubstr("line 1")));
}

TEST_F(KeyRingTest, DerivedKeysOfAnOlderHubKeepTheirValues) {
  ASSERT_OK_AND_ASSIGN(KeyRing ring, KeyRing::FromDerived(*kek_, kPurposes));
  for (const PurposeKey& k : ring.keys()) {
    EXPECT_EQ(k.origin, kOriginKekDerived);
    EXPECT_EQ(Mac(k), Mac(*kek_, k.purpose));
  }
}

TEST_F(KeyRingTest, StoreServesTheRingsKeysAndDerivesNothing) {
  ASSERT_OK_AND_ASSIGN(KeyRing ring, KeyRing::New(kPurposes, "pseudonym/stage2", {}));
  const std::string expected = Mac(*ring.Find("object-names"));
  KeyRingKeyStore store(MemoryKeyStore::Create().value(), std::move(ring));
  EXPECT_EQ(Mac(store, "object-names"), expected);
  EXPECT_THAT(store.HmacFor("pgwire/other"), StatusIs(StatusCode::kFailedPrecondition, HasSubstr("pgwire/other")));
  EXPECT_THAT(store.DerivedPurposeKey("object-names"), StatusIs(StatusCode::kUnimplemented));
  // Wrapping still goes to the KEK's store.
  ASSERT_OK_AND_ASSIGN(SecretBytes dek, NewDataKey());
  ASSERT_OK_AND_ASSIGN(Bytes wrapped, store.WrapKey(dek, "dataset/ER_PRS_F/v1"));
  EXPECT_TRUE(store.UnwrapKey(wrapped, "dataset/ER_PRS_F/v1").value().Equals(dek));
}

}  // namespace
}  // namespace hdhub::keys

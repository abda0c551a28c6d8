#include "hdhub/crypto/hash.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "hdhub/common/status_matchers.h"
#include "hdhub/crypto/test_vectors.h"

namespace hdhub::crypto {
namespace {

using ::hdhub::crypto::testing::HexField;
using ::hdhub::crypto::testing::ReadVectorFile;
using ::hdhub::testing::StatusIs;

TEST(Sha256Test, MatchesFips180KnownAnswers) {
  ASSERT_OK_AND_ASSIGN(auto blocks, ReadVectorFile("sha256_fips180.txt"));
  ASSERT_EQ(blocks.size(), 3u);
  for (const auto& block : blocks) {
    ASSERT_OK_AND_ASSIGN(Bytes message, HexField(block, "message"));
    EXPECT_EQ(HexEncode(Sha256(message)), block.at("digest"));
  }
}

TEST(Sha256Test, AbcDigestIsTheFipsValue) {
  EXPECT_EQ(HexEncode(Sha256(AsBytes("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256HasherTest, AnySplitGivesTheOneShotDigest) {
  ASSERT_OK_AND_ASSIGN(auto blocks, ReadVectorFile("sha256_fips180.txt"));
  for (const auto& block : blocks) {
    ASSERT_OK_AND_ASSIGN(Bytes message, HexField(block, "message"));
    for (size_t split = 0; split <= message.size(); ++split) {
      Sha256Hasher hasher;
      hasher.Update(ByteSpan(message).first(split));
      hasher.Update(ByteSpan(message).subspan(split));
      EXPECT_EQ(HexEncode(hasher.Finish()), block.at("digest")) << "split at " << split;
    }
  }
}

TEST(Sha256HasherTest, FinishResetsForTheNextMessage) {
  Sha256Hasher hasher;
  hasher.Update(AsBytes("first message"));
  (void)hasher.Finish();
  hasher.Update(AsBytes("abc"));
  EXPECT_EQ(hasher.Finish(), Sha256(AsBytes("abc")));
}

TEST(HmacSha256Test, MatchesRfc4231KnownAnswers) {
  ASSERT_OK_AND_ASSIGN(auto blocks, ReadVectorFile("hmac_sha256_rfc4231.txt"));
  ASSERT_EQ(blocks.size(), 7u);
  for (const auto& block : blocks) {
    ASSERT_OK_AND_ASSIGN(Bytes key, HexField(block, "key"));
    ASSERT_OK_AND_ASSIGN(Bytes message, HexField(block, "message"));
    ASSERT_OK_AND_ASSIGN(Bytes mac, HexField(block, "mac"));
    ASSERT_OK_AND_ASSIGN(auto hmac, HmacSha256::Create(SecretBytes(key)));
    const Digest tag = hmac->Compute(message);
    // Test case 5 publishes a truncated tag: compare the published prefix.
    EXPECT_EQ(HexEncode(ByteSpan(tag).first(mac.size())), block.at("mac"))
        << "RFC 4231 test case " << block.at("case");
    uint8_t out[kSha256Size];
    hmac->Compute(message, out);
    EXPECT_EQ(HexEncode(ByteSpan(out)), HexEncode(tag));
  }
}

TEST(HmacSha256Test, VerifyAcceptsTheTagAndRejectsTamperedVariants) {
  ASSERT_OK_AND_ASSIGN(auto blocks, ReadVectorFile("hmac_sha256_rfc4231.txt"));
  for (const auto& block : blocks) {
    ASSERT_OK_AND_ASSIGN(Bytes key, HexField(block, "key"));
    ASSERT_OK_AND_ASSIGN(Bytes message, HexField(block, "message"));
    ASSERT_OK_AND_ASSIGN(auto hmac, HmacSha256::Create(SecretBytes(key)));
    const Digest tag = hmac->Compute(message);
    EXPECT_TRUE(hmac->Verify(message, tag));

    Bytes flipped_tag(tag.begin(), tag.end());
    flipped_tag[kSha256Size - 1] ^= 0x01;
    EXPECT_FALSE(hmac->Verify(message, flipped_tag));
    // A truncated tag (like test case 5's) is not accepted by Verify.
    EXPECT_FALSE(hmac->Verify(message, ByteSpan(tag).first(16)));
    Bytes flipped_message = message;
    flipped_message[0] ^= 0x80;
    EXPECT_FALSE(hmac->Verify(flipped_message, tag));
    key[0] ^= 0x01;
    ASSERT_OK_AND_ASSIGN(auto other_key, HmacSha256::Create(SecretBytes(key)));
    EXPECT_FALSE(other_key->Verify(message, tag));
  }
}

TEST(HmacSha256Test, EmptyKeyIsInvalidArgument) {
  EXPECT_THAT(HmacSha256::Create(SecretBytes()), StatusIs(StatusCode::kInvalidArgument));
}

TEST(HmacSha256Test, BlockSizeKeyBoundariesMatchReference) {
  // Keys of 64 bytes are used as is, 65 bytes are hashed first: both must agree
  // with an HMAC computed by hand from the definition.
  for (size_t key_size : {1u, 63u, 64u, 65u}) {
    Bytes key(key_size, 0x5a);
    ASSERT_OK_AND_ASSIGN(auto hmac, HmacSha256::Create(SecretBytes(key)));
    Bytes block(64, 0);
    if (key_size > 64) {
      const Digest hashed = Sha256(key);
      std::copy(hashed.begin(), hashed.end(), block.begin());
    } else {
      std::copy(key.begin(), key.end(), block.begin());
    }
    Sha256Hasher inner;
    for (uint8_t& b : block) b ^= 0x36;
    inner.Update(block);
    inner.Update(AsBytes("message"));
    const Digest inner_digest = inner.Finish();
    for (uint8_t& b : block) b ^= 0x36 ^ 0x5c;
    Sha256Hasher outer;
    outer.Update(block);
    outer.Update(inner_digest);
    EXPECT_EQ(hmac->Compute(AsBytes("message")), outer.Finish()) << key_size;
  }
}

TEST(HmacSha256Test, ComputeFromManyThreadsMatchesSingleThread) {
  ASSERT_OK_AND_ASSIGN(auto hmac, HmacSha256::Create(SecretBytes(Bytes(32, 7))));
  std::vector<Digest> expected;
  for (int i = 0; i < 100; ++i) expected.push_back(hmac->Compute(AsBytes(std::to_string(i))));
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 200; ++round) {
        for (int i = 0; i < 100; ++i) {
          if (hmac->Compute(AsBytes(std::to_string(i))) != expected[i]) ++mismatches[t];
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_THAT(mismatches, ::testing::Each(0));
}

}  // namespace
}  // namespace hdhub::crypto

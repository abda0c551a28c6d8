#include "hdhub/crypto/aes_gcm.h"

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

struct GcmCase {
  Bytes key, iv, aad, plaintext, sealed;  // sealed = ciphertext ‖ tag
};

std::vector<GcmCase> LoadCases() {
  std::vector<GcmCase> cases;
  auto blocks = ReadVectorFile("aes256_gcm_nist.txt");
  EXPECT_OK(blocks.status());
  if (!blocks.ok()) return cases;
  for (const auto& block : *blocks) {
    GcmCase c;
    c.key = HexField(block, "key").value();
    c.iv = HexField(block, "iv").value();
    c.aad = HexField(block, "aad").value();
    c.plaintext = HexField(block, "plaintext").value();
    c.sealed = HexField(block, "ciphertext").value();
    const Bytes tag = HexField(block, "tag").value();
    c.sealed.insert(c.sealed.end(), tag.begin(), tag.end());
    cases.push_back(std::move(c));
  }
  return cases;
}

Status DecryptCase(const AesGcm256& aead, const GcmCase& c, ByteSpan aad, ByteSpan sealed) {
  if (sealed.size() < kAesGcmTagSize) {
    Bytes out;
    return aead.Decrypt(c.iv, aad, sealed, MutableByteSpan(out));
  }
  Bytes out(sealed.size() - kAesGcmTagSize);
  return aead.Decrypt(c.iv, aad, sealed, MutableByteSpan(out));
}

TEST(AesGcm256Test, EncryptMatchesNistKnownAnswers) {
  const auto cases = LoadCases();
  ASSERT_EQ(cases.size(), 5u);
  for (const auto& c : cases) {
    ASSERT_OK_AND_ASSIGN(auto aead, AesGcm256::Create(SecretBytes(c.key)));
    Bytes out(c.plaintext.size() + kAesGcmTagSize);
    ASSERT_OK(aead->Encrypt(c.iv, c.aad, c.plaintext, MutableByteSpan(out)));
    EXPECT_EQ(HexEncode(out), HexEncode(c.sealed));
  }
}

TEST(AesGcm256Test, DecryptRecoversNistPlaintexts) {
  for (const auto& c : LoadCases()) {
    ASSERT_OK_AND_ASSIGN(auto aead, AesGcm256::Create(SecretBytes(c.key)));
    Bytes out(c.plaintext.size());
    ASSERT_OK(aead->Decrypt(c.iv, c.aad, c.sealed, MutableByteSpan(out)));
    EXPECT_EQ(out, c.plaintext);
  }
}

TEST(AesGcm256Test, TamperedNistVectorsAreDataLoss) {
  for (const auto& c : LoadCases()) {
    ASSERT_OK_AND_ASSIGN(auto aead, AesGcm256::Create(SecretBytes(c.key)));
    Bytes flipped_tag = c.sealed;
    flipped_tag.back() ^= 0x01;
    EXPECT_THAT(DecryptCase(*aead, c, c.aad, flipped_tag), StatusIs(StatusCode::kDataLoss));
    if (!c.plaintext.empty()) {
      Bytes flipped_ciphertext = c.sealed;
      flipped_ciphertext[0] ^= 0x80;
      EXPECT_THAT(DecryptCase(*aead, c, c.aad, flipped_ciphertext),
                  StatusIs(StatusCode::kDataLoss));
    }
    Bytes wrong_aad = c.aad;
    wrong_aad.push_back(0x00);
    EXPECT_THAT(DecryptCase(*aead, c, wrong_aad, c.sealed), StatusIs(StatusCode::kDataLoss));
    const ByteSpan truncated = ByteSpan(c.sealed).first(c.sealed.size() - 1);
    EXPECT_THAT(DecryptCase(*aead, c, c.aad, truncated), StatusIs(StatusCode::kDataLoss));
    EXPECT_THAT(DecryptCase(*aead, c, c.aad, ByteSpan(c.sealed).first(5)),
                StatusIs(StatusCode::kDataLoss));
  }
}

TEST(AesGcm256Test, FailedDecryptionLeavesNoPlaintext) {
  const auto cases = LoadCases();
  const GcmCase& c = cases.at(2);  // gcm-spec test case 15: 64 bytes of plaintext.
  ASSERT_OK_AND_ASSIGN(auto aead, AesGcm256::Create(SecretBytes(c.key)));
  Bytes sealed = c.sealed;
  sealed.back() ^= 0x01;
  Bytes out(c.plaintext.size(), 0xee);
  EXPECT_THAT(aead->Decrypt(c.iv, c.aad, sealed, MutableByteSpan(out)),
              StatusIs(StatusCode::kDataLoss));
  EXPECT_EQ(out, Bytes(c.plaintext.size(), 0));
}

TEST(AesGcm256Test, InPlaceEncryptAndDecrypt) {
  const auto cases = LoadCases();
  const GcmCase& c = cases.at(3);  // gcm-spec test case 16, with AAD.
  ASSERT_OK_AND_ASSIGN(auto aead, AesGcm256::Create(SecretBytes(c.key)));
  Bytes buffer = c.plaintext;
  buffer.resize(c.plaintext.size() + kAesGcmTagSize);
  MutableByteSpan all(buffer);
  ASSERT_OK(aead->Encrypt(c.iv, c.aad, all.first(c.plaintext.size()), all));
  EXPECT_EQ(buffer, c.sealed);
  ASSERT_OK(aead->Decrypt(c.iv, c.aad, all, all.first(c.plaintext.size())));
  EXPECT_EQ(Bytes(buffer.begin(), buffer.begin() + c.plaintext.size()), c.plaintext);
}

TEST(AesGcm256Test, RejectsBadSizes) {
  EXPECT_THAT(AesGcm256::Create(SecretBytes(Bytes(16, 0))), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(AesGcm256::Create(SecretBytes()), StatusIs(StatusCode::kInvalidArgument));
  ASSERT_OK_AND_ASSIGN(auto aead, AesGcm256::Create(SecretBytes(Bytes(32, 0))));
  const Bytes plaintext(10, 1);
  Bytes out(plaintext.size() + kAesGcmTagSize);
  EXPECT_THAT(aead->Encrypt(Bytes(8, 0), {}, plaintext, MutableByteSpan(out)),
              StatusIs(StatusCode::kInvalidArgument));
  Bytes short_out(plaintext.size());
  EXPECT_THAT(aead->Encrypt(Bytes(12, 0), {}, plaintext, MutableByteSpan(short_out)),
              StatusIs(StatusCode::kInvalidArgument));
  ASSERT_OK(aead->Encrypt(Bytes(12, 0), {}, plaintext, MutableByteSpan(out)));
  EXPECT_THAT(aead->Decrypt(Bytes(12, 0), {}, out, MutableByteSpan(out)),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST(AesGcm256Test, SealWithRandomNonceRoundTripsAndUsesFreshNonces) {
  ASSERT_OK_AND_ASSIGN(auto aead, AesGcm256::Create(SecretBytes(Bytes(32, 3))));
  ASSERT_OK_AND_ASSIGN(Bytes a, aead->SealWithRandomNonce(AsBytes("id"), AsBytes("secret")));
  ASSERT_OK_AND_ASSIGN(Bytes b, aead->SealWithRandomNonce(AsBytes("id"), AsBytes("secret")));
  EXPECT_EQ(a.size(), kAesGcmNonceSize + 6 + kAesGcmTagSize);
  EXPECT_NE(a, b);
  ASSERT_OK_AND_ASSIGN(SecretBytes opened, aead->OpenWithRandomNonce(AsBytes("id"), a));
  EXPECT_EQ(AsStringView(opened.span()), "secret");
}

TEST(AesGcm256Test, OpenWithRandomNonceRejectsTampering) {
  ASSERT_OK_AND_ASSIGN(auto aead, AesGcm256::Create(SecretBytes(Bytes(32, 3))));
  ASSERT_OK_AND_ASSIGN(Bytes sealed, aead->SealWithRandomNonce(AsBytes("id"), AsBytes("secret")));
  EXPECT_THAT(aead->OpenWithRandomNonce(AsBytes("other"), sealed), StatusIs(StatusCode::kDataLoss));
  for (size_t i = 0; i < sealed.size(); ++i) {
    Bytes flipped = sealed;
    flipped[i] ^= 0x04;
    EXPECT_THAT(aead->OpenWithRandomNonce(AsBytes("id"), flipped), StatusIs(StatusCode::kDataLoss))
        << "byte " << i;
  }
  EXPECT_THAT(aead->OpenWithRandomNonce(AsBytes("id"), ByteSpan(sealed).first(27)),
              StatusIs(StatusCode::kDataLoss));
  ASSERT_OK_AND_ASSIGN(auto other_key, AesGcm256::Create(SecretBytes(Bytes(32, 4))));
  EXPECT_THAT(other_key->OpenWithRandomNonce(AsBytes("id"), sealed),
              StatusIs(StatusCode::kDataLoss));
}

TEST(AesGcm256Test, ConcurrentCallsAgreeWithSequentialOnes) {
  ASSERT_OK_AND_ASSIGN(auto aead, AesGcm256::Create(SecretBytes(Bytes(32, 9))));
  const Bytes plaintext(1000, 0x42);
  Bytes expected(plaintext.size() + kAesGcmTagSize);
  const Bytes nonce(12, 1);
  ASSERT_OK(aead->Encrypt(nonce, {}, plaintext, MutableByteSpan(expected)));
  std::vector<int> failures(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      Bytes sealed(expected.size());
      Bytes opened(plaintext.size());
      for (int i = 0; i < 500; ++i) {
        if (!aead->Encrypt(nonce, {}, plaintext, MutableByteSpan(sealed)).ok() || sealed != expected ||
            !aead->Decrypt(nonce, {}, sealed, MutableByteSpan(opened)).ok() || opened != plaintext) {
          ++failures[t];
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_THAT(failures, ::testing::Each(0));
}

}  // namespace
}  // namespace hdhub::crypto

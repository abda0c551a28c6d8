#include "hdhub/crypto/block_tweak_cipher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "hdhub/common/status_matchers.h"
#include "hdhub/crypto/random.h"

namespace hdhub::crypto {
namespace {

using ::hdhub::testing::StatusIs;

SecretBytes TestKey() {
  SecretBytes key(BlockTweakCipher::kKeySize);
  for (size_t i = 0; i < key.size(); ++i) key.mutable_data()[i] = static_cast<uint8_t>(i * 7 + 3);
  return key;
}

// One 16-byte XTS-AES-256 data unit, as OpenSSL computes it.
Bytes OpenSslXtsUnit(const SecretBytes& key, ByteSpan block, uint64_t position, uint64_t domain, bool encrypt) {
  uint8_t iv[16];
  for (int i = 0; i < 8; ++i) {
    iv[i] = static_cast<uint8_t>(position >> (8 * i));
    iv[8 + i] = static_cast<uint8_t>(domain >> (8 * i));
  }
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  Bytes out(block.size());
  int n = 0;
  EXPECT_EQ(EVP_CipherInit_ex(ctx, EVP_aes_256_xts(), nullptr, key.data(), iv, encrypt ? 1 : 0), 1);
  EXPECT_EQ(EVP_CipherUpdate(ctx, out.data(), &n, block.data(), static_cast<int>(block.size())), 1);
  EVP_CIPHER_CTX_free(ctx);
  return out;
}

TEST(BlockTweakCipherTest, EachBlockIsXtsAes256WithAOneBlockDataUnit) {
  const SecretBytes key = TestKey();
  ASSERT_OK_AND_ASSIGN(auto cipher, BlockTweakCipher::Create(key));
  Bytes data = RandomBytes(16 * 37).value();
  const Bytes plain = data;
  const uint64_t first = 56 + 4120 * 3, domain = 2;
  ASSERT_OK(cipher->Encrypt(data, first, domain));
  for (size_t i = 0; i < 37; ++i) {
    ByteSpan p(plain.data() + 16 * i, 16), c(data.data() + 16 * i, 16);
    EXPECT_EQ(Bytes(c.begin(), c.end()), OpenSslXtsUnit(key, p, first + 16 * i, domain, true)) << "block " << i;
  }
  ASSERT_OK(cipher->Decrypt(data, first, domain));
  EXPECT_EQ(data, plain);
}

TEST(BlockTweakCipherTest, PositionDomainAndKeyEachChangeTheCiphertext) {
  ASSERT_OK_AND_ASSIGN(auto cipher, BlockTweakCipher::Create(TestKey()));
  const Bytes plain(32, 0x41);  // two equal blocks
  Bytes a = plain, b = plain, c = plain;
  ASSERT_OK(cipher->Encrypt(a, 0, 1));
  EXPECT_NE(Bytes(a.begin(), a.begin() + 16), Bytes(a.begin() + 16, a.end()));  // equal blocks, other positions
  ASSERT_OK(cipher->Encrypt(b, 16, 1));
  EXPECT_EQ(Bytes(a.begin() + 16, a.end()), Bytes(b.begin(), b.begin() + 16));  // same position, same block
  ASSERT_OK(cipher->Encrypt(c, 0, 2));
  EXPECT_NE(a, c);
  SecretBytes other = TestKey();
  other.mutable_data()[0] ^= 1;
  ASSERT_OK_AND_ASSIGN(auto cipher2, BlockTweakCipher::Create(other));
  Bytes d = plain;
  ASSERT_OK(cipher2->Encrypt(d, 0, 1));
  EXPECT_NE(a, d);
  ASSERT_OK(cipher2->Decrypt(a, 0, 1));  // the wrong key gives noise
  EXPECT_NE(a, plain);
}

TEST(BlockTweakCipherTest, BadKeysAndPartialBlocksAreRefused) {
  EXPECT_THAT(BlockTweakCipher::Create(SecretBytes(32)), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(BlockTweakCipher::Create(SecretBytes(64)), StatusIs(StatusCode::kInvalidArgument));  // equal halves
  ASSERT_OK_AND_ASSIGN(auto cipher, BlockTweakCipher::Create(TestKey()));
  Bytes odd(17);
  EXPECT_THAT(cipher->Encrypt(odd, 0, 1), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace hdhub::crypto

// The key-file byte format (key_file.h, docs/formats/key-file.md): layout,
// round trip, wrong passphrase, and every truncation and bit flip.
#include "hdhub/keys/key_file.h"

#include <argon2.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "hdhub/common/status_matchers.h"
#include "hdhub/crypto/aes_gcm.h"

namespace hdhub::keys {
namespace {

using ::hdhub::testing::StatusIs;
using ::testing::HasSubstr;

const KeyFileParams kCheap = KeyFileParams::InsecureLowCostForTest();

SecretBytes Passphrase(std::string_view text = "correct horse") {
  return SecretBytes(AsBytes(text));
}
SecretBytes Kek() { return SecretBytes(Bytes(32, 0x5a)); }

class KeyFileTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_OK_AND_ASSIGN(file_, SealKeyFile(Kek(), Passphrase(), kCheap)); }
  Bytes file_;
};

TEST_F(KeyFileTest, SealThenOpenGivesTheKekBack) {
  ASSERT_OK_AND_ASSIGN(SecretBytes kek, OpenKeyFile(file_, Passphrase(), "hub.key"));
  EXPECT_TRUE(kek.Equals(Kek()));
}

TEST_F(KeyFileTest, LayoutMatchesTheFormatPage) {
  ASSERT_EQ(file_.size(), kKeyFileSize);
  EXPECT_EQ(AsStringView(ByteSpan(file_).first(8)), "HDHUBKEY");
  EXPECT_EQ(file_[8], 0x01);
  EXPECT_EQ(file_[9], 0x01);
  EXPECT_EQ(GetBigEndian32(&file_[10]), kCheap.t_cost);
  EXPECT_EQ(GetBigEndian32(&file_[14]), kCheap.m_cost_kib);
  EXPECT_EQ(GetBigEndian32(&file_[18]), kCheap.parallelism);
  ASSERT_OK_AND_ASSIGN(KeyFileHeader header, ParseKeyFileHeader(file_, "hub.key"));
  EXPECT_TRUE(std::equal(header.salt.begin(), header.salt.end(), file_.begin() + 22));

  // An independent opening: Argon2id by hand, then AES-256-GCM over the body
  // with the 38 header bytes as associated data.
  SecretBytes key(32);
  ASSERT_EQ(argon2id_hash_raw(kCheap.t_cost, kCheap.m_cost_kib, kCheap.parallelism, "correct horse",
                              13, header.salt.data(), header.salt.size(), key.mutable_data(), 32),
            ARGON2_OK);
  ASSERT_OK_AND_ASSIGN(auto aead, crypto::AesGcm256::Create(key));
  ASSERT_OK_AND_ASSIGN(SecretBytes kek, aead->OpenWithRandomNonce(ByteSpan(file_).first(38),
                                                                  ByteSpan(file_).subspan(38)));
  EXPECT_TRUE(kek.Equals(Kek()));
}

TEST_F(KeyFileTest, EachSealUsesAFreshSaltAndNonce) {
  ASSERT_OK_AND_ASSIGN(Bytes again, SealKeyFile(Kek(), Passphrase(), kCheap));
  EXPECT_NE(Bytes(file_.begin() + 22, file_.begin() + 38),
            Bytes(again.begin() + 22, again.begin() + 38));
  EXPECT_NE(Bytes(file_.begin() + 38, file_.begin() + 50),
            Bytes(again.begin() + 38, again.begin() + 50));
}

TEST_F(KeyFileTest, WrongPassphraseIsPermissionDenied) {
  EXPECT_THAT(OpenKeyFile(file_, Passphrase("correct horsf"), "/etc/hdhub/hub.key"),
              StatusIs(StatusCode::kPermissionDenied,
                       HasSubstr("key file /etc/hdhub/hub.key: wrong passphrase or damaged file")));
}

TEST_F(KeyFileTest, EmptyPassphraseIsRefused) {
  EXPECT_THAT(OpenKeyFile(file_, SecretBytes(), "hub.key"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(SealKeyFile(Kek(), SecretBytes(), kCheap), StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(KeyFileTest, SealRefusesBadParametersAndKekSize) {
  EXPECT_THAT(SealKeyFile(Kek(), Passphrase(), {0, 8, 1}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("t_cost")));
  EXPECT_THAT(SealKeyFile(Kek(), Passphrase(), {1, 7, 1}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("m_cost_kib")));
  EXPECT_THAT(SealKeyFile(Kek(), Passphrase(), {1, 8, 2}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("m_cost_kib")));
  EXPECT_THAT(SealKeyFile(Kek(), Passphrase(), {1, 1024, 0}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("parallelism")));
  EXPECT_THAT(SealKeyFile(Kek(), Passphrase(), {1, KeyFileParams::kMaxMCostKib + 1, 1}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("m_cost_kib")));
  EXPECT_THAT(SealKeyFile(SecretBytes(Bytes(16, 1)), Passphrase(), kCheap),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(KeyFileTest, DefaultParametersAreTheDocumentedOnes) {
  KeyFileParams defaults;
  EXPECT_EQ(defaults.t_cost, 3u);
  EXPECT_EQ(defaults.m_cost_kib, 65536u);
  EXPECT_EQ(defaults.parallelism, 1u);
  ASSERT_OK_AND_ASSIGN(Bytes file, SealKeyFile(Kek(), Passphrase(), defaults));
  ASSERT_OK_AND_ASSIGN(SecretBytes kek, OpenKeyFile(file, Passphrase(), "hub.key"));
  EXPECT_TRUE(kek.Equals(Kek()));
}

TEST_F(KeyFileTest, TruncationNamesTheFieldItCuts) {
  const struct {
    size_t size;
    const char* field;
  } kCases[] = {{0, "magic"},
                {7, "magic"},
                {8, "version"},
                {9, "kdf"},
                {10, "t_cost"},
                {15, "m_cost_kib"},
                {20, "parallelism"},
                {22, "salt"},
                {37, "salt"},
                {38, "nonce"},
                {49, "nonce"},
                {50, "sealed_kek"},
                {kKeyFileSize - 1, "sealed_kek"}};
  for (const auto& c : kCases) {
    EXPECT_THAT(OpenKeyFile(ByteSpan(file_).first(c.size), Passphrase(), "hub.key"),
                StatusIs(StatusCode::kDataLoss, HasSubstr("key file hub.key: field '" +
                                                          std::string(c.field) + "' truncated")))
        << c.size << " bytes";
  }
  for (size_t size = 0; size < kKeyFileSize; ++size) {
    EXPECT_THAT(OpenKeyFile(ByteSpan(file_).first(size), Passphrase(), "hub.key"),
                StatusIs(StatusCode::kDataLoss, HasSubstr("truncated")))
        << size << " bytes";
  }
}

TEST_F(KeyFileTest, TrailingBytesAreDataLoss) {
  file_.push_back(0);
  EXPECT_THAT(OpenKeyFile(file_, Passphrase(), "hub.key"),
              StatusIs(StatusCode::kDataLoss, HasSubstr("unexpected bytes")));
}

TEST_F(KeyFileTest, FlippedFormatFieldsAreDataLossNamingTheField) {
  const struct {
    size_t offset;
    uint8_t bit;
    const char* field;
  } kCases[] = {{0, 0x01, "magic"},        {8, 0x02, "version"},     {9, 0x04, "kdf"},
                {10, 0x01, "t_cost"},      {13, 0x01, "t_cost"},     {14, 0x01, "m_cost_kib"},
                {18, 0x01, "parallelism"}, {21, 0x01, "parallelism"}};
  for (const auto& c : kCases) {
    Bytes altered = file_;
    altered[c.offset] ^= c.bit;
    EXPECT_THAT(OpenKeyFile(altered, Passphrase(), "hub.key"),
                StatusIs(StatusCode::kDataLoss, HasSubstr("field '" + std::string(c.field) + "'")))
        << "offset " << c.offset;
  }
}

TEST_F(KeyFileTest, EveryFlippedBitIsRefused) {
  // Flips that still parse (in-bounds parameters, salt, nonce, ciphertext,
  // tag) fail the tag: indistinguishable from a wrong passphrase.
  for (size_t i = 0; i < file_.size(); ++i) {
    for (uint8_t bit : {0x01, 0x80}) {
      Bytes altered = file_;
      altered[i] ^= bit;
      Status status = OpenKeyFile(altered, Passphrase(), "hub.key").status();
      EXPECT_TRUE(status.code() == StatusCode::kDataLoss ||
                  status.code() == StatusCode::kPermissionDenied)
          << "byte " << i << " bit " << int(bit) << ": " << status;
    }
  }
  Bytes altered = file_;
  altered[30] ^= 0x01;  // salt
  EXPECT_THAT(OpenKeyFile(altered, Passphrase(), "hub.key"),
              StatusIs(StatusCode::kPermissionDenied));
  altered = file_;
  altered[kKeyFileSize - 1] ^= 0x01;  // tag
  EXPECT_THAT(OpenKeyFile(altered, Passphrase(), "hub.key"),
              StatusIs(StatusCode::kPermissionDenied));
}

}  // namespace
}  // namespace hdhub::keys

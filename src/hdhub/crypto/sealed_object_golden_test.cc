// The worked examples of docs/formats/sealed-object.md §7, sealed by the
// independent Python implementation: pins the C++ reader to the written format.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hdhub/common/status_matchers.h"
#include "hdhub/crypto/hkdf.h"
#include "hdhub/crypto/streaming_aead.h"
#include "hdhub/crypto/test_vectors.h"

namespace hdhub::crypto {
namespace {

using ::hdhub::crypto::testing::HexField;
using ::hdhub::crypto::testing::ReadVectorFile;
using ::hdhub::testing::StatusIs;

struct Golden {
  Bytes data_key, associated_data, object_key, plaintext, sealed;
};

std::vector<Golden> LoadGolden() {
  std::vector<Golden> goldens;
  auto blocks = ReadVectorFile("sealed_object_v1.txt");
  EXPECT_OK(blocks.status());
  if (!blocks.ok()) return goldens;
  for (const auto& block : *blocks) {
    goldens.push_back({HexField(block, "data_key").value(),
                       HexField(block, "associated_data").value(),
                       HexField(block, "object_key").value(), HexField(block, "plaintext").value(),
                       HexField(block, "sealed").value()});
  }
  return goldens;
}

TEST(SealedObjectGoldenTest, OpensTheWorkedExamples) {
  const auto goldens = LoadGolden();
  ASSERT_EQ(goldens.size(), 2u);
  for (const auto& g : goldens) {
    ASSERT_OK_AND_ASSIGN(Bytes opened, UnsealAll(SecretBytes(g.data_key), g.associated_data,
                                                 g.sealed));
    EXPECT_EQ(opened, g.plaintext);
  }
}

TEST(SealedObjectGoldenTest, PerObjectKeyMatchesTheDocumentedDerivation) {
  for (const auto& g : LoadGolden()) {
    Bytes info = ToBytes("hdhub sealed-object v1");
    info.insert(info.end(), g.associated_data.begin(), g.associated_data.end());
    const ByteSpan salt = ByteSpan(g.sealed).subspan(9, 32);
    ASSERT_OK_AND_ASSIGN(SecretBytes key, HkdfSha256(SecretBytes(g.data_key), salt, info, 32));
    EXPECT_EQ(HexEncode(key.span()), HexEncode(g.object_key));
  }
}

TEST(SealedObjectGoldenTest, TamperedWorkedExamplesAreDataLoss) {
  for (const auto& g : LoadGolden()) {
    const SecretBytes key(g.data_key);
    // One flipped bit in each field: magic, version, segment size, salt,
    // nonce prefix, first ciphertext byte, last tag byte.
    for (size_t offset : {size_t{0}, size_t{4}, size_t{8}, size_t{9}, size_t{41}, size_t{48},
                          g.sealed.size() - 1}) {
      Bytes bad = g.sealed;
      bad[offset] ^= 0x01;
      EXPECT_THAT(UnsealAll(key, g.associated_data, bad), StatusIs(StatusCode::kDataLoss))
          << "offset " << offset;
    }
    Bytes other_name = g.associated_data;
    other_name.back() ^= 0x01;
    EXPECT_THAT(UnsealAll(key, other_name, g.sealed), StatusIs(StatusCode::kDataLoss));
  }
}

TEST(SealedObjectGoldenTest, DroppingTheLastSegmentOfTheThreeSegmentExampleIsDataLoss) {
  const auto goldens = LoadGolden();
  ASSERT_EQ(goldens.size(), 2u);
  const Golden& g = goldens[1];
  ASSERT_EQ(g.sealed.size(), 2196u);
  const ByteSpan two_segments = ByteSpan(g.sealed).first(2128);
  EXPECT_THAT(UnsealAll(SecretBytes(g.data_key), g.associated_data, two_segments),
              StatusIs(StatusCode::kDataLoss));
}

}  // namespace
}  // namespace hdhub::crypto

#include "hdhub/audit/merkle.h"

#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "hdhub/audit/merkle_tree.h"
#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"

namespace hdhub::audit {
namespace {

using ::hdhub::testing::IsOk;
using ::hdhub::testing::StatusIs;

nlohmann::json LoadVectors() {
  std::ifstream in(::hdhub::testing::SourceDir() / "testdata/audit/rfc6962_vectors.json");
  return nlohmann::json::parse(in);
}

Hash H(const nlohmann::json& hex) { return ParseHash(hex.get<std::string>()).value(); }

std::vector<Hash> HashesOf(const nlohmann::json& list) {
  std::vector<Hash> out;
  for (const auto& h : list) out.push_back(H(h));
  return out;
}

MerkleTree TestTree(const nlohmann::json& v) {
  MerkleTree tree;
  for (const auto& leaf : v["leaves"]) {
    Bytes data = HexDecode(leaf.get<std::string>()).value();
    tree.AppendLeaf(HashLeaf(data));
  }
  return tree;
}

TEST(MerkleTest, LeafHashesMatchKnownAnswers) {
  nlohmann::json v = LoadVectors();
  for (size_t i = 0; i < v["leaves"].size(); ++i) {
    Bytes data = HexDecode(v["leaves"][i].get<std::string>()).value();
    EXPECT_EQ(HashLeaf(data), H(v["leaf_hashes"][i])) << "leaf " << i;
  }
}

TEST(MerkleTest, RootForEverySizeMatchesKnownAnswers) {
  nlohmann::json v = LoadVectors();
  MerkleTree tree = TestTree(v);
  for (uint64_t n = 0; n <= 8; ++n) {
    ASSERT_OK_AND_ASSIGN(Hash root, tree.RootHash(n));
    EXPECT_EQ(root, H(v["roots"][n])) << "size " << n;
  }
  EXPECT_THAT(tree.RootHash(9), StatusIs(StatusCode::kOutOfRange));
}

TEST(MerkleTest, StreamingRootMatchesStoredTree) {
  nlohmann::json v = LoadVectors();
  StreamingRoot stream;
  EXPECT_EQ(stream.Root(), H(v["roots"][0]));
  for (size_t i = 0; i < 8; ++i) {
    stream.AppendLeaf(H(v["leaf_hashes"][i]));
    EXPECT_EQ(stream.Root(), H(v["roots"][i + 1])) << "size " << i + 1;
  }
}

TEST(MerkleTest, InclusionProofsMatchKnownAnswersAndVerify) {
  nlohmann::json v = LoadVectors();
  MerkleTree tree = TestTree(v);
  for (const auto& c : v["inclusion"]) {
    uint64_t index = c["index"], size = c["size"];
    ASSERT_OK_AND_ASSIGN(std::vector<Hash> proof, tree.InclusionProof(index, size));
    EXPECT_EQ(proof, HashesOf(c["proof"])) << "index " << index << " size " << size;
    EXPECT_OK(VerifyInclusion(index, size, H(v["leaf_hashes"][index]), proof, H(v["roots"][size])));
  }
}

TEST(MerkleTest, ConsistencyProofsMatchKnownAnswersAndVerify) {
  nlohmann::json v = LoadVectors();
  MerkleTree tree = TestTree(v);
  for (const auto& c : v["consistency"]) {
    uint64_t m = c["size1"], n = c["size2"];
    ASSERT_OK_AND_ASSIGN(std::vector<Hash> proof, tree.ConsistencyProof(m, n));
    EXPECT_EQ(proof, HashesOf(c["proof"])) << m << " -> " << n;
    EXPECT_OK(VerifyConsistency(m, n, proof, H(v["roots"][m]), H(v["roots"][n])));
  }
}

TEST(MerkleTest, TamperedInclusionProofsFail) {
  nlohmann::json v = LoadVectors();
  ASSERT_GT(v["tampered_inclusion"].size(), 40u);
  for (const auto& c : v["tampered_inclusion"]) {
    EXPECT_FALSE(VerifyInclusion(c["index"], c["size"], H(c["leaf_hash"]), HashesOf(c["proof"]),
                                 H(c["root"]))
                     .ok())
        << c["desc"] << " index " << c["index"] << " size " << c["size"];
  }
}

TEST(MerkleTest, TamperedConsistencyProofsFail) {
  nlohmann::json v = LoadVectors();
  ASSERT_GT(v["tampered_consistency"].size(), 40u);
  for (const auto& c : v["tampered_consistency"]) {
    EXPECT_FALSE(VerifyConsistency(c["size1"], c["size2"], HashesOf(c["proof"]), H(c["root1"]),
                                   H(c["root2"]))
                     .ok())
        << c["desc"] << " " << c["size1"] << " -> " << c["size2"];
  }
}

TEST(MerkleTest, VerifierEdgeCases) {
  Hash a = HashLeaf(AsBytes("a"));
  Hash b = HashLeaf(AsBytes("b"));
  EXPECT_THAT(VerifyInclusion(0, 0, a, {}, a), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_OK(VerifyInclusion(0, 1, a, {}, a));
  EXPECT_THAT(VerifyInclusion(0, 1, a, {}, b), StatusIs(StatusCode::kDataLoss));
  EXPECT_OK(VerifyConsistency(0, 0, {}, a, a));
  EXPECT_OK(VerifyConsistency(0, 5, {}, a, b));
  EXPECT_THAT(VerifyConsistency(1, 1, {}, a, b), StatusIs(StatusCode::kDataLoss));
  std::vector<Hash> one = {a};
  EXPECT_THAT(VerifyConsistency(1, 1, one, a, a), StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(VerifyConsistency(2, 1, {}, a, b), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(VerifyConsistency(1, 2, {}, a, b), StatusIs(StatusCode::kDataLoss));
}

// Proofs from stored hashes agree with the verifiers for every (index, size)
// and (size1, size2) pair of a tree that is not a power of two.
TEST(MerkleTest, AllProofsOfA37LeafTreeVerify) {
  MerkleTree tree;
  for (int i = 0; i < 37; ++i) tree.AppendLeaf(HashLeaf(AsBytes("entry " + std::to_string(i))));
  for (uint64_t n = 1; n <= 37; ++n) {
    Hash root = tree.RootHash(n).value();
    for (uint64_t i = 0; i < n; ++i) {
      auto proof = tree.InclusionProof(i, n).value();
      EXPECT_OK(VerifyInclusion(i, n, tree.LeafHash(i), proof, root)) << i << "/" << n;
    }
    for (uint64_t m = 0; m <= n; ++m) {
      auto proof = tree.ConsistencyProof(m, n).value();
      EXPECT_OK(VerifyConsistency(m, n, proof, tree.RootHash(m).value(), root)) << m << "->" << n;
    }
  }
}

TEST(MerkleTest, ParseHashListAcceptsCommasAndEmptyString) {
  ASSERT_OK_AND_ASSIGN(auto empty, ParseHashList(""));
  EXPECT_TRUE(empty.empty());
  Hash a = HashLeaf(AsBytes("a"));
  ASSERT_OK_AND_ASSIGN(auto two, ParseHashList(HashToHex(a) + "," + HashToHex(a) + "\n"));
  EXPECT_EQ(two.size(), 2u);
  EXPECT_THAT(ParseHashList("abcd"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseHash(std::string(64, 'g')), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace hdhub::audit

// RFC 6962 / RFC 9162 Merkle tree hashing and proof verification.
//
// Leaf hash SHA-256(0x00 || entry), interior node SHA-256(0x01 || left || right),
// the root of the empty tree is SHA-256(""). The verifiers implement RFC 9162
// §2.1.3.2 (inclusion) and §2.1.4.2 (consistency): they only need hashes and
// sizes, so any auditor can run them without the log.
//
// Thread-safety: free functions without shared state.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "hdhub/common/bytes.h"
#include "hdhub/common/status.h"
#include "hdhub/crypto/hash.h"

namespace hdhub::audit {

using Hash = crypto::Digest;

Hash HashLeaf(ByteSpan entry);
Hash HashChildren(const Hash& left, const Hash& right);
Hash EmptyRootHash();

// Largest power of two strictly smaller than n (n >= 2): the RFC 6962 split point.
uint64_t SplitPoint(uint64_t n);

// Root obtained by folding `proof` into `leaf_hash` for leaf `index` of a tree of
// `size` leaves. InvalidArgument if index >= size; DataLoss if the proof has the
// wrong number of elements for (index, size).
StatusOr<Hash> RootFromInclusionProof(uint64_t index, uint64_t size, const Hash& leaf_hash,
                                      std::span<const Hash> proof);

// OK when `proof` shows leaf `index` with hash `leaf_hash` is in the tree of `size`
// leaves with root `root`. InvalidArgument for index >= size, DataLoss when the
// proof does not hold.
Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash,
                       std::span<const Hash> proof, const Hash& root);

// OK when `proof` shows the tree of `size1` leaves with root `root1` is a prefix
// of the tree of `size2` leaves with root `root2`. InvalidArgument for
// size1 > size2; DataLoss when the proof does not hold.
Status VerifyConsistency(uint64_t size1, uint64_t size2, std::span<const Hash> proof,
                         const Hash& root1, const Hash& root2);

// Hex helpers for the formats that carry hashes as text. ParseHash:
// InvalidArgument unless exactly 64 hex digits. ParseHashList splits on commas
// and whitespace; the empty string is the empty list.
std::string HashToHex(const Hash& hash);
StatusOr<Hash> ParseHash(std::string_view hex);
StatusOr<std::vector<Hash>> ParseHashList(std::string_view text);
std::string JoinHashes(std::span<const Hash> hashes, std::string_view separator);

}  // namespace hdhub::audit

// MerkleTree: every complete subtree hash of an append-only RFC 6962 tree,
// kept so that tree heads, inclusion proofs and consistency proofs for any
// past size come from stored hashes instead of rehashing leaves.
//
// Layout: levels_[0] holds the leaf hashes, levels_[k][i] the hash of the
// aligned, complete subtree of leaves [i*2^k, (i+1)*2^k). That is under 2n
// hashes (64 bytes per leaf). Any RFC 6962 subtree is either such a complete
// subtree (one lookup) or splits into a complete left part and a smaller right
// part, so a tree head costs O(log n) hash operations and a proof O(log^2 n)
// in the worst case, O(log n) lookups typically.
//
// Thread-safety: not synchronized; the owner (an AuditLog) serializes
// AppendLeaf against readers.
#pragma once

#include <cstdint>
#include <vector>

#include "hdhub/audit/merkle.h"
#include "hdhub/common/status.h"

namespace hdhub::audit {

class MerkleTree {
 public:
  MerkleTree() = default;

  void AppendLeaf(const Hash& leaf_hash);
  uint64_t size() const { return levels_.empty() ? 0 : levels_[0].size(); }
  const Hash& LeafHash(uint64_t index) const { return levels_[0][index]; }

  // Root of the first `size` leaves. OutOfRange if size > this->size().
  StatusOr<Hash> RootHash(uint64_t size) const;
  // RFC 6962 §2.1.1 audit path for leaf `index` in the tree of `size` leaves.
  // OutOfRange if size > this->size(); InvalidArgument if index >= size.
  StatusOr<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size) const;
  // RFC 6962 §2.1.2 proof that the first size1 leaves are a prefix of the first
  // size2. OutOfRange if size2 > this->size(); InvalidArgument if size1 > size2.
  StatusOr<std::vector<Hash>> ConsistencyProof(uint64_t size1, uint64_t size2) const;

 private:
  // MTH(D[begin:end)) for an RFC 6962 subtree (begin aligned as the recursion
  // produces it).
  Hash SubtreeHash(uint64_t begin, uint64_t end) const;
  void Path(uint64_t index, uint64_t begin, uint64_t end, std::vector<Hash>& out) const;
  void SubProof(uint64_t m, uint64_t begin, uint64_t end, bool whole,
                std::vector<Hash>& out) const;

  std::vector<std::vector<Hash>> levels_;
};

// Root of a sequence of leaves seen one at a time with O(log n) memory (a
// "compact range"): the verifier's way to hash a million entries without
// storing them.
class StreamingRoot {
 public:
  void AppendLeaf(const Hash& leaf_hash);
  uint64_t size() const { return size_; }
  Hash Root() const;

 private:
  // stack_[i] is a complete subtree; sizes strictly decrease (binary digits of size_).
  std::vector<Hash> stack_;
  std::vector<uint64_t> stack_sizes_;
  uint64_t size_ = 0;
};

}  // namespace hdhub::audit

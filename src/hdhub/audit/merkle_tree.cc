#include "hdhub/audit/merkle_tree.h"

#include <bit>
#include <string>

namespace hdhub::audit {

void MerkleTree::AppendLeaf(const Hash& leaf_hash) {
  if (levels_.empty()) levels_.emplace_back();
  levels_[0].push_back(leaf_hash);
  // Each time a level gains an even count, a new complete parent exists.
  for (size_t k = 0; levels_[k].size() % 2 == 0; ++k) {
    if (levels_.size() == k + 1) levels_.emplace_back();
    const std::vector<Hash>& level = levels_[k];
    levels_[k + 1].push_back(HashChildren(level[level.size() - 2], level.back()));
  }
}

Hash MerkleTree::SubtreeHash(uint64_t begin, uint64_t end) const {
  const uint64_t n = end - begin;
  if (std::has_single_bit(n) && begin % n == 0) {
    const int level = std::countr_zero(n);
    return levels_[level][begin >> level];
  }
  const uint64_t k = SplitPoint(n);
  return HashChildren(SubtreeHash(begin, begin + k), SubtreeHash(begin + k, end));
}

StatusOr<Hash> MerkleTree::RootHash(uint64_t tree_size) const {
  if (tree_size > size()) {
    return OutOfRangeError("tree size " + std::to_string(tree_size) + " exceeds the log size " +
                           std::to_string(size()));
  }
  if (tree_size == 0) return EmptyRootHash();
  return SubtreeHash(0, tree_size);
}

void MerkleTree::Path(uint64_t index, uint64_t begin, uint64_t end,
                      std::vector<Hash>& out) const {
  const uint64_t n = end - begin;
  if (n == 1) return;
  const uint64_t k = SplitPoint(n);
  if (index < k) {
    Path(index, begin, begin + k, out);
    out.push_back(SubtreeHash(begin + k, end));
  } else {
    Path(index - k, begin + k, end, out);
    out.push_back(SubtreeHash(begin, begin + k));
  }
}

StatusOr<std::vector<Hash>> MerkleTree::InclusionProof(uint64_t index, uint64_t tree_size) const {
  if (tree_size > size()) {
    return OutOfRangeError("tree size " + std::to_string(tree_size) + " exceeds the log size " +
                           std::to_string(size()));
  }
  if (index >= tree_size) {
    return InvalidArgumentError("leaf index " + std::to_string(index) +
                                " is not below tree size " + std::to_string(tree_size));
  }
  std::vector<Hash> out;
  Path(index, 0, tree_size, out);
  return out;
}

void MerkleTree::SubProof(uint64_t m, uint64_t begin, uint64_t end, bool whole,
                          std::vector<Hash>& out) const {
  const uint64_t n = end - begin;
  if (m == n) {
    if (!whole) out.push_back(SubtreeHash(begin, end));
    return;
  }
  const uint64_t k = SplitPoint(n);
  if (m <= k) {
    SubProof(m, begin, begin + k, whole, out);
    out.push_back(SubtreeHash(begin + k, end));
  } else {
    SubProof(m - k, begin + k, end, false, out);
    out.push_back(SubtreeHash(begin, begin + k));
  }
}

StatusOr<std::vector<Hash>> MerkleTree::ConsistencyProof(uint64_t size1, uint64_t size2) const {
  if (size2 > size()) {
    return OutOfRangeError("tree size " + std::to_string(size2) + " exceeds the log size " +
                           std::to_string(size()));
  }
  if (size1 > size2) {
    return InvalidArgumentError("size1 " + std::to_string(size1) + " is larger than size2 " +
                                std::to_string(size2));
  }
  std::vector<Hash> out;
  if (size1 == 0 || size1 == size2) return out;
  SubProof(size1, 0, size2, /*whole=*/true, out);
  return out;
}

void StreamingRoot::AppendLeaf(const Hash& leaf_hash) {
  stack_.push_back(leaf_hash);
  stack_sizes_.push_back(1);
  while (stack_.size() >= 2 && stack_sizes_[stack_.size() - 2] == stack_sizes_.back()) {
    Hash right = stack_.back();
    stack_.pop_back();
    stack_sizes_.pop_back();
    stack_.back() = HashChildren(stack_.back(), right);
    stack_sizes_.back() *= 2;
  }
  ++size_;
}

Hash StreamingRoot::Root() const {
  if (stack_.empty()) return EmptyRootHash();
  Hash r = stack_.back();
  for (size_t i = stack_.size() - 1; i-- > 0;) r = HashChildren(stack_[i], r);
  return r;
}

}  // namespace hdhub::audit

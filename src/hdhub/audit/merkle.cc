#include "hdhub/audit/merkle.h"

#include <bit>
#include <cstring>

namespace hdhub::audit {

namespace {
constexpr uint8_t kLeafPrefix = 0x00;
constexpr uint8_t kNodePrefix = 0x01;

// The RFC 9162 loops walk the path bottom-up with two cursors: fn (the node
// being proven) and sn (the last node of the tree) at the current level.
void ShiftUntilOddOrZero(uint64_t& fn, uint64_t& sn) {
  while ((fn & 1) == 0 && fn != 0) {
    fn >>= 1;
    sn >>= 1;
  }
}
}  // namespace

Hash HashLeaf(ByteSpan entry) {
  crypto::Sha256Hasher hasher;
  const uint8_t prefix = kLeafPrefix;
  hasher.Update(ByteSpan(&prefix, 1));
  hasher.Update(entry);
  return hasher.Finish();
}

Hash HashChildren(const Hash& left, const Hash& right) {
  uint8_t buf[1 + 2 * crypto::kSha256Size];
  buf[0] = kNodePrefix;
  std::memcpy(buf + 1, left.data(), left.size());
  std::memcpy(buf + 1 + left.size(), right.data(), right.size());
  return crypto::Sha256(ByteSpan(buf, sizeof(buf)));
}

Hash EmptyRootHash() { return crypto::Sha256(ByteSpan()); }

uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

StatusOr<Hash> RootFromInclusionProof(uint64_t index, uint64_t size, const Hash& leaf_hash,
                                      std::span<const Hash> proof) {
  if (index >= size) {
    return InvalidArgumentError("leaf index " + std::to_string(index) +
                                " is not below tree size " + std::to_string(size));
  }
  uint64_t fn = index;
  uint64_t sn = size - 1;
  Hash r = leaf_hash;
  for (const Hash& p : proof) {
    if (sn == 0) return DataLossError("inclusion proof has too many elements");
    if ((fn & 1) == 1 || fn == sn) {
      r = HashChildren(p, r);
      ShiftUntilOddOrZero(fn, sn);
    } else {
      r = HashChildren(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return DataLossError("inclusion proof has too few elements");
  return r;
}

Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash,
                       std::span<const Hash> proof, const Hash& root) {
  ASSIGN_OR_RETURN(Hash computed, RootFromInclusionProof(index, size, leaf_hash, proof));
  if (computed != root) return DataLossError("inclusion proof does not lead to the root hash");
  return OkStatus();
}

Status VerifyConsistency(uint64_t size1, uint64_t size2, std::span<const Hash> proof,
                         const Hash& root1, const Hash& root2) {
  if (size1 > size2) {
    return InvalidArgumentError("size1 " + std::to_string(size1) + " is larger than size2 " +
                                std::to_string(size2));
  }
  if (size1 == size2 || size1 == 0) {
    if (!proof.empty()) return DataLossError("consistency proof must be empty for these sizes");
    if (size1 == size2 && root1 != root2) return DataLossError("roots differ for the same size");
    return OkStatus();
  }
  if (proof.empty()) return DataLossError("consistency proof is empty");
  // When size1 is a power of two, the old root is itself a node of the new
  // tree and the proof omits it: start from root1.
  std::vector<Hash> path;
  path.reserve(proof.size() + 1);
  if (std::has_single_bit(size1)) path.push_back(root1);
  path.insert(path.end(), proof.begin(), proof.end());

  uint64_t fn = size1 - 1;
  uint64_t sn = size2 - 1;
  while ((fn & 1) == 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = path[0];
  Hash sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const Hash& c = path[i];
    if (sn == 0) return DataLossError("consistency proof has too many elements");
    if ((fn & 1) == 1 || fn == sn) {
      fr = HashChildren(c, fr);
      sr = HashChildren(c, sr);
      ShiftUntilOddOrZero(fn, sn);
    } else {
      sr = HashChildren(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return DataLossError("consistency proof has too few elements");
  if (fr != root1) return DataLossError("consistency proof does not lead to root1");
  if (sr != root2) return DataLossError("consistency proof does not lead to root2");
  return OkStatus();
}

std::string HashToHex(const Hash& hash) { return HexEncode(hash); }

StatusOr<Hash> ParseHash(std::string_view hex) {
  if (hex.size() != 2 * crypto::kSha256Size) {
    return InvalidArgumentError("a hash is 64 hex digits, got " + std::to_string(hex.size()));
  }
  ASSIGN_OR_RETURN(Bytes bytes, HexDecode(hex));
  Hash out;
  std::memcpy(out.data(), bytes.data(), out.size());
  return out;
}

StatusOr<std::vector<Hash>> ParseHashList(std::string_view text) {
  std::vector<Hash> out;
  size_t i = 0;
  auto is_separator = [](char c) { return c == ',' || c == ' ' || c == '\n' || c == '\t' || c == '\r'; };
  while (i < text.size()) {
    while (i < text.size() && is_separator(text[i])) ++i;
    size_t start = i;
    while (i < text.size() && !is_separator(text[i])) ++i;
    if (i == start) break;
    ASSIGN_OR_RETURN(Hash h, ParseHash(text.substr(start, i - start)));
    out.push_back(h);
  }
  return out;
}

std::string JoinHashes(std::span<const Hash> hashes, std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < hashes.size(); ++i) {
    if (i > 0) out += separator;
    out += HashToHex(hashes[i]);
  }
  return out;
}

}  // namespace hdhub::audit

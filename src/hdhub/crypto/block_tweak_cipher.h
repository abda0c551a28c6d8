// BlockTweakCipher: length-preserving encryption of 16-byte blocks, each
// under its own 128-bit tweak, for files rewritten in place at any offset
// (the hub's local SQLite state, catalog/sqlite_cipher.h) as disk
// encryption does it. Each block is XTS-AES-256 (IEEE 1619) with a data
// unit of one block:
//
//   T = AES-256-Enc(K2, tweak)      C = AES-256-Enc(K1, P xor T) xor T
//
// which is what OpenSSL's EVP_aes_256_xts computes for a 16-byte unit whose
// IV is the tweak (the test checks it). A run of blocks is done in two ECB
// passes rather than one XTS call per block.
//
// What it gives: confidentiality of every block against someone holding
// the ciphertext without the key. What it does not: integrity (a changed
// block decrypts to noise, which SQLite's own checks usually catch), nor
// hiding that a block at a given tweak changed or kept its value between
// two copies of the file (as with any disk encryption).
//
// The key is 64 bytes (K1 || K2, which must differ). Thread-safety:
// immutable after Create; Encrypt and Decrypt may run from several threads.
#pragma once

#include <cstdint>
#include <memory>

#include "hdhub/common/bytes.h"
#include "hdhub/common/secret_bytes.h"
#include "hdhub/common/status.h"

namespace hdhub::crypto {

class BlockTweakCipher {
 public:
  static constexpr size_t kKeySize = 64;
  static constexpr size_t kBlockSize = 16;

  // InvalidArgument unless the key is 64 bytes with distinct halves.
  static StatusOr<std::unique_ptr<BlockTweakCipher>> Create(const SecretBytes& key);
  ~BlockTweakCipher();
  BlockTweakCipher(const BlockTweakCipher&) = delete;
  BlockTweakCipher& operator=(const BlockTweakCipher&) = delete;

  // En- or decrypts `data` (a whole number of blocks) in place; block i's
  // tweak is the 16 bytes LE64(first_position + 16 * i) || LE64(domain).
  // `first_position` is typically the block's offset in its file and
  // `domain` tells files apart.
  Status Encrypt(MutableByteSpan data, uint64_t first_position, uint64_t domain) const;
  Status Decrypt(MutableByteSpan data, uint64_t first_position, uint64_t domain) const;

 private:
  struct Keys;
  explicit BlockTweakCipher(std::unique_ptr<Keys> keys);
  Status Run(MutableByteSpan data, uint64_t first_position, uint64_t domain, bool encrypt) const;
  std::unique_ptr<Keys> keys_;
};

}  // namespace hdhub::crypto

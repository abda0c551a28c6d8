// The key file: the hub's KEK sealed under a passphrase, byte format in
// docs/formats/key-file.md (that page is the contract).
//
//   header (38) = "HDHUBKEY" ‖ version 0x01 ‖ kdf 0x01 (Argon2id v1.3)
//                 ‖ t_cost u32 ‖ m_cost_kib u32 ‖ parallelism u32 ‖ salt (16)
//   body   (60) = nonce (12) ‖ AES-256-GCM(Argon2id(passphrase, salt), nonce,
//                 aad = header, KEK) ‖ tag (16)
//
// These are pure functions over bytes (no files), so every parser case is
// testable; key_file_key_store.h reads and writes the file itself.
//
// Failures: a malformed or truncated file is DataLoss naming the file and the
// field; a wrong passphrase and an altered byte that still parses cannot be
// told apart (the tag fails either way) and are PermissionDenied "wrong
// passphrase or damaged file".
//
// Thread-safety: pure functions, thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "hdhub/common/bytes.h"
#include "hdhub/common/secret_bytes.h"
#include "hdhub/common/status.h"

namespace hdhub::keys {

inline constexpr std::string_view kKeyFileMagic = "HDHUBKEY";
inline constexpr uint8_t kKeyFileVersion = 0x01;
inline constexpr uint8_t kKeyFileKdfArgon2id = 0x01;
inline constexpr size_t kKeyFileSaltSize = 16;
inline constexpr size_t kKeyFileHeaderSize = 38;
inline constexpr size_t kKeyFileSize = 98;

// Argon2id cost parameters. Bounds enforced on both write and read, so a
// crafted file cannot make Open() allocate terabytes or spin for hours.
struct KeyFileParams {
  static constexpr uint32_t kMaxTCost = 100;
  static constexpr uint32_t kMaxMCostKib = 4 * 1024 * 1024;  // 4 GiB
  static constexpr uint32_t kMaxParallelism = 64;

  uint32_t t_cost = 3;
  uint32_t m_cost_kib = 64 * 1024;  // 64 MiB
  uint32_t parallelism = 1;

  // The cheapest parameters Argon2 accepts: opening takes microseconds, so a
  // stolen file falls to a dictionary attack. Tests only.
  static KeyFileParams InsecureLowCostForTest() { return {1, 8, 1}; }
};

// InvalidArgument naming the parameter when one is out of bounds (m_cost must
// be at least 8 KiB per lane, as Argon2 requires).
Status ValidateKeyFileParams(const KeyFileParams& params);

struct KeyFileHeader {
  KeyFileParams params;
  std::array<uint8_t, kKeyFileSaltSize> salt{};
};

// Seals `kek` into a complete key file with a fresh random salt and nonce.
// InvalidArgument for an empty passphrase, a KEK that is not 32 bytes or bad
// parameters; ResourceExhausted when Argon2id cannot get its memory.
StatusOr<Bytes> SealKeyFile(const SecretBytes& kek, const SecretBytes& passphrase,
                            const KeyFileParams& params);

// Parses the header. DataLoss "key file <name>: ..." naming the field that is
// truncated, has a bad magic/version/kdf, or a parameter out of bounds.
// `name` (the path) only labels messages.
StatusOr<KeyFileHeader> ParseKeyFileHeader(ByteSpan file, std::string_view name);

// Parses and opens a key file, returning the KEK. DataLoss as above (also for
// trailing bytes); PermissionDenied "key file <name>: wrong passphrase or
// damaged file" when the tag fails; InvalidArgument for an empty passphrase.
StatusOr<SecretBytes> OpenKeyFile(ByteSpan file, const SecretBytes& passphrase,
                                  std::string_view name);

}  // namespace hdhub::keys

// The sealed-object format: a streaming AEAD over AES-256-GCM, specified byte by
// byte in docs/formats/sealed-object.md (that page is the contract; this header
// is one implementation of it).
//
//   object  = header ‖ segment_0 ‖ … ‖ segment_{n-1}            (n ≥ 1)
//   header  = "HDSO" ‖ version 0x01 ‖ segment_size (u32 BE) ‖ salt (32) ‖ nonce_prefix (7)
//   key     = HKDF-SHA256(ikm = data key, salt = salt,
//                         info = "hdhub sealed-object v1" ‖ associated data, 32)
//   segment_i = AES-256-GCM(key, nonce_prefix ‖ i (u32 BE) ‖ last (0x00|0x01),
//                           aad = header, plaintext_i) ‖ tag
//
// Every segment but the last holds exactly segment_size plaintext bytes; the
// last holds 0..segment_size and carries last = 0x01 (SealWriter leaves it
// empty only for an empty plaintext; an exact multiple of segment_size ends
// with a full last segment; readers accept both). So any plaintext byte
// range decrypts by reading only the segments that cover it; truncation (the
// last flag), reordering or swapping (the index in the nonce), moving an object
// to another name (associated data in the key) and any flipped bit (the tag)
// all fail as DataLoss.
//
// Thread-safety: a SealWriter is used by one thread at a time. A SealReader is
// immutable after Create(); DecryptSegment may run on several threads at once.
#pragma once

#include <cstdint>
#include <memory>

#include "hdhub/common/bytes.h"
#include "hdhub/common/secret_bytes.h"
#include "hdhub/common/status.h"

namespace hdhub::crypto {

inline constexpr size_t kSealedHeaderSize = 48;
inline constexpr size_t kSealedTagSize = 16;
// 64 KiB: a DuckDB read rarely starts or ends on a segment boundary, and the
// partial segments at both ends are decrypted whole; at 64 KiB that waste is
// small while AES-GCM still runs at full speed (bench/README.md).
inline constexpr uint32_t kDefaultSegmentSize = 64 * 1024;
inline constexpr uint32_t kMinSegmentSize = 1024;
inline constexpr uint32_t kMaxSegmentSize = 64 * 1024 * 1024;
// Associated data goes into the HKDF info; object names are far shorter.
inline constexpr size_t kMaxSealedAssociatedDataSize = 16 * 1024;

// Where segments sit in an object of a known ciphertext size. Pure arithmetic,
// shared by readers (which stat the object first) and by tests.
struct SealedLayout {
  uint32_t segment_size = 0;
  uint64_t ciphertext_size = 0;  // whole object, header included
  uint64_t plaintext_size = 0;
  uint64_t segment_count = 0;    // ≥ 1

  // DataLoss when ciphertext_size cannot be a sealed object of this segment size
  // (shorter than header + one tag, or a last segment shorter than a tag).
  static StatusOr<SealedLayout> FromCiphertextSize(uint32_t segment_size, uint64_t ciphertext_size);
  static uint64_t CiphertextSizeFor(uint32_t segment_size, uint64_t plaintext_size);

  uint64_t SegmentCiphertextOffset(uint64_t index) const;  // from the start of the object
  size_t SegmentCiphertextSize(uint64_t index) const;      // tag included
  size_t SegmentPlaintextSize(uint64_t index) const;
  uint64_t SegmentForPlaintextOffset(uint64_t plaintext_offset) const;
};

class SealWriter {
  struct State;  // Defined in the .cc, so OpenSSL types stay out of this header.

 public:
  // `data_key` is the 32-byte data key (DEK); `associated_data` is the object's
  // logical identity (e.g. its logical name) and must be given again to read it.
  // InvalidArgument on a bad key size or segment size, or associated data longer
  // than kMaxSealedAssociatedDataSize.
  static StatusOr<std::unique_ptr<SealWriter>> Create(const SecretBytes& data_key,
                                                      ByteSpan associated_data,
                                                      uint32_t segment_size = kDefaultSegmentSize);
  // Only Create() can make a Passkey, so only Create() constructs (through
  // std::make_unique, without a raw new).
  class Passkey {
    friend class SealWriter;
    Passkey() = default;
  };
  SealWriter(Passkey, std::unique_ptr<State> state);
  ~SealWriter();

  // Encrypts `plaintext` and appends every completed byte of ciphertext to `out`
  // (the header on the first call). Buffers at most one segment of plaintext.
  Status Write(ByteSpan plaintext, Bytes* out);
  // Seals the last segment (possibly empty) and appends it to `out`. The writer
  // cannot be used afterwards (FailedPrecondition).
  Status Finish(Bytes* out);

  uint64_t plaintext_written() const { return plaintext_written_; }

 private:
  std::unique_ptr<State> state_;
  uint64_t plaintext_written_ = 0;
};

class SealReader {
  struct State;  // Defined in the .cc, so OpenSSL types stay out of this header.

 public:
  // `header` is the first kSealedHeaderSize bytes of the object and
  // `ciphertext_size` its whole size. DataLoss on a bad magic, version, or a
  // size inconsistent with the header; InvalidArgument on a bad key size or
  // associated data longer than kMaxSealedAssociatedDataSize.
  static StatusOr<std::unique_ptr<SealReader>> Create(const SecretBytes& data_key,
                                                      ByteSpan associated_data, ByteSpan header,
                                                      uint64_t ciphertext_size);
  // Only Create() can make a Passkey, so only Create() constructs (through
  // std::make_unique, without a raw new).
  class Passkey {
    friend class SealReader;
    Passkey() = default;
  };
  SealReader(Passkey, std::unique_ptr<State> state, SealedLayout layout);
  ~SealReader();

  const SealedLayout& layout() const { return layout_; }

  // Decrypts segment `index` from its ciphertext (tag included, exactly
  // layout().SegmentCiphertextSize(index) bytes) into `out`, which must hold
  // SegmentPlaintextSize(index) bytes. DataLoss when the tag fails: wrong key,
  // wrong associated data, a reordered, swapped, truncated or altered segment.
  Status DecryptSegment(uint64_t index, ByteSpan segment_ciphertext, MutableByteSpan out) const;

 private:
  std::unique_ptr<State> state_;
  SealedLayout layout_;
};

// Whole-buffer helpers for small objects (manifests, tests).
StatusOr<Bytes> SealAll(const SecretBytes& data_key, ByteSpan associated_data, ByteSpan plaintext,
                        uint32_t segment_size = kDefaultSegmentSize);
StatusOr<Bytes> UnsealAll(const SecretBytes& data_key, ByteSpan associated_data, ByteSpan sealed);

}  // namespace hdhub::crypto

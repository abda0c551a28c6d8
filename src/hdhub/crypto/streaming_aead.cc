// The sealed-object streaming AEAD: docs/formats/sealed-object.md is the contract.
#include "hdhub/crypto/streaming_aead.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>

#include "hdhub/crypto/aes_gcm.h"
#include "hdhub/crypto/hkdf.h"
#include "hdhub/crypto/random.h"

namespace hdhub::crypto {
namespace {

constexpr std::string_view kMagic = "HDSO";
constexpr uint8_t kVersion = 0x01;
constexpr size_t kSaltOffset = 9;
constexpr size_t kSaltSize = 32;
constexpr size_t kNoncePrefixOffset = kSaltOffset + kSaltSize;
constexpr size_t kNoncePrefixSize = 7;
static_assert(kNoncePrefixOffset + kNoncePrefixSize == kSealedHeaderSize);
static_assert(kNoncePrefixSize + 4 + 1 == kAesGcmNonceSize);
static_assert(kSealedTagSize == kAesGcmTagSize);
constexpr std::string_view kKeyInfoLabel = "hdhub sealed-object v1";
constexpr uint64_t kMaxSegmentIndex = std::numeric_limits<uint32_t>::max();

using Header = std::array<uint8_t, kSealedHeaderSize>;
using Nonce = std::array<uint8_t, kAesGcmNonceSize>;

Status CheckKeyAndAssociatedData(const SecretBytes& data_key, ByteSpan associated_data) {
  if (data_key.size() != kAesGcmKeySize) {
    return InvalidArgumentError("sealed-object data key must be 32 bytes");
  }
  if (associated_data.size() > kMaxSealedAssociatedDataSize) {
    return InvalidArgumentError("sealed-object associated data must be at most 16 KiB");
  }
  return OkStatus();
}

// The per-object key: HKDF-SHA256(data key, salt, label ‖ associated data).
// Binding the associated data into the key (rather than into every GCM AAD)
// makes an object copied under another name fail on its first segment.
StatusOr<std::unique_ptr<AesGcm256>> ObjectCipher(const SecretBytes& data_key,
                                                  ByteSpan associated_data, const Header& header) {
  Bytes info(kKeyInfoLabel.begin(), kKeyInfoLabel.end());
  info.insert(info.end(), associated_data.begin(), associated_data.end());
  ASSIGN_OR_RETURN(SecretBytes key,
                   HkdfSha256(data_key, ByteSpan(header).subspan(kSaltOffset, kSaltSize), info,
                              kAesGcmKeySize));
  return AesGcm256::Create(key);
}

Nonce SegmentNonce(const Header& header, uint64_t index, bool last) {
  Nonce nonce;
  std::memcpy(nonce.data(), header.data() + kNoncePrefixOffset, kNoncePrefixSize);
  PutBigEndian32(static_cast<uint32_t>(index), nonce.data() + kNoncePrefixSize);
  nonce[kAesGcmNonceSize - 1] = last ? 0x01 : 0x00;
  return nonce;
}

Status CheckSegmentSize(uint32_t segment_size) {
  if (segment_size < kMinSegmentSize || segment_size > kMaxSegmentSize) {
    return InvalidArgumentError("segment size must be between 1 KiB and 64 MiB");
  }
  return OkStatus();
}

}  // namespace

// ---------------------------------------------------------------- SealWriter

struct SealWriter::State {
  std::unique_ptr<AesGcm256> cipher;
  Header header{};
  uint32_t segment_size = 0;
  Bytes pending;  // plaintext not yet sealed, at most one segment
  uint64_t next_index = 0;
  bool header_written = false;
  bool finished = false;

  ~State() { OPENSSL_cleanse(pending.data(), pending.size()); }

  // Appends segment `next_index` sealed from `plaintext` to `out`.
  Status SealSegment(ByteSpan plaintext, bool last, Bytes* out) {
    if (next_index > kMaxSegmentIndex) {
      return InvalidArgumentError("object too large: more than 2^32 segments");
    }
    const Nonce nonce = SegmentNonce(header, next_index, last);
    const size_t start = out->size();
    out->resize(start + plaintext.size() + kSealedTagSize);
    RETURN_IF_ERROR(cipher->Encrypt(
        nonce, header, plaintext,
        MutableByteSpan(out->data() + start, plaintext.size() + kSealedTagSize)));
    ++next_index;
    return OkStatus();
  }

  void WriteHeaderOnce(Bytes* out) {
    if (header_written) return;
    out->insert(out->end(), header.begin(), header.end());
    header_written = true;
  }
};

SealWriter::SealWriter(Passkey, std::unique_ptr<State> state) : state_(std::move(state)) {}
SealWriter::~SealWriter() = default;

StatusOr<std::unique_ptr<SealWriter>> SealWriter::Create(const SecretBytes& data_key,
                                                         ByteSpan associated_data,
                                                         uint32_t segment_size) {
  RETURN_IF_ERROR(CheckKeyAndAssociatedData(data_key, associated_data));
  RETURN_IF_ERROR(CheckSegmentSize(segment_size));
  auto state = std::make_unique<State>();
  Header& header = state->header;
  std::memcpy(header.data(), kMagic.data(), kMagic.size());
  header[kMagic.size()] = kVersion;
  PutBigEndian32(segment_size, header.data() + kMagic.size() + 1);
  // Salt and nonce prefix in one draw: both are public and fresh per object.
  RETURN_IF_ERROR(RandomBytes(MutableByteSpan(header).subspan(kSaltOffset)));
  ASSIGN_OR_RETURN(state->cipher, ObjectCipher(data_key, associated_data, header));
  state->segment_size = segment_size;
  state->pending.reserve(segment_size);
  return std::make_unique<SealWriter>(Passkey(), std::move(state));
}

Status SealWriter::Write(ByteSpan plaintext, Bytes* out) {
  State& s = *state_;
  if (s.finished) return FailedPreconditionError("SealWriter::Write after Finish");
  s.WriteHeaderOnce(out);
  plaintext_written_ += plaintext.size();
  // A full segment is sealed only once a later byte proves it is not the last:
  // the last segment carries the last flag, and only Finish() knows which it is.
  while (s.pending.size() + plaintext.size() > s.segment_size) {
    if (s.pending.empty()) {
      // Fast path: seal straight from the caller's buffer, no copy.
      RETURN_IF_ERROR(s.SealSegment(plaintext.first(s.segment_size), false, out));
      plaintext = plaintext.subspan(s.segment_size);
    } else {
      const size_t take = s.segment_size - s.pending.size();
      s.pending.insert(s.pending.end(), plaintext.begin(), plaintext.begin() + take);
      plaintext = plaintext.subspan(take);
      RETURN_IF_ERROR(s.SealSegment(s.pending, false, out));
      OPENSSL_cleanse(s.pending.data(), s.pending.size());
      s.pending.clear();
    }
  }
  s.pending.insert(s.pending.end(), plaintext.begin(), plaintext.end());
  return OkStatus();
}

Status SealWriter::Finish(Bytes* out) {
  State& s = *state_;
  if (s.finished) return FailedPreconditionError("SealWriter::Finish called twice");
  s.finished = true;
  s.WriteHeaderOnce(out);
  Status status = s.SealSegment(s.pending, true, out);
  OPENSSL_cleanse(s.pending.data(), s.pending.size());
  s.pending.clear();
  return status;
}

// ---------------------------------------------------------------- SealReader

struct SealReader::State {
  std::unique_ptr<AesGcm256> cipher;
  Header header{};
};

SealReader::SealReader(Passkey, std::unique_ptr<State> state, SealedLayout layout)
    : state_(std::move(state)), layout_(layout) {}
SealReader::~SealReader() = default;

StatusOr<std::unique_ptr<SealReader>> SealReader::Create(const SecretBytes& data_key,
                                                         ByteSpan associated_data,
                                                         ByteSpan header,
                                                         uint64_t ciphertext_size) {
  RETURN_IF_ERROR(CheckKeyAndAssociatedData(data_key, associated_data));
  if (header.size() < kSealedHeaderSize) {
    return DataLossError("sealed-object header is shorter than 48 bytes");
  }
  if (AsStringView(header.first(kMagic.size())) != kMagic) {
    return DataLossError("not a sealed object: bad magic");
  }
  if (header[kMagic.size()] != kVersion) {
    return DataLossError("unsupported sealed-object version " +
                         std::to_string(header[kMagic.size()]));
  }
  const uint32_t segment_size = GetBigEndian32(header.data() + kMagic.size() + 1);
  ASSIGN_OR_RETURN(SealedLayout layout,
                   SealedLayout::FromCiphertextSize(segment_size, ciphertext_size));
  auto state = std::make_unique<State>();
  std::memcpy(state->header.data(), header.data(), kSealedHeaderSize);
  ASSIGN_OR_RETURN(state->cipher, ObjectCipher(data_key, associated_data, state->header));
  return std::make_unique<SealReader>(Passkey(), std::move(state), layout);
}

Status SealReader::DecryptSegment(uint64_t index, ByteSpan segment_ciphertext,
                                  MutableByteSpan out) const {
  if (index >= layout_.segment_count) {
    return InvalidArgumentError("segment " + std::to_string(index) + " is past the last segment " +
                                std::to_string(layout_.segment_count - 1));
  }
  if (segment_ciphertext.size() != layout_.SegmentCiphertextSize(index)) {
    return DataLossError("segment " + std::to_string(index) + " has " +
                         std::to_string(segment_ciphertext.size()) + " bytes, expected " +
                         std::to_string(layout_.SegmentCiphertextSize(index)));
  }
  if (out.size() != layout_.SegmentPlaintextSize(index)) {
    return InvalidArgumentError("output for segment " + std::to_string(index) +
                                " must hold exactly its plaintext size");
  }
  const bool last = index + 1 == layout_.segment_count;
  const Nonce nonce = SegmentNonce(state_->header, index, last);
  Status status = state_->cipher->Decrypt(nonce, state_->header, segment_ciphertext, out);
  if (IsDataLoss(status)) {
    return DataLossError("segment " + std::to_string(index) +
                         " failed authentication: wrong key or associated data, or the object "
                         "was truncated, reordered or altered");
  }
  return status;
}

// ---------------------------------------------------------------- helpers

StatusOr<Bytes> SealAll(const SecretBytes& data_key, ByteSpan associated_data, ByteSpan plaintext,
                        uint32_t segment_size) {
  ASSIGN_OR_RETURN(auto writer, SealWriter::Create(data_key, associated_data, segment_size));
  Bytes sealed;
  sealed.reserve(SealedLayout::CiphertextSizeFor(segment_size, plaintext.size()));
  RETURN_IF_ERROR(writer->Write(plaintext, &sealed));
  RETURN_IF_ERROR(writer->Finish(&sealed));
  return sealed;
}

StatusOr<Bytes> UnsealAll(const SecretBytes& data_key, ByteSpan associated_data, ByteSpan sealed) {
  if (sealed.size() < kSealedHeaderSize) {
    return DataLossError("sealed object is shorter than its 48-byte header");
  }
  ASSIGN_OR_RETURN(auto reader, SealReader::Create(data_key, associated_data,
                                                   sealed.first(kSealedHeaderSize), sealed.size()));
  const SealedLayout& layout = reader->layout();
  Bytes plaintext(layout.plaintext_size);
  for (uint64_t i = 0; i < layout.segment_count; ++i) {
    const ByteSpan segment =
        sealed.subspan(layout.SegmentCiphertextOffset(i), layout.SegmentCiphertextSize(i));
    const MutableByteSpan out(plaintext.data() + i * uint64_t{layout.segment_size},
                              layout.SegmentPlaintextSize(i));
    RETURN_IF_ERROR(reader->DecryptSegment(i, segment, out));
  }
  return plaintext;
}

}  // namespace hdhub::crypto

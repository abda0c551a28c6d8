#include "hdhub/keys/key_file.h"

#include <argon2.h>

#include <algorithm>
#include <string>

#include "hdhub/crypto/aes_gcm.h"
#include "hdhub/crypto/random.h"
#include "hdhub/keys/kek_operations.h"

namespace hdhub::keys {
namespace {

constexpr size_t kArgonOutputSize = crypto::kAesGcmKeySize;
constexpr size_t kSealedKekSize = kKekSize + crypto::kAesGcmTagSize;
static_assert(kKeyFileHeaderSize == 8 + 1 + 1 + 4 + 4 + 4 + kKeyFileSaltSize);
static_assert(kKeyFileSize == kKeyFileHeaderSize + crypto::kAesGcmNonceSize + kSealedKekSize);

// Reads fixed-size fields in order, so a short file is reported by the first
// field it cuts.
class FieldReader {
 public:
  FieldReader(ByteSpan data, std::string_view name) : data_(data), name_(name) {}

  StatusOr<ByteSpan> Take(std::string_view field, size_t size) {
    if (data_.size() - offset_ < size) {
      return Error(field, "truncated (file is " + std::to_string(data_.size()) +
                              " bytes, a key file is " + std::to_string(kKeyFileSize) + ")");
    }
    ByteSpan out = data_.subspan(offset_, size);
    offset_ += size;
    return out;
  }
  StatusOr<uint32_t> TakeU32(std::string_view field) {
    ASSIGN_OR_RETURN(ByteSpan bytes, Take(field, 4));
    return GetBigEndian32(bytes.data());
  }
  Status Error(std::string_view field, std::string_view problem) const {
    return DataLossError("key file " + std::string(name_) + ": field '" + std::string(field) +
                         "' " + std::string(problem));
  }
  size_t remaining() const { return data_.size() - offset_; }
  // Precondition: size <= remaining() (the caller parsed those bytes already).
  void Skip(size_t size) { offset_ += size; }

 private:
  ByteSpan data_;
  std::string_view name_;
  size_t offset_ = 0;
};

// The name of the first parameter out of bounds, or empty when all are fine.
std::string_view BadParam(const KeyFileParams& p) {
  if (p.t_cost < 1 || p.t_cost > KeyFileParams::kMaxTCost) return "t_cost";
  if (p.parallelism < 1 || p.parallelism > KeyFileParams::kMaxParallelism) return "parallelism";
  if (p.m_cost_kib < 8 * p.parallelism || p.m_cost_kib > KeyFileParams::kMaxMCostKib) {
    return "m_cost_kib";
  }
  return "";
}

StatusOr<SecretBytes> DeriveFileKey(const SecretBytes& passphrase, const KeyFileHeader& header) {
  if (passphrase.empty()) return InvalidArgumentError("the passphrase must not be empty");
  SecretBytes key(kArgonOutputSize);
  int rc = argon2id_hash_raw(
      header.params.t_cost, header.params.m_cost_kib, header.params.parallelism, passphrase.data(),
      passphrase.size(), header.salt.data(), header.salt.size(), key.mutable_data(), key.size());
  if (rc == ARGON2_MEMORY_ALLOCATION_ERROR) {
    return ResourceExhaustedError("Argon2id could not allocate " +
                                  std::to_string(header.params.m_cost_kib) + " KiB");
  }
  if (rc != ARGON2_OK) return InternalError(std::string("Argon2id: ") + argon2_error_message(rc));
  return key;
}

Bytes EncodeHeader(const KeyFileHeader& header) {
  Bytes out(kKeyFileHeaderSize);
  std::copy(kKeyFileMagic.begin(), kKeyFileMagic.end(), out.begin());
  out[8] = kKeyFileVersion;
  out[9] = kKeyFileKdfArgon2id;
  PutBigEndian32(header.params.t_cost, &out[10]);
  PutBigEndian32(header.params.m_cost_kib, &out[14]);
  PutBigEndian32(header.params.parallelism, &out[18]);
  std::copy(header.salt.begin(), header.salt.end(), out.begin() + 22);
  return out;
}

}  // namespace

Status ValidateKeyFileParams(const KeyFileParams& params) {
  std::string_view bad = BadParam(params);
  if (bad.empty()) return OkStatus();
  return InvalidArgumentError("key file parameter " + std::string(bad) + " is out of bounds");
}

StatusOr<Bytes> SealKeyFile(const SecretBytes& kek, const SecretBytes& passphrase,
                            const KeyFileParams& params) {
  RETURN_IF_ERROR(ValidateKeyFileParams(params));
  if (kek.size() != kKekSize) return InvalidArgumentError("the KEK must be 32 bytes");
  KeyFileHeader header{params, {}};
  RETURN_IF_ERROR(crypto::RandomBytes(header.salt));
  ASSIGN_OR_RETURN(SecretBytes file_key, DeriveFileKey(passphrase, header));
  ASSIGN_OR_RETURN(std::unique_ptr<crypto::AesGcm256> aead, crypto::AesGcm256::Create(file_key));
  Bytes file = EncodeHeader(header);
  ASSIGN_OR_RETURN(Bytes sealed, aead->SealWithRandomNonce(file, kek.span()));
  file.insert(file.end(), sealed.begin(), sealed.end());
  return file;
}

StatusOr<KeyFileHeader> ParseKeyFileHeader(ByteSpan file, std::string_view name) {
  FieldReader in(file, name);
  ASSIGN_OR_RETURN(ByteSpan magic, in.Take("magic", kKeyFileMagic.size()));
  if (AsStringView(magic) != kKeyFileMagic) return in.Error("magic", "is not HDHUBKEY");
  ASSIGN_OR_RETURN(ByteSpan version, in.Take("version", 1));
  if (version[0] != kKeyFileVersion) {
    return in.Error("version", "is " + std::to_string(version[0]) + ", this hdhub reads 1");
  }
  ASSIGN_OR_RETURN(ByteSpan kdf, in.Take("kdf", 1));
  if (kdf[0] != kKeyFileKdfArgon2id) {
    return in.Error("kdf", "is " + std::to_string(kdf[0]) + ", expected 1 (Argon2id)");
  }
  KeyFileHeader header;
  ASSIGN_OR_RETURN(header.params.t_cost, in.TakeU32("t_cost"));
  ASSIGN_OR_RETURN(header.params.m_cost_kib, in.TakeU32("m_cost_kib"));
  ASSIGN_OR_RETURN(header.params.parallelism, in.TakeU32("parallelism"));
  if (std::string_view bad = BadParam(header.params); !bad.empty()) {
    return in.Error(bad, "is out of bounds");
  }
  ASSIGN_OR_RETURN(ByteSpan salt, in.Take("salt", kKeyFileSaltSize));
  std::copy(salt.begin(), salt.end(), header.salt.begin());
  return header;
}

StatusOr<SecretBytes> OpenKeyFile(ByteSpan file, const SecretBytes& passphrase,
                                  std::string_view name) {
  if (passphrase.empty()) return InvalidArgumentError("the passphrase must not be empty");
  ASSIGN_OR_RETURN(KeyFileHeader header, ParseKeyFileHeader(file, name));
  FieldReader in(file, name);
  in.Skip(kKeyFileHeaderSize);
  ASSIGN_OR_RETURN(ByteSpan nonce, in.Take("nonce", crypto::kAesGcmNonceSize));
  ASSIGN_OR_RETURN(ByteSpan sealed_kek, in.Take("sealed_kek", kSealedKekSize));
  if (in.remaining() != 0) {
    return in.Error("sealed_kek",
                    "is followed by " + std::to_string(in.remaining()) + " unexpected bytes");
  }
  ASSIGN_OR_RETURN(SecretBytes file_key, DeriveFileKey(passphrase, header));
  ASSIGN_OR_RETURN(std::unique_ptr<crypto::AesGcm256> aead, crypto::AesGcm256::Create(file_key));
  ByteSpan body(nonce.data(), nonce.size() + sealed_kek.size());
  StatusOr<SecretBytes> kek = aead->OpenWithRandomNonce(file.first(kKeyFileHeaderSize), body);
  if (!kek.ok()) {
    return PermissionDeniedError("key file " + std::string(name) +
                                 ": wrong passphrase or damaged file");
  }
  return kek;
}

}  // namespace hdhub::keys

#include "hdhub/keys/kek_operations.h"

#include <string>

#include "hdhub/crypto/hkdf.h"

namespace hdhub::keys {
namespace {

constexpr std::string_view kWrapInfo = "hdhub wrap v1";
constexpr std::string_view kHmacInfoPrefix = "hdhub hmac v1 ";
constexpr size_t kDerivedKeySize = 32;
constexpr size_t kMinWrappedSize = 1 + crypto::kAesGcmNonceSize + crypto::kAesGcmTagSize;

// The version byte is bound as associated data too, so a future format cannot
// be confused with this one by rewriting the first byte.
Bytes AssociatedData(std::string_view context) {
  Bytes aad;
  aad.reserve(1 + context.size());
  aad.push_back(kWrappedKeyVersion);
  aad.insert(aad.end(), context.begin(), context.end());
  return aad;
}

}  // namespace

StatusOr<std::unique_ptr<KekOperations>> KekOperations::Create(SecretBytes kek) {
  if (kek.size() != kKekSize) {
    return InvalidArgumentError("KEK must be " + std::to_string(kKekSize) + " bytes, got " +
                                std::to_string(kek.size()));
  }
  ASSIGN_OR_RETURN(SecretBytes wrapping_key,
                   crypto::HkdfSha256(kek, ByteSpan(), AsBytes(kWrapInfo), kDerivedKeySize));
  ASSIGN_OR_RETURN(std::unique_ptr<crypto::AesGcm256> wrapper,
                   crypto::AesGcm256::Create(wrapping_key));
  return std::make_unique<KekOperations>(Passkey(), std::move(kek), std::move(wrapper));
}

Status KekOperations::CheckNotForgotten() const {
  return forgotten_.load() ? FailedPreconditionError("this KEK was destroyed") : OkStatus();
}

StatusOr<Bytes> KekOperations::WrapKey(const SecretBytes& data_key,
                                       std::string_view context) const {
  RETURN_IF_ERROR(CheckNotForgotten());
  if (data_key.empty()) return InvalidArgumentError("cannot wrap an empty key");
  ASSIGN_OR_RETURN(Bytes sealed,
                   wrapper_->SealWithRandomNonce(AssociatedData(context), data_key.span()));
  Bytes wrapped;
  wrapped.reserve(1 + sealed.size());
  wrapped.push_back(kWrappedKeyVersion);
  wrapped.insert(wrapped.end(), sealed.begin(), sealed.end());
  return wrapped;
}

StatusOr<SecretBytes> KekOperations::UnwrapKey(ByteSpan wrapped, std::string_view context) const {
  RETURN_IF_ERROR(CheckNotForgotten());
  if (wrapped.size() <= kMinWrappedSize) {
    return DataLossError("wrapped key: " + std::to_string(wrapped.size()) +
                         " bytes is too short (truncated or destroyed)");
  }
  if (wrapped[0] != kWrappedKeyVersion) {
    return DataLossError("wrapped key: unknown format version " + std::to_string(wrapped[0]));
  }
  StatusOr<SecretBytes> key =
      wrapper_->OpenWithRandomNonce(AssociatedData(context), wrapped.subspan(1));
  if (!key.ok()) {
    return DataLossError(
        "wrapped key does not authenticate: altered, made for another context, or wrapped "
        "under another KEK");
  }
  return key;
}

StatusOr<SecretBytes> KekOperations::DerivedPurposeKey(std::string_view purpose) const {
  RETURN_IF_ERROR(CheckNotForgotten());
  if (purpose.empty()) return InvalidArgumentError("HMAC purpose must not be empty");
  std::string info(kHmacInfoPrefix);
  info += purpose;
  return crypto::HkdfSha256(kek_, ByteSpan(), AsBytes(info), kDerivedKeySize);
}

StatusOr<std::unique_ptr<crypto::HmacSha256>> KekOperations::HmacFor(std::string_view purpose) const {
  ASSIGN_OR_RETURN(SecretBytes key, DerivedPurposeKey(purpose));
  return crypto::HmacSha256::Create(key);
}

}  // namespace hdhub::keys

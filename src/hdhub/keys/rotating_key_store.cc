#include "hdhub/keys/rotating_key_store.h"

namespace hdhub::keys {

StatusOr<Bytes> RotatingKeyStore::WrapKey(const SecretBytes& data_key, std::string_view context) {
  return next_->WrapKey(data_key, context);
}

StatusOr<SecretBytes> RotatingKeyStore::UnwrapKey(ByteSpan wrapped, std::string_view context) {
  StatusOr<SecretBytes> key = next_->UnwrapKey(wrapped, context);
  if (key.ok() || key.status().code() != StatusCode::kDataLoss) return key;
  StatusOr<SecretBytes> before = previous_->UnwrapKey(wrapped, context);
  if (before.ok()) return before;
  return key;
}

StatusOr<std::unique_ptr<crypto::HmacSha256>> RotatingKeyStore::HmacFor(std::string_view purpose) {
  return FailedPreconditionError("a KEK under rotation derives no purpose key (they are in the key ring)");
}

StatusOr<SecretBytes> RotatingKeyStore::DerivedPurposeKey(std::string_view purpose) {
  return FailedPreconditionError("a KEK under rotation derives no purpose key (they are in the key ring)");
}

std::string RotatingKeyStore::Describe() const {
  return next_->Describe() + " (rotating from " + previous_->Describe() + ")";
}

Status RotatingKeyStore::DestroyKek() {
  return FailedPreconditionError("a KEK under rotation is destroyed once the rotation has switched to the next one");
}

}  // namespace hdhub::keys

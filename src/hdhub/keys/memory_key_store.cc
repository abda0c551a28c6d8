#include "hdhub/keys/memory_key_store.h"

#include "hdhub/crypto/random.h"

namespace hdhub::keys {

StatusOr<std::unique_ptr<MemoryKeyStore>> MemoryKeyStore::Create() {
  ASSIGN_OR_RETURN(SecretBytes kek, crypto::RandomSecret(kKekSize));
  return CreateForTest(std::move(kek));
}

StatusOr<std::unique_ptr<MemoryKeyStore>> MemoryKeyStore::CreateForTest(SecretBytes kek) {
  ASSIGN_OR_RETURN(std::unique_ptr<KekOperations> ops, KekOperations::Create(std::move(kek)));
  return std::make_unique<MemoryKeyStore>(std::move(ops));
}

StatusOr<Bytes> MemoryKeyStore::WrapKey(const SecretBytes& data_key, std::string_view context) {
  return ops_->WrapKey(data_key, context);
}

StatusOr<SecretBytes> MemoryKeyStore::UnwrapKey(ByteSpan wrapped, std::string_view context) {
  return ops_->UnwrapKey(wrapped, context);
}

StatusOr<std::unique_ptr<crypto::HmacSha256>> MemoryKeyStore::HmacFor(std::string_view purpose) {
  return ops_->HmacFor(purpose);
}

StatusOr<SecretBytes> MemoryKeyStore::DerivedPurposeKey(std::string_view purpose) {
  return ops_->DerivedPurposeKey(purpose);
}

Status MemoryKeyStore::DestroyKek() {
  ops_->Forget();
  return OkStatus();
}

}  // namespace hdhub::keys

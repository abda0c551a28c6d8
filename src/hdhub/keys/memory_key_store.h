// MemoryKeyStore (`memory:`): a KeyStore whose KEK is random, generated when
// the store is created and lost when it is destroyed. For tests and
// throw-away runs: anything wrapped under it dies with the process.
//
// Ownership: owns its KEK (inside KekOperations). Thread-safety: every method
// may be called from several threads at once.
#pragma once

#include <memory>
#include <string>

#include "hdhub/keys/kek_operations.h"
#include "hdhub/keys/key_store.h"

namespace hdhub::keys {

class MemoryKeyStore final : public KeyStore {
 public:
  // A store with a fresh random KEK. Internal if the CSPRNG fails.
  static StatusOr<std::unique_ptr<MemoryKeyStore>> Create();
  // A store with a chosen KEK (32 bytes), so a test can build two stores that
  // share a KEK or differ on purpose. InvalidArgument on a bad size.
  static StatusOr<std::unique_ptr<MemoryKeyStore>> CreateForTest(SecretBytes kek);

  StatusOr<Bytes> WrapKey(const SecretBytes& data_key, std::string_view context) override;
  StatusOr<SecretBytes> UnwrapKey(ByteSpan wrapped, std::string_view context) override;
  StatusOr<std::unique_ptr<crypto::HmacSha256>> HmacFor(std::string_view purpose) override;
  StatusOr<SecretBytes> DerivedPurposeKey(std::string_view purpose) override;
  std::string Describe() const override { return "memory:"; }
  Status DestroyKek() override;

  explicit MemoryKeyStore(std::unique_ptr<KekOperations> ops) : ops_(std::move(ops)) {}

 private:
  std::unique_ptr<KekOperations> ops_;
};

}  // namespace hdhub::keys

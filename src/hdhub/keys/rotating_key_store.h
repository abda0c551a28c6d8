// RotatingKeyStore: the key store of a hub while its KEK is being replaced
// (`hdhub keys rotate`, hub/kek_rotation.h). New keys are wrapped by the
// next KEK; a wrapped key unwraps under the next KEK, or else under the
// previous one, so every key stays readable whichever of the two wraps it at
// any moment of the rotation. Purpose keys come from the hub's key ring, not
// from either KEK: HmacFor and DerivedPurposeKey are FailedPrecondition.
//
// Thread-safety: as the two stores it holds (both safe to call from several
// threads).
#pragma once

#include <memory>

#include "hdhub/keys/key_store.h"

namespace hdhub::keys {

class RotatingKeyStore final : public KeyStore {
 public:
  RotatingKeyStore(std::unique_ptr<KeyStore> next, std::unique_ptr<KeyStore> previous)
      : next_(std::move(next)), previous_(std::move(previous)) {}

  // Under the next KEK.
  StatusOr<Bytes> WrapKey(const SecretBytes& data_key, std::string_view context) override;
  // Under the next KEK, else the previous one; the next KEK's error when
  // neither unwraps it.
  StatusOr<SecretBytes> UnwrapKey(ByteSpan wrapped, std::string_view context) override;
  StatusOr<std::unique_ptr<crypto::HmacSha256>> HmacFor(std::string_view purpose) override;
  StatusOr<SecretBytes> DerivedPurposeKey(std::string_view purpose) override;
  // "<next> (rotating from <previous>)".
  std::string Describe() const override;
  // FailedPrecondition: the old KEK is destroyed on its own, after the switch.
  Status DestroyKek() override;

  // The next KEK alone, to check that every key has moved to it.
  KeyStore& next() { return *next_; }

 private:
  std::unique_ptr<KeyStore> next_;
  std::unique_ptr<KeyStore> previous_;
};

}  // namespace hdhub::keys

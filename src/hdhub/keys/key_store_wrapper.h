// KeyStoreWrapper: a KeyStore that forwards every call to another store, in
// the manner of LevelDB's EnvWrapper. A decorator (auditing, metrics, a
// fault-injecting store for tests) derives from it and overrides only what it
// changes, calling KeyStoreWrapper::<Method> to reach the wrapped store.
//
// Ownership: borrows the wrapped store (which must outlive the wrapper) or
// owns it. Thread-safety: that of the wrapped store.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "hdhub/keys/key_store.h"

namespace hdhub::keys {

class KeyStoreWrapper : public KeyStore {
 public:
  explicit KeyStoreWrapper(KeyStore* base) : base_(base) {}
  explicit KeyStoreWrapper(std::unique_ptr<KeyStore> base) : owned_base_(std::move(base)), base_(owned_base_.get()) {}
  KeyStoreWrapper(const KeyStoreWrapper&) = delete;
  KeyStoreWrapper& operator=(const KeyStoreWrapper&) = delete;

  // The wrapped store.
  KeyStore* base() const { return base_; }

  StatusOr<Bytes> WrapKey(const SecretBytes& data_key, std::string_view context) override {
    return base_->WrapKey(data_key, context);
  }
  StatusOr<SecretBytes> UnwrapKey(ByteSpan wrapped, std::string_view context) override {
    return base_->UnwrapKey(wrapped, context);
  }
  StatusOr<std::unique_ptr<crypto::HmacSha256>> HmacFor(std::string_view purpose) override {
    return base_->HmacFor(purpose);
  }
  StatusOr<SecretBytes> DerivedPurposeKey(std::string_view purpose) override {
    return base_->DerivedPurposeKey(purpose);
  }
  std::string Describe() const override { return base_->Describe(); }
  Status DestroyKek() override { return base_->DestroyKek(); }

 private:
  std::unique_ptr<KeyStore> owned_base_;
  KeyStore* const base_;
};

}  // namespace hdhub::keys

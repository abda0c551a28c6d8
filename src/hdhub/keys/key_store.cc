#include "hdhub/keys/key_store.h"

#include <string>

#include "hdhub/crypto/random.h"

namespace hdhub::keys {

StatusOr<SecretBytes> KeyStore::DerivedPurposeKey(std::string_view) {
  return UnimplementedError(Describe().substr(0, Describe().find(':')) + " key store derives no purpose key");
}

StatusOr<SecretBytes> NewDataKey() { return crypto::RandomSecret(kDataKeySize); }

void KeyStoreRegistry::Register(std::string scheme, Factory factory) {
  factories_[std::move(scheme)] = std::move(factory);
}

StatusOr<std::unique_ptr<KeyStore>> KeyStoreRegistry::Open(std::string_view uri) const {
  size_t colon = uri.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    return InvalidArgumentError("key store URI '" + std::string(uri) +
                                "' has no scheme (expected e.g. keyfile:/path or memory:)");
  }
  std::string_view scheme = uri.substr(0, colon);
  auto it = factories_.find(scheme);
  if (it == factories_.end()) {
    std::string known;
    for (const auto& [name, factory] : factories_) known += (known.empty() ? "" : ", ") + name;
    return InvalidArgumentError("unknown key store scheme '" + std::string(scheme) +
                                "' (known: " + known + ")");
  }
  return it->second(uri.substr(colon + 1));
}

}  // namespace hdhub::keys

#include "hdhub/keys/builtin_key_stores.h"

#include "hdhub/keys/key_file_key_store.h"
#include "hdhub/keys/memory_key_store.h"
#include "hdhub/keys/pkcs11_key_store.h"

namespace hdhub::keys {

void RegisterBuiltinKeyStores(KeyStoreRegistry* registry, std::string passphrase_env_var) {
  registry->Register("memory", [](std::string_view rest) -> StatusOr<std::unique_ptr<KeyStore>> {
    if (!rest.empty()) return InvalidArgumentError("memory: takes no path");
    ASSIGN_OR_RETURN(std::unique_ptr<MemoryKeyStore> store, MemoryKeyStore::Create());
    return std::unique_ptr<KeyStore>(std::move(store));
  });
  registry->Register(
      "pkcs11", [env = passphrase_env_var](std::string_view rest) -> StatusOr<std::unique_ptr<KeyStore>> {
        ASSIGN_OR_RETURN(Pkcs11Uri uri, Pkcs11Uri::Parse(rest));
        ASSIGN_OR_RETURN(SecretBytes pin, ReadPassphrase(env, "PIN for PKCS#11 token " + uri.token + ": "));
        ASSIGN_OR_RETURN(std::unique_ptr<Pkcs11KeyStore> store, Pkcs11KeyStore::Open(uri, pin));
        return std::unique_ptr<KeyStore>(std::move(store));
      });
  registry->Register(
      "keyfile",
      [env = std::move(passphrase_env_var)](
          std::string_view rest) -> StatusOr<std::unique_ptr<KeyStore>> {
        if (rest.empty()) {
          return InvalidArgumentError("keyfile: needs a path, e.g. keyfile:/etc/hdhub/hub.key");
        }
        std::string path(rest);
        ASSIGN_OR_RETURN(SecretBytes passphrase,
                         ReadPassphrase(env, "Passphrase for key file " + path + ": "));
        ASSIGN_OR_RETURN(std::unique_ptr<KeyFileKeyStore> store,
                         KeyFileKeyStore::Open(path, passphrase));
        return std::unique_ptr<KeyStore>(std::move(store));
      });
}

}  // namespace hdhub::keys

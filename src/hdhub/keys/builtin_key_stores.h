// Registers the key stores built into hdhub with a KeyStoreRegistry, for
// main() to call (no static registration):
//   memory:          MemoryKeyStore, a fresh random KEK per Open()
//   keyfile:<path>   KeyFileKeyStore; the passphrase is read at Open() time
//                    with ReadPassphrase(passphrase_env_var, ...)
//   pkcs11:<attrs>   Pkcs11KeyStore; the token's user PIN is read the same way
#pragma once

#include <string>

#include "hdhub/keys/key_store.h"
#include "hdhub/keys/passphrase.h"

namespace hdhub::keys {

void RegisterBuiltinKeyStores(
    KeyStoreRegistry* registry,
    std::string passphrase_env_var = std::string(kDefaultPassphraseEnvVar));

}  // namespace hdhub::keys

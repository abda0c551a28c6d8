// Backends: the hosts and key stores a hub can use, each chosen by the scheme
// of a URI in hub.json. The program's main() assembles them (tests do the
// same) and hands them to Hub::Init / Hub::Open, which open what hub.json
// names through them and register nothing themselves: a new host (s3:) or key
// store (pkcs11:) joins hdhub by one Register line where Backends are built.
//
// Thread-safety: built once, then only read.
#pragma once

#include <functional>

#include "hdhub/common/secret_bytes.h"
#include "hdhub/keys/key_store.h"
#include "hdhub/storage/blob_store.h"

namespace hdhub::hub {

struct Backends {
  storage::BlobStoreRegistry hosts;
  // The key stores, unlocked with the secret the hub is opened with (a key
  // file's passphrase, an HSM's PIN). The registry's factories may keep a
  // reference to `unlock` only until its Open returns.
  std::function<keys::KeyStoreRegistry(const SecretBytes& unlock)> key_stores;
};

// The backends built into hdhub: file:, memory: and s3: hosts; the keyfile:
// and pkcs11: key stores (for pkcs11:, the unlock secret is the token's user PIN).
Backends BuiltinBackends();

}  // namespace hdhub::hub

// KeyStore: where the hub's key-encryption key (KEK) lives. Following Tink's
// KmsClient, it hands out operations, never the KEK: wrap and unwrap data keys,
// and keyed HMAC objects for named purposes (pseudonymization stage 2, object
// naming). Backends are chosen by URI in main() through a KeyStoreRegistry:
//   keyfile:<path>   the embedded default: a file protected by a passphrase
//                    (Argon2id), format in docs/formats/key-file.md
//   memory:          an in-process store for tests
//   pkcs11:token=…;object=…?module-path=…
//                    a KEK inside an HSM, through its PKCS#11 module
//                    (pkcs11_key_store.h, docs/formats/pkcs11-key-store.md);
//                    it derives no purpose keys: HmacFor is FailedPrecondition
//
// Since the key ring (keys/key_ring.h), a hub's purpose keys are random keys
// wrapped by the store, not HmacFor's derivations: HmacFor remains for the
// source's own stage-1 key file and for hubs made before the ring.
//
// Data keys (DEKs) are random 32-byte keys, one per dataset version and per
// project workspace. They are stored only wrapped; destroying the wrapped copy
// makes every object sealed under it unreadable (crypto-shredding).
//
// Thread-safety: implementations are safe to call from several threads.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "hdhub/common/bytes.h"
#include "hdhub/common/secret_bytes.h"
#include "hdhub/common/status.h"
#include "hdhub/crypto/hash.h"

namespace hdhub::keys {

inline constexpr size_t kDataKeySize = 32;

class KeyStore {
 public:
  virtual ~KeyStore() = default;

  // Wraps `data_key` under the KEK, binding `context` (e.g.
  // "dataset-version:ER_PRS_F/3") as associated data. InvalidArgument for an
  // empty key.
  virtual StatusOr<Bytes> WrapKey(const SecretBytes& data_key, std::string_view context) = 0;

  // Unwraps a key made by WrapKey with the same context. DataLoss when the
  // wrapped bytes were altered, the context differs, or the KEK is another one.
  virtual StatusOr<SecretBytes> UnwrapKey(ByteSpan wrapped, std::string_view context) = 0;

  // An HMAC-SHA256 operation keyed by a key derived from the KEK for `purpose`
  // (e.g. "pseudonym/stage2", "object-names"). The same purpose always gives
  // the same key for the same KEK; different purposes give unrelated keys.
  virtual StatusOr<std::unique_ptr<crypto::HmacSha256>> HmacFor(std::string_view purpose) = 0;

  // The key HmacFor(purpose) is keyed with, for a store that derives purpose
  // keys from its KEK (keyfile:, memory:). Used once per hub, to move the
  // derived keys of a hub made before the key ring into it (keys/key_ring.h),
  // so that its pseudonyms and object names stay the same. Any other store:
  // Unimplemented.
  virtual StatusOr<SecretBytes> DerivedPurposeKey(std::string_view purpose);

  // "keyfile:/var/lib/hdhub/hub.key" or "memory:"; for logs, never secret.
  virtual std::string Describe() const = 0;

  // Destroys the KEK itself, for good: every key it wraps becomes unreadable,
  // wherever a copy of the wrapped key lies. `hdhub keys rotate` calls it on
  // the old KEK once every key is under the new one (hub/kek_rotation.h).
  // keyfile: the file is overwritten with random bytes, synced and removed;
  // pkcs11: the key object is destroyed inside the token (C_DestroyObject);
  // memory: the KEK is forgotten. Afterwards the store refuses every call.
  // FailedPrecondition when the store cannot destroy its KEK (an HSM whose
  // key is not CKA_DESTROYABLE: destroy it with the HSM's own tools).
  virtual Status DestroyKek() = 0;
};

// A fresh random data key.
StatusOr<SecretBytes> NewDataKey();

// Opens key stores by URI. Built in main() (no static registration).
class KeyStoreRegistry {
 public:
  using Factory = std::function<StatusOr<std::unique_ptr<KeyStore>>(std::string_view rest)>;
  void Register(std::string scheme, Factory factory);
  // InvalidArgument for an unknown scheme or a URI without one.
  StatusOr<std::unique_ptr<KeyStore>> Open(std::string_view uri) const;

 private:
  std::map<std::string, Factory, std::less<>> factories_;
};

}  // namespace hdhub::keys

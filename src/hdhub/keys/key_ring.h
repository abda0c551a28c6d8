// KeyRing: a hub's purpose keys, the keys below the KEK that are not data keys
// (naming objects on the host, sealing the audit checkpoint, stage-2
// pseudonyms, the PG wire's mock credentials). Each is a random 32-byte key,
// or, for stage 2, one made from two custodians' contributions, and is kept
// only wrapped by the key store, in the hub's state/keyring
// (docs/formats/key-ring.md):
//
//   hdhub-keyring v1 LF
//   <purpose> SP <origin> SP <hex of KeyStore::WrapKey(key, "keyring/<purpose>/<origin>")> LF   (one per key)
//
// origin: "random"; "custodians:<fingerprint>+<fingerprint>" (stage 2 made
// from two contributions, CustodianContribution below); "kek-derived-v1" (a
// key of a hub made before the ring: the derivation HmacFor used, moved here
// unchanged so pseudonyms and object names stay the same).
//
// Because nothing below the KEK is derived from it any more, a KEK may live in
// an HSM (which derives nothing for us) and may be replaced by rewrapping the
// ring and the data keys, leaving every pseudonym and object name unchanged.
//
// KeyRingKeyStore puts a ring in front of the key store: WrapKey/UnwrapKey go
// to the KEK's store, HmacFor(purpose) to the ring's key for that purpose.
//
// Thread-safety: a KeyRing is immutable once built; KeyRingKeyStore is as
// thread-safe as the store it wraps.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/common/secret_bytes.h"
#include "hdhub/common/status.h"
#include "hdhub/keys/key_store.h"
#include "hdhub/keys/key_store_wrapper.h"

namespace hdhub::keys {

inline constexpr char kKeyRingFileName[] = "keyring";
inline constexpr char kOriginRandom[] = "random";
inline constexpr char kOriginKekDerived[] = "kek-derived-v1";

// A custodian's share of the stage-2 key: 32 random bytes made and kept by one
// organisation. The file (mode 0600) is
//   hdhub-custodian-contribution v1 LF <64 hex digits> LF
// Its fingerprint (16 hex digits of SHA-256 over "hdhub custodian
// contribution v1" and the bytes) names it in the key ring and the audit log
// without revealing it.
struct CustodianContribution {
  SecretBytes bytes;
  std::string fingerprint;

  static StatusOr<CustodianContribution> New();
  // InvalidArgument naming `path` and the line when the file is not one.
  static StatusOr<CustodianContribution> Read(const std::string& path);
  // Creates `path` (refused if it exists), mode 0600, durably.
  Status Write(const std::string& path) const;
};

// HKDF-SHA256(ikm = the two contributions' bytes ordered by fingerprint,
// salt = "", info = `info`, 32 bytes): what two custodians make together.
// InvalidArgument for a number of contributions other than two, or twice the
// same one.
StatusOr<SecretBytes> CombineContributions(const std::vector<CustodianContribution>& pair, std::string_view info);
// "<fingerprint>+<fingerprint>" of two different contributions, ordered (the
// pair's name in origins, escrows and the audit log); the same errors.
StatusOr<std::string> CustodianPair(const std::vector<CustodianContribution>& pair);

struct PurposeKey {
  std::string purpose;
  std::string origin;
  SecretBytes key;
};

class KeyRing {
 public:
  // Random keys for `purposes`; `stage2_purpose`, when among them and given
  // two contributions, gets instead
  //   HKDF-SHA256(ikm = the two contributions' bytes ordered by fingerprint,
  //               salt = "", info = "hdhub stage-2 from custodians v1", 32)
  // so that neither custodian alone knows it. InvalidArgument for a number
  // of contributions other than 0 or 2, or twice the same one.
  static StatusOr<KeyRing> New(const std::vector<std::string>& purposes, std::string_view stage2_purpose,
                               const std::vector<CustodianContribution>& contributions);

  // The keys a deriving store (KeyStore::DerivedPurposeKey) gives `purposes`,
  // with origin kek-derived-v1: a hub made before the ring keeps its keys.
  static StatusOr<KeyRing> FromDerived(KeyStore& store, const std::vector<std::string>& purposes);

  // Reads and unwraps every key of the ring file at `path`. NotFound when it
  // is absent; DataLoss when it is malformed or a key does not unwrap (altered,
  // moved to another purpose or origin, or another KEK).
  static StatusOr<KeyRing> Read(KeyStore& kek, const std::string& path);

  // Writes the ring to `path`, every key wrapped by `kek`, atomically and
  // durably (mode 0600).
  Status Write(KeyStore& kek, const std::string& path) const;

  // Puts `key` in place of the ring's key for key.purpose (a key remade
  // from an escrow, with its own origin). InvalidArgument when the ring holds
  // no key for that purpose, or `key` is not 32 bytes or its origin not one word.
  Status Replace(PurposeKey key);

  // The key for `purpose`, or nullptr.
  const PurposeKey* Find(std::string_view purpose) const;
  const std::vector<PurposeKey>& keys() const { return keys_; }

 private:
  std::vector<PurposeKey> keys_;
};

class KeyRingKeyStore final : public KeyStoreWrapper {
 public:
  KeyRingKeyStore(std::unique_ptr<KeyStore> kek, KeyRing ring)
      : KeyStoreWrapper(std::move(kek)), ring_(std::move(ring)) {}

  // The ring's key for `purpose`; FailedPrecondition for a purpose the ring
  // does not hold (nothing is derived from the KEK).
  StatusOr<std::unique_ptr<crypto::HmacSha256>> HmacFor(std::string_view purpose) override;
  // Never: the ring's keys leave it only wrapped.
  StatusOr<SecretBytes> DerivedPurposeKey(std::string_view purpose) override;

  const KeyRing& ring() const { return ring_; }

 private:
  const KeyRing ring_;
};

}  // namespace hdhub::keys

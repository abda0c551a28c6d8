// Ed25519 signed-note keys (c2sp.org/signed-note signature type 0x01), on
// OpenSSL's EVP_PKEY_ED25519: the hub's checkpoint key and a witness's key.
//
// Ed25519Signer owns its 32-byte private seed in SecretBytes; the only way the
// seed leaves it is InsecureExportPrivateKey() (for the key file) with an
// alarming name. Key files hold "PRIVATE+KEY+<name>+<hex id>+<base64(0x01||seed)>"
// (the Go golang.org/x/mod/sumdb/note format) with mode 0600.
//
// Thread-safety: both classes are immutable after creation; Sign/Verify may run
// concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "hdhub/audit/note.h"
#include "hdhub/common/secret_bytes.h"
#include "hdhub/common/status.h"

namespace hdhub::audit {

inline constexpr uint8_t kEd25519SignatureType = 0x01;
inline constexpr size_t kEd25519KeySize = 32;
inline constexpr size_t kEd25519SignatureSize = 64;

// key ID = first 4 bytes (big-endian) of SHA-256(name || 0x0A || 0x01 || public key).
uint32_t Ed25519KeyId(std::string_view name, ByteSpan public_key);

class Ed25519Signer final : public NoteSigner {
 public:
  // A fresh key. InvalidArgument for a bad name, Internal if OpenSSL fails.
  static StatusOr<std::unique_ptr<Ed25519Signer>> Generate(std::string_view name);
  // From a 32-byte seed.
  static StatusOr<std::unique_ptr<Ed25519Signer>> FromSeed(std::string_view name,
                                                          const SecretBytes& seed);
  // From "PRIVATE+KEY+..." text. InvalidArgument when malformed or when the
  // key id does not match the key.
  static StatusOr<std::unique_ptr<Ed25519Signer>> FromPrivateKeyText(const SecretBytes& text);
  ~Ed25519Signer() override;

  const std::string& name() const override { return name_; }
  uint32_t key_id() const override { return key_id_; }
  StatusOr<Bytes> Sign(ByteSpan message) const override;
  std::string VerifierKey() const override;
  const Bytes& public_key() const { return public_key_; }

  // The private key text for a key file. Only key-file code calls this.
  SecretBytes InsecureExportPrivateKeyText() const;
  // The 32-byte seed, to be wrapped by a key store (hub/audit_key.h) and
  // nothing else.
  SecretBytes InsecureExportSeedForWrapping() const { return seed_.Clone(); }

 private:
  struct Key;
  Ed25519Signer(std::string name, std::unique_ptr<Key> key, Bytes public_key, SecretBytes seed);
  std::string name_;
  std::unique_ptr<Key> key_;
  Bytes public_key_;
  SecretBytes seed_;
  uint32_t key_id_;
};

class Ed25519Verifier final : public NoteVerifier {
 public:
  // From "<name>+<hex id>+<base64(0x01||public key)>". InvalidArgument when
  // malformed, of another signature type, or when the id does not match.
  static StatusOr<std::unique_ptr<Ed25519Verifier>> FromVerifierKey(std::string_view vkey);
  ~Ed25519Verifier() override;

  const std::string& name() const override { return name_; }
  uint32_t key_id() const override { return key_id_; }
  bool Verify(ByteSpan message, ByteSpan signature) const override;

 private:
  struct Key;
  Ed25519Verifier(std::string name, uint32_t key_id, std::unique_ptr<Key> key);
  std::string name_;
  uint32_t key_id_;
  std::unique_ptr<Key> key_;
};

// Key files (mode 0600, written atomically). Load: NotFound if absent,
// InvalidArgument if malformed. LoadOrCreate generates a key named `name` when
// the file does not exist yet.
Status WriteSignerKeyFile(const std::string& path, const Ed25519Signer& signer);
StatusOr<std::unique_ptr<Ed25519Signer>> LoadSignerKeyFile(const std::string& path);
StatusOr<std::unique_ptr<Ed25519Signer>> LoadOrCreateSignerKeyFile(const std::string& path,
                                                                   std::string_view name);

}  // namespace hdhub::audit

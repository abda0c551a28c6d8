#include "hdhub/audit/ed25519.h"

#include <openssl/evp.h>

#include <cstring>
#include <vector>

#include "hdhub/common/file.h"
#include "hdhub/crypto/hash.h"

namespace hdhub::audit {

namespace {
constexpr std::string_view kPrivateKeyPrefix = "PRIVATE+KEY+";
constexpr mode_t kKeyFileMode = 0600;

struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

// Splits "a+b+c" into `n` fields; the last one keeps any further '+' (base64
// uses it).
StatusOr<std::vector<std::string_view>> SplitPlus(std::string_view text, size_t n) {
  std::vector<std::string_view> parts;
  while (parts.size() + 1 < n) {
    const size_t plus = text.find('+');
    if (plus == std::string_view::npos) return InvalidArgumentError("key text does not have the expected fields");
    parts.push_back(text.substr(0, plus));
    text.remove_prefix(plus + 1);
  }
  parts.push_back(text);
  return parts;
}

// Parses "<name>+<hex id>+<base64(0x01 || 32 bytes)>" (shared by both key forms).
struct KeyFields {
  std::string name;
  uint32_t key_id = 0;
  Bytes key;  // 32 bytes after the type byte
};
StatusOr<KeyFields> ParseKeyFields(std::string_view text) {
  ASSIGN_OR_RETURN(auto parts, SplitPlus(text, 3));
  KeyFields out;
  out.name = std::string(parts[0]);
  RETURN_IF_ERROR(ValidateKeyName(out.name));
  if (parts[1].size() != 8) return InvalidArgumentError("key id is not 8 hex digits");
  ASSIGN_OR_RETURN(Bytes id, HexDecode(parts[1]));
  out.key_id = GetBigEndian32(id.data());
  ASSIGN_OR_RETURN(Bytes blob, Base64Decode(parts[2]));
  if (blob.size() != 1 + kEd25519KeySize || blob[0] != kEd25519SignatureType) {
    return InvalidArgumentError("key is not an Ed25519 signed-note key");
  }
  out.key.assign(blob.begin() + 1, blob.end());
  SecureWipe(blob.data(), blob.size());
  return out;
}

std::string KeyIdHex(uint32_t id) {
  uint8_t b[4];
  PutBigEndian32(id, b);
  return HexEncode(ByteSpan(b, 4));
}
}  // namespace

uint32_t Ed25519KeyId(std::string_view name, ByteSpan public_key) {
  crypto::Sha256Hasher h;
  h.Update(AsBytes(name));
  const uint8_t sep[2] = {0x0A, kEd25519SignatureType};
  h.Update(ByteSpan(sep, 2));
  h.Update(public_key);
  crypto::Digest d = h.Finish();
  return GetBigEndian32(d.data());
}

struct Ed25519Signer::Key {
  PkeyPtr pkey;
};
struct Ed25519Verifier::Key {
  PkeyPtr pkey;
};

Ed25519Signer::Ed25519Signer(std::string name, std::unique_ptr<Key> key, Bytes public_key,
                             SecretBytes seed)
    : name_(std::move(name)),
      key_(std::move(key)),
      public_key_(std::move(public_key)),
      seed_(std::move(seed)),
      key_id_(Ed25519KeyId(name_, public_key_)) {}
Ed25519Signer::~Ed25519Signer() = default;

StatusOr<std::unique_ptr<Ed25519Signer>> Ed25519Signer::FromSeed(std::string_view name,
                                                                const SecretBytes& seed) {
  RETURN_IF_ERROR(ValidateKeyName(name));
  if (seed.size() != kEd25519KeySize) return InvalidArgumentError("Ed25519 seed is not 32 bytes");
  PkeyPtr pkey(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
  if (!pkey) return InternalError("OpenSSL rejected the Ed25519 private key");
  Bytes pub(kEd25519KeySize);
  size_t pub_len = pub.size();
  if (EVP_PKEY_get_raw_public_key(pkey.get(), pub.data(), &pub_len) != 1 ||
      pub_len != kEd25519KeySize) {
    return InternalError("OpenSSL could not derive the Ed25519 public key");
  }
  auto key = std::make_unique<Key>(Key{std::move(pkey)});
  return std::unique_ptr<Ed25519Signer>(
      new Ed25519Signer(std::string(name), std::move(key), std::move(pub), seed.Clone()));
}

StatusOr<std::unique_ptr<Ed25519Signer>> Ed25519Signer::Generate(std::string_view name) {
  EVP_PKEY* raw = nullptr;
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr), &EVP_PKEY_CTX_free);
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_keygen(ctx.get(), &raw) != 1) {
    return InternalError("OpenSSL Ed25519 key generation failed");
  }
  PkeyPtr pkey(raw);
  SecretBytes seed(kEd25519KeySize);
  size_t len = seed.size();
  if (EVP_PKEY_get_raw_private_key(pkey.get(), seed.mutable_data(), &len) != 1 ||
      len != kEd25519KeySize) {
    return InternalError("OpenSSL could not export the generated Ed25519 seed");
  }
  return FromSeed(name, seed);
}

StatusOr<std::unique_ptr<Ed25519Signer>> Ed25519Signer::FromPrivateKeyText(
    const SecretBytes& text) {
  std::string_view view(reinterpret_cast<const char*>(text.data()), text.size());
  while (!view.empty() && (view.back() == '\n' || view.back() == '\r')) view.remove_suffix(1);
  if (view.substr(0, kPrivateKeyPrefix.size()) != kPrivateKeyPrefix) {
    return InvalidArgumentError("private key text does not start with PRIVATE+KEY+");
  }
  ASSIGN_OR_RETURN(KeyFields fields, ParseKeyFields(view.substr(kPrivateKeyPrefix.size())));
  SecretBytes seed(fields.key);
  SecureWipe(fields.key.data(), fields.key.size());
  ASSIGN_OR_RETURN(auto signer, FromSeed(fields.name, seed));
  if (signer->key_id() != fields.key_id) {
    return InvalidArgumentError("private key id does not match the key");
  }
  return signer;
}

StatusOr<Bytes> Ed25519Signer::Sign(ByteSpan message) const {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  Bytes sig(kEd25519SignatureSize);
  size_t sig_len = sig.size();
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_->pkey.get()) != 1 ||
      EVP_DigestSign(ctx.get(), sig.data(), &sig_len, message.data(), message.size()) != 1 ||
      sig_len != kEd25519SignatureSize) {
    return InternalError("OpenSSL Ed25519 signing failed");
  }
  return sig;
}

std::string Ed25519Signer::VerifierKey() const {
  Bytes blob = {kEd25519SignatureType};
  blob.insert(blob.end(), public_key_.begin(), public_key_.end());
  return name_ + "+" + KeyIdHex(key_id_) + "+" + Base64Encode(blob);
}

SecretBytes Ed25519Signer::InsecureExportPrivateKeyText() const {
  SecretBytes blob(1 + kEd25519KeySize);
  blob.mutable_data()[0] = kEd25519SignatureType;
  std::memcpy(blob.mutable_data() + 1, seed_.data(), seed_.size());
  std::string text = std::string(kPrivateKeyPrefix) + name_ + "+" + KeyIdHex(key_id_) + "+" +
                     Base64Encode(blob.span()) + "\n";
  SecretBytes out(AsBytes(text));
  SecureWipe(text.data(), text.size());
  return out;
}

Ed25519Verifier::Ed25519Verifier(std::string name, uint32_t key_id, std::unique_ptr<Key> key)
    : name_(std::move(name)), key_id_(key_id), key_(std::move(key)) {}
Ed25519Verifier::~Ed25519Verifier() = default;

StatusOr<std::unique_ptr<Ed25519Verifier>> Ed25519Verifier::FromVerifierKey(std::string_view vkey) {
  while (!vkey.empty() && (vkey.back() == '\n' || vkey.back() == '\r')) vkey.remove_suffix(1);
  ASSIGN_OR_RETURN(KeyFields fields, ParseKeyFields(vkey));
  if (Ed25519KeyId(fields.name, fields.key) != fields.key_id) {
    return InvalidArgumentError("verifier key id does not match the key");
  }
  PkeyPtr pkey(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, fields.key.data(),
                                           fields.key.size()));
  if (!pkey) return InvalidArgumentError("not a valid Ed25519 public key");
  auto key = std::make_unique<Key>(Key{std::move(pkey)});
  return std::unique_ptr<Ed25519Verifier>(
      new Ed25519Verifier(fields.name, fields.key_id, std::move(key)));
}

bool Ed25519Verifier::Verify(ByteSpan message, ByteSpan signature) const {
  if (signature.size() != kEd25519SignatureSize) return false;
  MdCtxPtr ctx(EVP_MD_CTX_new());
  return ctx &&
         EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key_->pkey.get()) == 1 &&
         EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), message.data(),
                          message.size()) == 1;
}

Status WriteSignerKeyFile(const std::string& path, const Ed25519Signer& signer) {
  SecretBytes text = signer.InsecureExportPrivateKeyText();
  return WriteFileAtomically(path, text.span(), kKeyFileMode);
}

StatusOr<std::unique_ptr<Ed25519Signer>> LoadSignerKeyFile(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  SecretBytes secret(AsBytes(text));
  SecureWipe(text.data(), text.size());
  auto signer = Ed25519Signer::FromPrivateKeyText(secret);
  if (!signer.ok()) return signer.status().WithContext("key file " + path);
  return signer;
}

StatusOr<std::unique_ptr<Ed25519Signer>> LoadOrCreateSignerKeyFile(const std::string& path,
                                                                   std::string_view name) {
  auto loaded = LoadSignerKeyFile(path);
  if (loaded.ok() || !IsNotFound(loaded.status())) return loaded;
  ASSIGN_OR_RETURN(auto signer, Ed25519Signer::Generate(name));
  RETURN_IF_ERROR(WriteSignerKeyFile(path, *signer));
  return signer;
}

}  // namespace hdhub::audit

#include "hdhub/hub/audit_key.h"

#include "hdhub/audit/note.h"
#include "hdhub/common/file.h"
#include "hdhub/crypto/random.h"

namespace hdhub::hub {
namespace {

constexpr char kMagic[] = "hdhub-audit-key v1";
constexpr std::string_view kClearPrefix = "PRIVATE+KEY+";
constexpr mode_t kKeyFileMode = 0600;
constexpr size_t kOriginRandomBytes = 8;

std::string WrapContext(std::string_view key_name) { return "audit/signing-key/" + std::string(key_name); }

struct WrappedFile {
  std::string verifier_key;
  Bytes wrapped;
};

StatusOr<WrappedFile> ParseWrapped(const std::string& text, const std::string& path) {
  std::vector<std::string> lines;
  size_t at = 0;
  while (at < text.size()) {
    const size_t end = text.find('\n', at);
    if (end == std::string::npos) break;
    lines.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  if (at != text.size() || lines.size() != 3 || lines[0] != kMagic) {
    return DataLossError(path + " is not a wrapped audit key (" + kMagic + ", 3 lines)");
  }
  StatusOr<Bytes> wrapped = audit::Base64Decode(lines[2]);
  if (!wrapped.ok()) return DataLossError(path + ": the wrapped key is not base64");
  return WrappedFile{lines[1], std::move(*wrapped)};
}

}  // namespace

std::string AuditKeyPath(const std::string& hub_dir) { return hub_dir + "/state/audit_signing.key"; }

StatusOr<LoadedAuditKey> LoadAuditKey(keys::KeyStore& keys, const std::string& hub_dir, bool wrapped_only) {
  const std::string path = AuditKeyPath(hub_dir);
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  if (text.starts_with(kClearPrefix)) {
    SecureWipe(text.data(), text.size());
    if (wrapped_only) {
      return DataLossError(path + " holds a signing key in clear, but this hub's key is wrapped by its key store " +
                           "(hub.json \"audit_key\"): state/ was tampered with");
    }
    ASSIGN_OR_RETURN(auto signer, audit::LoadSignerKeyFile(path));
    return LoadedAuditKey{std::move(signer), true};
  }
  ASSIGN_OR_RETURN(WrappedFile file, ParseWrapped(text, path));
  ASSIGN_OR_RETURN(auto verifier, audit::Ed25519Verifier::FromVerifierKey(file.verifier_key));
  StatusOr<SecretBytes> seed = keys.UnwrapKey(file.wrapped, WrapContext(verifier->name()));
  if (!seed.ok())
    return DataLossError(path + " does not unwrap with the hub's key store: " + std::string(seed.status().message()));
  ASSIGN_OR_RETURN(auto signer, audit::Ed25519Signer::FromSeed(verifier->name(), *seed));
  // The verifier key line is bound to the seed: an edited line is refused.
  if (signer->VerifierKey() != file.verifier_key) {
    return DataLossError(path + ": the verifier key does not match the wrapped key");
  }
  return LoadedAuditKey{std::move(signer), false};
}

Status WriteWrappedAuditKey(keys::KeyStore& keys, const std::string& hub_dir, const audit::Ed25519Signer& signer) {
  ASSIGN_OR_RETURN(Bytes wrapped, keys.WrapKey(signer.InsecureExportSeedForWrapping(), WrapContext(signer.name())));
  const std::string text =
      std::string(kMagic) + "\n" + signer.VerifierKey() + "\n" + audit::Base64Encode(wrapped) + "\n";
  return WriteFileAtomically(AuditKeyPath(hub_dir), AsBytes(text), kKeyFileMode);
}

StatusOr<std::unique_ptr<audit::Ed25519Signer>> NewAuditSigner() {
  // A random origin: two hubs never share a log identity, even on one host.
  ASSIGN_OR_RETURN(Bytes random, crypto::RandomBytes(kOriginRandomBytes));
  return audit::Ed25519Signer::Generate("hdhub/" + HexEncode(random));
}

StatusOr<std::string> ReadAuditVerifierKey(const std::string& hub_dir) {
  const std::string path = AuditKeyPath(hub_dir);
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  if (text.starts_with(kClearPrefix)) {
    SecureWipe(text.data(), text.size());
    ASSIGN_OR_RETURN(auto signer, audit::LoadSignerKeyFile(path));
    return signer->VerifierKey();
  }
  ASSIGN_OR_RETURN(WrappedFile file, ParseWrapped(text, path));
  return file.verifier_key;
}

}  // namespace hdhub::hub

#include "hdhub/keys/key_ring.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "hdhub/common/bytes.h"
#include "hdhub/common/file.h"
#include "hdhub/crypto/hash.h"
#include "hdhub/crypto/hkdf.h"
#include "hdhub/crypto/random.h"

namespace hdhub::keys {
namespace {

constexpr std::string_view kRingHeader = "hdhub-keyring v1";
constexpr std::string_view kContributionHeader = "hdhub-custodian-contribution v1";
constexpr std::string_view kFingerprintLabel = "hdhub custodian contribution v1";
constexpr std::string_view kStage2Info = "hdhub stage-2 from custodians v1";
constexpr char kOriginCustodiansPrefix[] = "custodians:";
constexpr size_t kKeySize = 32;

std::string WrapContext(std::string_view purpose, std::string_view origin) {
  return "keyring/" + std::string(purpose) + "/" + std::string(origin);
}

// A purpose or origin is one token of the file: printable, no space.
bool IsToken(std::string_view s) {
  return !s.empty() && s.size() <= 200 && std::all_of(s.begin(), s.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::string Fingerprint(const SecretBytes& bytes) {
  Bytes input = ToBytes(kFingerprintLabel);
  input.insert(input.end(), bytes.span().begin(), bytes.span().end());
  crypto::Digest digest = crypto::Sha256(input);
  SecureWipe(input.data(), input.size());
  return HexEncode(ByteSpan(digest.data(), 8));
}

}  // namespace

StatusOr<CustodianContribution> CustodianContribution::New() {
  ASSIGN_OR_RETURN(SecretBytes bytes, crypto::RandomSecret(kKeySize));
  std::string fingerprint = Fingerprint(bytes);
  return CustodianContribution{std::move(bytes), std::move(fingerprint)};
}

StatusOr<CustodianContribution> CustodianContribution::Read(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  std::vector<std::string_view> lines = SplitLines(text);
  auto invalid = [&](int line, std::string_view what) {
    SecureWipe(text.data(), text.size());
    return InvalidArgumentError(path + ", line " + std::to_string(line) + ": " + std::string(what) +
                                " (a custodian contribution file is made by 'hdhub keys contribution')");
  };
  if (lines.empty() || lines[0] != kContributionHeader) {
    return invalid(1, "not a custodian contribution (expected \"" + std::string(kContributionHeader) + "\")");
  }
  if (lines.size() != 2) return invalid(2, "expected one line of 64 hex digits after the header");
  StatusOr<Bytes> bytes = HexDecode(lines[1]);
  if (!bytes.ok() || bytes->size() != kKeySize) return invalid(2, "expected 64 hex digits");
  SecretBytes secret(*bytes);
  SecureWipe(bytes->data(), bytes->size());
  SecureWipe(text.data(), text.size());
  std::string fingerprint = Fingerprint(secret);
  return CustodianContribution{std::move(secret), std::move(fingerprint)};
}

Status CustodianContribution::Write(const std::string& path) const {
  std::string text = std::string(kContributionHeader) + "\n" + HexEncode(bytes.span()) + "\n";
  Status written = WriteFileAtomically(path, AsBytes(text), 0600, WriteOptions{.if_absent = true});
  SecureWipe(text.data(), text.size());
  if (IsAlreadyExists(written)) return AlreadyExistsError(path + " exists: a contribution is never overwritten");
  return written;
}

namespace {

Status CheckPair(const std::vector<CustodianContribution>& pair) {
  if (pair.size() != 2) {
    return InvalidArgumentError("the stage-2 key takes two custodians' contributions, got " +
                                std::to_string(pair.size()));
  }
  if (pair[0].fingerprint == pair[1].fingerprint) {
    return InvalidArgumentError("the two custodians' contributions are the same one (" + pair[0].fingerprint +
                                "): each custodian makes its own");
  }
  return OkStatus();
}

}  // namespace

StatusOr<std::string> CustodianPair(const std::vector<CustodianContribution>& pair) {
  RETURN_IF_ERROR(CheckPair(pair));
  const auto& [a, b] = std::minmax(pair[0].fingerprint, pair[1].fingerprint);
  return a + "+" + b;
}

StatusOr<SecretBytes> CombineContributions(const std::vector<CustodianContribution>& pair, std::string_view info) {
  RETURN_IF_ERROR(CheckPair(pair));
  const CustodianContribution* first = &pair[0];
  const CustodianContribution* second = &pair[1];
  if (second->fingerprint < first->fingerprint) std::swap(first, second);
  SecretBytes ikm(2 * kKeySize);
  std::copy(first->bytes.span().begin(), first->bytes.span().end(), ikm.mutable_data());
  std::copy(second->bytes.span().begin(), second->bytes.span().end(), ikm.mutable_data() + kKeySize);
  return crypto::HkdfSha256(ikm, ByteSpan(), AsBytes(info), kKeySize);
}

StatusOr<KeyRing> KeyRing::New(const std::vector<std::string>& purposes, std::string_view stage2_purpose,
                               const std::vector<CustodianContribution>& contributions) {
  if (!contributions.empty()) RETURN_IF_ERROR(CustodianPair(contributions).status());
  KeyRing ring;
  for (const std::string& purpose : purposes) {
    if (!IsToken(purpose)) return InvalidArgumentError("a purpose is one printable word, got \"" + purpose + "\"");
    if (purpose == stage2_purpose && !contributions.empty()) {
      ASSIGN_OR_RETURN(SecretBytes key, CombineContributions(contributions, kStage2Info));
      ASSIGN_OR_RETURN(std::string pair, CustodianPair(contributions));
      ring.keys_.push_back({purpose, kOriginCustodiansPrefix + pair, std::move(key)});
      continue;
    }
    ASSIGN_OR_RETURN(SecretBytes key, crypto::RandomSecret(kKeySize));
    ring.keys_.push_back({purpose, kOriginRandom, std::move(key)});
  }
  return ring;
}

StatusOr<KeyRing> KeyRing::FromDerived(KeyStore& store, const std::vector<std::string>& purposes) {
  KeyRing ring;
  for (const std::string& purpose : purposes) {
    ASSIGN_OR_RETURN(SecretBytes key, store.DerivedPurposeKey(purpose));
    ring.keys_.push_back({purpose, kOriginKekDerived, std::move(key)});
  }
  return ring;
}

StatusOr<KeyRing> KeyRing::Read(KeyStore& kek, const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return NotFoundError(path + " does not exist");
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  std::vector<std::string_view> lines = SplitLines(text);
  auto bad = [&](size_t line, std::string_view what) {
    return DataLossError(path + ", line " + std::to_string(line) + ": " + std::string(what));
  };
  if (lines.empty() || lines[0] != kRingHeader) {
    return bad(1, "not a key ring (expected \"" + std::string(kRingHeader) + "\")");
  }
  KeyRing ring;
  std::set<std::string, std::less<>> seen;
  for (size_t i = 1; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    size_t a = line.find(' ');
    size_t b = a == std::string_view::npos ? a : line.find(' ', a + 1);
    if (b == std::string_view::npos || line.find(' ', b + 1) != std::string_view::npos) {
      return bad(i + 1, "expected <purpose> <origin> <wrapped key>");
    }
    std::string purpose(line.substr(0, a));
    std::string origin(line.substr(a + 1, b - a - 1));
    if (!IsToken(purpose) || !IsToken(origin)) return bad(i + 1, "a purpose or origin is not one printable word");
    if (!seen.insert(purpose).second) return bad(i + 1, "purpose " + purpose + " appears twice");
    StatusOr<Bytes> wrapped = HexDecode(line.substr(b + 1));
    if (!wrapped.ok()) return bad(i + 1, "the wrapped key is not hex");
    StatusOr<SecretBytes> key = kek.UnwrapKey(*wrapped, WrapContext(purpose, origin));
    if (!key.ok()) {
      return DataLossError(path + ", line " + std::to_string(i + 1) + ": the key for " + purpose +
                           " does not unwrap: " + std::string(key.status().message()));
    }
    if (key->size() != kKeySize) return bad(i + 1, "the key for " + purpose + " is not 32 bytes");
    ring.keys_.push_back({std::move(purpose), std::move(origin), *std::move(key)});
  }
  return ring;
}

Status KeyRing::Write(KeyStore& kek, const std::string& path) const {
  std::string text(kRingHeader);
  text += '\n';
  for (const PurposeKey& k : keys_) {
    ASSIGN_OR_RETURN(Bytes wrapped, kek.WrapKey(k.key, WrapContext(k.purpose, k.origin)));
    text += k.purpose + " " + k.origin + " " + HexEncode(wrapped) + "\n";
  }
  return WriteFileAtomically(path, AsBytes(text), 0600);
}

Status KeyRing::Replace(PurposeKey key) {
  if (key.key.size() != kKeySize || !IsToken(key.origin)) {
    return InvalidArgumentError("a key of the ring is 32 bytes with a one-word origin");
  }
  for (PurposeKey& k : keys_) {
    if (k.purpose == key.purpose) {
      k = std::move(key);
      return OkStatus();
    }
  }
  return InvalidArgumentError("the key ring holds no key for purpose \"" + key.purpose + "\"");
}

const PurposeKey* KeyRing::Find(std::string_view purpose) const {
  for (const PurposeKey& k : keys_) {
    if (k.purpose == purpose) return &k;
  }
  return nullptr;
}

StatusOr<std::unique_ptr<crypto::HmacSha256>> KeyRingKeyStore::HmacFor(std::string_view purpose) {
  const PurposeKey* key = ring_.Find(purpose);
  if (key == nullptr) {
    return FailedPreconditionError("the hub's key ring holds no key for purpose \"" + std::string(purpose) + "\"");
  }
  return crypto::HmacSha256::Create(key->key);
}

StatusOr<SecretBytes> KeyRingKeyStore::DerivedPurposeKey(std::string_view) {
  return UnimplementedError("the key ring's keys leave it only wrapped");
}

}  // namespace hdhub::keys

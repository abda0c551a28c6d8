#include "hdhub/keys/stage2_escrow.h"

#include <algorithm>
#include <array>

#include "hdhub/common/file.h"
#include "hdhub/crypto/hash.h"

namespace hdhub::keys {
namespace {

constexpr std::string_view kHeader = "hdhub-stage2-escrow v1";
constexpr std::string_view kEscrowInfo = "hdhub stage-2 escrow v1";
constexpr std::string_view kCheckLabel = "hdhub stage-2 check v1";
constexpr size_t kKeySize = 32;
constexpr size_t kCheckBytes = 8;

StatusOr<std::string> CheckOf(const SecretBytes& key) {
  ASSIGN_OR_RETURN(std::unique_ptr<crypto::HmacSha256> mac, crypto::HmacSha256::Create(key));
  const crypto::Digest tag = mac->Compute(AsBytes(kCheckLabel));
  return HexEncode(ByteSpan(tag.data(), kCheckBytes));
}

// `a` xor `b`, both kKeySize bytes.
SecretBytes Xor(ByteSpan a, ByteSpan b) {
  SecretBytes out(kKeySize);
  for (size_t i = 0; i < kKeySize; ++i) out.mutable_data()[i] = a[i] ^ b[i];
  return out;
}

bool IsLowerHex(std::string_view s, size_t digits) {
  return s.size() == digits &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool IsPairName(std::string_view s) {
  const size_t plus = s.find('+');
  return plus == 16 && IsLowerHex(s.substr(0, 16), 16) && IsLowerHex(s.substr(17), 16) &&
         s.substr(0, 16) < s.substr(17);
}

}  // namespace

StatusOr<Stage2Escrow> Stage2Escrow::Make(const SecretBytes& key, std::string origin,
                                          const std::vector<CustodianContribution>& pair) {
  if (key.size() != kKeySize) return InvalidArgumentError("the stage-2 key is not 32 bytes");
  if (origin.empty() || origin.find_first_of(" \n") != std::string::npos) {
    return InvalidArgumentError("a key's origin is one word");
  }
  ASSIGN_OR_RETURN(std::string custodians, CustodianPair(pair));
  ASSIGN_OR_RETURN(SecretBytes mask, CombineContributions(pair, kEscrowInfo));
  SecretBytes pad = Xor(key.span(), mask.span());
  ASSIGN_OR_RETURN(std::string check, CheckOf(key));
  return Stage2Escrow{std::move(origin), std::move(custodians), Bytes(pad.span().begin(), pad.span().end()),
                      std::move(check)};
}

StatusOr<SecretBytes> Stage2Escrow::Recover(const std::vector<CustodianContribution>& pair) const {
  ASSIGN_OR_RETURN(std::string given, CustodianPair(pair));
  if (given != custodians) {
    return InvalidArgumentError("these contributions (" + given + ") are not the pair this escrow is for (" +
                                custodians + ")");
  }
  if (pad.size() != kKeySize) return DataLossError("the escrow's pad is not 32 bytes");
  ASSIGN_OR_RETURN(SecretBytes mask, CombineContributions(pair, kEscrowInfo));
  SecretBytes key = Xor(pad, mask.span());
  ASSIGN_OR_RETURN(bool holds, Holds(key));
  if (!holds) {
    return DataLossError("the escrow for custodians " + custodians +
                         " does not pass its check: the record was altered, or made for another key");
  }
  return key;
}

StatusOr<bool> Stage2Escrow::Holds(const SecretBytes& key) const {
  ASSIGN_OR_RETURN(std::string computed, CheckOf(key));
  return computed == check;
}

std::string Stage2Escrow::Text() const {
  return std::string(kHeader) + "\norigin " + origin + "\ncustodians " + custodians + "\npad " + HexEncode(pad) +
         "\ncheck " + check + "\n";
}

StatusOr<Stage2Escrow> Stage2Escrow::Parse(std::string_view text, const std::string& where) {
  constexpr std::array<std::string_view, 4> kFields = {"origin", "custodians", "pad", "check"};
  auto invalid = [&](size_t line, std::string_view what) {
    return InvalidArgumentError(where + ", line " + std::to_string(line) + ": " + std::string(what) +
                                " (an escrow record is made by 'hdhub keys custodians')");
  };
  std::array<std::string, 4> values;
  size_t line = 0;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    if (end == std::string_view::npos) return invalid(line + 1, "the last line does not end with a line feed");
    const std::string_view current = text.substr(0, end);
    text.remove_prefix(end + 1);
    if (line == 0) {
      if (current != kHeader) return invalid(1, "not an escrow record (expected \"" + std::string(kHeader) + "\")");
    } else if (line > kFields.size()) {
      return invalid(line + 1, "a line after the record's end");
    } else {
      const std::string_view field = kFields[line - 1];
      if (!current.starts_with(field) || current.size() <= field.size() || current[field.size()] != ' ') {
        return invalid(line + 1, "expected \"" + std::string(field) + " <value>\"");
      }
      values[line - 1] = std::string(current.substr(field.size() + 1));
    }
    ++line;
  }
  if (line != kFields.size() + 1) return invalid(line + 1, "the record ends early");
  Stage2Escrow e;
  e.origin = values[0];
  if (e.origin.empty() || e.origin.find(' ') != std::string::npos) return invalid(2, "the origin is one word");
  e.custodians = values[1];
  if (!IsPairName(e.custodians)) return invalid(3, "expected two ordered fingerprints of 16 hex digits, joined by +");
  StatusOr<Bytes> pad = HexDecode(values[2]);
  if (!IsLowerHex(values[2], 2 * kKeySize) || !pad.ok()) return invalid(4, "expected 64 lower-case hex digits");
  e.pad = *std::move(pad);
  e.check = values[3];
  if (!IsLowerHex(e.check, 2 * kCheckBytes)) return invalid(5, "expected 16 lower-case hex digits");
  return e;
}

StatusOr<Stage2Escrow> Stage2Escrow::Read(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return Parse(text, path);
}

Status Stage2Escrow::Write(const std::string& path, bool overwrite) const {
  Status written = WriteFileAtomically(path, AsBytes(Text()), 0600, WriteOptions{.if_absent = !overwrite});
  if (IsAlreadyExists(written)) return AlreadyExistsError(path + " exists: an escrow record is not overwritten");
  return written;
}

}  // namespace hdhub::keys

#include "hdhub/directory/token.h"

#include <algorithm>
#include <array>
#include <span>

#include "hdhub/common/bytes.h"
#include "hdhub/crypto/random.h"

namespace hdhub::directory {
namespace {

constexpr std::string_view kBase64Url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr char kSeparator = '_';
constexpr size_t kIdOffset = kTokenPrefix.size();
constexpr size_t kSecretOffset = kIdOffset + kTokenIdHexSize + 1;
constexpr int kInvalidSextet = -1;

int Sextet(uint8_t c) {
  size_t pos = kBase64Url.find(static_cast<char>(c));
  return pos == std::string_view::npos ? kInvalidSextet : static_cast<int>(pos);
}

// Base64url without padding of `in` into `out` (exactly ceil(4n/3) bytes).
void EncodeBase64Url(std::span<const uint8_t> in, std::span<uint8_t> out) {
  size_t o = 0;
  uint32_t bits = 0;
  int pending = 0;
  for (uint8_t byte : in) {
    bits = (bits << 8) | byte;
    pending += 8;
    while (pending >= 6) {
      pending -= 6;
      out[o++] = static_cast<uint8_t>(kBase64Url[(bits >> pending) & 0x3f]);
    }
  }
  if (pending > 0) out[o++] = static_cast<uint8_t>(kBase64Url[(bits << (6 - pending)) & 0x3f]);
}

// Decodes unpadded base64url `in` into `out`; false for a character outside
// the alphabet, a length that does not match, or non-zero unused bits.
bool DecodeBase64Url(std::span<const uint8_t> in, std::span<uint8_t> out) {
  size_t o = 0;
  uint32_t bits = 0;
  int pending = 0;
  for (uint8_t c : in) {
    int v = Sextet(c);
    if (v == kInvalidSextet) return false;
    bits = (bits << 6) | static_cast<uint32_t>(v);
    pending += 6;
    if (pending >= 8) {
      pending -= 8;
      if (o == out.size()) return false;
      out[o++] = static_cast<uint8_t>(bits >> pending);
    }
  }
  return o == out.size() && (bits & ((1u << pending) - 1)) == 0;
}

Status Malformed() { return UnauthenticatedError("malformed API token"); }

}  // namespace

bool IsValidTokenId(std::string_view id) {
  return id.size() == kTokenIdHexSize &&
         std::all_of(id.begin(), id.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

StatusOr<ParsedToken> GenerateToken() {
  std::array<uint8_t, kTokenIdBytes> id{};
  RETURN_IF_ERROR(crypto::RandomBytes(id));
  ASSIGN_OR_RETURN(SecretBytes secret, crypto::RandomSecret(kTokenSecretBytes));
  return ParsedToken{HexEncode(id), std::move(secret)};
}

SecretBytes FormatToken(const ParsedToken& token) {
  SecretBytes text(kTokenSize);
  std::span<uint8_t> out = text.mutable_span();
  std::copy(kTokenPrefix.begin(), kTokenPrefix.end(), out.begin());
  std::copy(token.id.begin(), token.id.end(), out.begin() + kIdOffset);
  out[kSecretOffset - 1] = kSeparator;
  EncodeBase64Url(token.secret.span(), out.subspan(kSecretOffset));
  return text;
}

StatusOr<ParsedToken> ParseToken(const SecretBytes& text) {
  if (text.size() != kTokenSize) return Malformed();
  std::string_view view = AsStringView(text.span());
  if (!view.starts_with(kTokenPrefix) || view[kSecretOffset - 1] != kSeparator) return Malformed();
  ParsedToken token{std::string(view.substr(kIdOffset, kTokenIdHexSize)), SecretBytes(kTokenSecretBytes)};
  if (!IsValidTokenId(token.id)) return Malformed();
  if (!DecodeBase64Url(text.span().subspan(kSecretOffset), token.secret.mutable_span())) return Malformed();
  return token;
}

crypto::Digest HashTokenSecret(const SecretBytes& secret) { return crypto::Sha256(secret.span()); }

}  // namespace hdhub::directory

#include "hdhub/server/oidc_token.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "hdhub/audit/note.h"

namespace hdhub::server {

struct Jwks::Key {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey{nullptr, EVP_PKEY_free};
  std::string alg;  // "" when the JWK names none
};

Jwks::Jwks() = default;
Jwks::~Jwks() = default;
Jwks::Jwks(Jwks&&) noexcept = default;
Jwks& Jwks::operator=(Jwks&&) noexcept = default;

namespace {

using Json = nlohmann::json;

Status Refused(std::string_view check) { return UnauthenticatedError("ID token refused: " + std::string(check)); }

// `text` parsed as a JSON object; null when it is not one.
Json ParseObject(std::string_view text) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_object() ? j : Json();
}

std::string StringMember(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// An RSA public key from a JWK's base64url `n` and `e`; null when malformed
// or shorter than kMinRsaModulusBits.
std::unique_ptr<Jwks::Key> RsaKeyFromJwk(const Json& jwk) {
  StatusOr<Bytes> n = Base64UrlDecode(StringMember(jwk, "n"));
  StatusOr<Bytes> e = Base64UrlDecode(StringMember(jwk, "e"));
  if (!n.ok() || !e.ok() || n->empty() || e->empty()) return nullptr;
  std::unique_ptr<BIGNUM, decltype(&BN_free)> bn_n(BN_bin2bn(n->data(), static_cast<int>(n->size()), nullptr), BN_free);
  std::unique_ptr<BIGNUM, decltype(&BN_free)> bn_e(BN_bin2bn(e->data(), static_cast<int>(e->size()), nullptr), BN_free);
  if (!bn_n || !bn_e || BN_num_bits(bn_n.get()) < kMinRsaModulusBits) return nullptr;
  std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)> bld(OSSL_PARAM_BLD_new(), OSSL_PARAM_BLD_free);
  if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
    return nullptr;
  }
  std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)> params(OSSL_PARAM_BLD_to_param(bld.get()), OSSL_PARAM_free);
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr),
                                                                  EVP_PKEY_CTX_free);
  EVP_PKEY* pkey = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return nullptr;
  }
  auto key = std::make_unique<Jwks::Key>();
  key->pkey.reset(pkey);
  key->alg = StringMember(jwk, "alg");
  return key;
}

// The digest of a JWS `alg` this validator can check; null for any other.
const EVP_MD* DigestOf(std::string_view alg) {
  if (alg == "RS256") return EVP_sha256();
  if (alg == "RS384") return EVP_sha384();
  if (alg == "RS512") return EVP_sha512();
  return nullptr;
}

bool VerifySignature(const Jwks::Key& key, const EVP_MD* md, std::string_view signed_part, ByteSpan signature) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key.pkey.get()) != 1) return false;
  return EVP_DigestVerify(ctx.get(), signature.data(), signature.size(),
                          reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size()) == 1;
}

// The integer seconds of a NumericDate claim; nullopt when absent or not a number.
std::optional<int64_t> NumericDate(const Json& claims, const char* key) {
  auto it = claims.find(key);
  if (it == claims.end()) return std::nullopt;
  if (it->is_number_integer()) return it->get<int64_t>();
  if (it->is_number_float()) return static_cast<int64_t>(it->get<double>());
  return std::nullopt;
}

Status CheckAudience(const Json& claims, const std::string& client_id) {
  auto aud = claims.find("aud");
  if (aud == claims.end()) return Refused("no aud");
  size_t audiences = 1;
  if (aud->is_string()) {
    if (aud->get<std::string>() != client_id) return Refused("aud is not this client");
  } else if (aud->is_array()) {
    audiences = aud->size();
    if (std::find(aud->begin(), aud->end(), Json(client_id)) == aud->end()) return Refused("aud is not this client");
  } else {
    return Refused("aud is neither a string nor an array");
  }
  auto azp = claims.find("azp");
  if (azp != claims.end() || audiences > 1) {
    if (azp == claims.end() || !azp->is_string() || azp->get<std::string>() != client_id) {
      return Refused("azp is not this client");
    }
  }
  return OkStatus();
}

Status CheckTimes(const Json& claims, TimePoint now) {
  const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const int64_t skew = kMaxClockSkew.count();
  std::optional<int64_t> exp = NumericDate(claims, "exp");
  std::optional<int64_t> iat = NumericDate(claims, "iat");
  if (!exp) return Refused("no exp");
  if (!iat) return Refused("no iat");
  if (*exp <= now_s - skew) return Refused("expired (exp)");
  if (*iat > now_s + skew) return Refused("issued in the future (iat)");
  if (*iat < now_s - skew - std::chrono::duration_cast<std::chrono::seconds>(kMaxIdTokenAge).count()) {
    return Refused("issued too long ago (iat)");
  }
  return OkStatus();
}

Status CheckNonce(const Json& claims, const SecretBytes& nonce) {
  const std::string got = StringMember(claims, "nonce");
  const bool same = !got.empty() && ConstantTimeEquals(AsBytes(got), nonce.span());
  return same ? OkStatus() : Refused("nonce does not match the login's");
}

StatusOr<OidcClaims> TakeClaims(const Json& claims) {
  OidcClaims out;
  out.iss = StringMember(claims, "iss");
  out.sub = StringMember(claims, "sub");
  if (out.sub.empty()) return Refused("no sub");
  out.name = StringMember(claims, "name");
  out.email = StringMember(claims, "email");
  out.acr = StringMember(claims, "acr");
  out.sid = StringMember(claims, "sid");
  out.auth_time = NumericDate(claims, "auth_time");
  if (auto groups = claims.find("groups"); groups != claims.end()) {
    if (!groups->is_array()) return Refused("groups is not an array");
    for (const Json& g : *groups) {
      if (!g.is_string()) return Refused("groups holds a value that is not a string");
      out.groups.push_back(g.get<std::string>());
    }
  }
  return out;
}

}  // namespace

StatusOr<Jwks> Jwks::Parse(std::string_view json) {
  Json doc = ParseObject(json);
  auto keys = doc.is_object() ? doc.find("keys") : doc.end();
  if (!doc.is_object() || keys == doc.end() || !keys->is_array()) {
    return InvalidArgumentError("JWKS is not a JSON object with a \"keys\" array");
  }
  Jwks out;
  for (const Json& jwk : *keys) {
    if (!jwk.is_object() || StringMember(jwk, "kty") != "RSA") continue;
    if (jwk.contains("use") && StringMember(jwk, "use") != "sig") continue;
    std::unique_ptr<Key> key = RsaKeyFromJwk(jwk);
    if (key == nullptr) continue;
    out.keys_[StringMember(jwk, "kid")] = std::move(key);
  }
  return out;
}

const Jwks::Key* Jwks::Find(std::string_view kid) const {
  if (kid.empty()) return keys_.size() == 1 ? keys_.begin()->second.get() : nullptr;
  auto it = keys_.find(kid);
  return it == keys_.end() ? nullptr : it->second.get();
}

StatusOr<OidcClaims> ValidateIdToken(std::string_view token, const Jwks& jwks, const IdTokenCheck& check) {
  if (check.issuer.empty() || check.client_id.empty() || check.nonce == nullptr || check.nonce->empty()) {
    return InvalidArgumentError("ID token check needs an issuer, a client id and the login's nonce");
  }
  const size_t dot1 = token.find('.');
  const size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return Refused("not a JWS in compact form (three segments)");
  }
  StatusOr<Bytes> header_bytes = Base64UrlDecode(token.substr(0, dot1));
  StatusOr<Bytes> payload_bytes = Base64UrlDecode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  StatusOr<Bytes> signature = Base64UrlDecode(token.substr(dot2 + 1));
  if (!header_bytes.ok() || !payload_bytes.ok() || !signature.ok()) return Refused("a segment is not base64url");
  const Json header = ParseObject(AsStringView(*header_bytes));
  if (!header.is_object()) return Refused("header is not a JSON object");
  const std::string alg = StringMember(header, "alg");
  const EVP_MD* md = DigestOf(alg);
  if (md == nullptr ||
      std::find(check.allowed_algs.begin(), check.allowed_algs.end(), alg) == check.allowed_algs.end()) {
    return Refused("alg is not in the allowlist");
  }
  if (header.contains("crit")) return Refused("header has crit extensions");
  const Jwks::Key* key = jwks.Find(StringMember(header, "kid"));
  if (key == nullptr) return NotFoundError("ID token refused: its signing key (kid) is not in the provider's JWKS");
  if (!key->alg.empty() && key->alg != alg) return Refused("alg differs from its key's alg");
  if (!VerifySignature(*key, md, token.substr(0, dot2), *signature)) return Refused("signature does not verify");

  const Json claims = ParseObject(AsStringView(*payload_bytes));
  if (!claims.is_object()) return Refused("payload is not a JSON object");
  if (StringMember(claims, "iss") != check.issuer) return Refused("iss is not the provider");
  RETURN_IF_ERROR(CheckAudience(claims, check.client_id));
  RETURN_IF_ERROR(CheckTimes(claims, check.now));
  RETURN_IF_ERROR(CheckNonce(claims, *check.nonce));
  return TakeClaims(claims);
}

std::string Base64UrlEncode(ByteSpan data) {
  std::string text = audit::Base64Encode(data);
  while (!text.empty() && text.back() == '=') text.pop_back();
  std::replace(text.begin(), text.end(), '+', '-');
  std::replace(text.begin(), text.end(), '/', '_');
  return text;
}

StatusOr<Bytes> Base64UrlDecode(std::string_view text) {
  if (text.size() % 4 == 1) return InvalidArgumentError("base64url has an impossible length");
  std::string standard(text);
  for (char& c : standard) {
    if (c == '-') {
      c = '+';
    } else if (c == '_') {
      c = '/';
    } else if (!std::isalnum(static_cast<unsigned char>(c))) {
      return InvalidArgumentError("base64url contains a character outside its alphabet");
    }
  }
  standard.append((4 - standard.size() % 4) % 4, '=');
  return audit::Base64Decode(standard);
}

}  // namespace hdhub::server

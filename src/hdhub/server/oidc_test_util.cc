#include "hdhub/server/oidc_test_util.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <stdexcept>

#include "hdhub/common/bytes.h"
#include "hdhub/server/oidc_token.h"

namespace hdhub::server {

struct TestTokenSigner::Key {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey{nullptr, EVP_PKEY_free};
};

namespace {

std::string BigNumParam(const EVP_PKEY* pkey, const char* name) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1) throw std::runtime_error("EVP_PKEY_get_bn_param");
  Bytes out(static_cast<size_t>(BN_num_bytes(bn)));
  BN_bn2bin(bn, out.data());
  BN_free(bn);
  return Base64UrlEncode(out);
}

}  // namespace

TestTokenSigner::TestTokenSigner(std::string kid) : kid_(std::move(kid)), key_(std::make_unique<Key>()) {
  key_->pkey.reset(EVP_RSA_gen(2048));
  if (!key_->pkey) throw std::runtime_error("EVP_RSA_gen");
}

TestTokenSigner::~TestTokenSigner() = default;

nlohmann::json TestTokenSigner::Jwks() const {
  nlohmann::json key = {{"kty", "RSA"},
                        {"kid", kid_},
                        {"use", "sig"},
                        {"alg", "RS256"},
                        {"n", BigNumParam(key_->pkey.get(), OSSL_PKEY_PARAM_RSA_N)},
                        {"e", BigNumParam(key_->pkey.get(), OSSL_PKEY_PARAM_RSA_E)}};
  return {{"keys", nlohmann::json::array({key})}};
}

std::string TestTokenSigner::Assemble(const nlohmann::json& header, const nlohmann::json& payload,
                                      const std::string& signature) {
  return Base64UrlEncode(AsBytes(header.dump())) + "." + Base64UrlEncode(AsBytes(payload.dump())) + "." + signature;
}

std::string TestTokenSigner::Sign(const nlohmann::json& header, const nlohmann::json& payload) const {
  const std::string unsigned_token = Assemble(header, payload, "");
  const std::string signed_part = unsigned_token.substr(0, unsigned_token.size() - 1);  // without the last '.'
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  size_t size = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_->pkey.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &size, reinterpret_cast<const unsigned char*>(signed_part.data()),
                     signed_part.size()) != 1) {
    throw std::runtime_error("EVP_DigestSign");
  }
  Bytes signature(size);
  if (EVP_DigestSign(ctx.get(), signature.data(), &size, reinterpret_cast<const unsigned char*>(signed_part.data()),
                     signed_part.size()) != 1) {
    throw std::runtime_error("EVP_DigestSign");
  }
  signature.resize(size);
  return signed_part + "." + Base64UrlEncode(signature);
}

}  // namespace hdhub::server

// Test helper: an RSA key that signs ID tokens as a provider would, and the
// JWKS that publishes it. For oidc_test.cc only.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

namespace hdhub::server {

class TestTokenSigner {
 public:
  // A fresh 2048-bit RSA key with key id `kid`.
  explicit TestTokenSigner(std::string kid);
  ~TestTokenSigner();

  const std::string& kid() const { return kid_; }
  // {"keys": [{"kty": "RSA", "kid", "use": "sig", "alg": "RS256", "n", "e"}]}
  nlohmann::json Jwks() const;
  // base64url(header) "." base64url(payload) "." base64url(RS256 signature).
  std::string Sign(const nlohmann::json& header, const nlohmann::json& payload) const;
  // The same without a valid signature: `signature` as given (e.g. "" for alg none).
  static std::string Assemble(const nlohmann::json& header, const nlohmann::json& payload,
                              const std::string& signature);

 private:
  struct Key;
  std::string kid_;
  std::unique_ptr<Key> key_;
};

}  // namespace hdhub::server

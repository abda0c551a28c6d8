#include "hdhub/server/tls.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

namespace hdhub::server {
namespace {

Status TlsError(const std::string& what) {
  ::ERR_clear_error();  // OpenSSL's queue may name paths; ours says what to fix
  return InvalidArgumentError(what);
}

}  // namespace

Status ConfigureTls(SSL_CTX* ctx, const TlsConfig& config) {
  const int min_version = config.min_version == "1.3" ? TLS1_3_VERSION : TLS1_2_VERSION;
  if (::SSL_CTX_set_min_proto_version(ctx, min_version) != 1) return TlsError("TLS: cannot set the minimum version");
  ::SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (::SSL_CTX_use_certificate_chain_file(ctx, config.certificate.c_str()) != 1) {
    return TlsError("TLS: cannot read the certificate chain " + config.certificate + " (PEM, leaf first)");
  }
  if (::SSL_CTX_use_PrivateKey_file(ctx, config.key.c_str(), SSL_FILETYPE_PEM) != 1) {
    return TlsError("TLS: cannot read the private key " + config.key + " (PEM)");
  }
  if (::SSL_CTX_check_private_key(ctx) != 1) {
    return TlsError("TLS: the key " + config.key + " does not match the certificate " + config.certificate);
  }
  return OkStatus();
}

StatusOr<Bytes> TlsServerEndPoint(X509* certificate) {
  if (certificate == nullptr) return InvalidArgumentError("TLS: no server certificate");
  int digest_nid = NID_undef;
  if (::OBJ_find_sigid_algs(::X509_get_signature_nid(certificate), &digest_nid, nullptr) != 1) {
    return TlsError("TLS: the certificate's signature algorithm is unknown");
  }
  if (digest_nid == NID_md5 || digest_nid == NID_sha1 || digest_nid == NID_undef) digest_nid = NID_sha256;
  const EVP_MD* md = ::EVP_get_digestbynid(digest_nid);
  if (md == nullptr) return TlsError("TLS: the certificate's hash algorithm is not available");
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int size = 0;
  if (::X509_digest(certificate, md, out.data(), &size) != 1) return TlsError("TLS: cannot hash the certificate");
  out.resize(size);
  return out;
}

}  // namespace hdhub::server

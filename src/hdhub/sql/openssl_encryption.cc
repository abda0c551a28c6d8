#include "hdhub/sql/openssl_encryption.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

namespace hdhub::sql {
namespace {

using duckdb::const_data_ptr_t;
using duckdb::data_ptr_t;
using duckdb::EncryptionTypes;
using duckdb::idx_t;

[[noreturn]] void Fail(const char* what) { throw duckdb::IOException(std::string("hdhub encryption: ") + what); }

const EVP_CIPHER* CipherFor(EncryptionTypes::CipherType type, idx_t key_len) {
  bool gcm = type == EncryptionTypes::GCM;
  if (!gcm && type != EncryptionTypes::CTR) Fail("only AES-GCM and AES-CTR are provided");
  switch (key_len) {
    case 16:
      return gcm ? EVP_aes_128_gcm() : EVP_aes_128_ctr();
    case 24:
      return gcm ? EVP_aes_192_gcm() : EVP_aes_192_ctr();
    case 32:
      return gcm ? EVP_aes_256_gcm() : EVP_aes_256_ctr();
    default:
      Fail("unsupported key length");
  }
}

class OpenSslEncryptionState final : public duckdb::EncryptionState {
 public:
  OpenSslEncryptionState(EncryptionTypes::CipherType type, idx_t key_len)
      : EncryptionState(type, key_len), ctx_(EVP_CIPHER_CTX_new()) {
    if (ctx_ == nullptr) Fail("cannot allocate a cipher context");
  }
  ~OpenSslEncryptionState() override { EVP_CIPHER_CTX_free(ctx_); }  // wipes the key schedule

  void InitializeEncryption(const_data_ptr_t iv, idx_t iv_len, const_data_ptr_t key, idx_t key_len,
                            const_data_ptr_t aad, idx_t aad_len) override {
    Init(1, iv, iv_len, key, key_len, aad, aad_len);
  }
  void InitializeDecryption(const_data_ptr_t iv, idx_t iv_len, const_data_ptr_t key, idx_t key_len,
                            const_data_ptr_t aad, idx_t aad_len) override {
    Init(0, iv, iv_len, key, key_len, aad, aad_len);
  }

  size_t Process(const_data_ptr_t in, idx_t in_len, data_ptr_t out, idx_t out_len) override {
    int len = 0;
    if (out_len < in_len || EVP_CipherUpdate(ctx_, out, &len, in, int(in_len)) != 1) Fail("update failed");
    return size_t(len);
  }

  size_t Finalize(data_ptr_t out, idx_t out_len, data_ptr_t tag, idx_t tag_len) override {
    bool gcm = cipher == EncryptionTypes::GCM;
    if (gcm && !encrypting_ && EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_GCM_SET_TAG, int(tag_len), tag) != 1) {
      Fail("cannot set the GCM tag");
    }
    int len = 0;
    if (EVP_CipherFinal_ex(ctx_, out, &len) != 1) Fail("authentication failed: temporary data was altered");
    if (gcm && encrypting_ && EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_GCM_GET_TAG, int(tag_len), tag) != 1) {
      Fail("cannot read the GCM tag");
    }
    return size_t(len);
  }

  void GenerateRandomData(data_ptr_t data, idx_t len) override {
    if (RAND_bytes(data, int(len)) != 1) Fail("the CSPRNG failed");
  }

 private:
  void Init(int enc, const_data_ptr_t iv, idx_t iv_len, const_data_ptr_t key, idx_t key_len, const_data_ptr_t aad,
            idx_t aad_len) {
    encrypting_ = enc == 1;
    const EVP_CIPHER* evp = CipherFor(cipher, key_len);
    if (EVP_CipherInit_ex(ctx_, evp, nullptr, nullptr, nullptr, enc) != 1) Fail("init failed");
    if (cipher == EncryptionTypes::GCM &&
        EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_GCM_SET_IVLEN, int(iv_len), nullptr) != 1) {
      Fail("bad IV length");
    }
    if (EVP_CipherInit_ex(ctx_, nullptr, nullptr, key, iv, enc) != 1) Fail("key setup failed");
    int len = 0;
    if (aad != nullptr && aad_len > 0 && EVP_CipherUpdate(ctx_, nullptr, &len, aad, int(aad_len)) != 1) {
      Fail("associated data rejected");
    }
  }

  EVP_CIPHER_CTX* ctx_;
  bool encrypting_ = true;
};

}  // namespace

duckdb::shared_ptr<duckdb::EncryptionState> OpenSslEncryptionUtil::CreateEncryptionState(
    EncryptionTypes::CipherType cipher, idx_t key_len) const {
  return duckdb::make_shared_ptr<OpenSslEncryptionState>(cipher, key_len);
}

}  // namespace hdhub::sql

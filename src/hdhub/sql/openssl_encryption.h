// OpenSslEncryptionUtil: DuckDB's EncryptionUtil backed by OpenSSL's EVP
// (AES-GCM and AES-CTR, 128/192/256-bit keys) and RAND_bytes. The offline
// build of DuckDB has no secure random engine of its own, so its encrypted
// temporary files (temp_file_encryption) need this installed first. Keys are
// DuckDB's (random per database instance, held in its memory only).
//
// Thread-safety: the util is stateless; each EncryptionState is used by one
// thread at a time, as DuckDB does.
#pragma once

#include "duckdb.hpp"
#include "duckdb/common/encryption_state.hpp"

namespace hdhub::sql {

class OpenSslEncryptionUtil final : public duckdb::EncryptionUtil {
 public:
  duckdb::shared_ptr<duckdb::EncryptionState> CreateEncryptionState(duckdb::EncryptionTypes::CipherType cipher,
                                                                    duckdb::idx_t key_len) const override;
  bool SupportsEncryption() override { return true; }
};

}  // namespace hdhub::sql

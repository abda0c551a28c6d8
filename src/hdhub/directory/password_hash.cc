#include "hdhub/directory/password_hash.h"

#include <argon2.h>

#include <array>

#include "hdhub/crypto/random.h"

namespace hdhub::directory {
namespace {

constexpr std::string_view kPhcPrefix = "$argon2id$v=19$";

Status Argon2Error(int rc, const Argon2Cost& cost) {
  if (rc == ARGON2_MEMORY_ALLOCATION_ERROR) {
    return ResourceExhaustedError("Argon2id could not allocate " + std::to_string(cost.m_cost_kib) + " KiB");
  }
  return InternalError(std::string("Argon2id: ") + argon2_error_message(rc));
}

}  // namespace

Status ValidateArgon2Cost(const Argon2Cost& cost) {
  return keys::ValidateKeyFileParams(cost).WithContext("password hashing uses the key file's Argon2id bounds");
}

StatusOr<std::string> HashPassword(const SecretBytes& password, const Argon2Cost& cost) {
  RETURN_IF_ERROR(ValidateArgon2Cost(cost));
  if (password.empty()) return InvalidArgumentError("the password must not be empty");
  std::array<uint8_t, kPasswordSaltSize> salt{};
  RETURN_IF_ERROR(crypto::RandomBytes(salt));
  std::string encoded(
      argon2_encodedlen(cost.t_cost, cost.m_cost_kib, cost.parallelism, salt.size(), kPasswordHashSize, Argon2_id),
      '\0');
  int rc = argon2id_hash_encoded(cost.t_cost, cost.m_cost_kib, cost.parallelism, password.data(), password.size(),
                                 salt.data(), salt.size(), kPasswordHashSize, encoded.data(), encoded.size());
  if (rc != ARGON2_OK) return Argon2Error(rc, cost);
  encoded.resize(encoded.find('\0'));  // the size estimate includes the terminator
  return encoded;
}

StatusOr<bool> VerifyPassword(const std::string& encoded, const SecretBytes& password) {
  // Only our own format is accepted: an argon2i or argon2d string in the
  // database means it was written by something else.
  if (!encoded.starts_with(kPhcPrefix)) return DataLossError("stored password hash is not an Argon2id PHC string");
  int rc = argon2id_verify(encoded.c_str(), password.data(), password.size());
  if (rc == ARGON2_OK) return true;
  if (rc == ARGON2_VERIFY_MISMATCH) return false;
  if (rc == ARGON2_MEMORY_ALLOCATION_ERROR) return ResourceExhaustedError("Argon2id could not allocate its memory");
  return DataLossError(std::string("stored password hash is unreadable: ") + argon2_error_message(rc));
}

Status SpendVerificationTime(const SecretBytes& password, const Argon2Cost& cost) {
  std::array<uint8_t, kPasswordSaltSize> salt{};
  SecretBytes discarded(kPasswordHashSize);
  int rc = argon2id_hash_raw(cost.t_cost, cost.m_cost_kib, cost.parallelism, password.data(), password.size(),
                             salt.data(), salt.size(), discarded.mutable_data(), discarded.size());
  if (rc != ARGON2_OK) return Argon2Error(rc, cost);
  return OkStatus();
}

}  // namespace hdhub::directory

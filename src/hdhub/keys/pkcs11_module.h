// Pkcs11Module: one PKCS#11 module (a .so such as SoftHSM2's or an HSM
// vendor's), loaded with dlopen at run time and initialised for this process.
//
// PKCS#11 makes a module's state process-wide: C_Initialize and C_Finalize
// act for the whole process, and a token's login state is shared by every
// session the process has on it. So the modules are shared: Acquire() hands
// out one Pkcs11Module per module path for as long as some store holds it
// (a small process-wide table, the one global here, mirroring the library's
// own), and the last holder's release calls C_Finalize. Finalising under a
// store that still used the module would break it; initialising twice is an
// error. The module stays mapped (RTLD_NODELETE): some modules do not survive
// being unloaded and loaded again.
//
// Login() keeps the shared login state honest: when the token is already
// logged in (by another store of this process), C_Login does not check the
// PIN, so the PIN is compared with the one that logged in (a salted SHA-256
// held in memory, compared in constant time).
//
// Thread-safety: every method may be called from several threads at once; the
// module is initialised with CKF_OS_LOCKING_OK.
#pragma once

#include <p11-kit/pkcs11.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "hdhub/common/secret_bytes.h"
#include "hdhub/common/status.h"
#include "hdhub/crypto/hash.h"

namespace hdhub::keys {

// "CKR_PIN_INCORRECT (0xa0)"; for errors, never secret.
std::string CkrName(CK_RV rv);

class Pkcs11Module {
 public:
  // The module at `path`, loaded and initialised on first use. NotFound when
  // the file is missing; FailedPrecondition when it is no PKCS#11 module or
  // C_Initialize fails.
  static StatusOr<std::shared_ptr<Pkcs11Module>> Acquire(const std::string& path);
  ~Pkcs11Module();
  Pkcs11Module(const Pkcs11Module&) = delete;
  Pkcs11Module& operator=(const Pkcs11Module&) = delete;

  CK_FUNCTION_LIST* fn() const { return fn_; }
  const std::string& path() const { return path_; }

  // The slot holding the token whose label is `token_label`. NotFound naming
  // the labels present when none matches; FailedPrecondition when several do.
  StatusOr<CK_SLOT_ID> FindToken(std::string_view token_label) const;

  // Logs the user in on `slot` through `session` with `pin`.
  // PermissionDenied for a wrong or locked PIN (the message never holds the
  // PIN); Unavailable when the token cannot be reached.
  Status Login(CK_SLOT_ID slot, CK_SESSION_HANDLE session, const SecretBytes& pin, std::string_view token_label);

  Pkcs11Module(std::string path, void* handle, CK_FUNCTION_LIST* fn);

 private:
  crypto::Digest PinDigest(const SecretBytes& pin) const;

  const std::string path_;
  void* const handle_;
  CK_FUNCTION_LIST* const fn_;
  uint8_t salt_[16] = {};
  std::mutex mu_;
  std::map<CK_SLOT_ID, crypto::Digest> logged_in_;  // guarded by mu_
};

}  // namespace hdhub::keys

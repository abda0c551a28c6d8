#include "hdhub/keys/pkcs11_module.h"

#include <dlfcn.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "hdhub/crypto/random.h"

namespace hdhub::keys {
namespace {

// The process-wide table of loaded modules (see the header for why).
std::mutex& TableMutex() {
  static std::mutex mu;
  return mu;
}
std::map<std::string, std::weak_ptr<Pkcs11Module>>& Table() {
  static auto* table = new std::map<std::string, std::weak_ptr<Pkcs11Module>>();
  return *table;
}

std::string TrimLabel(const CK_UTF8CHAR* label, size_t size) {
  std::string out(reinterpret_cast<const char*>(label), size);
  while (!out.empty() && (out.back() == ' ' || out.back() == '\0')) out.pop_back();
  return out;
}

StatusOr<std::shared_ptr<Pkcs11Module>> Load(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return NotFoundError("PKCS#11 module " + path + " not found");
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  if (handle == nullptr) {
    const char* why = ::dlerror();
    return FailedPreconditionError("PKCS#11 module " + path + " cannot be loaded: " + (why ? why : "dlopen failed"));
  }
  auto get_list = reinterpret_cast<CK_C_GetFunctionList>(::dlsym(handle, "C_GetFunctionList"));
  CK_FUNCTION_LIST* fn = nullptr;
  if (get_list == nullptr || get_list(&fn) != CKR_OK || fn == nullptr) {
    ::dlclose(handle);
    return FailedPreconditionError(path + " is not a PKCS#11 module (no usable C_GetFunctionList)");
  }
  CK_C_INITIALIZE_ARGS args{};
  args.flags = CKF_OS_LOCKING_OK;
  CK_RV rv = fn->C_Initialize(&args);
  if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
    ::dlclose(handle);
    return FailedPreconditionError("PKCS#11 module " + path + ": C_Initialize failed: " + CkrName(rv));
  }
  return std::make_shared<Pkcs11Module>(path, handle, fn);
}

}  // namespace

std::string CkrName(CK_RV rv) {
  static const std::map<CK_RV, const char*> kNames = {
      {CKR_GENERAL_ERROR, "CKR_GENERAL_ERROR"},
      {CKR_ARGUMENTS_BAD, "CKR_ARGUMENTS_BAD"},
      {CKR_ATTRIBUTE_SENSITIVE, "CKR_ATTRIBUTE_SENSITIVE"},
      {CKR_ATTRIBUTE_TYPE_INVALID, "CKR_ATTRIBUTE_TYPE_INVALID"},
      {CKR_ATTRIBUTE_VALUE_INVALID, "CKR_ATTRIBUTE_VALUE_INVALID"},
      {CKR_DEVICE_ERROR, "CKR_DEVICE_ERROR"},
      {CKR_DEVICE_REMOVED, "CKR_DEVICE_REMOVED"},
      {CKR_ENCRYPTED_DATA_INVALID, "CKR_ENCRYPTED_DATA_INVALID"},
      {CKR_KEY_FUNCTION_NOT_PERMITTED, "CKR_KEY_FUNCTION_NOT_PERMITTED"},
      {CKR_KEY_NOT_WRAPPABLE, "CKR_KEY_NOT_WRAPPABLE"},
      {CKR_KEY_UNEXTRACTABLE, "CKR_KEY_UNEXTRACTABLE"},
      {CKR_MECHANISM_INVALID, "CKR_MECHANISM_INVALID"},
      {CKR_PIN_INCORRECT, "CKR_PIN_INCORRECT"},
      {CKR_PIN_LEN_RANGE, "CKR_PIN_LEN_RANGE"},
      {CKR_PIN_LOCKED, "CKR_PIN_LOCKED"},
      {CKR_SESSION_HANDLE_INVALID, "CKR_SESSION_HANDLE_INVALID"},
      {CKR_SESSION_CLOSED, "CKR_SESSION_CLOSED"},
      {CKR_TOKEN_NOT_PRESENT, "CKR_TOKEN_NOT_PRESENT"},
      {CKR_USER_ALREADY_LOGGED_IN, "CKR_USER_ALREADY_LOGGED_IN"},
      {CKR_USER_NOT_LOGGED_IN, "CKR_USER_NOT_LOGGED_IN"},
      {CKR_USER_PIN_NOT_INITIALIZED, "CKR_USER_PIN_NOT_INITIALIZED"},
      {CKR_WRAPPED_KEY_INVALID, "CKR_WRAPPED_KEY_INVALID"},
      {CKR_WRAPPED_KEY_LEN_RANGE, "CKR_WRAPPED_KEY_LEN_RANGE"},
      {CKR_WRAPPING_KEY_HANDLE_INVALID, "CKR_WRAPPING_KEY_HANDLE_INVALID"},
      {CKR_CRYPTOKI_NOT_INITIALIZED, "CKR_CRYPTOKI_NOT_INITIALIZED"},
  };
  char hex[32];
  std::snprintf(hex, sizeof(hex), "0x%lx", static_cast<unsigned long>(rv));
  auto it = kNames.find(rv);
  return it == kNames.end() ? std::string(hex) : std::string(it->second) + " (" + hex + ")";
}

StatusOr<std::shared_ptr<Pkcs11Module>> Pkcs11Module::Acquire(const std::string& path) {
  std::lock_guard<std::mutex> lock(TableMutex());
  auto& table = Table();
  if (auto it = table.find(path); it != table.end()) {
    if (std::shared_ptr<Pkcs11Module> module = it->second.lock()) return module;
  }
  ASSIGN_OR_RETURN(std::shared_ptr<Pkcs11Module> module, Load(path));
  table[path] = module;
  return module;
}

Pkcs11Module::Pkcs11Module(std::string path, void* handle, CK_FUNCTION_LIST* fn)
    : path_(std::move(path)), handle_(handle), fn_(fn) {
  // Should the CSPRNG fail, the salt stays zero: the digest never leaves this
  // process, so the salt only keeps it from being a bare SHA-256 of the PIN.
  crypto::RandomBytes(MutableByteSpan(salt_, sizeof(salt_))).IgnoreError();
}

Pkcs11Module::~Pkcs11Module() {
  // Under the table's mutex, so that no Acquire() initialises the module again
  // between this C_Finalize and the table's entry going stale.
  // When an Acquire() raced with this release and already made a successor,
  // the module is that successor's now: it must not be finalised under it.
  std::lock_guard<std::mutex> lock(TableMutex());
  auto it = Table().find(path_);
  const bool succeeded = it != Table().end() && !it->second.expired();
  if (!succeeded) {
    fn_->C_Finalize(nullptr);
    if (it != Table().end()) Table().erase(it);
  }
  ::dlclose(handle_);
}

StatusOr<CK_SLOT_ID> Pkcs11Module::FindToken(std::string_view token_label) const {
  CK_ULONG count = 0;
  CK_RV rv = fn_->C_GetSlotList(CK_TRUE, nullptr, &count);
  std::vector<CK_SLOT_ID> slots(count);
  if (rv == CKR_OK && count > 0) rv = fn_->C_GetSlotList(CK_TRUE, slots.data(), &count);
  if (rv != CKR_OK) return UnavailableError("PKCS#11 module " + path_ + ": C_GetSlotList failed: " + CkrName(rv));
  slots.resize(count);
  std::string present;
  std::vector<CK_SLOT_ID> matches;
  for (CK_SLOT_ID slot : slots) {
    CK_TOKEN_INFO info{};
    if (fn_->C_GetTokenInfo(slot, &info) != CKR_OK) continue;
    std::string label = TrimLabel(info.label, sizeof(info.label));
    if (label == token_label) matches.push_back(slot);
    present += (present.empty() ? "'" : ", '") + label + "'";
  }
  if (matches.size() > 1) {
    return FailedPreconditionError("PKCS#11 module " + path_ + ": " + std::to_string(matches.size()) +
                                   " tokens are labelled '" + std::string(token_label) + "'; relabel all but one");
  }
  if (matches.empty()) {
    return NotFoundError("PKCS#11 module " + path_ + ": no token labelled '" + std::string(token_label) +
                         "' (tokens present: " + (present.empty() ? "none" : present) + ")");
  }
  return matches.front();
}

crypto::Digest Pkcs11Module::PinDigest(const SecretBytes& pin) const {
  crypto::Sha256Hasher hasher;
  hasher.Update(ByteSpan(salt_, sizeof(salt_)));
  hasher.Update(pin.span());
  return hasher.Finish();
}

Status Pkcs11Module::Login(CK_SLOT_ID slot, CK_SESSION_HANDLE session, const SecretBytes& pin,
                           std::string_view token_label) {
  const std::string where = "PKCS#11 token '" + std::string(token_label) + "'";
  std::lock_guard<std::mutex> lock(mu_);
  // C_Login takes a non-const pointer; it does not write through it.
  CK_RV rv = fn_->C_Login(session, CKU_USER, const_cast<CK_UTF8CHAR*>(pin.data()), pin.size());
  if (rv == CKR_OK) {
    logged_in_[slot] = PinDigest(pin);
    return OkStatus();
  }
  if (rv == CKR_USER_ALREADY_LOGGED_IN) {
    auto it = logged_in_.find(slot);
    if (it == logged_in_.end()) {
      return FailedPreconditionError(where + " was logged in by other code in this process; the PIN cannot be checked");
    }
    const crypto::Digest digest = PinDigest(pin);
    if (ConstantTimeEquals(digest, it->second)) return OkStatus();
    return PermissionDeniedError(where + ": wrong PIN");
  }
  if (rv == CKR_PIN_INCORRECT || rv == CKR_PIN_LEN_RANGE) return PermissionDeniedError(where + ": wrong PIN");
  if (rv == CKR_PIN_LOCKED) {
    return PermissionDeniedError(where + ": the user PIN is locked; the token's security officer must reset it");
  }
  if (rv == CKR_USER_PIN_NOT_INITIALIZED) {
    return FailedPreconditionError(where + ": no user PIN set yet; initialise the token first");
  }
  return UnavailableError(where + ": C_Login failed: " + CkrName(rv));
}

}  // namespace hdhub::keys

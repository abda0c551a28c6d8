#include "hdhub/keys/pkcs11_key_store.h"

#include <algorithm>
#include <string>
#include <vector>

#include "hdhub/crypto/random.h"

namespace hdhub::keys {
namespace {

constexpr uint8_t kMagic[4] = {'P', '1', '1', 'W'};
constexpr uint8_t kFormatVersion = 0x01;
constexpr size_t kNonceSize = 16;
constexpr size_t kMaxLabelSize = 255;  // its size is one byte of the header
constexpr size_t kBindingSize = crypto::kSha256Size;
// RFC 5649 output: 8 bytes of integrity check value plus the padded input.
constexpr size_t kKwpBlock = 8;
constexpr size_t kMinCiphertext = kKwpBlock + kKwpBlock + kBindingSize;
// magic, format version, KEK version, key size, label size.
constexpr size_t kFixedHeaderSize = sizeof(kMagic) + 1 + 4 + 2 + 1;
constexpr size_t kMaxDataKeySize = 1024;
constexpr std::string_view kBindingDomain{"hdhub pkcs11 wrap v1\0", 21};

// The key is zero-padded to whole 8-byte blocks inside the payload, so RFC
// 5649 never pads: SoftHSM2 2.6 returns RFC 5649's padding as part of the
// unwrapped key instead of removing it.
size_t PaddedKeySize(size_t key_size) { return (key_size + kKwpBlock - 1) / kKwpBlock * kKwpBlock; }

CK_MECHANISM KwpMechanism() { return CK_MECHANISM{CKM_AES_KEY_WRAP_PAD, nullptr, 0}; }

bool IsIntegrityFailure(CK_RV rv) {
  // SoftHSM2 reports a failed RFC 5649 check as CKR_GENERAL_ERROR.
  return rv == CKR_WRAPPED_KEY_INVALID || rv == CKR_WRAPPED_KEY_LEN_RANGE || rv == CKR_ENCRYPTED_DATA_INVALID ||
         rv == CKR_ENCRYPTED_DATA_LEN_RANGE || rv == CKR_GENERAL_ERROR || rv == CKR_DATA_INVALID;
}

bool IsSessionLost(CK_RV rv) {
  return rv == CKR_SESSION_HANDLE_INVALID || rv == CKR_SESSION_CLOSED || rv == CKR_DEVICE_REMOVED ||
         rv == CKR_TOKEN_NOT_PRESENT || rv == CKR_DEVICE_ERROR;
}

template <typename T>
CK_ATTRIBUTE Attr(CK_ATTRIBUTE_TYPE type, T* value) {
  return CK_ATTRIBUTE{type, value, sizeof(T)};
}

// Checks that the KEK is what the store promises: AES-256, sensitive, never
// extractable, allowed to wrap and unwrap.
Status CheckKek(CK_FUNCTION_LIST* fn, CK_SESSION_HANDLE session, CK_OBJECT_HANDLE kek, const std::string& where) {
  CK_KEY_TYPE type = 0;
  CK_ULONG size = 0;
  CK_BBOOL sensitive = CK_FALSE, extractable = CK_TRUE, wrap = CK_FALSE, unwrap = CK_FALSE;
  CK_ATTRIBUTE attrs[] = {Attr(CKA_KEY_TYPE, &type),       Attr(CKA_VALUE_LEN, &size),
                          Attr(CKA_SENSITIVE, &sensitive), Attr(CKA_EXTRACTABLE, &extractable),
                          Attr(CKA_WRAP, &wrap),           Attr(CKA_UNWRAP, &unwrap)};
  CK_RV rv = fn->C_GetAttributeValue(session, kek, attrs, std::size(attrs));
  if (rv != CKR_OK) return UnavailableError(where + ": reading the key's attributes failed: " + CkrName(rv));
  if (type != CKK_AES || size != 32) return FailedPreconditionError(where + " is not an AES-256 key");
  if (sensitive != CK_TRUE || extractable != CK_FALSE) {
    return FailedPreconditionError(where + " may leave the token (it must be CKA_SENSITIVE and not CKA_EXTRACTABLE)");
  }
  if (wrap != CK_TRUE || unwrap != CK_TRUE) {
    return FailedPreconditionError(where + " may not wrap and unwrap (set CKA_WRAP and CKA_UNWRAP)");
  }
  return OkStatus();
}

StatusOr<CK_OBJECT_HANDLE> FindKek(CK_FUNCTION_LIST* fn, CK_SESSION_HANDLE session, const Pkcs11Uri& uri) {
  const std::string where = "PKCS#11 token '" + uri.token + "': key '" + uri.object + "'";
  CK_OBJECT_CLASS klass = CKO_SECRET_KEY;
  std::vector<CK_ATTRIBUTE> query = {
      Attr(CKA_CLASS, &klass),
      CK_ATTRIBUTE{CKA_LABEL, const_cast<char*>(uri.object.data()), uri.object.size()},
  };
  if (!uri.id.empty()) query.push_back({CKA_ID, const_cast<uint8_t*>(uri.id.data()), uri.id.size()});
  CK_RV rv = fn->C_FindObjectsInit(session, query.data(), query.size());
  if (rv != CKR_OK) return UnavailableError(where + ": C_FindObjectsInit failed: " + CkrName(rv));
  CK_OBJECT_HANDLE found[2];
  CK_ULONG count = 0;
  rv = fn->C_FindObjects(session, found, 2, &count);
  fn->C_FindObjectsFinal(session);
  if (rv != CKR_OK) return UnavailableError(where + ": C_FindObjects failed: " + CkrName(rv));
  if (count == 0)
    return NotFoundError(where + " not found (no secret key has that label" +
                         std::string(uri.id.empty() ? "" : " and id") + ")");
  if (count > 1) return FailedPreconditionError(where + ": several secret keys carry it; add id=… to the URI");
  RETURN_IF_ERROR(CheckKek(fn, session, found[0], where));
  return found[0];
}

}  // namespace

// A session borrowed from the store's pool, given back when the call ends
// (or closed, when the token reported it lost).
class Pkcs11KeyStore::Lease {
 public:
  Lease(Pkcs11KeyStore* store, CK_SESSION_HANDLE session) : store_(store), session_(session) {}
  ~Lease() {
    if (lost_) {
      store_->module_->fn()->C_CloseSession(session_);
    } else {
      store_->ReturnSession(session_);
    }
  }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  CK_SESSION_HANDLE get() const { return session_; }
  CK_RV Check(CK_RV rv) {
    if (IsSessionLost(rv)) lost_ = true;
    return rv;
  }

 private:
  Pkcs11KeyStore* store_;
  CK_SESSION_HANDLE session_;
  bool lost_ = false;
};

StatusOr<std::unique_ptr<Pkcs11KeyStore>> Pkcs11KeyStore::Open(std::string_view uri, const SecretBytes& pin) {
  ASSIGN_OR_RETURN(Pkcs11Uri parsed, Pkcs11Uri::Parse(uri));
  return Open(parsed, pin);
}

StatusOr<std::unique_ptr<Pkcs11KeyStore>> Pkcs11KeyStore::Open(const Pkcs11Uri& uri, const SecretBytes& pin) {
  if (pin.empty()) return InvalidArgumentError("PKCS#11 token '" + uri.token + "': empty PIN");
  if (uri.object.size() > kMaxLabelSize) {
    return InvalidArgumentError("PKCS#11 key label longer than " + std::to_string(kMaxLabelSize) + " bytes");
  }
  ASSIGN_OR_RETURN(std::shared_ptr<Pkcs11Module> module, Pkcs11Module::Acquire(uri.module_path));
  ASSIGN_OR_RETURN(CK_SLOT_ID slot, module->FindToken(uri.token));
  CK_FUNCTION_LIST* fn = module->fn();
  CK_SESSION_HANDLE login = CK_INVALID_HANDLE;
  CK_RV rv = fn->C_OpenSession(slot, CKF_SERIAL_SESSION, nullptr, nullptr, &login);
  if (rv != CKR_OK) {
    return UnavailableError("PKCS#11 token '" + uri.token + "': C_OpenSession failed: " + CkrName(rv));
  }
  Status logged_in = module->Login(slot, login, pin, uri.token);
  StatusOr<CK_OBJECT_HANDLE> kek = logged_in.ok() ? FindKek(fn, login, uri) : StatusOr<CK_OBJECT_HANDLE>(logged_in);
  if (!kek.ok()) {
    fn->C_CloseSession(login);
    return kek.status();
  }
  return std::make_unique<Pkcs11KeyStore>(uri, std::move(module), slot, login, *kek);
}

Pkcs11KeyStore::Pkcs11KeyStore(Pkcs11Uri uri, std::shared_ptr<Pkcs11Module> module, CK_SLOT_ID slot,
                               CK_SESSION_HANDLE login, CK_OBJECT_HANDLE kek)
    : uri_(std::move(uri)), module_(std::move(module)), slot_(slot), login_(login), kek_(kek) {}

Pkcs11KeyStore::~Pkcs11KeyStore() {
  for (CK_SESSION_HANDLE session : idle_) module_->fn()->C_CloseSession(session);
  module_->fn()->C_CloseSession(login_);
}

StatusOr<CK_SESSION_HANDLE> Pkcs11KeyStore::TakeSession() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      CK_SESSION_HANDLE session = idle_.back();
      idle_.pop_back();
      return session;
    }
  }
  CK_SESSION_HANDLE session = CK_INVALID_HANDLE;
  CK_RV rv = module_->fn()->C_OpenSession(slot_, CKF_SERIAL_SESSION, nullptr, nullptr, &session);
  if (rv != CKR_OK) return Failure("opening a session", rv);
  return session;
}

Status Pkcs11KeyStore::DestroyKek() {
  // Destroying a token object takes a read-write session (PKCS#11 v2.40
  // §5.7: the user is logged in for every session of the application).
  CK_FUNCTION_LIST* fn = module_->fn();
  CK_SESSION_HANDLE session = CK_INVALID_HANDLE;
  CK_RV rv = fn->C_OpenSession(slot_, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &session);
  if (rv == CKR_OK) {
    rv = fn->C_DestroyObject(session, kek_);
    fn->C_CloseSession(session);
  }
  if (rv == CKR_OK) destroyed_.store(true);
  if (rv == CKR_ACTION_PROHIBITED || rv == CKR_TOKEN_WRITE_PROTECTED) {
    return FailedPreconditionError(
        "PKCS#11 token '" + uri_.token + "', key '" + uri_.object + "': the token refuses to destroy it (" +
        CkrName(rv) +
        ": a key not CKA_DESTROYABLE, or a write-protected token): destroy it with the HSM's "
        "own tools");
  }
  if (rv != CKR_OK) return Failure("C_DestroyObject on the KEK", rv);
  return OkStatus();
}

void Pkcs11KeyStore::ReturnSession(CK_SESSION_HANDLE session) {
  std::lock_guard<std::mutex> lock(mu_);
  idle_.push_back(session);
}

Status Pkcs11KeyStore::Failure(std::string_view what, CK_RV rv) const {
  std::string message =
      "PKCS#11 token '" + uri_.token + "', key '" + uri_.object + "': " + std::string(what) + " failed: " + CkrName(rv);
  if (IsSessionLost(rv)) return UnavailableError(message);
  return InternalError(message);
}

Bytes Pkcs11KeyStore::Header(size_t key_size, ByteSpan nonce) const {
  Bytes header(kMagic, kMagic + sizeof(kMagic));
  header.push_back(kFormatVersion);
  header.resize(header.size() + 4);
  PutBigEndian32(kPkcs11KekVersion, header.data() + header.size() - 4);
  header.push_back(static_cast<uint8_t>(key_size >> 8));
  header.push_back(static_cast<uint8_t>(key_size));
  header.push_back(static_cast<uint8_t>(uri_.object.size()));
  header.insert(header.end(), uri_.object.begin(), uri_.object.end());
  header.insert(header.end(), nonce.begin(), nonce.end());
  return header;
}

crypto::Digest Pkcs11KeyStore::Binding(ByteSpan header, std::string_view context) const {
  crypto::Sha256Hasher hasher;
  hasher.Update(AsBytes(kBindingDomain));
  hasher.Update(header);
  hasher.Update(AsBytes(context));
  return hasher.Finish();
}

StatusOr<Bytes> Pkcs11KeyStore::WrapKey(const SecretBytes& data_key, std::string_view context) {
  if (destroyed_.load()) return FailedPreconditionError(Describe() + ": this KEK was destroyed");
  if (data_key.empty()) return InvalidArgumentError("PKCS#11 key store: cannot wrap an empty key");
  if (data_key.size() > kMaxDataKeySize) return InvalidArgumentError("PKCS#11 key store: key too long to wrap");
  uint8_t nonce[kNonceSize];
  RETURN_IF_ERROR(crypto::RandomBytes(MutableByteSpan(nonce, sizeof(nonce))));
  Bytes out = Header(data_key.size(), ByteSpan(nonce, sizeof(nonce)));
  const crypto::Digest binding = Binding(out, context);
  const size_t padded = PaddedKeySize(data_key.size());
  SecretBytes payload(padded + kBindingSize);  // zero-filled
  std::copy(data_key.span().begin(), data_key.span().end(), payload.mutable_data());
  std::copy(binding.begin(), binding.end(), payload.mutable_data() + padded);

  ASSIGN_OR_RETURN(CK_SESSION_HANDLE handle, TakeSession());
  Lease session(this, handle);
  CK_FUNCTION_LIST* fn = module_->fn();
  CK_OBJECT_CLASS klass = CKO_SECRET_KEY;
  CK_KEY_TYPE type = CKK_GENERIC_SECRET;
  CK_BBOOL no = CK_FALSE, yes = CK_TRUE;
  CK_ATTRIBUTE tmpl[] = {Attr(CKA_CLASS, &klass),     Attr(CKA_KEY_TYPE, &type),
                         Attr(CKA_TOKEN, &no),        Attr(CKA_SENSITIVE, &yes),
                         Attr(CKA_EXTRACTABLE, &yes), {CKA_VALUE, payload.mutable_data(), payload.size()}};
  CK_OBJECT_HANDLE object = CK_INVALID_HANDLE;
  CK_RV rv = session.Check(fn->C_CreateObject(session.get(), tmpl, std::size(tmpl), &object));
  if (rv != CKR_OK) return Failure("creating the session key to wrap", rv);
  CK_MECHANISM mechanism = KwpMechanism();
  CK_ULONG size = 0;
  rv = session.Check(fn->C_WrapKey(session.get(), &mechanism, kek_, object, nullptr, &size));
  const size_t header_size = out.size();
  if (rv == CKR_OK) {
    out.resize(header_size + size);
    rv = session.Check(fn->C_WrapKey(session.get(), &mechanism, kek_, object, out.data() + header_size, &size));
    out.resize(header_size + size);
  }
  // The session key goes at once, whatever happened (and with the session at the latest).
  session.Check(fn->C_DestroyObject(session.get(), object));
  if (rv != CKR_OK) return Failure("C_WrapKey with CKM_AES_KEY_WRAP_PAD", rv);
  return out;
}

StatusOr<SecretBytes> Pkcs11KeyStore::UnwrapPayload(CK_SESSION_HANDLE handle, ByteSpan ciphertext) {
  Lease session(this, handle);
  CK_FUNCTION_LIST* fn = module_->fn();
  CK_OBJECT_CLASS klass = CKO_SECRET_KEY;
  CK_KEY_TYPE type = CKK_GENERIC_SECRET;
  CK_BBOOL no = CK_FALSE, yes = CK_TRUE;
  CK_ATTRIBUTE tmpl[] = {Attr(CKA_CLASS, &klass), Attr(CKA_KEY_TYPE, &type), Attr(CKA_TOKEN, &no),
                         Attr(CKA_SENSITIVE, &no), Attr(CKA_EXTRACTABLE, &yes)};
  CK_MECHANISM mechanism = KwpMechanism();
  CK_OBJECT_HANDLE object = CK_INVALID_HANDLE;
  CK_RV rv = session.Check(fn->C_UnwrapKey(session.get(), &mechanism, kek_, const_cast<uint8_t*>(ciphertext.data()),
                                           ciphertext.size(), tmpl, std::size(tmpl), &object));
  if (rv != CKR_OK) {
    if (IsIntegrityFailure(rv)) return DataLossError("wrapped key: integrity check failed (altered, or another KEK)");
    return Failure("C_UnwrapKey with CKM_AES_KEY_WRAP_PAD", rv);
  }
  CK_ATTRIBUTE value{CKA_VALUE, nullptr, 0};
  rv = session.Check(fn->C_GetAttributeValue(session.get(), object, &value, 1));
  SecretBytes payload(rv == CKR_OK ? value.ulValueLen : 0);
  if (rv == CKR_OK) {
    value.pValue = payload.mutable_data();
    rv = session.Check(fn->C_GetAttributeValue(session.get(), object, &value, 1));
  }
  session.Check(fn->C_DestroyObject(session.get(), object));
  if (rv != CKR_OK) return Failure("reading the unwrapped key", rv);
  return payload;
}

StatusOr<SecretBytes> Pkcs11KeyStore::UnwrapKey(ByteSpan wrapped, std::string_view context) {
  if (destroyed_.load()) return FailedPreconditionError(Describe() + ": this KEK was destroyed");
  const size_t fixed = kFixedHeaderSize;
  if (wrapped.size() < fixed || !std::equal(kMagic, kMagic + sizeof(kMagic), wrapped.begin())) {
    return DataLossError("wrapped key: not a PKCS#11 wrapped key (bad magic or too short)");
  }
  if (wrapped[4] != kFormatVersion) {
    return DataLossError("wrapped key: unknown PKCS#11 format version " + std::to_string(wrapped[4]));
  }
  const uint32_t kek_version = GetBigEndian32(wrapped.data() + 5);
  const size_t key_size = size_t{wrapped[9]} << 8 | wrapped[10];
  const size_t label_size = wrapped[11];
  const size_t header_size = fixed + label_size + kNonceSize;
  if (wrapped.size() < header_size + kMinCiphertext) return DataLossError("wrapped key: truncated");
  const std::string_view label = AsStringView(wrapped.subspan(fixed, label_size));
  if (kek_version != kPkcs11KekVersion || label != uri_.object) {
    return DataLossError("wrapped key: made under KEK version " + std::to_string(kek_version) +
                         (label == uri_.object ? "" : " of another key") + ", not under key '" + uri_.object +
                         "' version " + std::to_string(kPkcs11KekVersion));
  }
  const ByteSpan ciphertext = wrapped.subspan(header_size);
  const size_t padded = PaddedKeySize(key_size);
  if (key_size == 0 || key_size > kMaxDataKeySize || ciphertext.size() != kKwpBlock + padded + kBindingSize) {
    return DataLossError("wrapped key: " + std::to_string(ciphertext.size()) + "-byte key wrap does not hold a " +
                         std::to_string(key_size) + "-byte key");
  }
  ASSIGN_OR_RETURN(CK_SESSION_HANDLE session, TakeSession());
  ASSIGN_OR_RETURN(SecretBytes payload, UnwrapPayload(session, ciphertext));
  if (payload.size() != padded + kBindingSize) return DataLossError("wrapped key: unwrapped payload has a bad size");
  // The zero padding and the binding are checked together, in constant time.
  Bytes expected(padded - key_size, 0);
  const crypto::Digest binding = Binding(wrapped.first(header_size), context);
  expected.insert(expected.end(), binding.begin(), binding.end());
  if (!ConstantTimeEquals(payload.span().subspan(key_size), expected)) {
    return DataLossError("wrapped key: made for another context or altered");
  }
  return SecretBytes(payload.span().first(key_size));
}

StatusOr<std::unique_ptr<crypto::HmacSha256>> Pkcs11KeyStore::HmacFor(std::string_view purpose) {
  return FailedPreconditionError(
      "PKCS#11 key store: an HSM derives no purpose keys; purpose keys come from the hub's key ring (random keys "
      "wrapped by this store)");
}

}  // namespace hdhub::keys

#include "hdhub/hub/audited_key_store.h"

#include "hdhub/audit/recorder.h"
#include "hdhub/common/bytes.h"
#include "hdhub/crypto/hash.h"

namespace hdhub::hub {
namespace {

// Contexts and purposes are identifiers chosen by hdhub's code; one that does
// not fit the audit alphabet is logged by its hash instead.
constexpr size_t kMaxLoggedName = 128;

bool Loggable(std::string_view name) {
  if (name.empty() || name.size() > kMaxLoggedName) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-' || c == ':' || c == '/';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

Status AuditedKeyStore::Log(std::string_view action, std::string_view kind, std::string_view name,
                            const Status& outcome) {
  audit::Event e{.actor = actor_.id, .role = actor_.role, .action = std::string(action)};
  if (Loggable(name)) {
    e.objects[std::string(kind)] = std::string(name);
  } else {
    e.objects[std::string(kind) + "_sha256"] = HexEncode(crypto::Sha256(AsBytes(name)));
  }
  const std::string store = Describe();
  e.details["key_store"] = store.substr(0, store.find(':'));
  audit::ApplyOutcome(e, outcome);
  return log_->Append(e).status();
}

StatusOr<Bytes> AuditedKeyStore::WrapKey(const SecretBytes& data_key, std::string_view context) {
  StatusOr<Bytes> wrapped = KeyStoreWrapper::WrapKey(data_key, context);
  RETURN_IF_ERROR(Log("key.wrap", "key_context", context, wrapped.status()));
  return wrapped;
}

StatusOr<SecretBytes> AuditedKeyStore::UnwrapKey(ByteSpan wrapped, std::string_view context) {
  StatusOr<SecretBytes> key = KeyStoreWrapper::UnwrapKey(wrapped, context);
  RETURN_IF_ERROR(Log("key.unwrap", "key_context", context, key.status()));
  return key;
}

StatusOr<std::unique_ptr<crypto::HmacSha256>> AuditedKeyStore::HmacFor(std::string_view purpose) {
  auto hmac = KeyStoreWrapper::HmacFor(purpose);
  RETURN_IF_ERROR(Log("key.derive", "key_purpose", purpose, hmac.status()));
  return hmac;
}

}  // namespace hdhub::hub

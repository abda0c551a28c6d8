// AuditedKeyStore: a KeyStore decorator that records every use of the hub's
// key-encryption key in the audit log: key.wrap and key.unwrap (with the
// wrapping context, e.g. "dataset/ER_PRS_F/<digest prefix>") and key.derive
// (with the HMAC purpose). Events name contexts and purposes, never a key.
//
// The event is logged before a key is handed back; when the log cannot make
// it durable the operation fails, so no key use goes unrecorded. A failed
// operation is logged with outcome "error".
//
// One AuditedKeyStore acts for one actor: it is a cheap view made per request
// (Hub::KeysFor), so no actor is shared between requests.
//
// A keys::KeyStoreWrapper: it overrides the three key uses and forwards the
// rest. Ownership: borrows (or owns) the inner store, borrows the log, which
// must outlive it; owns a copy of the actor. Thread-safety: as the inner
// store and the log (both safe).
#pragma once

#include <memory>
#include <string>

#include "hdhub/audit/audit_log.h"
#include "hdhub/keys/key_store_wrapper.h"

namespace hdhub::hub {

class AuditedKeyStore final : public keys::KeyStoreWrapper {
 public:
  AuditedKeyStore(keys::KeyStore* inner, audit::AuditLog* log, audit::Actor actor)
      : KeyStoreWrapper(inner), log_(log), actor_(std::move(actor)) {}
  AuditedKeyStore(std::unique_ptr<keys::KeyStore> inner, audit::AuditLog* log, audit::Actor actor)
      : KeyStoreWrapper(std::move(inner)), log_(log), actor_(std::move(actor)) {}

  StatusOr<Bytes> WrapKey(const SecretBytes& data_key, std::string_view context) override;
  StatusOr<SecretBytes> UnwrapKey(ByteSpan wrapped, std::string_view context) override;
  StatusOr<std::unique_ptr<crypto::HmacSha256>> HmacFor(std::string_view purpose) override;

 private:
  Status Log(std::string_view action, std::string_view kind, std::string_view name, const Status& outcome);

  audit::AuditLog* log_;
  const audit::Actor actor_;
};

}  // namespace hdhub::hub

// The hub's audit signing key (the Ed25519 key that signs the log's
// checkpoints), kept in state/audit_signing.key wrapped by the hub's key
// store, so that someone holding state/ alone cannot sign a rewritten log.
// Format (docs/formats/audit-log.md §4, "Keys"):
//
//   hdhub-audit-key v1 LF
//   <verifier key> LF
//   <base64 of KeyStore::WrapKey(32-byte seed, "audit/signing-key/<key name>")> LF
//
// Hubs made before the key was wrapped hold it in clear (a note private key
// file, "PRIVATE+KEY+…"); hub.json then lacks "audit_key": "key-store". Such
// a key is read once more, and Hub::Open wraps it once every check passed
// (MigrateClearAuditKey). A hub whose hub.json says "key-store" refuses a
// clear key file: state/ was tampered with.
//
// Thread-safety: free functions, no shared state; writers of one file must be
// serialised by the caller (the hub's open path).
#pragma once

#include <memory>
#include <string>

#include "hdhub/audit/ed25519.h"
#include "hdhub/common/status.h"
#include "hdhub/keys/key_store.h"

namespace hdhub::hub {

struct LoadedAuditKey {
  std::unique_ptr<audit::Ed25519Signer> signer;
  bool in_clear = false;  // an older hub's clear key file, to be wrapped
};

// state/audit_signing.key under `hub_dir`.
std::string AuditKeyPath(const std::string& hub_dir);

// Reads and unwraps the key. NotFound when the file is absent; DataLoss when
// it is malformed, does not unwrap (altered, or another hub's key store), or
// holds a key in clear while `wrapped_only`.
StatusOr<LoadedAuditKey> LoadAuditKey(keys::KeyStore& keys, const std::string& hub_dir, bool wrapped_only);

// A fresh key named "hdhub/<16 random hex>", in memory only (the caller
// writes it with WriteWrappedAuditKey once it may write).
StatusOr<std::unique_ptr<audit::Ed25519Signer>> NewAuditSigner();

// Replaces the file with `signer` wrapped by `keys` (atomically, durably).
Status WriteWrappedAuditKey(keys::KeyStore& keys, const std::string& hub_dir, const audit::Ed25519Signer& signer);

// The verifier key, read from the file without the key store.
StatusOr<std::string> ReadAuditVerifierKey(const std::string& hub_dir);

}  // namespace hdhub::hub

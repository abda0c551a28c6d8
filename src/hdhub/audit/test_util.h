// Test helpers shared by the audit tests (test-only).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "hdhub/audit/audit_log.h"
#include "hdhub/audit/ed25519.h"
#include "hdhub/audit/event.h"

namespace hdhub::audit::testing {

// A valid event whose details carry `n`, so entries differ.
inline Event NumberedEvent(int n) {
  Event e;
  e.actor = "alice";
  e.role = "steward";
  e.action = "ingest.run";
  e.objects = {{"dataset", "dcir"}};
  e.project = "p-1";
  e.details = {{"n", n}};
  return e;
}

// A fresh hub signing key (a copy of the same key, for each open).
inline std::unique_ptr<Ed25519Signer> TestSigner(const std::string& name = "hub.test/audit") {
  static const SecretBytes kSeed(ByteSpan(reinterpret_cast<const uint8_t*>("0123456789abcdef0123456789abcdef"), 32));
  return Ed25519Signer::FromSeed(name, kSeed).value();
}

// Every entry of `log` from index `from` on, decoded; an entry that does not
// decode stops the list there (the caller's size check then fails).
inline std::vector<Entry> ReadEntries(const AuditLog& log, uint64_t from = 0) {
  std::vector<Entry> entries;
  for (uint64_t i = from; i < log.Size(); ++i) {
    StatusOr<std::string> text = log.ReadEntry(i);
    if (!text.ok()) break;
    StatusOr<Entry> entry = DecodeEntry(*text);
    if (!entry.ok()) break;
    entries.push_back(*std::move(entry));
  }
  return entries;
}

// The entry `back` places before the last one of `log`, decoded (test-only:
// a missing or undecodable entry ends the test binary with the error).
inline Entry LastEntry(const AuditLog& log, uint64_t back = 0) {
  return DecodeEntry(log.ReadEntry(log.Size() - 1 - back).value()).value();
}

}  // namespace hdhub::audit::testing

// Audit events and their canonical JSON entries (docs/formats/audit-log.md).
//
// An Event is what the code that acts reports: who (actor, role), what
// (action, object ids, project), how it ended (outcome) and structured details
// that never hold a health value or a pseudonym. Free text such as a query is
// only ever stored as its SHA-256 (text_sha256). The log adds seq and time and
// serializes the entry as canonical JSON: keys sorted, no whitespace, UTF-8.
//
// Thread-safety: values and free functions.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "hdhub/common/clock.h"
#include "hdhub/common/status.h"

namespace hdhub::audit {

enum class Outcome { kSuccess, kDenied, kError };
std::string_view OutcomeName(Outcome outcome);  // "success", "denied", "error"

// Who acts: an account of the directory in one of its roles, "hub" in the
// role "system" for what the hub does by itself, or, in a source's own log,
// the source's login ("os:<login>", role "source").
struct Actor {
  std::string id;
  std::string role;
};

struct Event {
  std::string actor;   // user or service id, e.g. "alice" or "system"
  std::string role;    // operator, steward, researcher, checker, auditor, system
  std::string action;  // dotted lower-case verb, e.g. "ingest.run", "key.unwrap"
  std::map<std::string, std::string> objects;  // kind -> id, e.g. {"dataset", "dcir"}
  std::optional<std::string> project;
  Outcome outcome = Outcome::kSuccess;
  // Flat object: keys [a-z0-9_], values numbers, booleans or short identifier
  // strings (or arrays of them). Counts and sizes, never health values.
  nlohmann::json details = nlohmann::json::object();
  // Hashed into text_sha256 and dropped; never written to the log.
  std::optional<std::string> free_text;
};

// InvalidArgument naming the offending field when `event` cannot be logged.
Status ValidateEvent(const Event& event);

// The canonical entry for `event` at position `seq`, stamped `time`.
// Precondition: ValidateEvent(event).ok().
std::string EncodeEntry(const Event& event, uint64_t seq, TimePoint time);

// A decoded entry (free text is only present as its hash).
struct Entry {
  uint64_t seq = 0;
  std::string time;  // RFC 3339 as stored
  Event event;       // free_text empty
  std::optional<std::string> text_sha256;
};

// Parses and validates an entry: InvalidArgument when it is not canonical JSON,
// carries a field outside the allowed set or a malformed value.
StatusOr<Entry> DecodeEntry(std::string_view bytes);

}  // namespace hdhub::audit

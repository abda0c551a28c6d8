// RequestIdScope: the request a thread serves, for the audit log. While a
// RequestIdScope lives on a thread, every event that thread appends to an
// AuditLog carries `id` as details.request_id (unless the event names one
// itself), so that a server's answer (X-Request-Id) can be matched to the
// entries it made. `id` must be an identifier string (e.g. 16 hex digits).
// Scopes nest: the inner one wins until it ends.
//
// Thread-safety: per thread by design (a thread_local).
#pragma once

#include <span>
#include <string>
#include <vector>

#include "hdhub/audit/event.h"

namespace hdhub::audit {

class RequestIdScope {
 public:
  explicit RequestIdScope(std::string id);
  ~RequestIdScope();
  RequestIdScope(const RequestIdScope&) = delete;
  RequestIdScope& operator=(const RequestIdScope&) = delete;

 private:
  std::string previous_;
};

// The events to append: `events` as they are outside a scope, else copies
// stamped with the scope's request id (in `storage`, which must outlive the
// returned span).
std::span<const Event> StampRequestId(std::span<const Event> events, std::vector<Event>& storage);

}  // namespace hdhub::audit

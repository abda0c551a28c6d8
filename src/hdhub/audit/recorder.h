// Recorder: the one rule that turns what an operation decided or did into an
// audit event. Every site that logs an action builds its Event (actor, role,
// action, objects, project, details) and hands it here with the Status the
// operation ended with:
//   OK                                   -> outcome "success", details kept;
//   PermissionDenied or Unauthenticated  -> outcome "denied";
//   any other error                      -> outcome "error";
// and for a refusal or an error the details become {"code": <canonical code>}
// (what the operation added described a change that did not happen).
//
// Thread-safety: free functions over a thread-safe AuditLog.
#pragma once

#include "hdhub/audit/audit_log.h"
#include "hdhub/audit/event.h"
#include "hdhub/common/status.h"

namespace hdhub::audit {

// The outcome an operation that ended with `status` is logged with.
Outcome OutcomeFor(const Status& status);

// Sets the outcome of `event` from `result` (and, for a failure, its details).
void ApplyOutcome(Event& event, const Status& result);

// Logs `event` with the outcome of `result` and returns `result`, or the
// log's error when the event cannot be logged (so nothing goes unrecorded).
Status Record(AuditLog& log, Event event, const Status& result);

}  // namespace hdhub::audit

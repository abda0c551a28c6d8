// Recorder: the one rule that turns what an operation decided or did into an
// audit event. Every site that logs an action builds its Event (actor, role,
// action, objects, project, details) and hands it here with the Status the
// operation ended with:
//   OK                                          -> outcome "success";
//   PermissionDenied, Unauthenticated or
//   FailedPrecondition (refused by a rule of identity or of state:
//   not a member, outside the window, already approved)  -> outcome "denied";
//   any other error (bad input, not found, I/O, integrity, limits) -> "error";
// and a refusal or an error adds details.code = <canonical code>. Code that
// rolls back a change clears the details it had added first (they described
// a change that did not happen).
//
// Thread-safety: free functions over a thread-safe AuditLog.
#pragma once

#include "hdhub/audit/audit_log.h"
#include "hdhub/audit/event.h"
#include "hdhub/common/status.h"

namespace hdhub::audit {

// The outcome an operation that ended with `status` is logged with.
Outcome OutcomeFor(const Status& status);

// Sets the outcome of `event` from `result` (and, for a failure, details.code).
void ApplyOutcome(Event& event, const Status& result);

// Logs `event` with the outcome of `result` and returns `result`, or the
// log's error when the event cannot be logged (so nothing goes unrecorded).
Status Record(AuditLog& log, Event event, const Status& result);

}  // namespace hdhub::audit

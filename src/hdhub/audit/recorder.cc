#include "hdhub/audit/recorder.h"

namespace hdhub::audit {

Outcome OutcomeFor(const Status& status) {
  if (status.ok()) return Outcome::kSuccess;
  if (status.code() == StatusCode::kPermissionDenied || status.code() == StatusCode::kUnauthenticated ||
      status.code() == StatusCode::kFailedPrecondition) {
    return Outcome::kDenied;
  }
  return Outcome::kError;
}

void ApplyOutcome(Event& event, const Status& result) {
  event.outcome = OutcomeFor(result);
  if (!result.ok()) event.details["code"] = std::string(StatusCodeName(result.code()));
}

Status Record(AuditLog& log, Event event, const Status& result) {
  ApplyOutcome(event, result);
  Status logged = log.Append(event).status();
  if (!logged.ok()) return logged;
  return result;
}

}  // namespace hdhub::audit

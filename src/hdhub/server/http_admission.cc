#include "hdhub/server/http_admission.h"

namespace hdhub::server {

Status AccountAdmission::Admit(const std::string& account, const HttpRequest& request) {
  const bool rate_ok = limiter_.AllowRequest(LimitScope::kAccount, account);
  if (rate_ok && limiter_.AcquireConnection(LimitScope::kAccount, account)) return OkStatus();
  log_.Log({.level = "warning",
            .event = "http.refused",
            .client = request.client,
            .user = account,
            .reason = rate_ok ? "too_many_requests_in_progress_for_account" : "too_many_requests_for_account",
            .request_id = request.request_id});
  return ResourceExhaustedError(rate_ok ? kAccountBusy : kAccountRateExceeded);
}

void AccountAdmission::Release(const std::string& account) {
  limiter_.ReleaseConnection(LimitScope::kAccount, account);
}

}  // namespace hdhub::server

// AccountAdmission: the per-account limits of the HTTP API (RequestAdmission,
// http_api.h), with the Limiter the PG wire uses for accounts (limits.h):
// once its bearer token is authenticated, a request spends one request of
// its account's bucket (requests_per_second, request_burst: the bucket the
// account's PG statements spend) and takes one of its account's connection
// slots while its handler runs (max_connections_per_account, counted with
// the account's PG sessions). Either refusal is ResourceExhausted (429
// problem+json with Retry-After: 1) and logged as `http.refused` with a
// fixed reason, the account and the request id.
//
// Thread-safety: as the Limiter and the Logger, which it borrows (they must
// outlive it).
#pragma once

#include <string>

#include "hdhub/server/http_api.h"
#include "hdhub/server/limits.h"
#include "hdhub/server/log.h"

namespace hdhub::server {

// The details of the two refusals (a problem's detail: no request value).
inline constexpr char kAccountRateExceeded[] = "too many requests from this account; retry in a moment";
inline constexpr char kAccountBusy[] = "too many requests of this account in progress; retry in a moment";

class AccountAdmission final : public RequestAdmission {
 public:
  AccountAdmission(Limiter& limiter, Logger& log) : limiter_(limiter), log_(log) {}

  // ResourceExhausted kAccountRateExceeded when the account's bucket is
  // empty, kAccountBusy when it holds max_connections_per_account already.
  Status Admit(const std::string& account, const HttpRequest& request) override;
  void Release(const std::string& account) override;

 private:
  Limiter& limiter_;
  Logger& log_;
};

}  // namespace hdhub::server

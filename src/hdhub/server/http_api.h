// HttpApi: the HTTP JSON API of `hdhub serve` under /api/v1, without the
// network (http_server.h carries requests to it). One route table maps a
// method and a path pattern to a handler; each handler parses the request,
// authenticates its bearer token with Service::Authenticate, calls ONE
// service::Service operation and renders JSON. The policy and the audit
// stay the service's: a refusal comes back as PermissionDenied (403).
//
// Errors are application/problem+json (RFC 9457), mapped once from the
// StatusCode (ProblemFor); the detail of a 5xx is generic, and no detail ever
// echoes a request's values. Every answer carries X-Request-Id, also the
// problem's "instance", and the audit entries the request makes carry it as
// details.request_id (audit::RequestIdScope). Lists take ?limit=&cursor=
// and answer {"items": [...], "next": cursor or null}; the cursor is opaque.
// Query results are streamed through the request's ResponseStream (NDJSON or
// CSV, chunked), never serialized whole. docs/api/README.md lists the routes
// and their shapes (field names as the CLI's --json).
//
// Thread-safety: Handle may be called from several threads at once.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hdhub/common/status.h"
#include "hdhub/server/config.h"
#include "hdhub/service/service.h"

namespace hdhub::server {

struct HttpResponse;

// Where a streamed answer goes (the connection, in http_server.cc): its head
// once, then pieces of its body, each call blocking until the bytes are on
// their way (so a slow client slows the producer, and memory stays bounded).
// An error means the client is gone: the producer stops.
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  virtual Status Begin(const HttpResponse& head) = 0;
  virtual Status Write(std::string_view bytes) = 0;
};

struct HttpRequest {
  std::string method;         // "GET", "POST", "DELETE", "PATCH", "PUT"
  std::string target;         // path and query, as received
  std::string authorization;  // the Authorization header, if any
  std::string accept;         // the Accept header, if any
  std::string content_type;   // the Content-Type header, if any
  // Browser sessions (single sign-on, sso.h): the Cookie, Origin and
  // X-CSRF-Token headers, if any.
  std::string cookie;
  std::string origin;
  std::string csrf_token;
  std::string body;
  // An upload route's body (IsUploadRoute), spooled to this file in the
  // hub's scratch area by the transport, which removes it afterwards.
  std::filesystem::path body_file;
  std::string client;      // the peer's IP address
  std::string request_id;  // 16 hex digits, made by the server
  // Where to stream a query's rows; none: the answer is built whole in
  // HttpResponse::body (tests without a network).
  ResponseStream* stream = nullptr;
};

struct HttpResponse {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type and X-Request-Id
  // The answer went through HttpRequest::stream already (head and body):
  // the transport ends the chunked body; or, when `cut`, closes the
  // connection without ending it (an error after the first byte).
  bool streamed = false;
  bool cut = false;
};

// One entry of the route table: "GET", "/api/v1/projects/{id}".
struct RouteInfo {
  std::string_view method;
  std::string_view pattern;
};
// Every route, in table order (the OpenAPI test checks it against the document).
std::vector<RouteInfo> ApiRoutes();

// Whether `method` `target` is a route whose body is an upload (multipart,
// spooled to a file, limited by http_max_upload_bytes).
bool IsUploadRoute(std::string_view method, std::string_view target);

// Percent-decoding of a path segment or a query value (`plus_is_space`: a
// '+' is a space, as in a query); nullopt when a '%' is not followed by two
// hex digits.
std::optional<std::string> PercentDecode(std::string_view in, bool plus_is_space);

// The pairs of a query string ("a=1&b=x%20y"), percent-decoded (a '+' is a
// space); InvalidArgument when malformed.
StatusOr<std::map<std::string, std::string>> ParseQueryString(std::string_view text);

// The problem+json answer for `status` (not OK) to request `request_id`.
HttpResponse ProblemFor(const Status& status, std::string_view request_id);
// A problem+json answer with an explicit HTTP status (405, 413, 431 from the
// transport); `detail` must hold no request value.
HttpResponse Problem(unsigned http_status, std::string_view detail, std::string_view request_id);
// The HTTP status and title for a StatusCode (the one mapping).
struct HttpStatus {
  unsigned status;
  std::string_view title;
};
HttpStatus HttpStatusOf(StatusCode code);
unsigned HttpStatusFor(StatusCode code);

// A random request id: 16 hex digits.
std::string NewRequestId();

// What HttpApi asks once a request's bearer token is authenticated, before
// its handler runs: the per-account limits of `hdhub serve`
// (http_admission.h). Thread-safety: called from several threads at once.
class RequestAdmission {
 public:
  virtual ~RequestAdmission() = default;
  // OK: the handler runs, and Release(account) follows once it returned (a
  // streamed answer included). Otherwise the request is answered with the
  // status's problem, its handler not run; ResourceExhausted (429) carries
  // Retry-After: 1.
  virtual Status Admit(const std::string& account, const HttpRequest& request) = 0;
  virtual void Release(const std::string& account) = 0;
};

// Browser sessions (single sign-on, sso.h), which HttpApi consults when
// given one (SetSessions). Thread-safety: called from several threads at once.
class SessionAuthority {
 public:
  virtual ~SessionAuthority() = default;
  // The answer to a request under /auth/ (login, callback, logout).
  virtual HttpResponse HandleAuth(const HttpRequest& request) = 0;
  // GET /api/v1/session: the session's user, roles and CSRF token, or 401.
  virtual HttpResponse ShowSession(const HttpRequest& request) = 0;
  // Whether `request` carries a session cookie.
  virtual bool HasSessionCookie(const HttpRequest& request) const = 0;
  // The context of a request authenticated by its session cookie (no
  // Authorization header), acting in `as` when given. On a refusal,
  // `refusal` is set to the answer to give (401, 401 with "reauth": true,
  // or 403 for a failed CSRF check).
  virtual std::optional<service::RequestContext> Authenticate(const HttpRequest& request,
                                                              std::optional<directory::Role> as,
                                                              HttpResponse& refusal) = 0;
};

class HttpApi {
 public:
  // `service` must outlive the API; `openapi_json` is served as is;
  // `limits` bound each query ([serve.query]).
  HttpApi(service::Service& service, std::string openapi_json, const QueryLimits& limits = {});
  // `admission` (none: no per-account limit) must outlive the call.
  HttpResponse Handle(const HttpRequest& request, RequestAdmission* admission = nullptr);

  // A fresh file name in the hub's scratch area, for an upload's body.
  StatusOr<std::filesystem::path> NewUploadFile();

  // Browser sessions (none: only bearer tokens; /auth/ is 404). `sessions`
  // must outlive the API; set before the first request.
  void SetSessions(SessionAuthority* sessions) { sessions_ = sessions; }

 private:
  service::Service& service_;
  SessionAuthority* sessions_ = nullptr;
  std::string openapi_json_;
  QueryLimits limits_;
};

// The OpenAPI document built into hdhub (docs/api/openapi.json).
std::string_view BuiltinOpenApiJson();

}  // namespace hdhub::server

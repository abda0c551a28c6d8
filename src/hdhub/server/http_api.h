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
// problem's "instance". Lists take ?limit=&cursor= and answer
// {"items": [...], "next": cursor or null}; the cursor is opaque.
//
// Thread-safety: Handle may be called from several threads at once.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hdhub/common/status.h"
#include "hdhub/service/service.h"

namespace hdhub::server {

struct HttpRequest {
  std::string method;         // "GET", "POST", "DELETE"
  std::string target;         // path and query, as received
  std::string authorization;  // the Authorization header, if any
  std::string accept;         // the Accept header, if any
  std::string body;
  std::string client;      // the peer's IP address
  std::string request_id;  // 16 hex digits, made by the server
};

struct HttpResponse {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type and X-Request-Id
};

// One entry of the route table: "GET", "/api/v1/projects/{id}".
struct RouteInfo {
  std::string_view method;
  std::string_view pattern;
};
// Every route, in table order (the OpenAPI test checks it against the document).
std::vector<RouteInfo> ApiRoutes();

// The problem+json answer for `status` (not OK) to request `request_id`.
HttpResponse ProblemFor(const Status& status, std::string_view request_id);
// A problem+json answer with an explicit HTTP status (405, 413 from the
// transport); `detail` must hold no request value.
HttpResponse Problem(unsigned http_status, std::string_view detail, std::string_view request_id);
// The HTTP status for a StatusCode (the one mapping).
unsigned HttpStatusFor(StatusCode code);

// A random request id: 16 hex digits.
std::string NewRequestId();

class HttpApi {
 public:
  // `service` must outlive the API; `openapi_json` is served as is.
  HttpApi(service::Service& service, std::string openapi_json);
  HttpResponse Handle(const HttpRequest& request);

 private:
  service::Service& service_;
  std::string openapi_json_;
};

// The OpenAPI document built into hdhub (docs/api/openapi.json).
std::string_view BuiltinOpenApiJson();

}  // namespace hdhub::server

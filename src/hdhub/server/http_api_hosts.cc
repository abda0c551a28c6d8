// The HTTP API's host routes: check the hub's host, list the hosts and show
// one, with the evidence of today's decision on each.
#include "hdhub/hosts/host_json.h"
#include "hdhub/server/http_api_internal.h"

namespace hdhub::server::http_api_internal {

// As `hdhub check --json`; damaged objects are in the answer, not an error.
StatusOr<HttpResponse> CheckHost(Api& a, const Call& c) {
  hub::HostCheckOptions options;
  if (!c.request.body.empty()) {
    ASSIGN_OR_RETURN(json body, Body(c));
    const std::pair<const char*, bool*> flags[] = {{"dry_run", &options.dry_run},
                                                   {"remove_unknown", &options.remove_unknown}};
    for (const auto& [name, flag] : flags) {
      auto it = body.find(name);
      if (it == body.end()) continue;
      if (!it->is_boolean()) return InvalidArgumentError(std::string(name) + " must be true or false");
      *flag = it->get<bool>();
    }
  }
  ASSIGN_OR_RETURN(hub::HostCheckReport r, a.service.CheckHost(*c.ctx, options));
  return Json(hub::HostCheckJson(r, options));
}

// As `hdhub host list --json` and `host show --json`: each host with the
// evidence of today's decision on it (docs/hosts.md).
StatusOr<HttpResponse> ListHosts(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(std::vector<service::HostView> views, a.service.ListHosts(*c.ctx));
  json items = json::array();
  for (const service::HostView& v : views) items.push_back(hosts::HostViewJson(v.host, v.decision, v.current));
  return Json({{"hosts", std::move(items)}});
}

StatusOr<HttpResponse> ShowHost(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(service::HostView v, a.service.ShowHost(*c.ctx, c.params.at("name")));
  return Json(hosts::HostViewJson(v.host, v.decision, v.current));
}

}  // namespace hdhub::server::http_api_internal

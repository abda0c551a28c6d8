// The HTTP API's account routes: who the caller is (/me), users and their
// roles, passwords, and API tokens.
#include <optional>

#include "hdhub/common/bytes.h"
#include "hdhub/server/http_api_internal.h"

namespace hdhub::server::http_api_internal {

namespace {

json RolesJson(const std::vector<directory::Role>& roles) { return directory::RoleNames(roles); }

StatusOr<std::vector<directory::Role>> RoleList(const json& body) {
  ASSIGN_OR_RETURN(std::vector<std::string> names, StringList(body, "roles"));
  std::vector<directory::Role> roles;
  for (const std::string& name : names) {
    ASSIGN_OR_RETURN(directory::Role role, directory::ParseRole(name));
    roles.push_back(role);
  }
  return roles;
}

}  // namespace

StatusOr<HttpResponse> Me(Api&, const Call& c) {
  return Json({{"user", c.ctx->principal().user}, {"roles", RolesJson(c.ctx->principal().roles)}});
}

// Names as `user list`'s columns.
StatusOr<HttpResponse> ListUsers(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(auto users, a.service.ListUsers(*c.ctx));
  std::vector<json> items;
  for (const auto& u : users) {
    items.push_back({{"user", u.name},
                     {"roles", RolesJson(u.roles)},
                     {"state", std::string(directory::UserStateName(u.state))},
                     {"created", Time(u.created_at)},
                     {"failed_attempts", u.failed_attempts},
                     {"locked_until", u.locked_until ? json(Time(*u.locked_until)) : json()}});
  }
  ASSIGN_OR_RETURN(json page, Page(c, std::move(items)));
  return Json(page);
}

StatusOr<HttpResponse> AddUser(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(json body, Body(c));
  ASSIGN_OR_RETURN(std::string name, StringField(body, "name"));
  ASSIGN_OR_RETURN(std::string password, StringField(body, "password"));
  ASSIGN_OR_RETURN(std::vector<directory::Role> roles, RoleList(body));
  RETURN_IF_ERROR(a.service.AddUser(*c.ctx, name, roles, SecretBytes(AsBytes(password))));
  return Json({{"user", name}, {"roles", RolesJson(roles)}}, 201);
}

StatusOr<HttpResponse> GrantRole(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(json body, Body(c));
  ASSIGN_OR_RETURN(std::string role_name, StringField(body, "role"));
  ASSIGN_OR_RETURN(directory::Role role, directory::ParseRole(role_name));
  ASSIGN_OR_RETURN(directory::GrantState state, a.service.GrantRole(*c.ctx, c.params.at("name"), role));
  const bool pending = state == directory::GrantState::kPending;
  return Json({{"user", c.params.at("name")},
               {"role", std::string(directory::RoleName(role))},
               {"done", pending ? "grant pending until a second operator grants it too" : "grant"},
               {"state", pending ? "pending" : "granted"}});
}

StatusOr<HttpResponse> RevokeRole(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(directory::Role role, directory::ParseRole(c.params.at("role")));
  RETURN_IF_ERROR(a.service.RevokeRole(*c.ctx, c.params.at("name"), role));
  return Json({{"user", c.params.at("name")}, {"role", std::string(directory::RoleName(role))}, {"done", "revoke"}});
}

StatusOr<HttpResponse> DisableUser(Api& a, const Call& c) {
  RETURN_IF_ERROR(a.service.DisableUser(*c.ctx, c.params.at("name")));
  return Json({{"user", c.params.at("name")}, {"done", "disable"}});
}

StatusOr<HttpResponse> EnableUser(Api& a, const Call& c) {
  RETURN_IF_ERROR(a.service.EnableUser(*c.ctx, c.params.at("name")));
  return Json({{"user", c.params.at("name")}, {"done", "enable"}});
}

StatusOr<HttpResponse> SetPassword(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(json body, Body(c));
  ASSIGN_OR_RETURN(std::string password, StringField(body, "password"));
  RETURN_IF_ERROR(a.service.SetPassword(*c.ctx, c.params.at("name"), SecretBytes(AsBytes(password))));
  return Json({{"user", c.params.at("name")}, {"password_changed", true}});
}

// As `token issue --json`.
StatusOr<HttpResponse> IssueToken(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(json body, Body(c));
  int64_t ttl_seconds = 24 * 3600;
  if (auto it = body.find("ttl_seconds"); it != body.end()) {
    if (!it->is_number_integer() || it->get<int64_t>() <= 0 || it->get<int64_t>() > 366LL * 24 * 3600) {
      return InvalidArgumentError("ttl_seconds must be between 1 and a year");
    }
    ttl_seconds = it->get<int64_t>();
  }
  std::string label;
  if (body.contains("label")) {
    ASSIGN_OR_RETURN(label, StringField(body, "label"));
  }
  ASSIGN_OR_RETURN(auto issued,
                   a.service.IssueToken(*c.ctx, c.params.at("name"), std::chrono::seconds(ttl_seconds), label));
  const ByteSpan token = issued.token.span();
  return Json({{"id", issued.id},
               {"token", std::string(token.begin(), token.end())},
               {"user", c.params.at("name")},
               {"expires", Time(issued.expires_at)}},
              201);
}

// Names as `token list`'s columns; never a secret.
StatusOr<HttpResponse> ListTokens(Api& a, const Call& c) {
  std::optional<std::string> user;
  if (auto it = c.query.find("user"); it != c.query.end() && !it->second.empty()) user = it->second;
  ASSIGN_OR_RETURN(auto tokens, a.service.ListTokens(*c.ctx, user));
  const TimePoint now = a.service.clock().Now();
  std::vector<json> items;
  for (const directory::TokenRecord& t : tokens) {
    items.push_back({{"id", t.id},
                     {"user", t.user},
                     {"label", t.label},
                     {"created", Time(t.created_at)},
                     {"expires", Time(t.expires_at)},
                     {"status", t.revoked_at ? "revoked" : (now >= t.expires_at ? "expired" : "active")}});
  }
  ASSIGN_OR_RETURN(json page, Page(c, std::move(items)));
  return Json(page);
}

StatusOr<HttpResponse> RevokeToken(Api& a, const Call& c) {
  RETURN_IF_ERROR(a.service.RevokeToken(*c.ctx, c.params.at("id")));
  return HttpResponse{.status = 204, .content_type = "", .body = ""};
}

}  // namespace hdhub::server::http_api_internal

// The HTTP API's project routes: list, create, show, change, approve, close
// and sweep projects, and build a project's workspace (its queries are in
// http_api_queries.cc).
#include "hdhub/server/http_api_internal.h"
#include "hdhub/server/project_json.h"

namespace hdhub::server::http_api_internal {

namespace {

StatusOr<projects::ProjectScope> ScopeField(const json& body) {
  auto it = body.find("scope");
  if (it == body.end() || !it->is_object()) return InvalidArgumentError("scope must be a JSON object");
  return projects::ProjectScope::Parse(it->dump());
}

StatusOr<TimePoint> TimeField(const json& body, const char* name) {
  ASSIGN_OR_RETURN(std::string text, StringField(body, name));
  auto t = ParseRfc3339(text);
  if (!t.ok()) return InvalidArgumentError(std::string(name) + " must be an RFC 3339 time or YYYY-MM-DD");
  return *t;
}

// The optional member "airlock_rules": a JSON object, as text.
StatusOr<std::optional<std::string>> AirlockRulesField(const json& body) {
  auto it = body.find("airlock_rules");
  if (it == body.end()) return std::optional<std::string>();
  if (!it->is_object()) return InvalidArgumentError("airlock_rules must be a JSON object");
  return std::optional<std::string>(it->dump());
}

json Changed(const std::string& project, std::string_view state) {
  return {{"project", project}, {"state", std::string(state)}};
}

}  // namespace

StatusOr<HttpResponse> ListProjects(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(auto projects, a.service.ListProjects(*c.ctx));
  std::vector<json> items;
  for (const auto& p : projects) items.push_back(ProjectJson(p, a.service.clock().Now()));
  ASSIGN_OR_RETURN(json page, Page(c, std::move(items)));
  return Json(page);
}

StatusOr<HttpResponse> CreateProject(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(json body, Body(c));
  projects::ProjectSpec spec;
  ASSIGN_OR_RETURN(spec.id, StringField(body, "id"));
  ASSIGN_OR_RETURN(spec.authorisation_ref, StringField(body, "authorisation"));
  ASSIGN_OR_RETURN(spec.purpose, StringField(body, "purpose"));
  ASSIGN_OR_RETURN(spec.scope, ScopeField(body));
  ASSIGN_OR_RETURN(spec.members, StringList(body, "members"));
  ASSIGN_OR_RETURN(spec.start, TimeField(body, "start"));
  ASSIGN_OR_RETURN(spec.end, TimeField(body, "end"));
  if (auto it = body.find("thresholds"); it != body.end()) {
    if (!it->is_object()) return InvalidArgumentError("thresholds must be a JSON object");
    ASSIGN_OR_RETURN(spec.thresholds, projects::Thresholds::FromJson(it->dump()));
  }
  ASSIGN_OR_RETURN(std::optional<std::string> rules, AirlockRulesField(body));
  if (rules) spec.airlock_rules_json = std::move(*rules);
  RETURN_IF_ERROR(a.service.CreateProject(*c.ctx, spec));
  return Json(Changed(spec.id, "draft"), 201);
}

StatusOr<HttpResponse> ShowProject(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(auto view, a.service.ShowProject(*c.ctx, c.params.at("id")));
  return Json(ProjectViewJson(view, a.service.clock().Now()));
}

StatusOr<HttpResponse> ChangeProject(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(json body, Body(c));
  ASSIGN_OR_RETURN(projects::ProjectScope scope, ScopeField(body));
  ASSIGN_OR_RETURN(std::vector<std::string> members, StringList(body, "members"));
  ASSIGN_OR_RETURN(std::optional<std::string> rules, AirlockRulesField(body));
  RETURN_IF_ERROR(a.service.ChangeProject(*c.ctx, c.params.at("id"), scope, members, std::nullopt, rules));
  return Json(Changed(c.params.at("id"), "draft"));
}

StatusOr<HttpResponse> Approve(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(auto state, a.service.ApproveProject(*c.ctx, c.params.at("id")));
  return Json(Changed(c.params.at("id"), projects::ProjectStateName(state)));
}

StatusOr<HttpResponse> CloseProject(Api& a, const Call& c) {
  RETURN_IF_ERROR(a.service.CloseProject(*c.ctx, c.params.at("id")));
  return Json(Changed(c.params.at("id"), "closed"));
}

StatusOr<HttpResponse> Sweep(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(std::vector<std::string> shredded, a.service.SweepProjects(*c.ctx));
  return Json({{"shredded", shredded}});
}

StatusOr<HttpResponse> Build(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(auto built, a.service.BuildWorkspace(*c.ctx, c.params.at("id")));
  return Json({{"project", c.params.at("id")},
               {"workspace", built.build},
               {"rows", built.rows},
               {"provenance", json::parse(built.provenance_json, nullptr, false)}},
              201);
}

}  // namespace hdhub::server::http_api_internal

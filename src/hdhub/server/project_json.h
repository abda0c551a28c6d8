// A project as JSON: the one shape `GET /api/v1/projects/{id}` and the
// project list answer (http_api_projects.cc) and `hdhub project show|list
// --json` prints on the hub machine (cli/project_commands.cc), so that the
// CLI through a server prints what it prints locally. docs/api/README.md
// lists it.
//
// Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>

#include "hdhub/common/clock.h"
#include "hdhub/projects/project_store.h"
#include "hdhub/service/service.h"

namespace hdhub::server {

// {"id", "authorisation", "purpose", "state", "phase" (at `now`), "scope",
// "scope_version", "approvers", "members", "start", "end", "thresholds",
// "airlock_rules" (the project's own, over the hub's), "client_networks",
// "created_by", "created_at", "keys_destroyed"}.
nlohmann::json ProjectJson(const projects::ProjectRecord& p, TimePoint now);

// `project show`: ProjectJson and "workspaces", each {"build", "state",
// "built_by", "built_at", "provenance"}.
nlohmann::json ProjectViewJson(const service::ProjectView& view, TimePoint now);

}  // namespace hdhub::server

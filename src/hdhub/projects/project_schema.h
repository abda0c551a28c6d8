// The projects component's tables in the hub's SQLite database
// (docs/formats/projects.md), as migrations for catalog::ApplyMigrations.
#pragma once

#include <span>

#include "hdhub/catalog/sqlite.h"

namespace hdhub::projects {

inline constexpr char kProjectsComponent[] = "projects";
std::span<const catalog::Migration> ProjectMigrations();

}  // namespace hdhub::projects

// The directory's tables in the hub's database (catalog.db), as an ordered
// list of migrations (catalog/sqlite.h) under its own component name. Steps
// are append-only once released. docs/formats/directory.md describes the
// resulting tables and invariants.
#pragma once

#include <span>
#include <string_view>

#include "hdhub/catalog/sqlite.h"

namespace hdhub::directory {

// The component name under which schema_version records the directory's version.
inline constexpr std::string_view kDirectoryComponent = "directory";

std::span<const catalog::Migration> DirectoryMigrations();

}  // namespace hdhub::directory

// The catalog's tables, as an ordered list of migrations (sqlite.h). Step i
// takes catalog.db from schema version i to i+1; steps are append-only once
// released, since hubs in the field have run them. docs/formats/catalog.md
// describes the resulting tables and invariants.
#pragma once

#include <span>

#include "hdhub/catalog/sqlite.h"

namespace hdhub::catalog {

// The component name under which schema_version records the catalog's version.
inline constexpr std::string_view kCatalogComponent = "catalog";

std::span<const Migration> CatalogMigrations();

}  // namespace hdhub::catalog

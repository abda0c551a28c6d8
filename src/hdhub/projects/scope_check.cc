#include "hdhub/projects/scope_check.h"

#include <algorithm>

#include "hdhub/ingest/column_rules.h"
#include "hdhub/ingest/table_schema.h"
#include "hdhub/projects/table_profiles.h"

namespace hdhub::projects {
namespace {

constexpr char kBeneficiaries[] = "IR_BEN_R";

// The committed version `field` (a scope field, for the message) needs.
StatusOr<catalog::VersionWithObjects> Committed(catalog::Catalog& catalog, const std::string& table,
                                                const std::string& field) {
  StatusOr<catalog::VersionWithObjects> v = catalog.LatestCommittedVersion(table);
  if (IsNotFound(v.status())) {
    return InvalidArgumentError("scope: " + field + ": " + table +
                                " has no committed version in the catalog; ingest it first (hdhub catalog list)");
  }
  return v;
}

Status CheckColumns(const std::string& table, const std::vector<std::string>& columns,
                    const catalog::VersionRecord& version) {
  const std::string field = "tables." + table;
  ASSIGN_OR_RETURN(ingest::TableSchema schema, ingest::TableSchema::Parse(version.schema_json, table));
  for (const std::string& column : columns) {
    if (column == "*") continue;
    const bool stored =
        schema.Find(column) != nullptr && ingest::RuleFor(table, column).treatment != ingest::ColumnTreatment::kDrop;
    if (!stored) {
      return InvalidArgumentError("scope: " + field + ": " + table + " version " + std::to_string(version.version) +
                                  " stores no column " + column + " (see hdhub catalog show " + table + ")");
    }
  }
  return OkStatus();
}

}  // namespace

Status CheckScopeAgainstCatalog(const ProjectScope& scope, catalog::Catalog& catalog) {
  for (const auto& [table, columns] : scope.tables) {
    const std::string field = "tables." + table;
    const TableProfile* profile = ProfileFor(table);
    if (profile == nullptr) {
      return InvalidArgumentError("scope: " + field + ": no such table can enter a workspace (no workspace profile;" +
                                  " docs/formats/projects.md lists those that can)");
    }
    ASSIGN_OR_RETURN(catalog::VersionWithObjects version, Committed(catalog, table, field));
    RETURN_IF_ERROR(CheckColumns(table, columns, version.version));
    if (!profile->parent.empty()) RETURN_IF_ERROR(Committed(catalog, std::string(profile->parent), field).status());
  }
  if (!scope.population.empty()) RETURN_IF_ERROR(Committed(catalog, kBeneficiaries, "population").status());
  return OkStatus();
}

std::set<std::string> DatasetsScopeReads(const ProjectScope& scope) {
  std::set<std::string> read;
  for (const auto& [table, columns] : scope.tables) {
    read.insert(table);
    const TableProfile* profile = ProfileFor(table);
    if (profile != nullptr && !profile->parent.empty()) read.insert(std::string(profile->parent));
  }
  if (!scope.population.empty()) read.insert(kBeneficiaries);
  return read;
}

}  // namespace hdhub::projects

#include "hdhub/projects/scope_check.h"

#include <algorithm>

#include "hdhub/ingest/column_rules.h"
#include "hdhub/ingest/csv_ingest.h"
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
    const bool kept = ingest::IsReferenceVersion(version) ||  // a reference table keeps every column
                      ingest::RuleFor(table, column).treatment != ingest::ColumnTreatment::kDrop;
    const bool stored = schema.Find(column) != nullptr && kept;
    if (!stored) {
      return InvalidArgumentError("scope: " + field + ": " + table + " version " + std::to_string(version.version) +
                                  " stores no column " + column + " (see hdhub catalog show " + table + ")");
    }
  }
  return OkStatus();
}

// A table without a workspace profile enters a workspace only as a reference
// table (ingested with --reference).
Status CheckReferenceTable(catalog::Catalog& catalog, const std::string& table, const std::string& field) {
  StatusOr<catalog::VersionWithObjects> v = catalog.LatestCommittedVersion(table);
  if (!v.ok() && !IsNotFound(v.status())) return v.status();
  if (v.ok() && ingest::IsReferenceVersion(v->version)) return OkStatus();
  return InvalidArgumentError("scope: " + field + ": no such table can enter a workspace (no workspace profile," +
                              " and no reference table of that name; docs/formats/projects.md lists those that can)");
}

}  // namespace

Status CheckScopeAgainstCatalog(const ProjectScope& scope, catalog::Catalog& catalog) {
  for (const auto& [table, columns] : scope.tables) {
    const std::string field = "tables." + table;
    if (table.starts_with(kHdhubTablePrefix)) {
      return InvalidArgumentError("scope: " + field + ": names starting with " + std::string(kHdhubTablePrefix) +
                                  " are hdhub's own (every workspace has hdhub_columns)");
    }
    const TableProfile* profile = ProfileFor(table);
    if (profile == nullptr) RETURN_IF_ERROR(CheckReferenceTable(catalog, table, field));
    ASSIGN_OR_RETURN(catalog::VersionWithObjects version, Committed(catalog, table, field));
    RETURN_IF_ERROR(CheckColumns(table, columns, version.version));
    if (profile != nullptr && !profile->parent.empty())
      RETURN_IF_ERROR(Committed(catalog, std::string(profile->parent), field).status());
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

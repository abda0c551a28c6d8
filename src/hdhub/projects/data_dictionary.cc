#include "hdhub/projects/data_dictionary.h"

#include "hdhub/ingest/table_schema.h"
#include "hdhub/projects/table_profiles.h"
#include "hdhub/sql/database.h"

namespace hdhub::projects {
namespace {

struct Doc {
  std::string label, description, nomenclature;
};

std::string OrNull(const std::string& text) { return text.empty() ? "NULL" : sql::QuoteLiteral(text); }

// What hdhub says of a column it adds to a workspace table.
Doc AddedColumn(std::string_view table, std::string_view column) {
  const TableProfile* profile = ProfileFor(table);
  if (profile != nullptr && profile->line_key == column) {
    return {"Claim line key (this workspace)",
            "Added by hdhub: one number per claim line, the same in ER_PRS_F and ER_PHA_F (a one-column join "
            "in place of the nine DCIR keys); numbered per project.",
            ""};
  }
  return {};
}

}  // namespace

std::string DictionarySelect(const std::vector<DictionaryTable>& tables) {
  std::string rows;
  int64_t order = 0;
  for (const DictionaryTable& t : tables) {
    StatusOr<ingest::TableSchema> schema = ingest::TableSchema::Parse(t.schema_json, t.table);
    for (const Column& c : t.columns) {
      const ingest::Field* field = schema.ok() ? schema->Find(c.name) : nullptr;
      Doc doc = field != nullptr ? Doc{field->Label(), field->description, field->Nomenclature()}
                                 : AddedColumn(t.table, c.name);
      rows += std::string(rows.empty() ? "" : ", ") + "(" + std::to_string(order++) + ", " +
              sql::QuoteLiteral(t.table) + ", " + sql::QuoteLiteral(c.name) + ", " + sql::QuoteLiteral(c.type) + ", " +
              OrNull(doc.label) + ", " + OrNull(doc.description) + ", " + OrNull(doc.nomenclature) + ")";
    }
  }
  const std::string typed =
      "SELECT CAST(table_name AS VARCHAR) AS table_name, CAST(column_name AS VARCHAR) AS column_name, "
      "CAST(type AS VARCHAR) AS type, CAST(label AS VARCHAR) AS label, CAST(description AS VARCHAR) AS description, "
      "CAST(nomenclature AS VARCHAR) AS nomenclature FROM ";
  if (rows.empty()) {
    return typed +
           "(SELECT NULL AS table_name, NULL AS column_name, NULL AS type, NULL AS label, NULL AS description, "
           "NULL AS nomenclature) WHERE false";
  }
  return typed + "(VALUES " + rows +
         ") t(o, table_name, column_name, type, label, description, nomenclature) ORDER BY o";
}

}  // namespace hdhub::projects

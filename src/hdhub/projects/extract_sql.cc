#include "hdhub/projects/extract_sql.h"

#include <algorithm>

#include "hdhub/ingest/column_rules.h"
#include "hdhub/sql/database.h"

namespace hdhub::projects {
namespace {

using sql::QuoteIdentifier;
using sql::QuoteLiteral;

bool Contains(const std::vector<std::string_view>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string Col(std::string_view alias, std::string_view column) {
  return std::string(alias) + "." + QuoteIdentifier(column);
}

std::string YearFilter(const TableProfile& profile, const ExtractContext& ctx, std::string_view alias) {
  if (!ctx.scope->years || profile.year_column.empty()) return "";
  return " AND year(" + Col(alias, profile.year_column) + ") BETWEEN " + std::to_string(ctx.scope->years->from) +
         " AND " + std::to_string(ctx.scope->years->to);
}

std::string Joined(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : std::string(separator)) + p;
  return out;
}

// What a kept column becomes in the workspace: a stage-2 pseudonym (UUID)
// re-keyed to P3, a record identifier re-keyed with hdhub_link (its text,
// so that a key stored as a number in one table and as text in another
// still joins).
std::string KeptValue(const TableProfile& profile, const Column& c, std::string_view alias) {
  std::string value = Col(alias, c.name);
  if (c.type == "UUID") return "hdhub_p3(" + value + ")";
  if (ingest::IsRecordIdentifier(profile.table, c.name)) return "hdhub_link(CAST(" + value + " AS VARCHAR))";
  return value;
}

}  // namespace

bool Authorised(const ProjectScope& scope, std::string_view table, std::string_view column) {
  auto t = scope.tables.find(std::string(table));
  if (t == scope.tables.end()) return false;
  return std::any_of(t->second.begin(), t->second.end(), [&](const std::string& c) { return c == "*" || c == column; });
}

std::string LineHash(const TableProfile& profile, std::string_view alias) {
  std::vector<std::string> parts;
  for (std::string_view k : profile.line_key_columns) {
    parts.push_back("coalesce(CAST(" + Col(alias, k) + " AS VARCHAR), '')");
  }
  return "hdhub_link(concat_ws('|', " + Joined(parts, ", ") + "))";
}

std::string LineKeySql(const TableProfile& owner, const std::vector<Column>& owner_columns, const ExtractContext& ctx) {
  // The offset: 61 bits of the project's HMAC of a fixed label, so that two
  // projects number their lines from unrelated values. The numbers are
  // 2^20 apart: their range never fits 32 bits (for more than 4096 lines),
  // else DuckDB would compress the join key to 32 bits and, through the
  // compressing projection, lose the join's dynamic min/max filter on the
  // claim lines. offset + 2^20 * rank stays in a BIGINT up to 2^41 lines.
  const std::string offset = "(hdhub_link('dcir-line-numbering') >> 2)";
  // Within the detail order, a person's lines together (in the order of
  // the project's own pseudonym, so that no two projects share an order),
  // then by the line's own hash.
  std::string person = Col("t", owner.person);
  for (const Column& c : owner_columns) {
    if (c.name == owner.person) person = KeptValue(owner, c, "t");
  }
  std::string lines = "SELECT " + LineHash(owner, "t") + " AS h, min(" + person + ") AS p FROM " +
                      SourceView(owner.table) + " t WHERE " + PersonFilter(owner, ctx, "t") + " GROUP BY 1";
  std::string order = "l.p, l.h";
  std::string from = "lines l";
  if (!owner.line_order_table.empty() && Authorised(*ctx.scope, owner.line_order_table, owner.line_order_column)) {
    const TableProfile* detail = ProfileFor(owner.line_order_table);
    lines += "), detail AS (SELECT " + LineHash(*detail, "d") + " AS h, min(" + Col("d", owner.line_order_column) +
             ") AS o FROM " + SourceView(detail->table) + " d GROUP BY 1";
    from = "lines l LEFT JOIN detail USING (h)";
    order = "detail.o NULLS LAST, " + order;
  }
  return "CREATE TEMP TABLE line_key AS WITH lines AS (" + lines + ") SELECT l.h AS h, " + offset +
         " + (row_number() OVER (ORDER BY " + order + ") << 20) AS k FROM " + from;
}

std::string PersonFilter(const TableProfile& profile, const ExtractContext& ctx, std::string_view alias) {
  std::string person = Col(alias, profile.person);
  std::string out = person + " IS NOT NULL";
  if (ctx.has_exclusions) out += " AND " + person + " NOT IN (SELECT p FROM excluded)";
  if (ctx.has_population) out += " AND " + person + " IN (SELECT p FROM population)";
  return out + YearFilter(profile, ctx, alias);
}

std::string RowFilter(const TableProfile& profile, const ExtractContext& ctx) {
  if (!profile.person.empty()) return PersonFilter(profile, ctx, "t");
  const TableProfile* parent = ProfileFor(profile.parent);
  std::vector<std::string> keys;
  for (std::string_view k : profile.parent_keys) {
    keys.push_back("CAST(" + Col("p", k) + " AS VARCHAR) = CAST(" + Col("t", k) + " AS VARCHAR)");
  }
  return "EXISTS (SELECT 1 FROM " + SourceView(parent->table) + " p WHERE " + Joined(keys, " AND ") + " AND " +
         PersonFilter(*parent, ctx, "p") + ")";
}

StatusOr<std::string> Projection(const TableProfile& profile, const std::vector<Column>& source,
                                 const std::vector<std::string>& wanted) {
  bool all = std::find(wanted.begin(), wanted.end(), "*") != wanted.end();
  for (const std::string& w : wanted) {
    bool known = w == "*" || std::any_of(source.begin(), source.end(), [&](const Column& c) { return c.name == w; });
    if (!known) return InvalidArgumentError("scope: " + std::string(profile.table) + " has no column " + w);
  }
  std::vector<std::string> select;
  for (const Column& c : source) {
    bool needed =
        c.name == profile.person || Contains(profile.parent_keys, c.name) || Contains(profile.row_keys, c.name);
    bool asked = all || std::find(wanted.begin(), wanted.end(), c.name) != wanted.end();
    if (!needed && !asked) continue;
    select.push_back(KeptValue(profile, c, "t") + " AS " + QuoteIdentifier(c.name));
  }
  if (!profile.line_key.empty()) select.push_back("lk.k AS " + QuoteIdentifier(profile.line_key));
  return Joined(select, ", ");
}

StatusOr<std::string> ExtractSelect(const TableProfile& profile, const std::vector<Column>& source,
                                    const std::vector<std::string>& wanted, const ExtractContext& ctx) {
  ASSIGN_OR_RETURN(std::string projection, Projection(profile, source, wanted));
  std::string select = "SELECT " + projection + " FROM " + SourceView(profile.table) + " t";
  if (!profile.line_key.empty()) select += " JOIN line_key lk ON lk.h = " + LineHash(profile, "t");
  select += " WHERE " + RowFilter(profile, ctx);
  // The workspace order: the profile's clustering column when the scope
  // gives it (the order of rows says nothing about a column the project may
  // not see), then values re-keyed for this project, so that no two
  // projects hold their rows in the same order (a row's position would
  // link them).
  std::vector<std::string> order;
  if (!profile.order_by.empty() && Authorised(*ctx.scope, profile.table, profile.order_by)) {
    order.push_back(QuoteIdentifier(profile.order_by));
  }
  if (!profile.line_key.empty()) {
    order.push_back(QuoteIdentifier(profile.line_key));
  } else if (!profile.person.empty()) {
    order.push_back(QuoteIdentifier(profile.person));
  } else {
    for (std::string_view k : profile.parent_keys) order.push_back(QuoteIdentifier(k));  // re-keyed
  }
  if (!order.empty()) select = "SELECT * FROM (" + select + ") ORDER BY " + Joined(order, ", ");
  return select;
}

StatusOr<std::string> ReferenceSelect(std::string_view table, const std::vector<Column>& source,
                                      const std::vector<std::string>& wanted) {
  // No person, parent or key: Projection keeps the wanted columns (a UUID,
  // which a reference table never stores, would still be re-keyed).
  const TableProfile reference{.table = table};
  ASSIGN_OR_RETURN(std::string projection, Projection(reference, source, wanted));
  return "SELECT " + projection + " FROM " + SourceView(table) + " t";
}

std::string PopulationSql(const PopulationFilter& f, bool has_exclusions) {
  std::vector<std::string> where = {"BEN_NIR_PSA IS NOT NULL"};
  if (!f.sexes.empty()) {
    std::vector<std::string> sexes;
    for (int s : f.sexes) sexes.push_back(std::to_string(s));
    where.push_back("BEN_SEX_COD IN (" + Joined(sexes, ", ") + ")");
  }
  if (f.birth_years) {
    where.push_back("BEN_NAI_ANN BETWEEN " + std::to_string(f.birth_years->from) + " AND " +
                    std::to_string(f.birth_years->to));
  }
  if (!f.departments.empty()) {
    std::vector<std::string> codes;
    for (const std::string& d : f.departments) codes.push_back(QuoteLiteral(d));
    where.push_back("BEN_RES_DPT IN (" + Joined(codes, ", ") + ")");
  }
  if (has_exclusions) where.push_back("BEN_NIR_PSA NOT IN (SELECT p FROM excluded)");
  return "CREATE TEMP TABLE population AS SELECT DISTINCT BEN_NIR_PSA AS p FROM " + SourceView("IR_BEN_R") + " WHERE " +
         Joined(where, " AND ");
}

}  // namespace hdhub::projects

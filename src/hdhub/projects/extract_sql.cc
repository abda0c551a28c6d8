#include "hdhub/projects/extract_sql.h"

#include <algorithm>

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

}  // namespace

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
    bool needed = c.name == profile.person || Contains(profile.parent_keys, c.name) ||
                  Contains(profile.link_keys, c.name) || Contains(profile.row_keys, c.name);
    bool asked = all || std::find(wanted.begin(), wanted.end(), c.name) != wanted.end();
    if (!needed && !asked) continue;
    std::string value = Col("t", c.name);
    if (c.type == "UUID") value = "hdhub_p3(" + value + ")";
    if (Contains(profile.link_keys, c.name)) value = "hdhub_link(CAST(" + value + " AS VARCHAR))";
    select.push_back(value + " AS " + QuoteIdentifier(c.name));
  }
  if (!profile.line_key.empty()) {
    std::vector<std::string> parts;
    for (std::string_view k : profile.line_key_columns)
      parts.push_back("coalesce(CAST(" + Col("t", k) + " AS VARCHAR), '')");
    select.push_back("hdhub_link(concat_ws('|', " + Joined(parts, ", ") + ")) AS " + QuoteIdentifier(profile.line_key));
  }
  return Joined(select, ", ");
}

StatusOr<std::string> ExtractSelect(const TableProfile& profile, const std::vector<Column>& source,
                                    const std::vector<std::string>& wanted, const ExtractContext& ctx) {
  ASSIGN_OR_RETURN(std::string projection, Projection(profile, source, wanted));
  return "SELECT " + projection + " FROM " + SourceView(profile.table) + " t WHERE " + RowFilter(profile, ctx);
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

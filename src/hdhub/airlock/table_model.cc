#include "hdhub/airlock/table_model.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <utility>

namespace hdhub::airlock {

namespace {

// Counts go into the attacker LP as doubles: above 2^53 they would round.
constexpr int64_t kMaxTotalCount = int64_t{1} << 53;
// Amounts recomputed in another order may differ in the last bits.
constexpr double kLedgerRelativeTolerance = 1e-9;

std::string Quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string CellName(const std::string& table, const CellCodes& codes) {
  std::string name = table + "(";
  for (size_t i = 0; i < codes.size(); ++i) name += (i == 0 ? "" : ", ") + codes[i];
  return name + ")";
}

std::string TableName(const std::string& release_id, const std::string& id) {
  return release_id.empty() ? "table " + Quoted(id) : "release " + Quoted(release_id) + " table " + Quoted(id);
}

bool SameValue(MeasureKind kind, double published, double recomputed) {
  if (kind == MeasureKind::kCount) return published == recomputed;
  return std::fabs(published - recomputed) <= kLedgerRelativeTolerance * std::max(1.0, std::fabs(recomputed));
}

}  // namespace

Status TableModel::LoadData(const MeasureData& data) {
  kind_ = data.kind;
  const size_t n = static_cast<size_t>(space_.num_atoms());
  if (kind_ == MeasureKind::kCount ? !data.contributions.empty() : !data.counts.empty()) {
    return InvalidArgumentError(
        "the data do not match the measure kind (counts for a count, contributions for a magnitude)");
  }
  counts_.assign(kind_ == MeasureKind::kCount ? n : 0, 0);
  entries_.assign(kind_ == MeasureKind::kMagnitude ? n : 0, {});
  int64_t total = 0;
  for (const AtomCount& c : data.counts) {
    ASSIGN_OR_RETURN(int32_t atom, space_.Atom(c.leaves));
    if (c.count < 0) return InvalidArgumentError("a count is negative");
    if (c.count > kMaxTotalCount - total) return InvalidArgumentError("the counts add up to more than 2^53");
    total += c.count;
    counts_[static_cast<size_t>(atom)] += c.count;
  }
  for (const Contribution& c : data.contributions) {
    ASSIGN_OR_RETURN(int32_t atom, space_.Atom(c.leaves));
    if (!std::isfinite(c.value)) return InvalidArgumentError("an amount is not a finite number");
    any_negative_ = any_negative_ || c.value < 0;
    entries_[static_cast<size_t>(atom)].push_back({c.contributor, c.value});
  }
  atom_values_.assign(n, 0);
  for (size_t a = 0; a < n; ++a) {
    if (kind_ == MeasureKind::kCount) {
      atom_values_[a] = static_cast<double>(counts_[a]);
      continue;
    }
    std::sort(entries_[a].begin(), entries_[a].end());  // sums in one order: deterministic
    for (const Entry& e : entries_[a]) atom_values_[a] += e.value;
  }
  return OkStatus();
}

StatusOr<std::vector<std::vector<int32_t>>> TableModel::TableCells(const TableSpec& spec,
                                                                   std::vector<CellCodes>& codes) const {
  std::vector<int> dims;
  std::vector<std::vector<std::string>> lists;
  std::vector<std::vector<int32_t>> sets;
  for (const TableDimension& td : spec.dimensions) {
    const int d = space_.DimensionIndex(td.dimension);
    if (d < 0) return InvalidArgumentError("unknown dimension " + Quoted(td.dimension));
    if (std::find(dims.begin(), dims.end(), d) != dims.end()) {
      return InvalidArgumentError("dimension " + Quoted(td.dimension) + " is listed twice");
    }
    dims.push_back(d);
    lists.push_back(td.codes.empty() ? space_.DeclaredCodes(d) : td.codes);
    if (std::set<std::string>(lists.back().begin(), lists.back().end()).size() != lists.back().size()) {
      return InvalidArgumentError("dimension " + Quoted(td.dimension) + " lists a code twice");
    }
    sets.emplace_back();
    for (const std::string& code : lists.back()) {
      ASSIGN_OR_RETURN(int32_t set, space_.CodeSet(d, code));
      sets.back().push_back(set);
    }
  }
  std::vector<std::vector<int32_t>> cells;
  std::vector<size_t> at(dims.size(), 0);  // an odometer over the listed codes, last dimension fastest
  while (true) {
    std::vector<int32_t> cell = space_.AllSets();
    CellCodes names;
    for (size_t i = 0; i < dims.size(); ++i) {
      cell[static_cast<size_t>(dims[i])] = sets[i][at[i]];
      names.push_back(lists[i][at[i]]);
    }
    cells.push_back(std::move(cell));
    codes.push_back(std::move(names));
    size_t i = dims.size();
    while (i > 0 && ++at[i - 1] == lists[i - 1].size()) at[--i] = 0;
    if (i == 0) return cells;
  }
}

Status TableModel::AddTable(const TableSpec& spec, const std::string& release_id,
                            std::vector<std::pair<std::vector<int32_t>, CellCodes>>& cells) {
  for (const ModelTable& t : tables_) {
    if (t.id == spec.id && t.release_id == release_id) {
      return InvalidArgumentError(TableName(release_id, spec.id) + " is declared twice");
    }
  }
  std::vector<CellCodes> codes;
  auto sets = TableCells(spec, codes);
  if (!sets.ok()) return sets.status().WithContext(TableName(release_id, spec.id));
  const int32_t table = static_cast<int32_t>(tables_.size());
  tables_.push_back({spec.id, release_id});
  for (size_t c = 0; c < codes.size(); ++c) {
    cells_.push_back({table, codes[c], 0});
    cells.emplace_back(std::move((*sets)[c]), std::move(codes[c]));
  }
  return OkStatus();
}

Status TableModel::ApplyLedger(const ReleaseHistory& history) {
  const int32_t first_ledger_table = static_cast<int32_t>(tables_.size() - history.tables.size());
  for (size_t t = 0; t < history.tables.size(); ++t) {
    const ReleasedTable& released = history.tables[t];
    const int32_t table = first_ledger_table + static_cast<int32_t>(t);
    const std::string name = TableName(released.release_id, released.table.id);
    std::map<CellCodes, const ModelCell*> by_codes;
    for (const ModelCell& cell : cells_) {
      if (cell.table == table) by_codes[cell.codes] = &cell;
    }
    std::set<CellCodes> listed;
    for (const ReleasedCell& rc : released.cells) {
      auto it = by_codes.find(rc.codes);
      if (it == by_codes.end())
        return InvalidArgumentError(name + ": " + CellName(released.table.id, rc.codes) + " is not one of its cells");
      if (!listed.insert(rc.codes).second)
        return InvalidArgumentError(name + ": " + CellName(released.table.id, rc.codes) + " is listed twice");
      Quantity& q = quantities_[static_cast<size_t>(it->second->quantity)];
      if (!rc.value.has_value()) {
        q.earlier_suppressed = true;
      } else if (!SameValue(kind_, *rc.value, q.value)) {
        return FailedPreconditionError(name + ": the value published for " + CellName(released.table.id, rc.codes) +
                                       " differs from the value recomputed from the data; the release history was "
                                       "recorded against other data (model the change as a dimension)");
      } else {
        q.earlier_published = true;
      }
    }
    if (listed.size() != by_codes.size()) return InvalidArgumentError(name + ": some of its cells are not listed");
  }
  return OkStatus();
}

StatusOr<TableModel> TableModel::Create(const std::vector<Dimension>& dimensions, const std::vector<TableSpec>& request,
                                        const ReleaseHistory& history, const MeasureData& data) {
  TableModel m;
  ASSIGN_OR_RETURN(m.space_, AtomSpace::Create(dimensions));
  RETURN_IF_ERROR(m.LoadData(data));
  std::vector<std::pair<std::vector<int32_t>, CellCodes>> cells;
  for (const TableSpec& spec : request) RETURN_IF_ERROR(m.AddTable(spec, "", cells));
  for (const ReleasedTable& rt : history.tables) {
    if (rt.release_id.empty()) return InvalidArgumentError("a released table has no release id");
    RETURN_IF_ERROR(m.AddTable(rt.table, rt.release_id, cells));
  }
  std::map<std::vector<int32_t>, std::string> keys;
  for (const auto& [sets, codes] : cells) keys.emplace(sets, m.space_.Key(sets));
  std::vector<std::pair<std::string, std::vector<int32_t>>> by_key;
  for (auto& [sets, key] : keys) by_key.emplace_back(key, sets);
  std::sort(by_key.begin(), by_key.end());
  for (auto& [key, sets] : by_key) {
    Quantity q{.key = key, .sets = sets, .atoms = m.space_.Atoms(sets)};
    for (int32_t a : q.atoms) q.value += m.atom_values_[static_cast<size_t>(a)];
    m.by_sets_[sets] = static_cast<int32_t>(m.quantities_.size());
    m.quantities_.push_back(std::move(q));
  }
  m.IndexSupersets();
  for (size_t c = 0; c < cells.size(); ++c) {
    m.cells_[c].quantity = m.by_sets_.at(cells[c].first);
    if (m.tables_[static_cast<size_t>(m.cells_[c].table)].release_id.empty()) {
      m.quantities_[static_cast<size_t>(m.cells_[c].quantity)].in_request = true;
    }
  }
  RETURN_IF_ERROR(m.ApplyLedger(history));
  return m;
}

bool TableModel::Contains(const Quantity& outer, const Quantity& inner) const {
  for (int d = 0; d < space_.num_dimensions(); ++d) {
    if (!space_.SetContains(d, outer.sets[static_cast<size_t>(d)], inner.sets[static_cast<size_t>(d)])) return false;
  }
  return true;
}

void TableModel::IndexSupersets() {
  supersets_.assign(static_cast<size_t>(space_.num_dimensions()), {});
  for (int d = 0; d < space_.num_dimensions(); ++d) {
    auto& holders = supersets_[static_cast<size_t>(d)];
    for (const Quantity& q : quantities_) holders.try_emplace(q.sets[static_cast<size_t>(d)]);
    for (auto& [inner, outers] : holders) {
      for (const auto& [outer, unused] : holders) {
        if (space_.SetContains(d, outer, inner)) outers.push_back(outer);
      }
    }
  }
}

std::vector<int32_t> TableModel::Holders(int32_t inner) const {
  const Quantity& q = quantities_[static_cast<size_t>(inner)];
  const size_t n = q.sets.size();
  std::vector<const std::vector<int32_t>*> choices;
  for (size_t d = 0; d < n; ++d) choices.push_back(&supersets_[d].at(q.sets[d]));
  std::vector<int32_t> out;
  std::vector<size_t> pos(n, 0);
  std::vector<int32_t> sets(n);
  for (;;) {  // every combination of one superset per dimension
    for (size_t d = 0; d < n; ++d) sets[d] = (*choices[d])[pos[d]];
    if (auto it = by_sets_.find(sets); it != by_sets_.end()) out.push_back(it->second);
    size_t d = 0;
    while (d < n && ++pos[d] == choices[d]->size()) pos[d++] = 0;
    if (d == n) break;
  }
  std::sort(out.begin(), out.end());
  return out;
}

double TableModel::AtomValue(int32_t atom) const { return atom_values_[static_cast<size_t>(atom)]; }

GroupData TableModel::Group(std::span<const int32_t> atoms) const {
  GroupData g;
  if (kind_ == MeasureKind::kCount) {
    int64_t n = 0;
    for (int32_t a : atoms) n += counts_[static_cast<size_t>(a)];
    g.value = static_cast<double>(n);
    g.contributors = n;
    return g;
  }
  std::map<uint64_t, double> per_contributor;
  for (int32_t a : atoms) {
    g.value += atom_values_[static_cast<size_t>(a)];
    for (const Entry& e : entries_[static_cast<size_t>(a)]) per_contributor[e.contributor] += e.value;
  }
  g.contributors = static_cast<int64_t>(per_contributor.size());
  for (const auto& [who, value] : per_contributor) g.contributions.push_back(value);
  return g;
}

}  // namespace hdhub::airlock

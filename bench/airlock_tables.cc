#include "airlock_tables.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <utility>

namespace hdhub::airlock::bench {

namespace {

// A dimension as a tree: codes in declared order (parents before children),
// each with its parent's index (-1 for the root).
struct Tree {
  std::string name;
  std::vector<std::string> codes;
  std::vector<int> parent;
  std::vector<std::vector<int>> children;
  std::vector<int> leaves;  // indices of the codes without children

  int Add(std::string code, int parent_index) {
    codes.push_back(std::move(code));
    parent.push_back(parent_index);
    children.emplace_back();
    const int index = static_cast<int>(codes.size()) - 1;
    if (parent_index >= 0) children[static_cast<size_t>(parent_index)].push_back(index);
    return index;
  }
  void Finish() {
    for (size_t i = 0; i < codes.size(); ++i) {
      if (children[i].empty()) leaves.push_back(static_cast<int>(i));
    }
  }
  Dimension ToDimension() const {
    Dimension d{.name = name};
    for (size_t i = 0; i < codes.size(); ++i) {
      d.codes.push_back({codes[i], parent[i] < 0 ? "" : codes[static_cast<size_t>(parent[i])]});
    }
    return d;
  }
};

std::string Numbered(const char* format, int n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, format, n);
  return buf;
}

Tree Flat(std::string name, const std::vector<std::string>& leaves) {
  Tree t{.name = std::move(name)};
  const int root = t.Add("all", -1);
  for (const std::string& leaf : leaves) t.Add(leaf, root);
  t.Finish();
  return t;
}

// ATC classes: "A".."Z" anatomical groups, then two digits, then a letter per level.
void AddAtcLevel(Tree& t, int parent, const std::vector<int>& fanout, size_t level) {
  if (level == fanout.size()) return;
  for (int i = 0; i < fanout[level]; ++i) {
    const std::string& prefix = parent == 0 ? "" : t.codes[static_cast<size_t>(parent)];
    std::string code = prefix + (level == 1 ? Numbered("%02d", i + 1) : std::string(1, static_cast<char>('A' + i)));
    AddAtcLevel(t, t.Add(code, parent), fanout, level + 1);
  }
}

std::vector<Tree> Trees(const TableShape& s) {
  std::vector<Tree> trees;
  std::vector<std::string> years, ages;
  for (int y = 0; y < s.years; ++y) years.push_back(std::to_string(2023 - s.years + 1 + y));
  for (int a = 0; a < s.age_bands; ++a) ages.push_back(Numbered("%02d", 10 * a) + "-" + Numbered("%02d", 10 * a + 9));
  if (s.years > 0) trees.push_back(Flat("year", years));
  if (s.age_bands > 0) trees.push_back(Flat("age_band", ages));
  if (s.sex) trees.push_back(Flat("sex", {"1", "2"}));
  Tree dept{.name = "department"};
  const int fr = dept.Add("FR", -1);
  for (int r = 0; r < s.regions; ++r) {
    const int region = dept.Add(Numbered("R%02d", r + 1), fr);
    for (int d = 0; d < s.departments_per_region; ++d) {
      dept.Add(Numbered("D%03d", r * s.departments_per_region + d + 1), region);
    }
  }
  dept.Finish();
  trees.push_back(std::move(dept));
  Tree atc{.name = "atc"};
  AddAtcLevel(atc, atc.Add("ATC", -1), s.atc_fanout, 0);
  atc.Finish();
  trees.push_back(std::move(atc));
  return trees;
}

// Mixed radix over the table's dimensions, last fastest (the table's cross-product order).
int64_t CellIndex(const std::vector<Tree>& trees, const std::vector<int>& at) {
  int64_t index = 0;
  for (size_t d = 0; d < trees.size(); ++d) index = index * static_cast<int64_t>(trees[d].codes.size()) + at[d];
  return index;
}

// People per leaf: a negative binomial around a mean that varies with the
// department's size, the drug class's popularity (heavy-tailed) and age, so
// most leaves hold a handful of people and a few hold thousands.
MeasureData Counts(const std::vector<Tree>& trees, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> dept_size(0.0, 0.8), atc_use(0.0, 1.5);
  std::vector<std::vector<double>> weight(trees.size());
  for (size_t d = 0; d < trees.size(); ++d) {
    for (size_t i = 0; i < trees[d].leaves.size(); ++i) {
      double w = 1.0;
      if (trees[d].name == "department") w = dept_size(rng);
      if (trees[d].name == "atc") w = atc_use(rng);
      if (trees[d].name == "age_band") w = 0.3 + 0.2 * static_cast<double>(i);
      weight[d].push_back(w);
    }
  }
  constexpr double kBase = 40.0;
  MeasureData data{.kind = MeasureKind::kCount};
  std::vector<size_t> at(trees.size(), 0);
  while (true) {
    double mean = kBase;
    std::vector<std::string> leaves;
    for (size_t d = 0; d < trees.size(); ++d) {
      mean *= weight[d][at[d]];
      leaves.push_back(trees[d].codes[static_cast<size_t>(trees[d].leaves[at[d]])]);
    }
    std::gamma_distribution<double> heterogeneity(2.0, mean / 2.0);
    const int64_t n = std::poisson_distribution<int64_t>(heterogeneity(rng) + 1e-9)(rng);
    if (n > 0) data.counts.push_back({std::move(leaves), n});
    size_t d = trees.size();
    while (d > 0 && ++at[d - 1] == trees[d - 1].leaves.size()) at[--d] = 0;
    if (d == 0) return data;
  }
}

std::vector<std::vector<int64_t>> Relations(const std::vector<Tree>& trees) {
  std::vector<std::vector<int64_t>> out;
  std::vector<int> at(trees.size(), 0);
  while (true) {
    for (size_t d = 0; d < trees.size(); ++d) {
      const auto& kids = trees[d].children[static_cast<size_t>(at[d])];
      if (kids.empty()) continue;
      std::vector<int64_t> relation{CellIndex(trees, at)};
      std::vector<int> child = at;
      for (int k : kids) {
        child[d] = k;
        relation.push_back(CellIndex(trees, child));
      }
      out.push_back(std::move(relation));
    }
    size_t d = trees.size();
    while (d > 0 && ++at[d - 1] == static_cast<int>(trees[d - 1].codes.size())) at[--d] = 0;
    if (d == 0) return out;
  }
}

}  // namespace

int64_t CellCount(const TableShape& shape) {
  int64_t n = 1;
  for (const Tree& t : Trees(shape)) n *= static_cast<int64_t>(t.codes.size());
  return n;
}

TableShape ShapeForCells(int64_t target) {
  // 1,323 / 11,700 / 130,572 / 1,101,870 cells; the last has France's
  // 13 regions and 91 departments and three ATC levels below the groups.
  const std::vector<TableShape> shapes = {
      {2, 2, 2, 2, {2, 2}}, {3, 4, 3, 3, {2, 2, 2}}, {5, 8, 5, 4, {3, 3, 2}}, {5, 10, 13, 7, {4, 3, 3}}};
  const TableShape* best = &shapes[0];
  for (const TableShape& s : shapes) {
    if (std::abs(std::log(static_cast<double>(CellCount(s)) / static_cast<double>(target))) <
        std::abs(std::log(static_cast<double>(CellCount(*best)) / static_cast<double>(target)))) {
      best = &s;
    }
  }
  return *best;
}

TableShape SmallShape(int index) {
  // 400, 903, 1,825; 819, 1,040; 567, 729, 756 cells.
  const std::vector<TableShape> shapes = {
      {0, 0, 4, 5, {3, 4}, false}, {0, 0, 6, 6, {4, 4}, false}, {0, 0, 8, 8, {4, 5}, false}, {0, 0, 4, 4, {3, 3}, true},
      {0, 4, 3, 4, {3, 3}, false}, {2, 2, 2, 2, {2}, true},     {2, 2, 2, 3, {2}, true},     {2, 3, 2, 2, {2}, true},
  };
  return shapes[static_cast<size_t>(index) % shapes.size()];
}

GeneratedTable Generate(const TableShape& shape, uint64_t seed) {
  const std::vector<Tree> trees = Trees(shape);
  GeneratedTable g;
  g.table.id = "t";
  for (const Tree& t : trees) {
    g.dimensions.push_back(t.ToDimension());
    g.table.dimensions.push_back({t.name, {}});
  }
  g.data = Counts(trees, seed);
  g.relations = Relations(trees);
  return g;
}

}  // namespace hdhub::airlock::bench

#include "hdhub/airlock/gauss_suppression.h"

#include <algorithm>
#include <map>
#include <span>
#include <string>
#include <utility>

#include "hdhub/airlock/sparse_span.h"

namespace hdhub::airlock {

namespace {

// When two guarded primaries p, q end up with parallel reduced vectors,
// p - lambda*q is known. Whether that discloses depends on the pair.
enum class PairRule {
  kNone,          // p - lambda*q known discloses neither
  kInsider,       // a singleton: its insider knows it, so the other is disclosed
  kOppositeZero,  // a zero primary: p + |lambda|*q = 0 known (lambda < 0) discloses both
};

struct Guard {
  int32_t column = 0;
  PairRule rule = PairRule::kNone;
  SparseVector vector;  // the primary reduced against the basis, normalised
  int sign = 1;         // vector = sign * (positive) * (primary - basis combination)
  uint64_t hash = 0;
  bool alive = true;  // false once disclosed by forced columns
};

uint64_t Hash(const SparseVector& v) {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a over the entries
  for (const SparseEntry& e : v) {
    for (uint64_t word : {static_cast<uint64_t>(e.index), e.coef.Hash()}) {
      h = (h ^ word) * 1099511628211ULL;
    }
  }
  return h;
}

bool Contains(const SparseVector& v, int32_t index) {
  auto it = std::lower_bound(v.begin(), v.end(), index, [](const SparseEntry& e, int32_t i) { return e.index < i; });
  return it != v.end() && it->index == index;
}

bool PairDiscloses(const Guard& a, int sign_a, const Guard& b, int sign_b) {
  if (a.rule == PairRule::kInsider || b.rule == PairRule::kInsider) return true;
  return a.rule == PairRule::kOppositeZero && b.rule == PairRule::kOppositeZero && sign_a * sign_b < 0;
}

// A span of published vectors and the primaries it must not disclose.
class GuardedSpan {
 public:
  struct Change {
    size_t guard = 0;
    Reduced reduced;
  };
  struct Proposal {
    Overlay overlay;
    std::vector<Change> changes;
    bool safe = true;
  };

  GuardedSpan(int32_t num_atoms, std::vector<Guard> guards)
      : basis_(num_atoms),
        guards_(std::move(guards)),
        at_atom_(static_cast<size_t>(num_atoms)),
        stamp_(guards_.size()) {
    for (size_t g = 0; g < guards_.size(); ++g) {
      guards_[g].hash = Hash(guards_[g].vector);
      groups_[guards_[g].hash].push_back(g);
      for (const SparseEntry& e : guards_[g].vector) at_atom_[static_cast<size_t>(e.index)].push_back(g);
    }
  }

  // What publishing `vectors` would do; nothing changes until Commit.
  Proposal Propose(const std::vector<SparseVector>& vectors) {
    Proposal p;
    for (const SparseVector& v : vectors) {
      Reduced r = Reduce(v, basis_, &p.overlay);
      if (!r.vector.empty()) p.overlay.AddReduced(std::move(r.vector));
    }
    if (p.overlay.empty()) return p;  // already known: publishing adds nothing
    ++epoch_;
    for (const SparseVector& row : p.overlay.rows()) CollectChanges(row.front().index, p);
    p.safe = ChangesSafe(p.changes);
    return p;
  }

  void Commit(Proposal p) {
    for (SparseVector& row : p.overlay.Release()) basis_.AddReduced(std::move(row));
    for (Change& c : p.changes) Update(c.guard, std::move(c.reduced));
  }

  // Forced publication: committed whatever it discloses; the disclosed
  // primaries stop being guarded.
  void AddKnown(const std::vector<SparseVector>& vectors) {
    for (const SparseVector& v : vectors) Commit(Propose({v}));  // one at a time keeps each overlay small
    for (Guard& g : guards_) {
      if (g.alive && g.vector.empty()) g.alive = false;
    }
  }

  void AppendDisclosed(std::vector<int32_t>& out) const {
    for (const Guard& g : guards_) {
      if (!g.alive) out.push_back(g.column);
    }
  }

 private:
  // The live guards with an entry on `pivot` (a new overlay pivot), reduced
  // against the overlay. at_atom_ may hold stale entries: checked here.
  void CollectChanges(int32_t pivot, Proposal& p) {
    for (size_t g : at_atom_[static_cast<size_t>(pivot)]) {
      Guard& guard = guards_[g];
      if (stamp_[g] == epoch_ || !guard.alive || !Contains(guard.vector, pivot)) continue;
      stamp_[g] = epoch_;
      Reduced r = Reduce(guard.vector, basis_, &p.overlay);
      r.sign *= guard.sign;
      p.changes.push_back({g, std::move(r)});
    }
  }

  bool ChangesSafe(const std::vector<Change>& changes) const {
    std::map<uint64_t, std::vector<const Change*>> changed_groups;
    for (const Change& c : changes) {
      if (c.reduced.vector.empty()) return false;  // the primary would be in the span
      changed_groups[Hash(c.reduced.vector)].push_back(&c);
    }
    for (const auto& [hash, members] : changed_groups) {
      for (size_t i = 0; i < members.size(); ++i) {
        const Change& c = *members[i];
        const Guard& a = guards_[c.guard];
        for (size_t j = i + 1; j < members.size(); ++j) {
          const Change& d = *members[j];
          const Guard& b = guards_[d.guard];
          // Parallel before, parallel after (the same reduction): what the
          // pair gives away was known before this publication.
          if (a.hash == b.hash && a.vector == b.vector) continue;
          if (c.reduced.vector == d.reduced.vector && PairDiscloses(a, c.reduced.sign, b, d.reduced.sign)) {
            return false;
          }
        }
        if (!UnchangedPairsSafe(hash, c)) return false;
      }
    }
    return true;
  }

  bool UnchangedPairsSafe(uint64_t hash, const Change& c) const {
    auto it = groups_.find(hash);
    if (it == groups_.end()) return true;
    for (size_t g : it->second) {
      const Guard& other = guards_[g];
      if (stamp_[g] == epoch_ || !other.alive || other.vector != c.reduced.vector) continue;
      if (PairDiscloses(guards_[c.guard], c.reduced.sign, other, other.sign)) return false;
    }
    return true;
  }

  void Update(size_t g, Reduced reduced) {
    Guard& guard = guards_[g];
    auto& old_group = groups_[guard.hash];
    old_group.erase(std::remove(old_group.begin(), old_group.end(), g), old_group.end());
    // The atoms new to the guard (both vectors ascending: one merge, not a
    // search per entry; the vectors grow long as guards fill in).
    auto old_entry = guard.vector.cbegin();
    for (const SparseEntry& e : reduced.vector) {
      while (old_entry != guard.vector.cend() && old_entry->index < e.index) ++old_entry;
      if (old_entry == guard.vector.cend() || old_entry->index != e.index) {
        at_atom_[static_cast<size_t>(e.index)].push_back(g);
      }
    }
    guard.vector = std::move(reduced.vector);
    guard.sign = reduced.sign;
    guard.hash = Hash(guard.vector);
    if (!guard.vector.empty()) groups_[guard.hash].push_back(g);
  }

  EchelonBasis basis_;
  std::vector<Guard> guards_;
  std::vector<std::vector<size_t>> at_atom_;        // atom -> guards that had an entry there
  std::map<uint64_t, std::vector<size_t>> groups_;  // hash of a guard's vector -> guards
  std::vector<uint64_t> stamp_;                     // per guard: the epoch it was last collected in
  uint64_t epoch_ = 0;
};

// The sum of a set of atoms as a vector of the elimination's coordinates
// (gauss_suppression.h, "Scale"): the atoms' indicator without extents; else
// in prefix sums, where atom x at grid point i is the alternating sum of P
// over the corners i - e, e in {0, 1}^d (P below 0 on an axis is 0).
class Coordinates {
 public:
  explicit Coordinates(const EliminationInput& in)
      : extents_(in.extents.begin(), in.extents.end()), strides_(in.extents.size(), 1) {
    for (size_t k = extents_.size(); k-- > 1;) strides_[k - 1] = strides_[k] * extents_[k];
    if (!extents_.empty()) {
      sum_.assign(static_cast<size_t>(in.num_atoms), 0);
      marked_.assign(static_cast<size_t>(in.num_atoms), false);
    }
  }

  SparseVector Sum(std::span<const int32_t> atoms) {
    if (extents_.empty()) return Indicator(atoms);
    for (int32_t atom : atoms) AddCorners(atom);
    std::sort(touched_.begin(), touched_.end());
    SparseVector v;
    for (int32_t i : touched_) {
      if (sum_[static_cast<size_t>(i)] != 0) v.push_back({i, sum_[static_cast<size_t>(i)]});
      sum_[static_cast<size_t>(i)] = 0;
      marked_[static_cast<size_t>(i)] = false;
    }
    touched_.clear();
    return v;
  }

  SparseVector Unit(int32_t atom) { return Sum(std::span<const int32_t>(&atom, 1)); }

 private:
  void AddCorners(int32_t atom) {
    corners_.assign(1, {atom, 1});
    for (size_t k = 0; k < extents_.size(); ++k) {
      if ((atom / strides_[k]) % extents_[k] == 0) continue;  // P below the grid: 0
      const size_t n = corners_.size();
      for (size_t c = 0; c < n; ++c) {
        corners_.push_back({corners_[c].first - static_cast<int32_t>(strides_[k]), -corners_[c].second});
      }
    }
    for (const auto& [i, sign] : corners_) {
      sum_[static_cast<size_t>(i)] += sign;
      if (!marked_[static_cast<size_t>(i)]) {
        marked_[static_cast<size_t>(i)] = true;
        touched_.push_back(i);
      }
    }
  }

  std::vector<int64_t> extents_;
  std::vector<int64_t> strides_;
  std::vector<int64_t> sum_;  // scratch: the vector being summed, by coordinate
  std::vector<bool> marked_;  // scratch: coordinates in touched_
  std::vector<int32_t> touched_;
  std::vector<std::pair<int32_t, int64_t>> corners_;
};

Status Validate(const EliminationInput& in) {
  if (in.num_atoms < 0 || (!in.zero_atoms.empty() && std::cmp_not_equal(in.zero_atoms.size(), in.num_atoms))) {
    return InvalidArgumentError("secondary suppression: zero_atoms must have one entry per atom");
  }
  if (!in.extents.empty()) {
    int64_t product = 1;
    for (int32_t e : in.extents) {
      product = e < 1 || product * e > in.num_atoms ? -1 : product * e;  // <= num_atoms: no overflow
      if (product < 0) break;
    }
    if (product != in.num_atoms) {
      return InvalidArgumentError("secondary suppression: the extents' product must be the number of atoms");
    }
  }
  std::vector<int> seen(in.columns.size(), 0);
  for (size_t c = 0; c < in.columns.size(); ++c) {
    const auto& atoms = in.columns[c].atoms;
    if (atoms.empty() || !std::is_sorted(atoms.begin(), atoms.end()) ||
        std::adjacent_find(atoms.begin(), atoms.end()) != atoms.end() || atoms.front() < 0 ||
        atoms.back() >= in.num_atoms) {
      return InvalidArgumentError("secondary suppression: column " + std::to_string(c) +
                                  " is empty, unsorted or names an atom out of range");
    }
  }
  for (int32_t c : in.publish_order) {
    if (c < 0 || std::cmp_greater_equal(c, in.columns.size()) ||
        in.columns[static_cast<size_t>(c)].role != ColumnRole::kCandidate || seen[static_cast<size_t>(c)]++ != 0) {
      return InvalidArgumentError("secondary suppression: publish_order names column " + std::to_string(c) +
                                  ", which is not a candidate or comes twice");
    }
  }
  for (size_t c = 0; c < in.columns.size(); ++c) {
    if (in.columns[c].role == ColumnRole::kCandidate && seen[c] == 0) {
      return InvalidArgumentError("secondary suppression: candidate column " + std::to_string(c) +
                                  " is missing from publish_order");
    }
  }
  return OkStatus();
}

// What the attacker learns from a published column: its sum, or for a zero
// (non-negative atoms summing to 0) every one of its atoms.
std::vector<SparseVector> Published(const EliminationColumn& column, Coordinates& coordinates) {
  if (!column.zero) return {coordinates.Sum(column.atoms)};
  std::vector<SparseVector> units;
  for (int32_t atom : column.atoms) units.push_back(coordinates.Unit(atom));
  return units;
}

bool IsZeroAtom(const EliminationInput& in, int32_t atom) {
  return !in.zero_atoms.empty() && in.zero_atoms[static_cast<size_t>(atom)];
}

// Unit vectors of the zero atoms, but for those marked in `skip`.
std::vector<SparseVector> ZeroUnits(const EliminationInput& in, const std::vector<bool>& skip,
                                    Coordinates& coordinates) {
  std::vector<SparseVector> units;
  for (int32_t a = 0; a < in.num_atoms; ++a) {
    if (IsZeroAtom(in, a) && !skip[static_cast<size_t>(a)]) units.push_back(coordinates.Unit(a));
  }
  return units;
}

// The spans to keep. Suppressed zeros cannot protect anything (an attacker
// may know a structural zero, and two suppressed zeros with a known sum are
// both 0), so the main span, which guards the non-zero primaries, knows every
// zero atom. A second span guards the zero primaries: it knows every zero
// atom outside them, so only non-zero suppressed cells can protect a zero.
std::vector<GuardedSpan> MakeSpans(const EliminationInput& in, Coordinates& coordinates) {
  std::vector<Guard> main_guards;
  std::vector<Guard> zero_guards;
  std::vector<bool> in_zero_primary(static_cast<size_t>(in.num_atoms), false);
  for (size_t c = 0; c < in.columns.size(); ++c) {
    const EliminationColumn& col = in.columns[c];
    if (col.role != ColumnRole::kPrimary) continue;
    Guard g{.column = static_cast<int32_t>(c), .vector = coordinates.Sum(col.atoms)};
    g.sign = Normalize(g.vector);  // as every reduced vector: parallel guards compare equal
    if (col.zero) {
      g.rule = PairRule::kOppositeZero;
      for (int32_t a : col.atoms) in_zero_primary[static_cast<size_t>(a)] = true;
      zero_guards.push_back(std::move(g));
    } else {
      g.rule = col.singleton ? PairRule::kInsider : PairRule::kNone;
      main_guards.push_back(std::move(g));
    }
  }
  std::vector<GuardedSpan> spans;
  spans.emplace_back(in.num_atoms, std::move(main_guards));
  spans.back().AddKnown(ZeroUnits(in, std::vector<bool>(static_cast<size_t>(in.num_atoms), false), coordinates));
  if (zero_guards.empty()) return spans;
  spans.emplace_back(in.num_atoms, std::move(zero_guards));
  spans.back().AddKnown(ZeroUnits(in, in_zero_primary, coordinates));
  return spans;
}

// Publishes `column` if every span stays safe; returns whether it did.
bool TryPublish(std::vector<GuardedSpan>& spans, const EliminationColumn& column, Coordinates& coordinates) {
  const std::vector<SparseVector> vectors = Published(column, coordinates);
  std::vector<GuardedSpan::Proposal> proposals;
  for (GuardedSpan& span : spans) {
    GuardedSpan::Proposal p = span.Propose(vectors);
    if (!p.safe) return false;
    proposals.push_back(std::move(p));
  }
  for (size_t s = 0; s < spans.size(); ++s) spans[s].Commit(std::move(proposals[s]));
  return true;
}

}  // namespace

StatusOr<EliminationResult> SuppressByElimination(const EliminationInput& input) {
  RETURN_IF_ERROR(Validate(input));
  Coordinates coordinates(input);
  std::vector<GuardedSpan> spans = MakeSpans(input, coordinates);
  EliminationResult result;
  result.suppressed.assign(input.columns.size(), false);
  for (size_t c = 0; c < input.columns.size(); ++c) {
    const EliminationColumn& col = input.columns[c];
    if (col.role == ColumnRole::kPrimary || col.role == ColumnRole::kKept) result.suppressed[c] = true;
    if (col.role != ColumnRole::kForced) continue;
    for (GuardedSpan& span : spans) span.AddKnown(Published(col, coordinates));
  }
  for (const GuardedSpan& span : spans) span.AppendDisclosed(result.already_disclosed);
  std::sort(result.already_disclosed.begin(), result.already_disclosed.end());
  for (int32_t c : input.publish_order) {
    if (TryPublish(spans, input.columns[static_cast<size_t>(c)], coordinates)) continue;
    result.suppressed[static_cast<size_t>(c)] = true;
    result.secondaries.push_back(c);
  }
  return result;
}

}  // namespace hdhub::airlock

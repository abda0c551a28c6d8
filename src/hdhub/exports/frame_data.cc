#include "hdhub/exports/frame_data.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>
#include <tuple>
#include <utility>

namespace hdhub::exports {
namespace {

// A whole number written the plain way ("-3", "45"); nullopt otherwise.
std::optional<int64_t> WholeNumber(std::string_view text) {
  int64_t v = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return v;
}

}  // namespace

StatusOr<FrameDataBuilder> FrameDataBuilder::Create(FrameDeclaration frame,
                                                    const std::vector<airlock::Dimension>& dimensions) {
  const std::string where = "frame " + frame.name;
  if (dimensions.size() != frame.dimensions.size()) {
    return InvalidArgumentError(where + ": the dimensions given are not the frame's");
  }
  std::vector<DimensionMap> maps;
  for (size_t i = 0; i < dimensions.size(); ++i) {
    const FrameDimension& fd = frame.dimensions[i];
    const airlock::Dimension& d = dimensions[i];
    if (d.name != fd.name || (fd.kind == DimensionKind::kBands && d.codes.size() != fd.bands.size())) {
      return InvalidArgumentError(where + ", dimension " + fd.name + ": the dimension given is not the frame's");
    }
    DimensionMap m{.kind = fd.kind, .edges = fd.bands};
    std::set<std::string> parents;
    for (const airlock::Code& c : d.codes) parents.insert(c.parent);
    for (const airlock::Code& c : d.codes) {
      if (parents.contains(c.code)) continue;
      m.leaves.emplace(c.code, static_cast<int32_t>(m.leaf_codes.size()));
      m.leaf_codes.push_back(c.code);
    }
    maps.push_back(std::move(m));
  }
  return FrameDataBuilder(std::move(frame), std::move(maps));
}

StatusOr<int32_t> FrameDataBuilder::Leaf(size_t dim, const std::optional<std::string>& value) const {
  const DimensionMap& m = maps_[dim];
  const std::string where = "frame " + frame_.name + ", dimension " + frame_.dimensions[dim].name;
  if (!value) return InvalidArgumentError(where + ": a value is NULL; map NULL to a code in the frame's SQL");
  if (m.kind == DimensionKind::kBands) {
    std::optional<int64_t> v = WholeNumber(*value);
    if (!v) return InvalidArgumentError(where + ": a value is not a whole number");
    auto above = std::upper_bound(m.edges.begin(), m.edges.end(), *v);
    if (above == m.edges.begin()) return InvalidArgumentError(where + ": a value is below the first band");
    return static_cast<int32_t>(above - m.edges.begin() - 1);
  }
  auto it = m.leaves.find(*value);
  if (it == m.leaves.end()) {
    return InvalidArgumentError(where + ": a value is not one of the dimension's finest codes (" +
                                std::string(ToString(m.kind)) + ")");
  }
  return it->second;
}

Status FrameDataBuilder::Add(uint64_t contributor, const std::vector<std::optional<std::string>>& values,
                             std::optional<double> amount) {
  const std::string where = "frame " + frame_.name;
  if (values.size() != maps_.size()) {
    return InvalidArgumentError(where + ": a row has " + std::to_string(values.size()) + " dimension values, not " +
                                std::to_string(maps_.size()));
  }
  if (amount && !frame_.amount) return InvalidArgumentError(where + ": a row has an amount but the frame has none");
  std::vector<int32_t> leaves;
  leaves.reserve(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    ASSIGN_OR_RETURN(int32_t leaf, Leaf(i, values[i]));
    leaves.push_back(leaf);
  }
  if (frame_.unit_is_person() && !persons_.insert(contributor).second) {
    return InvalidArgumentError("a person appears twice in frame " + frame_.name + ", whose unit is person");
  }
  auto [it, inserted] = atoms_.emplace(std::move(leaves), static_cast<int32_t>(atom_leaves_.size()));
  if (inserted) atom_leaves_.push_back(it->first);
  rows_.push_back({.atom = it->second, .contributor = contributor, .amount = amount});
  return OkStatus();
}

std::vector<std::string> FrameDataBuilder::LeafCodes(int32_t atom) const {
  const std::vector<int32_t>& leaves = atom_leaves_[static_cast<size_t>(atom)];
  std::vector<std::string> out;
  out.reserve(leaves.size());
  for (size_t i = 0; i < leaves.size(); ++i) out.push_back(maps_[i].leaf_codes[static_cast<size_t>(leaves[i])]);
  return out;
}

StatusOr<airlock::MeasureData> FrameDataBuilder::Finish(Measure measure) const {
  RETURN_IF_ERROR(CheckMeasure(frame_, measure));
  const std::string where = "frame " + frame_.name;
  if (measure == Measure::kCount) {
    std::vector<int64_t> counts(atom_leaves_.size(), 0);
    for (const Row& r : rows_) ++counts[static_cast<size_t>(r.atom)];
    airlock::MeasureData data{.kind = airlock::MeasureKind::kCount};
    for (const auto& entry : atoms_) {
      data.counts.push_back({LeafCodes(entry.second), counts[static_cast<size_t>(entry.second)]});
    }
    return data;
  }
  // (atom, contributor, value), sorted by the atom's codes, the person and
  // the value, then summed per atom and person: the same sums whatever the
  // order of the rows.
  std::vector<std::tuple<int32_t, uint64_t, double>> entries;
  entries.reserve(rows_.size());
  for (const Row& r : rows_) {
    double value = 1;
    if (measure == Measure::kSum) {
      if (!r.amount || !std::isfinite(*r.amount)) {
        return InvalidArgumentError(where + ": an amount is NULL or not a finite number; map it in the frame's SQL");
      }
      if (*r.amount < 0) {
        return FailedPreconditionError(where + ": an amount is negative; sums need non-negative amounts");
      }
      value = *r.amount;
    }
    entries.emplace_back(r.atom, r.contributor, value);
  }
  auto key = [&](const auto& e) {
    return std::tie(atom_leaves_[static_cast<size_t>(std::get<0>(e))], std::get<1>(e), std::get<2>(e));
  };
  std::sort(entries.begin(), entries.end(), [&](const auto& a, const auto& b) { return key(a) < key(b); });
  airlock::MeasureData data{.kind = airlock::MeasureKind::kMagnitude};
  for (size_t i = 0; i < entries.size();) {
    const int32_t atom = std::get<0>(entries[i]);
    const uint64_t contributor = std::get<1>(entries[i]);
    double sum = 0;
    for (; i < entries.size() && std::get<0>(entries[i]) == atom && std::get<1>(entries[i]) == contributor; ++i) {
      sum += std::get<2>(entries[i]);
    }
    data.contributions.push_back({LeafCodes(atom), contributor, sum});
  }
  return data;
}

}  // namespace hdhub::exports

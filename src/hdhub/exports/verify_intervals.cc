// Step 8 (intervals) of the certificate's verification
// (docs/formats/airlock-certificate.md §6): per frame and measure, the atom
// space from the body's `frames`, the published cells of this release and
// of the earlier ones as the attacker LP's rows, and each suppressed cell's
// interval re-solved with the airlock's own LP (Clp).
#include <algorithm>
#include <cmath>
#include <set>
#include <utility>

#include "hdhub/airlock/atom_space.h"
#include "hdhub/airlock/published_intervals.h"
#include "hdhub/exports/certificate_json.h"
#include "hdhub/exports/verify_checks.h"

namespace hdhub::exports {
namespace {

using airlock::AtomSpace;

// Magnitudes: a re-solved bound may differ from the certificate's by this,
// relative to the larger of the two and of the largest published value (the
// LP's scale: the solver's tolerance is relative to it, so a bound near 0 is
// compared at the table's scale).
constexpr double kMagnitudeTolerance = 1e-6;
constexpr std::string_view kSummedOver = "*";

// The atoms of a cell: one code per frame dimension, "*" where summed over.
StatusOr<std::vector<int32_t>> CellAtoms(const AtomSpace& space, const Frame& frame, const Cell& cell) {
  if (cell.codes.size() != frame.dimensions.size()) {
    return InvalidArgumentError("a cell has not one code per dimension of its frame");
  }
  std::vector<int32_t> sets = space.AllSets();
  for (size_t i = 0; i < cell.codes.size(); ++i) {
    if (cell.codes[i] == kSummedOver) continue;
    const int dim = space.DimensionIndex(frame.dimensions[i].name);
    if (dim < 0) return InternalError("a frame dimension is not in its atom space");
    StatusOr<int32_t> set = space.CodeSet(dim, cell.codes[i]);
    if (!set.ok()) return InvalidArgumentError("a cell's code is not a code of its frame's dimension");
    sets[static_cast<size_t>(dim)] = *set;
  }
  return space.Atoms(sets);
}

bool SameInterval(const Cell& cell, const airlock::Interval& solved, bool integers, double scale) {
  const bool unbounded = std::isinf(solved.hi);
  if (unbounded != !cell.hi.has_value()) return false;
  if (integers) return cell.lo == solved.lo && (unbounded || *cell.hi == solved.hi);
  auto near = [scale](double a, double b) {
    return std::fabs(a - b) <= kMagnitudeTolerance * std::max({std::fabs(a), std::fabs(b), scale});
  };
  return near(cell.lo, solved.lo) && (unbounded || near(*cell.hi, solved.hi));
}

// The attacker LP of one frame and measure: its rows (the published cells)
// and its targets (this release's suppressed cells, and where they are).
struct FrameLp {
  std::string frame;
  std::string measure;
  std::vector<airlock::PublishedGroup> published;
  double scale = 0;  // the largest published value
  std::vector<std::vector<int32_t>> atoms;
  std::vector<const Output*> outputs;
  std::vector<const Cell*> cells;
};

// Adds the cells of `b`'s table outputs of the LP's frame and measure: the
// published ones as rows, and when `mine` the suppressed ones as targets.
std::optional<Failure> AddCells(const CertificateBody& b, bool mine, const AtomSpace& space, const Frame& frame,
                                FrameLp& lp) {
  for (const Output& out : b.outputs) {
    if (out.kind != "table" || out.frame != lp.frame || out.measure != lp.measure) continue;
    for (const Cell& c : out.cells) {
      if (!c.published && !mine) continue;
      StatusOr<std::vector<int32_t>> atoms = CellAtoms(space, frame, c);
      if (!atoms.ok()) {
        const std::string where = mine ? "" : " (release " + std::to_string(b.release) + ")";
        return Failure{.check = kCheckIntervals,
                       .message = std::string(atoms.status().message()) + where,
                       .output = out.name,
                       .table = c.table,
                       .cell = c.codes};
      }
      if (c.published) {
        lp.published.push_back({*std::move(atoms), c.value});
        lp.scale = std::max(lp.scale, std::fabs(c.value));
      } else {
        lp.atoms.push_back(*std::move(atoms));
        lp.outputs.push_back(&out);
        lp.cells.push_back(&c);
      }
    }
  }
  return std::nullopt;
}

// Step 8 for the table outputs of `body` over one frame and measure.
std::optional<Failure> CheckFrame(const CertificateBody& body, std::span<const CertificateBody> earlier,
                                  const Output& first) {
  FrameLp lp{.frame = first.frame, .measure = first.measure};
  const Frame& frame = body.frames.at(lp.frame);
  Failure f{.check = kCheckIntervals, .output = first.name};
  const std::string what = "frame " + lp.frame + ", measure " + lp.measure;
  StatusOr<AtomSpace> space = AtomSpace::Create(frame.dimensions);
  if (!space.ok()) {
    return f.message = what + ": the atom space cannot be built: " + std::string(space.status().message()), f;
  }
  for (const CertificateBody& b : earlier) {
    if (std::optional<Failure> bad = AddCells(b, false, *space, frame, lp)) return bad;
  }
  if (std::optional<Failure> bad = AddCells(body, true, *space, frame, lp)) return bad;
  if (lp.cells.empty()) return std::nullopt;
  const bool integers = IsIntegerMeasure(lp.measure);
  StatusOr<std::vector<airlock::Interval>> solved =
      airlock::IntervalsFromPublished(space->num_atoms(), lp.published, lp.atoms,
                                      integers ? airlock::MeasureKind::kCount : airlock::MeasureKind::kMagnitude);
  if (!solved.ok()) {
    return f.message = what + ": the published cells cannot be re-solved: " + std::string(solved.status().message()), f;
  }
  for (size_t i = 0; i < lp.cells.size(); ++i) {
    if (SameInterval(*lp.cells[i], (*solved)[i], integers, lp.scale)) continue;
    return Failure{.check = kCheckIntervals,
                   .message =
                       "a suppressed cell's interval is not what the published cells of this and the "
                       "earlier releases prove (re-solved with the attacker LP)",
                   .output = lp.outputs[i]->name,
                   .table = lp.cells[i]->table,
                   .cell = lp.cells[i]->codes};
  }
  return std::nullopt;
}

}  // namespace

std::optional<Failure> CheckIntervals(const CertificateBody& body, std::span<const CertificateBody> earlier) {
  std::set<std::pair<std::string, std::string>> done;
  for (const Output& out : body.outputs) {
    if (out.kind != "table" || !done.emplace(out.frame, out.measure).second) continue;
    if (std::optional<Failure> f = CheckFrame(body, earlier, out)) return f;
  }
  return std::nullopt;
}

}  // namespace hdhub::exports

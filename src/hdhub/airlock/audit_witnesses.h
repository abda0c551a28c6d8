// Witness points for the attacker audit's violation-only scope
// (attacker_audit.h): solutions of earlier attacker LPs, each a point meeting
// every constraint of the LP they came from. For a target group G, the least
// and greatest sum of G over the points is an inner bound of G's interval
// (min <= least witness, max >= greatest witness), so a witness can prove
// that an interval is wide enough without solving G's own LPs; it can never
// prove an interval narrow. Points are only valid for the LP they came from
// or one with fewer constraints: the owner clears them when it adds one.
//
// Thread-safety: a value; not shared.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <vector>

namespace hdhub::airlock {

class AuditWitnesses {
 public:
  // Keeps the `capacity` most recent points (a check costs capacity x |G|).
  explicit AuditWitnesses(size_t capacity) : capacity_(capacity) {}

  // Adds a solution (one value per LP column); an empty one is ignored.
  void Add(std::vector<double> point);
  // Adds points of the LP of `from` with one more row, sum of `row`'s columns
  // = `value`: each point of `from` meeting it (within 1e-9, relative), and
  // for each pair on either side of it the point of their segment meeting it
  // (the LP's region is convex, so that point meets every row of it too).
  void AddMeeting(const AuditWitnesses& from, std::span<const int32_t> row, double value);
  // Adds every point of `other` (an LP with the same constraints), oldest first.
  void AddAll(const AuditWitnesses& other);
  void Clear() { points_.clear(); }

  struct Range {
    double least = 0;
    double greatest = 0;
  };
  // Over the points: the least and greatest of `pinned` plus the sum of the
  // columns `free`; none without points.
  std::optional<Range> SumRange(std::span<const int32_t> free, double pinned) const;

 private:
  size_t capacity_;
  std::deque<std::vector<double>> points_;
};

}  // namespace hdhub::airlock

// manifest.json of a source extract (docs/formats/source-extract.md): the
// parameters, the row count of every file, the drugs and codes of the
// planted conditions, and per year the ground truth tests and demos check
// against (people alive, births, deaths, prevalent and treated people per
// condition, infarction stays). Deterministic: no time, no thread count.
#pragma once

#include <cstdint>
#include <string>

#include "hdhub/synth/identity.h"
#include "hdhub/synth/stats.h"

namespace hdhub::synth {

struct ManifestParameters {
  uint64_t seed = 0;
  int64_t people = 0;
  SpanYears years;
  double opt_out_rate = 0;
};

// The manifest as indented JSON ending in a newline.
std::string BuildManifest(const ManifestParameters& parameters, const ExtractStats& stats);

}  // namespace hdhub::synth

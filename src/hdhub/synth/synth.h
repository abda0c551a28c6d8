// hdhub::synth: a generator of coherent SNDS-shaped source extracts — what a
// health insurer or hospital holds before pseudonymisation — for testing and
// benchmarking the chain source pseudonymize -> hub ingest -> project.
//
// GenerateExtract() writes IR_BEN_R, ER_PRS_F, ER_PHA_F, T_MCOaaB/C/D,
// KI_CCI_R, OPTOUT (CSV) and manifest.json into a directory; the format is
// docs/formats/source-extract.md. The output is a pure function of (seed,
// people, years, opt-out rate): the same bytes whatever the thread count.
// People are generated in batches and streamed to disk, so memory does not
// grow with the population.
//
// Thread-safety: GenerateExtract may be called from any thread; it runs its
// own worker threads and calls `progress` from the calling thread.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "hdhub/common/status.h"
#include "hdhub/synth/columns.h"
#include "hdhub/synth/identity.h"

namespace hdhub::synth {

inline constexpr int64_t kMaxPeople = 100'000'000;
inline constexpr int kMinYear = 1950;
inline constexpr int kMaxYear = 2100;
inline constexpr int kMaxThreads = 256;

struct SynthOptions {
  int64_t people = 0;
  uint64_t seed = 1;
  SpanYears years = {2019, 2023};
  std::string out_dir;
  int threads = 0;  // 0: one per hardware thread
  double opt_out_rate = 0.01;
  // Called after each batch is written with the number of people done.
  std::function<void(int64_t)> progress;
};

struct SynthResult {
  std::array<int64_t, kOutputFiles> rows{};  // data rows per file, headers excluded
  int64_t total_rows = 0;
  int threads = 0;
  double seconds = 0;
};

// "2019-2023" or "2021". Errors: InvalidArgument naming what is wrong.
StatusOr<SpanYears> ParseYears(std::string_view text);

// Errors: InvalidArgument for people outside 1..kMaxPeople, years outside
// kMinYear..kMaxYear or reversed or spanning more than 30 years, a rate
// outside [0, 1], threads outside 0..kMaxThreads, an empty directory.
Status ValidateOptions(const SynthOptions& options);

// Writes the extract. Errors: those of ValidateOptions (nothing is written);
// the directory cannot be created or written, or the disk fills up (its
// errno's code; the temporaries are removed and no file is left behind).
StatusOr<SynthResult> GenerateExtract(const SynthOptions& options);

}  // namespace hdhub::synth

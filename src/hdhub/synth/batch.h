// A batch: the rows of consecutive people, generated into memory by one
// worker thread, then appended to the files in person order by the writer.
// Because a person's rows depend only on (seed, person), the bytes of an
// extract do not depend on batch sizes or thread counts.
//
// Thread-safety: Layouts are immutable and shared; a BatchGenerator and a
// BatchOutput belong to one thread at a time.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "hdhub/synth/csv_row.h"
#include "hdhub/synth/dcir.h"
#include "hdhub/synth/identity.h"
#include "hdhub/synth/person_tables.h"
#include "hdhub/synth/pmsi.h"
#include "hdhub/synth/stats.h"

namespace hdhub::synth {

// The compiled row layouts of every output file.
class Layouts {
 public:
  explicit Layouts(SpanYears years);
  const RowLayout& Of(OutputFile f) const { return layouts_[static_cast<size_t>(Index(f))]; }

 private:
  std::vector<RowLayout> layouts_;  // indexed by OutputFile
};

struct BatchOutput {
  std::array<ByteBuffer, kOutputFiles> files;
  ExtractStats stats;

  ByteBuffer& Of(OutputFile f) { return files[static_cast<size_t>(Index(f))]; }
  void Clear();
};

class BatchGenerator {
 public:
  BatchGenerator(const Layouts* layouts, uint64_t seed, SpanYears years);

  // Clears `out`, then writes the rows of `people` (consecutive, in order).
  void Generate(std::span<const Identity> people, BatchOutput* out);

 private:
  void GeneratePerson(const Identity& who, BatchOutput* out);
  void GenerateYear(Rng& rng, const PersonContext& person, int year, ActivePeriod period, BatchOutput* out,
                    CareSummary* care);
  void CountYear(const Identity& who, const Life& life, ActivePeriod period, const DcirFacts& dcir,
                 const PmsiFacts& pmsi, YearStats* year) const;

  uint64_t seed_;
  SpanYears years_;
  DcirWriter dcir_;
  PmsiWriter pmsi_;
  PersonTablesWriter person_tables_;
  std::vector<CareEvent> events_;
  std::vector<Stay> stays_;
};

}  // namespace hdhub::synth

#include "hdhub/synth/batch.h"

#include <algorithm>

namespace hdhub::synth {
namespace {

constexpr size_t FileIndex(OutputFile f) { return static_cast<size_t>(Index(f)); }

RowLayout MakeLayout(OutputFile f, SpanYears years) {
  switch (f) {
    case OutputFile::kIrBenR: return MakeIrBenRLayout(years);
    case OutputFile::kErPrsF: return MakeErPrsFLayout();
    case OutputFile::kErPhaF: return MakeErPhaFLayout();
    case OutputFile::kTMcoA: return MakeTMcoALayout();
    case OutputFile::kTMcoB: return MakeTMcoBLayout();
    case OutputFile::kTMcoC: return MakeTMcoCLayout();
    case OutputFile::kTMcoD: return MakeTMcoDLayout();
    case OutputFile::kKiCciR: return MakeKiCciRLayout();
    case OutputFile::kOptOut: break;
  }
  return MakeOptOutLayout();
}

}  // namespace

void ExtractStats::Add(const ExtractStats& other) {
  people += other.people;
  opted_out += other.opted_out;
  for (size_t i = 0; i < rows.size(); ++i) rows[i] += other.rows[i];
  for (size_t y = 0; y < years.size(); ++y) {
    YearStats& a = years[y];
    const YearStats& b = other.years[y];
    a.alive += b.alive;
    a.person_days += b.person_days;
    a.births += b.births;
    a.deaths += b.deaths;
    a.infarction_stays += b.infarction_stays;
    for (size_t c = 0; c < a.conditions.size(); ++c) {
      a.conditions[c].prevalent += b.conditions[c].prevalent;
      a.conditions[c].treated += b.conditions[c].treated;
      a.conditions[c].treated_not_opted_out += b.conditions[c].treated_not_opted_out;
    }
  }
}

int64_t ExtractStats::TotalRows() const {
  int64_t total = 0;
  for (int64_t r : rows) total += r;
  return total;
}


Layouts::Layouts(SpanYears years) {
  for (int i = 0; i < kOutputFiles; ++i) layouts_.push_back(MakeLayout(static_cast<OutputFile>(i), years));
}

void BatchOutput::Clear() {
  for (ByteBuffer& f : files) f.clear();
  stats = ExtractStats{};
}

BatchGenerator::BatchGenerator(const Layouts* layouts, uint64_t seed, SpanYears years)
    : seed_(seed),
      years_(years),
      dcir_(&layouts->Of(OutputFile::kErPrsF), &layouts->Of(OutputFile::kErPhaF)),
      pmsi_(&layouts->Of(OutputFile::kTMcoA), &layouts->Of(OutputFile::kTMcoB), &layouts->Of(OutputFile::kTMcoC),
            &layouts->Of(OutputFile::kTMcoD)),
      person_tables_(&layouts->Of(OutputFile::kIrBenR), &layouts->Of(OutputFile::kKiCciR),
                     &layouts->Of(OutputFile::kOptOut)) {}

void BatchGenerator::Generate(std::span<const Identity> people, BatchOutput* out) {
  out->Clear();
  for (const Identity& who : people) GeneratePerson(who, out);
}

void BatchGenerator::GeneratePerson(const Identity& who, BatchOutput* out) {
  Rng rng(seed_, static_cast<uint64_t>(who.index), Stream::kLife);
  Life life = DrawLife(rng, who, years_);
  PersonContext person = MakePersonContext(who, life);
  dcir_.BeginPerson(person);
  pmsi_.BeginPerson(person);
  CareSummary care;
  for (int y = years_.first; y <= years_.last; ++y) {
    ActivePeriod period = ActiveIn(who, life, y);
    if (!period.empty()) GenerateYear(rng, person, y, period, out, &care);
  }
  person_tables_.Write(rng, person, care, out->Of(OutputFile::kIrBenR), out->Of(OutputFile::kKiCciR),
                       out->Of(OutputFile::kOptOut));
  ExtractStats& stats = out->stats;
  ++stats.people;
  ++stats.rows[FileIndex(OutputFile::kIrBenR)];
  if (life.death != kNever) ++stats.rows[FileIndex(OutputFile::kKiCciR)];
  if (who.opted_out) {
    ++stats.opted_out;
    ++stats.rows[FileIndex(OutputFile::kOptOut)];
  }
}

void BatchGenerator::GenerateYear(Rng& rng, const PersonContext& person, int year, ActivePeriod period,
                                  BatchOutput* out, CareSummary* care) {
  const Identity& who = *person.who;
  DcirFacts dcir;
  PlanCare(rng, who, *person.life, period, &events_);
  dcir_.WriteYear(rng, events_, out->Of(OutputFile::kErPrsF), out->Of(OutputFile::kErPhaF), &dcir);
  PmsiFacts pmsi;
  PlanStays(rng, who, *person.life, period, &stays_);
  pmsi_.WriteStays(rng, stays_,
                   {&out->Of(OutputFile::kTMcoA), &out->Of(OutputFile::kTMcoB), &out->Of(OutputFile::kTMcoC),
                    &out->Of(OutputFile::kTMcoD)},
                   &pmsi);
  ExtractStats& stats = out->stats;
  CountYear(who, *person.life, period, dcir, pmsi, &stats.years[static_cast<size_t>(year - years_.first)]);
  stats.rows[FileIndex(OutputFile::kErPrsF)] += dcir.prs_lines;
  stats.rows[FileIndex(OutputFile::kErPhaF)] += dcir.pha_rows;
  stats.rows[FileIndex(OutputFile::kTMcoA)] += pmsi.acts;
  stats.rows[FileIndex(OutputFile::kTMcoB)] += pmsi.stays;
  stats.rows[FileIndex(OutputFile::kTMcoC)] += pmsi.stays;
  stats.rows[FileIndex(OutputFile::kTMcoD)] += pmsi.associated;
  if (dcir.prs_lines > 0) {
    care->last_processing = care->consumer ? std::max(care->last_processing, dcir.last_processing)
                                           : dcir.last_processing;
    care->consumer = true;
  }
}

void BatchGenerator::CountYear(const Identity& who, const Life& life, ActivePeriod period, const DcirFacts& dcir,
                               const PmsiFacts& pmsi, YearStats* year) const {
  ++year->alive;
  year->person_days += period.days();
  if (who.birth >= YearStart(ToCivil(period.from).year)) ++year->births;
  if (life.death == period.to) ++year->deaths;
  year->infarction_stays += pmsi.infarctions;
  for (Condition c : {Condition::kDiabetes, Condition::kCoronary}) {
    ConditionYear& cy = year->conditions[static_cast<size_t>(c)];
    if (life.Of(c).HasBy(period.to)) ++cy.prevalent;
    if (dcir.refilled[static_cast<size_t>(c)]) {
      ++cy.treated;
      if (!who.opted_out) ++cy.treated_not_opted_out;
    }
  }
}

}  // namespace hdhub::synth

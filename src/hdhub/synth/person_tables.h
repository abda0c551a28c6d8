// The rows written once per person: IR_BEN_R (the beneficiary register),
// KI_CCI_R (one row per death, with its ICD-10 cause) and OPTOUT (people
// who object to research use).
//
// Thread-safety: a PersonTablesWriter belongs to one thread.
#pragma once

#include "hdhub/synth/csv_row.h"
#include "hdhub/synth/person_context.h"

namespace hdhub::synth {

// BEN_DTE_MAJ, the register's update date, is the same for every row: the
// 30th of June after the span.
RowLayout MakeIrBenRLayout(SpanYears years);
RowLayout MakeKiCciRLayout();
RowLayout MakeOptOutLayout();

// What the person's care showed, for IR_BEN_R.
struct CareSummary {
  bool consumer = false;    // at least one ER_PRS_F line (BEN_TOP_CNS)
  Day last_processing = 0;  // MAX_TRT_DTD, when consumer
};

class PersonTablesWriter {
 public:
  PersonTablesWriter(const RowLayout* ben, const RowLayout* cci, const RowLayout* opt_out);

  // Writes the person's IR_BEN_R row, a KI_CCI_R row if they died and an
  // OPTOUT row if they opted out.
  void Write(Rng& rng, const PersonContext& person, const CareSummary& care, ByteBuffer& ben_out,
            ByteBuffer& cci_out, ByteBuffer& opt_out_out);

 private:
  void WriteDeath(Rng& rng, const PersonContext& person, ByteBuffer& out);

  RowBuilder ben_;
  RowBuilder cci_;
  RowBuilder opt_out_;
};

}  // namespace hdhub::synth

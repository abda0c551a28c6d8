// PMSI MCO rows of a hospital stay: one T_MCOaaB row (the stay, with its
// diagnosis and DRG), one T_MCOaaC row (the patient's identity and dates),
// 0-3 T_MCOaaD rows (associated diagnoses) and 0-3 T_MCOaaA rows (CCAM
// acts; NBR_ACT counts them), all joined by (ETA_NUM, RSA_NUM). RSA_NUM = 1000000000 + person * 80 + the person's stay number,
// so it is unique over the whole extract (a person's 81st stay and later
// ones are not written).
//
// Thread-safety: a PmsiWriter belongs to one thread.
#pragma once

#include <cstdint>
#include <span>

#include "hdhub/synth/csv_row.h"
#include "hdhub/synth/life.h"
#include "hdhub/synth/person_context.h"

namespace hdhub::synth {

RowLayout MakeTMcoALayout();
RowLayout MakeTMcoBLayout();
RowLayout MakeTMcoCLayout();
RowLayout MakeTMcoDLayout();

struct PmsiFacts {
  int64_t stays = 0;
  int64_t associated = 0;
  int64_t acts = 0;
  int64_t infarctions = 0;  // stays for the planted myocardial infarction
};

class PmsiWriter {
 public:
  struct Outputs {
    ByteBuffer* a;
    ByteBuffer* b;
    ByteBuffer* c;
    ByteBuffer* d;
  };
  PmsiWriter(const RowLayout* a, const RowLayout* b, const RowLayout* c, const RowLayout* d);

  void BeginPerson(const PersonContext& person);
  void WriteStays(Rng& rng, std::span<const Stay> stays, const Outputs& out, PmsiFacts* facts);

 private:
  void WriteStay(Rng& rng, const Stay& stay, int64_t rsa, ByteBuffer& b_out);
  void WriteIdentityRow(Rng& rng, const Stay& stay, int64_t rsa, ByteBuffer& c_out);
  void WriteDetails(Rng& rng, const Stay& stay, int64_t rsa, const Outputs& out);

  RowBuilder a_;
  RowBuilder b_;
  RowBuilder c_;
  RowBuilder d_;
  PersonContext person_;
  int64_t finess_ = 0;
  int64_t stays_ = 0;
};

}  // namespace hdhub::synth

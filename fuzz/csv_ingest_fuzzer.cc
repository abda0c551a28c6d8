// Fuzz target: a transfer file through the hub's ingest (header check, every
// value against its field, re-keying, sealing), read as one of the tables in
// csv_fuzz.h under one of the three policies for refused values (the second
// byte mod 3), checking nomenclature codes or not (loading the nomenclatures
// is slow: only when the second byte / 3 is odd). Whatever the
// bytes, it must not crash, and neither its error nor its report may repeat a
// value of the file (leak_oracle.h).
#include "csv_fuzz.h"

namespace {

using namespace hdhub;

constexpr ingest::InvalidPolicy kPolicies[] = {ingest::InvalidPolicy::kFail, ingest::InvalidPolicy::kRejectRow,
                                               ingest::InvalidPolicy::kSetNull};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const auto& tables = fuzz::Tables();
  const fuzz::FuzzTable& table = tables[data[0] % tables.size()];
  std::string_view bytes(reinterpret_cast<const char*>(data) + 2, size - 2);
  const bool nomenclatures = (data[1] / 3) % 2 == 1;
  auto result = fuzz::IngestOnce({.dataset = table.name,
                                  .csv_path = fuzz::WriteInput("transfer.csv", bytes),
                                  .schema_path = table.schema_path,
                                  .schema_text = table.schema_text,
                                  .on_invalid = kPolicies[data[1] % 3],
                                  .nomenclatures_dir = nomenclatures ? "" : fuzz::EmptyDir()});
  fuzz::CheckOutcome("the ingest", result, bytes);
  return 0;
}

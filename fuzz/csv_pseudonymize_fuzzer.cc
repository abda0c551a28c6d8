// Fuzz target: a source extract through the pseudonymizer (stage 1, at the
// source), read as one of the tables in csv_fuzz.h, both row by row and
// strict. Whatever the bytes, it must not crash, and neither its error nor
// its report may repeat a value of the file (leak_oracle.h).
#include <filesystem>
#include <memory>

#include "csv_fuzz.h"
#include "hdhub/common/secret_bytes.h"
#include "hdhub/crypto/hash.h"
#include "hdhub/ingest/pseudonymize.h"

namespace {

using namespace hdhub;

const crypto::HmacSha256& SourceKey() {
  static const std::unique_ptr<crypto::HmacSha256> key =
      crypto::HmacSha256::Create(SecretBytes(AsBytes("fuzz source key"))).value();
  return *key;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const auto& tables = fuzz::Tables();
  const fuzz::FuzzTable& table = tables[data[0] % tables.size()];
  std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string input = fuzz::WriteInput("extract.csv", bytes);
  for (bool strict : {false, true}) {
    std::string output = fuzz::WorkDir() + "/transfer.csv";
    std::filesystem::remove(output);
    ingest::Pseudonymizer pseudonymizer(&SourceKey(), 1);
    auto result = pseudonymizer.Run({.input_path = input,
                                     .schema_path = table.schema_path,
                                     .schema_text = table.schema_text,
                                     .output_path = output,
                                     .strict = strict});
    fuzz::CheckOutcome("the pseudonymizer", result, bytes);
  }
  return 0;
}

// Fuzz target: a Table Schema, as an operator's file. Parsing must not crash
// and must refuse with InvalidArgument naming the file; a schema it accepts
// must drive an ingest (one header line and one row) whose SQL is always
// well-formed: a name, pattern, enumeration or format from the schema never
// breaks out of its quoting (no parser, binder or internal error), and the
// ingest's error or report never repeats a value of the row.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "csv_fuzz.h"
#include "hdhub/ingest/table_schema.h"
#include "hdhub/sql/database.h"

namespace {

using namespace hdhub;

[[noreturn]] void Fail(std::string_view what, const Status& status) {
  std::fprintf(stderr, "\nhdhub fuzz property broken: %.*s\n%s\n", int(what.size()), what.data(),
               status.ToString().c_str());
  std::abort();
}

bool IsSqlBreakage(const Status& status) {
  const std::string_view m = status.message();
  return status.code() == StatusCode::kInternal || status.code() == StatusCode::kUnknown ||
         m.find("Parser Error") != m.npos || m.find("Binder Error") != m.npos || m.find("Catalog Error") != m.npos ||
         m.find("INTERNAL") != m.npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto schema = ingest::TableSchema::Parse(text, "fuzzed.json");
  if (!schema.ok()) {
    if (schema.status().code() != StatusCode::kInvalidArgument ||
        schema.status().message().find("fuzzed.json") == std::string_view::npos) {
      Fail("a refused schema must be InvalidArgument naming its file", schema.status());
    }
    return 0;
  }
  if (schema->fields.size() > 64) return 0;
  // A CSV cell is quoted as SQL quotes a name: in double quotes, doubled inside.
  std::string csv;
  for (size_t i = 0; i < schema->fields.size(); ++i)
    csv += (i ? "," : "") + sql::QuoteIdentifier(schema->fields[i].name);
  csv += "\n";
  for (size_t i = 0; i < schema->fields.size(); ++i) csv += (i ? "," : "") + std::string("V4lue") + std::to_string(i);
  csv += "\n";
  auto result = fuzz::IngestOnce({.dataset = "FUZZED",
                                  .csv_path = fuzz::WriteInput("fuzzed.csv", csv),
                                  .schema_text = std::string(text),
                                  .on_invalid = ingest::InvalidPolicy::kSetNull});
  if (!result.ok() && IsSqlBreakage(result.status())) Fail("a schema broke the ingest's SQL", result.status());
  fuzz::CheckOutcome("the ingest", result, std::string_view(csv).substr(csv.find('\n')));
  return 0;
}

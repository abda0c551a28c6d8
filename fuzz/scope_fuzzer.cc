// Fuzz target: a project scope, as a steward writes it. Parsing must not
// crash and must refuse with InvalidArgument; an accepted scope's canonical
// form parses back to itself (what approvals sign is stable).
#include <cstdio>
#include <cstdlib>
#include <string>

#include "hdhub/projects/scope.h"

using namespace hdhub;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto scope = projects::ProjectScope::Parse(text);
  if (!scope.ok()) {
    if (scope.status().code() != StatusCode::kInvalidArgument) {
      std::fprintf(stderr, "\nhdhub fuzz property broken: a refused scope must be InvalidArgument\n%s\n",
                   scope.status().ToString().c_str());
      std::abort();
    }
    return 0;
  }
  const std::string canonical = scope->ToJson();
  auto again = projects::ProjectScope::Parse(canonical);
  if (!again.ok() || again->ToJson() != canonical) {
    std::fprintf(stderr, "\nhdhub fuzz property broken: a scope's canonical form does not parse back to itself\n%s\n",
                 canonical.c_str());
    std::abort();
  }
  return 0;
}

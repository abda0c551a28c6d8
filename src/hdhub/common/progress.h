// Progress of a long operation (an ingest, a workspace build, a big query),
// as the code doing it reports it to whoever shows it (the CLI on a terminal,
// later the server to a client). Reports may come from another thread.
//
// Thread-safety: a value type; a ProgressFn must tolerate calls from any one
// thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

namespace hdhub {

struct Progress {
  std::string_view phase;  // what runs, e.g. "ingest ER_PRS_F"
  double fraction = -1;    // 0..1; negative when unknown
  uint64_t done = 0;       // in `unit`, when counted
  uint64_t total = 0;      // 0 when unknown
  std::string_view unit;   // "rows", "people", …; empty when not counted
};

using ProgressFn = std::function<void(const Progress&)>;

}  // namespace hdhub

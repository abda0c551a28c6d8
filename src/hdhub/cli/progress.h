// The progress of a long command on the terminal: phase, percentage, rate
// and time left, on one line of stderr rewritten at most 4 times a second and
// cleared at the end. Shown only when stderr is a terminal, without --json,
// and once the command has run for HDHUB_PROGRESS_AFTER_MS (default 1000 ms),
// so short commands and scripts see nothing.
//
// Thread-safety: the function may be called from any one thread at a time.
#pragma once

#include <memory>

#include "hdhub/cli/commands.h"
#include "hdhub/common/progress.h"

namespace hdhub::cli {

class TerminalProgress {
 public:
  explicit TerminalProgress(const GlobalOptions& opts);
  ~TerminalProgress();  // clears the line, if one was shown
  TerminalProgress(const TerminalProgress&) = delete;
  TerminalProgress& operator=(const TerminalProgress&) = delete;

  // What to hand to the operation; empty when nothing is to be shown.
  ProgressFn fn() const;
  // Clears the line now (before output that goes to the same terminal).
  void Clear();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

// "1.2M", "340k", "12": a count for people.
std::string HumanCount(double n);
// "0:37", "12:05", "2:03:00".
std::string HumanDuration(double seconds);

}  // namespace hdhub::cli

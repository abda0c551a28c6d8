#include "hdhub/cli/progress.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <string>

namespace hdhub::cli {

namespace {
using Steady = std::chrono::steady_clock;
constexpr auto kRedraw = std::chrono::milliseconds(250);
constexpr char kAfterEnv[] = "HDHUB_PROGRESS_AFTER_MS";
}  // namespace

struct TerminalProgress::State {
  std::mutex mu;
  Steady::time_point start = Steady::now();
  Steady::time_point phase_start = start;
  Steady::time_point last_draw{};
  std::chrono::milliseconds after{1000};
  std::string phase;
  bool shown = false;

  void Report(const Progress& p) {
    std::lock_guard lock(mu);
    const auto now = Steady::now();
    if (p.phase != phase) {
      if (!phase.empty()) phase_start = now;  // the first phase counts from the start
      phase = std::string(p.phase);
    }
    if (now - start < after || now - last_draw < kRedraw) return;
    last_draw = now;
    const double elapsed = std::chrono::duration<double>(now - phase_start).count();
    std::string line = phase;
    if (p.fraction >= 0) {
      char percent[16];
      std::snprintf(percent, sizeof percent, " %3d%%", static_cast<int>(std::floor(std::min(p.fraction, 1.0) * 100)));
      line += percent;
    }
    if (p.total > 0 && !p.unit.empty()) {
      line += "  " + HumanCount(static_cast<double>(p.done)) + "/" + HumanCount(static_cast<double>(p.total)) + " " +
              std::string(p.unit);
    }
    if (p.done > 0 && elapsed > 0 && !p.unit.empty()) {
      line += "  " + HumanCount(static_cast<double>(p.done) / elapsed) + " " + std::string(p.unit) + "/s";
    }
    if (p.fraction > 0.01 && p.fraction < 1) {
      line += "  ETA " + HumanDuration(elapsed * (1 - p.fraction) / p.fraction);
    }
    std::cerr << "\r\033[K" << line << std::flush;
    shown = true;
  }
};

TerminalProgress::TerminalProgress(const GlobalOptions& opts) {
  if (opts.json || isatty(STDERR_FILENO) == 0) return;
  state_ = std::make_shared<State>();
  if (const char* after = std::getenv(kAfterEnv); after != nullptr && *after != '\0') {
    state_->after = std::chrono::milliseconds(std::strtoll(after, nullptr, 10));
  }
}

TerminalProgress::~TerminalProgress() { Clear(); }

void TerminalProgress::Clear() {
  if (state_ == nullptr) return;
  std::lock_guard lock(state_->mu);
  if (state_->shown) std::cerr << "\r\033[K" << std::flush;
  state_->shown = false;
}

ProgressFn TerminalProgress::fn() const {
  if (state_ == nullptr) return nullptr;
  return [state = state_](const Progress& p) { state->Report(p); };
}

std::string HumanCount(double n) {
  char out[32];
  if (n >= 1e9) {
    std::snprintf(out, sizeof out, "%.1fG", n / 1e9);
  } else if (n >= 1e6) {
    std::snprintf(out, sizeof out, "%.1fM", n / 1e6);
  } else if (n >= 1e4) {
    std::snprintf(out, sizeof out, "%.0fk", n / 1e3);
  } else {
    std::snprintf(out, sizeof out, "%.0f", n);
  }
  return out;
}

std::string HumanDuration(double seconds) {
  const long s = std::lround(std::max(seconds, 0.0));
  char out[32];
  if (s >= 3600) {
    std::snprintf(out, sizeof out, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  } else {
    std::snprintf(out, sizeof out, "%ld:%02ld", s / 60, s % 60);
  }
  return out;
}

}  // namespace hdhub::cli

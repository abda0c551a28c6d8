// Clock: the one source of time in hdhub, injected into whatever needs it
// (project windows, token expiry, audit entries), so tests control time.
//
// SystemClock reads the real time; FakeClock is set and advanced by tests.
// Thread-safety: both are safe to call from several threads.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "hdhub/common/status.h"

namespace hdhub {

using TimePoint = std::chrono::time_point<std::chrono::system_clock, std::chrono::microseconds>;

// A time as stored (SQLite columns, audit entries): microseconds since 1970.
inline int64_t ToMicros(TimePoint t) { return t.time_since_epoch().count(); }
inline TimePoint FromMicros(int64_t us) { return TimePoint(std::chrono::microseconds(us)); }

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint Now() const override;
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimePoint start) : now_us_(start.time_since_epoch().count()) {}
  TimePoint Now() const override { return TimePoint(std::chrono::microseconds(now_us_.load())); }
  void Set(TimePoint t) { now_us_ = t.time_since_epoch().count(); }
  void Advance(std::chrono::microseconds d) { now_us_ += d.count(); }

 private:
  std::atomic<int64_t> now_us_;
};

// RFC 3339 in UTC with microseconds: "2026-11-23T14:09:28.123456Z".
std::string FormatRfc3339(TimePoint t);
// Parses "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SSZ" or with fractional seconds (UTC only).
// InvalidArgument otherwise.
StatusOr<TimePoint> ParseRfc3339(std::string_view text);

}  // namespace hdhub

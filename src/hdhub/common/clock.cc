#include "hdhub/common/clock.h"

#include <cstdio>
#include <ctime>

namespace hdhub {

TimePoint SystemClock::Now() const {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

std::string FormatRfc3339(TimePoint t) {
  int64_t us = t.time_since_epoch().count();
  int64_t secs = us >= 0 ? us / 1000000 : (us - 999999) / 1000000;
  int64_t frac = us - secs * 1000000;
  std::time_t tt = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(frac));
  return buf;
}

StatusOr<TimePoint> ParseRfc3339(std::string_view text) {
  std::tm tm{};
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  int64_t frac_us = 0;
  std::string str(text);
  int consumed = 0;
  if (std::sscanf(str.c_str(), "%4d-%2d-%2d%n", &y, &mo, &d, &consumed) != 3 || consumed != 10) {
    return InvalidArgumentError("time '" + str + "' is not YYYY-MM-DD[THH:MM:SS[.ffffff]Z]");
  }
  if (str.size() > 10) {
    int c2 = 0;
    if (std::sscanf(str.c_str() + 10, "T%2d:%2d:%2d%n", &h, &mi, &s, &c2) != 3 || c2 != 9) {
      return InvalidArgumentError("time '" + str + "' has a malformed time of day");
    }
    size_t pos = 19;
    if (pos < str.size() && str[pos] == '.') {
      ++pos;
      int digits = 0;
      while (pos < str.size() && str[pos] >= '0' && str[pos] <= '9') {
        if (digits < 6) frac_us = frac_us * 10 + (str[pos] - '0');
        ++digits;
        ++pos;
      }
      if (digits == 0) return InvalidArgumentError("time '" + str + "' has an empty fraction");
      for (; digits < 6; ++digits) frac_us *= 10;
    }
    if (pos + 1 != str.size() || str[pos] != 'Z') {
      return InvalidArgumentError("time '" + str + "' must end in Z (UTC)");
    }
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) {
    return InvalidArgumentError("time '" + str + "' is out of range");
  }
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  std::time_t secs = timegm(&tm);
  return TimePoint(std::chrono::microseconds(int64_t(secs) * 1000000 + frac_us));
}

}  // namespace hdhub

#include "hdhub/common/rate_limiter.h"

#include <algorithm>
#include <thread>

namespace hdhub {

using SteadyClock = std::chrono::steady_clock;

namespace {
// The bucket's depth: how far ahead of the rate a caller may go.
constexpr SteadyClock::duration kBurst = std::chrono::seconds(1);
}  // namespace

RateLimiter::RateLimiter(uint64_t per_second, Now now, Sleep sleep)
    : per_second_(per_second),
      now_(now ? std::move(now) : Now([] { return SteadyClock::now(); })),
      sleep_(sleep ? std::move(sleep) : Sleep([](SteadyClock::duration d) { std::this_thread::sleep_for(d); })) {}

void RateLimiter::Acquire(uint64_t n) {
  if (per_second_ == 0 || n == 0) return;
  // The generic cell rate algorithm: next_free_ is when the units granted so
  // far are paid for at the rate; a caller goes once that lies no more than
  // the bucket's depth ahead of now. Idle time is not saved up beyond it.
  const auto cost =
      std::chrono::duration_cast<SteadyClock::duration>(std::chrono::duration<double>(double(n) / double(per_second_)));
  SteadyClock::time_point go;
  SteadyClock::time_point now;
  {
    std::lock_guard lock(mu_);
    now = now_();
    next_free_ = std::max(next_free_, now) + cost;
    go = next_free_ - kBurst;
  }
  if (go > now) sleep_(go - now);
}

}  // namespace hdhub

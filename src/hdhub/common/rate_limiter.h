// RateLimiter: a token bucket that paces a long transfer (a host migration's
// bytes and requests) to a rate, so that it leaves the hosts' capacity to
// everyone else. Acquire(n) returns once n units fit under the rate,
// sleeping as long as needed; a caller may run at most one second's worth
// ahead of the rate, so a pause is not followed by a long burst.
//
// Thread-safety: Acquire may be called from several threads at once; each
// waits its turn (first come, first served).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>

namespace hdhub {

class RateLimiter {
 public:
  using Now = std::function<std::chrono::steady_clock::time_point()>;
  using Sleep = std::function<void(std::chrono::steady_clock::duration)>;

  // `per_second` 0: no limit (Acquire returns at once). `now` and `sleep`
  // default to the steady clock and std::this_thread::sleep_for (tests
  // pass a fake pair).
  explicit RateLimiter(uint64_t per_second, Now now = nullptr, Sleep sleep = nullptr);

  // Waits until `n` units may go (a request above one second's worth waits
  // what it is worth beyond that second).
  void Acquire(uint64_t n);
  uint64_t per_second() const { return per_second_; }

 private:
  const uint64_t per_second_;
  const Now now_;
  const Sleep sleep_;
  std::mutex mu_;
  // When the units granted so far are paid for at the rate.
  std::chrono::steady_clock::time_point next_free_{};
};

}  // namespace hdhub

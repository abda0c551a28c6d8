#include "hdhub/server/limits.h"

#include <algorithm>
#include <vector>

namespace hdhub::server {
namespace {

constexpr uint64_t kPruneEvery = 1024;

double SecondsBetween(TimePoint from, TimePoint to) { return std::chrono::duration<double>(to - from).count(); }

}  // namespace

std::string_view LimitScopeName(LimitScope scope) { return scope == LimitScope::kAccount ? "account" : "address"; }

Limiter::Limiter(LimitsConfig config, const Clock* clock, OnLockout on_lockout)
    : config_(config), clock_(clock), on_lockout_(std::move(on_lockout)) {}

bool Limiter::AcquireConnection(LimitScope scope, const std::string& key) {
  const size_t max =
      scope == LimitScope::kAccount ? config_.max_connections_per_account : config_.max_connections_per_address;
  std::lock_guard lock(mu_);
  size_t& open = connections_[{scope, key}];
  if (max > 0 && open >= max) {
    if (open == 0) connections_.erase({scope, key});
    return false;
  }
  ++open;
  return true;
}

void Limiter::ReleaseConnection(LimitScope scope, const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = connections_.find({scope, key});
  if (it == connections_.end()) return;
  if (--it->second == 0) connections_.erase(it);
}

bool Limiter::LockedLocked(const Key& key, TimePoint now) {
  auto it = failures_.find(key);
  return it != failures_.end() && it->second.locked_until && now < *it->second.locked_until;
}

bool Limiter::LockedOut(const std::string& account, const std::string& address) {
  if (config_.max_failed_logins == 0) return false;
  const TimePoint now = clock_->Now();
  std::lock_guard lock(mu_);
  return (!account.empty() && LockedLocked({LimitScope::kAccount, account}, now)) ||
         LockedLocked({LimitScope::kAddress, address}, now);
}

std::optional<Lockout> Limiter::FailureOf(const Key& key, const std::string& address, TimePoint now) {
  Failures& f = failures_[key];
  if (f.locked_until && now < *f.locked_until) return std::nullopt;
  f.locked_until.reset();
  while (!f.times.empty() && f.times.front() + config_.failed_login_window <= now) f.times.pop_front();
  f.times.push_back(now);
  if (f.times.size() < config_.max_failed_logins) return std::nullopt;
  f.locked_until = now + config_.lockout;
  Lockout out{.scope = key.first,
              .key = key.second,
              .client_address = address,
              .failures = uint32_t(f.times.size()),
              .duration = config_.lockout};
  f.times.clear();
  return out;
}

void Limiter::RecordFailedLogin(const std::string& account, const std::string& address) {
  if (config_.max_failed_logins == 0) return;
  const TimePoint now = clock_->Now();
  std::vector<Lockout> started;
  {
    std::lock_guard lock(mu_);
    if (!account.empty()) {
      if (auto l = FailureOf({LimitScope::kAccount, account}, address, now)) started.push_back(*l);
    }
    if (auto l = FailureOf({LimitScope::kAddress, address}, address, now)) started.push_back(*l);
    if (++calls_ % kPruneEvery == 0) PruneLocked(now);
  }
  if (on_lockout_) {
    for (const Lockout& l : started) on_lockout_(l);
  }
}

void Limiter::RecordLogin(const std::string& account) {
  std::lock_guard lock(mu_);
  auto it = failures_.find({LimitScope::kAccount, account});
  if (it != failures_.end() && !it->second.locked_until) failures_.erase(it);
}

double Limiter::RateOf(LimitScope scope) const {
  if (scope == LimitScope::kAddress && config_.requests_per_second_per_address) {
    return *config_.requests_per_second_per_address;
  }
  return config_.requests_per_second;
}

double Limiter::DepthOf(LimitScope scope) const {
  const uint32_t burst = scope == LimitScope::kAddress && config_.request_burst_per_address
                             ? *config_.request_burst_per_address
                             : config_.request_burst;
  return std::max<double>(1, burst);
}

bool Limiter::AllowRequest(LimitScope scope, const std::string& key) {
  const double rate = RateOf(scope);
  if (rate <= 0) return true;
  const double depth = DepthOf(scope);
  const TimePoint now = clock_->Now();
  std::lock_guard lock(mu_);
  if (++calls_ % kPruneEvery == 0) PruneLocked(now);
  auto [it, fresh] = buckets_.try_emplace({scope, key}, Bucket{.tokens = depth, .last = now});
  Bucket& b = it->second;
  if (!fresh && now > b.last) {
    b.tokens = std::min(depth, b.tokens + SecondsBetween(b.last, now) * rate);
    b.last = now;
  }
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

void Limiter::PruneLocked(TimePoint now) {
  std::erase_if(failures_, [&](const auto& entry) {
    const Failures& f = entry.second;
    const bool locked = f.locked_until && now < *f.locked_until;
    const bool recent = !f.times.empty() && now < f.times.back() + config_.failed_login_window;
    return !locked && !recent;
  });
  std::erase_if(buckets_, [&](const auto& entry) {
    const LimitScope scope = entry.first.first;
    const double rate = RateOf(scope);
    const Bucket& b = entry.second;
    return rate <= 0 || b.tokens + SecondsBetween(b.last, now) * rate >= DepthOf(scope);  // full again
  });
}

}  // namespace hdhub::server

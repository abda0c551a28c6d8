// Limiter: the per-account and per-address limits of `hdhub serve` ([serve.limits]
// in hdhub.toml, docs/serve.md), shared by the PG wire and the HTTP servers:
//   - connections open at once, per account and per client address;
//   - failed logins: after `max_failed_logins` failures within
//     `failed_login_window`, the account (the name tried, existing or not)
//     or the address is locked out for `lockout`: its logins are refused as
//     a wrong password is, even with the right token; each lockout is
//     reported once to `on_lockout` (the server audits it as auth.lockout);
//   - requests (PG statements, HTTP requests): a token bucket per account
//     and per address, `requests_per_second` refilled, `request_burst` deep
//     (an address's own rate and depth when set: several accounts may share
//     one address, behind a NAT, each held to its account's rate).
// A limit of 0 is no limit. Time comes from the Clock given (tests inject a
// FakeClock). Keys are kept only while they matter (pruned as they age).
//
// Thread-safety: every method may be called from several threads; the
// callback runs outside the lock, on the thread whose failure locked out.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "hdhub/common/clock.h"

namespace hdhub::server {

struct LimitsConfig {
  size_t max_connections_per_account = 20;
  size_t max_connections_per_address = 50;
  uint32_t max_failed_logins = 10;  // within the window, per account and per address
  std::chrono::seconds failed_login_window{300};
  std::chrono::seconds lockout{900};
  double requests_per_second = 100;  // per account and per address
  uint32_t request_burst = 500;      // what may be spent at once
  // An address's bucket, when set; else the two above.
  std::optional<double> requests_per_second_per_address;
  std::optional<uint32_t> request_burst_per_address;
};

enum class LimitScope { kAccount, kAddress };
std::string_view LimitScopeName(LimitScope scope);  // "account", "address"

// One lockout as it starts.
struct Lockout {
  LimitScope scope;
  std::string key;             // the account name or the address
  std::string client_address;  // of the failure that locked it
  uint32_t failures = 0;
  std::chrono::seconds duration{0};
};

class Limiter {
 public:
  using OnLockout = std::function<void(const Lockout&)>;
  // Borrows `clock`, which must outlive it.
  Limiter(LimitsConfig config, const Clock* clock, OnLockout on_lockout = nullptr);

  // Takes a connection slot of `key`; false (nothing taken) when it has
  // max_connections_per_<scope> already. Each true is paired with a Release.
  bool AcquireConnection(LimitScope scope, const std::string& key);
  void ReleaseConnection(LimitScope scope, const std::string& key);

  // Whether `account` (when not empty) or `address` is locked out now.
  bool LockedOut(const std::string& account, const std::string& address);
  // A failed login by `account` (empty when unknown, e.g. a bad bearer
  // token) from `address`; may start a lockout of either (reported to
  // on_lockout). Failures while locked out do not extend the lockout.
  void RecordFailedLogin(const std::string& account, const std::string& address);
  // A successful login: the account's failures are forgotten.
  void RecordLogin(const std::string& account);

  // Spends one request of `key`'s bucket; false when it is empty.
  bool AllowRequest(LimitScope scope, const std::string& key);

  const LimitsConfig& config() const { return config_; }

 private:
  using Key = std::pair<LimitScope, std::string>;
  struct Failures {
    std::deque<TimePoint> times;  // within the window
    std::optional<TimePoint> locked_until;
  };
  struct Bucket {
    double tokens = 0;
    TimePoint last;
  };
  // Under mu_: counts a failure of `key`; the lockout it starts, if any.
  std::optional<Lockout> FailureOf(const Key& key, const std::string& address, TimePoint now);
  bool LockedLocked(const Key& key, TimePoint now);
  // The refill rate and the depth of `scope`'s buckets.
  double RateOf(LimitScope scope) const;
  double DepthOf(LimitScope scope) const;
  // Under mu_: forgets failures and buckets that no longer matter.
  void PruneLocked(TimePoint now);

  const LimitsConfig config_;
  const Clock* clock_;
  OnLockout on_lockout_;
  std::mutex mu_;
  std::map<Key, size_t> connections_;
  std::map<Key, Failures> failures_;
  std::map<Key, Bucket> buckets_;
  uint64_t calls_ = 0;
};

// RAII for a connection slot taken with Limiter::AcquireConnection.
class ConnectionSlot {
 public:
  ConnectionSlot() = default;
  ConnectionSlot(Limiter* limiter, LimitScope scope, std::string key)
      : limiter_(limiter), scope_(scope), key_(std::move(key)) {}
  ConnectionSlot(ConnectionSlot&& other) noexcept { *this = std::move(other); }
  ConnectionSlot& operator=(ConnectionSlot&& other) noexcept {
    Release();
    limiter_ = std::exchange(other.limiter_, nullptr);
    scope_ = other.scope_;
    key_ = std::move(other.key_);
    return *this;
  }
  ~ConnectionSlot() { Release(); }

 private:
  void Release() {
    if (limiter_ != nullptr) limiter_->ReleaseConnection(scope_, key_);
    limiter_ = nullptr;
  }
  Limiter* limiter_ = nullptr;
  LimitScope scope_ = LimitScope::kAddress;
  std::string key_;
};

}  // namespace hdhub::server

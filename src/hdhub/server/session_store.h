// SessionStore: the single sign-on sessions of `hdhub serve` and the logins
// in progress, in memory only (a restart logs everyone out).
//
//   - A session is keyed by the SHA-256 of its cookie's value (256 random
//     bits, base64url): the value itself is kept nowhere but in the browser.
//     It expires after `idle` without a request or `absolute` after the
//     login, whichever comes first; an expired session is removed when met.
//     Its CSRF token and its ID token (for the provider's logout only) are
//     SecretBytes.
//   - A login in progress (OidcLoginRecord) is keyed by the SHA-256 of its
//     state, bound to the browser that started it by a second cookie (the
//     SHA-256 of whose value it keeps), taken out once (single use), and
//     expires after kLoginLifetime (10 minutes).
// Both maps are bounded (kMaxSessions, kMaxLogins): beyond, the oldest
// entries make room.
//
// Thread-safety: every method may be called from several threads at once.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "hdhub/common/clock.h"
#include "hdhub/common/secret_bytes.h"
#include "hdhub/common/status.h"
#include "hdhub/directory/role.h"
#include "hdhub/server/oidc.h"

namespace hdhub::server {

inline constexpr size_t kMaxSessions = 100000;
inline constexpr size_t kMaxLogins = 10000;

struct SessionTimeouts {
  std::chrono::seconds idle{30 * 60};
  std::chrono::seconds absolute{12 * 3600};
};

// What a session holds (the ID token apart).
struct SessionInfo {
  std::string user;
  std::vector<directory::Role> roles;  // granted at login
  std::string issuer;                  // the identity, re-checked on each request
  std::string subject;
  SecretBytes csrf_token;  // base64url text
  TimePoint auth_time;     // when the provider authenticated the user
  TimePoint created_at;
  TimePoint expires_at;  // min(last request + idle, created_at + absolute)

  SessionInfo Clone() const;
};

// A login taken out of the store by its callback.
struct PendingLogin {
  OidcLoginRecord record;
  bool reauthenticate = false;
};

class SessionStore {
 public:
  SessionStore(const Clock& clock, SessionTimeouts timeouts) : clock_(clock), timeouts_(timeouts) {}

  // A new session for `info` (its csrf_token, created_at and expires_at are
  // made here) holding `id_token`; returns the cookie's value, shown once.
  StatusOr<SecretBytes> Create(SessionInfo info, SecretBytes id_token);
  // The session of cookie value `cookie`, its idle time restarted.
  // Unauthenticated when there is none or it expired (then removed).
  StatusOr<SessionInfo> Find(ByteSpan cookie);
  // Removes the session of `cookie`; its ID token when there was one.
  std::optional<SecretBytes> Remove(ByteSpan cookie);
  size_t session_count() const;

  // Keeps `login` until its callback; returns the value of the cookie that
  // binds it to this browser.
  StatusOr<SecretBytes> AddLogin(PendingLogin login);
  // Takes out the login whose state is `state` when `binding` is its
  // browser's cookie value. Unauthenticated when there is none, the binding
  // differs (the login stays for its own browser) or it expired.
  StatusOr<PendingLogin> TakeLogin(std::string_view state, ByteSpan binding);

 private:
  struct Session {
    SessionInfo info;
    SecretBytes id_token;
    TimePoint last_seen;
  };
  struct Login {
    PendingLogin login;
    std::string binding_sha256;
  };
  TimePoint ExpiryOf(const Session& s) const;
  void PurgeLocked(TimePoint now);

  const Clock& clock_;
  const SessionTimeouts timeouts_;
  mutable std::mutex mu_;
  std::map<std::string, Session> sessions_;  // by hex SHA-256 of the cookie; guarded by mu_
  std::map<std::string, Login> logins_;      // by hex SHA-256 of the state; guarded by mu_
};

}  // namespace hdhub::server

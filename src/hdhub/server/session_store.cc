#include "hdhub/server/session_store.h"

#include <algorithm>

#include "hdhub/common/bytes.h"
#include "hdhub/crypto/hash.h"

namespace hdhub::server {
namespace {

std::string Key(ByteSpan value) { return HexEncode(crypto::Sha256(value)); }

// Removes the entry of `map` that `older` ranks first, to make room.
template <typename Map, typename Older>
void EvictOne(Map& map, Older older) {
  auto oldest = std::min_element(map.begin(), map.end(), older);
  if (oldest != map.end()) map.erase(oldest);
}

}  // namespace

SessionInfo SessionInfo::Clone() const {
  return SessionInfo{.user = user,
                     .roles = roles,
                     .issuer = issuer,
                     .subject = subject,
                     .csrf_token = csrf_token.Clone(),
                     .auth_time = auth_time,
                     .created_at = created_at,
                     .expires_at = expires_at};
}

TimePoint SessionStore::ExpiryOf(const Session& s) const {
  return std::min(s.last_seen + timeouts_.idle, s.info.created_at + timeouts_.absolute);
}

void SessionStore::PurgeLocked(TimePoint now) {
  std::erase_if(sessions_, [&](const auto& entry) { return now >= ExpiryOf(entry.second); });
  std::erase_if(logins_,
                [&](const auto& entry) { return now - entry.second.login.record.created_at > kLoginLifetime; });
}

StatusOr<SecretBytes> SessionStore::Create(SessionInfo info, SecretBytes id_token) {
  ASSIGN_OR_RETURN(SecretBytes cookie, RandomToken());
  ASSIGN_OR_RETURN(info.csrf_token, RandomToken());
  const TimePoint now = clock_.Now();
  info.created_at = now;
  Session session{.info = std::move(info), .id_token = std::move(id_token), .last_seen = now};
  session.info.expires_at = ExpiryOf(session);
  std::lock_guard lock(mu_);
  PurgeLocked(now);
  if (sessions_.size() >= kMaxSessions) {
    EvictOne(sessions_, [](const auto& a, const auto& b) { return a.second.last_seen < b.second.last_seen; });
  }
  sessions_.insert_or_assign(Key(cookie.span()), std::move(session));
  return cookie;
}

StatusOr<SessionInfo> SessionStore::Find(ByteSpan cookie) {
  const Status refused = UnauthenticatedError("no session, or it expired: log in again");
  if (cookie.empty()) return refused;
  const TimePoint now = clock_.Now();
  std::lock_guard lock(mu_);
  auto it = sessions_.find(Key(cookie));
  if (it == sessions_.end()) return refused;
  if (now >= ExpiryOf(it->second)) {
    sessions_.erase(it);
    return refused;
  }
  it->second.last_seen = now;
  it->second.info.expires_at = ExpiryOf(it->second);
  return it->second.info.Clone();
}

std::optional<SecretBytes> SessionStore::Remove(ByteSpan cookie) {
  std::lock_guard lock(mu_);
  auto it = sessions_.find(Key(cookie));
  if (it == sessions_.end()) return std::nullopt;
  SecretBytes id_token = std::move(it->second.id_token);
  sessions_.erase(it);
  return id_token;
}

size_t SessionStore::session_count() const {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

StatusOr<SecretBytes> SessionStore::AddLogin(PendingLogin login) {
  ASSIGN_OR_RETURN(SecretBytes binding, RandomToken());
  const std::string key = Key(login.record.state.span());
  std::lock_guard lock(mu_);
  PurgeLocked(clock_.Now());
  if (logins_.size() >= kMaxLogins) {
    EvictOne(logins_, [](const auto& a, const auto& b) {
      return a.second.login.record.created_at < b.second.login.record.created_at;
    });
  }
  logins_.insert_or_assign(key, Login{.login = std::move(login), .binding_sha256 = Key(binding.span())});
  return binding;
}

StatusOr<PendingLogin> SessionStore::TakeLogin(std::string_view state, ByteSpan binding) {
  const Status refused = UnauthenticatedError("login refused: unknown, used or expired login; start again");
  if (state.empty() || binding.empty()) return refused;
  std::lock_guard lock(mu_);
  auto it = logins_.find(Key(AsBytes(state)));
  if (it == logins_.end()) return refused;
  if (!ConstantTimeEquals(AsBytes(Key(binding)), AsBytes(it->second.binding_sha256))) return refused;
  PendingLogin login = std::move(it->second.login);
  logins_.erase(it);
  if (clock_.Now() - login.record.created_at > kLoginLifetime) return refused;
  return login;
}

}  // namespace hdhub::server

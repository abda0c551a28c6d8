// SessionRegistry: the live sessions of a server by their BackendKeyData
// (process id and secret key), so that a CancelRequest, which arrives on a
// connection of its own, reaches the statement it names.
//
// Thread-safe. A session is registered for as long as it lives;
// Unregister returns only once no Cancel is running on it, so the session
// may then destroy it.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>

#include "hdhub/common/status.h"
#include "hdhub/pgwire/session.h"

namespace hdhub::server {

struct BackendKey {
  uint32_t process_id = 0;
  uint32_t secret_key = 0;
};

class SessionRegistry {
 public:
  // A fresh random key (a process id no live session has) for `session`.
  // Internal when the random generator fails.
  StatusOr<BackendKey> Register(pgwire::ProtocolSession* session);
  void Unregister(uint32_t process_id);

  // Cancels the statement of the session with this key, comparing the
  // secret in constant time; false when no session has it (nothing said to
  // the client either way, as PostgreSQL).
  bool Cancel(const BackendKey& key);

 private:
  std::mutex mu_;
  std::map<uint32_t, std::pair<uint32_t, pgwire::ProtocolSession*>> sessions_;  // pid -> (secret, session)
};

}  // namespace hdhub::server

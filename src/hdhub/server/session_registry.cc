#include "hdhub/server/session_registry.h"

#include <openssl/crypto.h>

#include "hdhub/common/bytes.h"
#include "hdhub/crypto/random.h"

namespace hdhub::server {

StatusOr<BackendKey> SessionRegistry::Register(pgwire::ProtocolSession* session) {
  for (;;) {
    ASSIGN_OR_RETURN(Bytes random, crypto::RandomBytes(8));
    BackendKey key{GetBigEndian32(random.data()) & 0x7fffffff, GetBigEndian32(random.data() + 4)};
    if (key.process_id == 0) continue;  // psql shows it; keep it positive and non-zero
    std::lock_guard<std::mutex> lock(mu_);
    if (sessions_.emplace(key.process_id, std::make_pair(key.secret_key, session)).second) return key;
  }
}

void SessionRegistry::Unregister(uint32_t process_id) {
  std::lock_guard<std::mutex> lock(mu_);
  sessions_.erase(process_id);
}

bool SessionRegistry::Cancel(const BackendKey& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(key.process_id);
  if (it == sessions_.end()) return false;
  if (::CRYPTO_memcmp(&it->second.first, &key.secret_key, sizeof key.secret_key) != 0) return false;
  it->second.second->Cancel();
  return true;
}

}  // namespace hdhub::server

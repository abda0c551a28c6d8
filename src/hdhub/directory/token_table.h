// Internal to the directory: reads and writes of the api_token table and of
// the SCRAM tables beside it (user_scram_salt, api_token_scram). No
// permission checks and no events here; Directory calls these inside its
// transactions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/catalog/sqlite.h"
#include "hdhub/crypto/hash.h"
#include "hdhub/crypto/scram_keys.h"
#include "hdhub/directory/directory.h"

namespace hdhub::directory::internal {

struct TokenRow {
  TokenRecord record;
  Bytes secret_sha256;  // never leaves the directory
};

Status InsertToken(catalog::Database& db, const TokenRecord& token, const crypto::Digest& secret_sha256);
// The token `id`, or nullopt.
StatusOr<std::optional<TokenRow>> FindToken(catalog::Database& db, std::string_view id);
// Tokens of `user` (or of everyone) by creation time, then id.
StatusOr<std::vector<TokenRecord>> ListTokenRecords(catalog::Database& db, const std::optional<std::string>& user);
Status SetTokenRevoked(catalog::Database& db, std::string_view id, TimePoint now);

// A user's SCRAM salt, under which every one of its tokens' keys is made.
struct ScramSalt {
  Bytes salt;
  int iterations = 0;
};
// The salt of `user`; an empty one (no bytes) when none was made yet.
StatusOr<ScramSalt> FindScramSalt(catalog::Database& db, std::string_view user);
Status InsertScramSalt(catalog::Database& db, std::string_view user, const ScramSalt& salt, TimePoint now);
Status InsertTokenScramKeys(catalog::Database& db, std::string_view token_id, const crypto::ScramKeys& keys);

struct TokenScramKeys {
  std::string token_id;
  crypto::ScramKeys keys;
};
// The keys of `user`'s tokens neither revoked nor expired at `now`, by
// creation time, then id. Tokens without keys (issued before schema
// version 4) are left out.
StatusOr<std::vector<TokenScramKeys>> UsableTokenScramKeys(catalog::Database& db, std::string_view user, TimePoint now);

}  // namespace hdhub::directory::internal

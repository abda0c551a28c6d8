// Internal to the directory: reads and writes of the api_token table. No
// permission checks and no events here; Directory calls these inside its
// transactions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/catalog/sqlite.h"
#include "hdhub/crypto/hash.h"
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

}  // namespace hdhub::directory::internal

#include "hdhub/directory/token_table.h"

#include <algorithm>

#include "hdhub/directory/sql_util.h"

namespace hdhub::directory::internal {
namespace {

constexpr std::string_view kTokenColumns =
    "SELECT id, user_name, label, created_at_us, expires_at_us, revoked_at_us, secret_sha256 FROM api_token ";

TokenRow ReadToken(const catalog::Statement& row) {
  TokenRow token;
  token.record.id = row.ColumnText(0);
  token.record.user = row.ColumnText(1);
  token.record.label = row.ColumnText(2);
  token.record.created_at = FromMicros(row.ColumnInt64(3));
  token.record.expires_at = FromMicros(row.ColumnInt64(4));
  token.record.revoked_at = OptionalTime(row, 5);
  token.secret_sha256 = row.ColumnBlob(6);
  return token;
}

}  // namespace

Status InsertToken(catalog::Database& db, const TokenRecord& token, const crypto::Digest& secret_sha256) {
  return Execute(db,
                 "INSERT INTO api_token (id, user_name, secret_sha256, label, created_at_us, expires_at_us) "
                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                 token.id, token.user, ByteSpan(secret_sha256), token.label, ToMicros(token.created_at),
                 ToMicros(token.expires_at));
}

StatusOr<std::optional<TokenRow>> FindToken(catalog::Database& db, std::string_view id) {
  ASSIGN_OR_RETURN(catalog::Statement select, Prepare(db, std::string(kTokenColumns) + "WHERE id = ?1", id));
  ASSIGN_OR_RETURN(bool found, select.Step());
  if (!found) return std::optional<TokenRow>();
  return std::optional<TokenRow>(ReadToken(select));
}

StatusOr<std::vector<TokenRecord>> ListTokenRecords(catalog::Database& db, const std::optional<std::string>& user) {
  // ?1 IS NULL selects every user's tokens.
  ASSIGN_OR_RETURN(catalog::Statement select,
                   db.Prepare(std::string(kTokenColumns) + "WHERE ?1 IS NULL OR user_name = ?1 ORDER BY "
                                                           "created_at_us, id"));
  RETURN_IF_ERROR(user ? select.BindText(1, *user) : select.BindNull(1));
  std::vector<TokenRecord> tokens;
  while (true) {
    ASSIGN_OR_RETURN(bool has_row, select.Step());
    if (!has_row) return tokens;
    tokens.push_back(ReadToken(select).record);
  }
}

Status SetTokenRevoked(catalog::Database& db, std::string_view id, TimePoint now) {
  return Execute(db, "UPDATE api_token SET revoked_at_us = ?2 WHERE id = ?1", id, ToMicros(now));
}

StatusOr<ScramSalt> FindScramSalt(catalog::Database& db, std::string_view user) {
  ASSIGN_OR_RETURN(catalog::Statement select,
                   Prepare(db, "SELECT salt, iterations FROM user_scram_salt WHERE user_name = ?1", user));
  ASSIGN_OR_RETURN(bool found, select.Step());
  if (!found) return ScramSalt{};
  return ScramSalt{select.ColumnBlob(0), static_cast<int>(select.ColumnInt64(1))};
}

Status InsertScramSalt(catalog::Database& db, std::string_view user, const ScramSalt& salt, TimePoint now) {
  return Execute(db, "INSERT INTO user_scram_salt (user_name, salt, iterations, created_at_us) VALUES (?1, ?2, ?3, ?4)",
                 user, ByteSpan(salt.salt), int64_t{salt.iterations}, ToMicros(now));
}

Status InsertTokenScramKeys(catalog::Database& db, std::string_view token_id, const crypto::ScramKeys& keys) {
  return Execute(db, "INSERT INTO api_token_scram (token_id, stored_key, server_key) VALUES (?1, ?2, ?3)", token_id,
                 ByteSpan(keys.stored_key), ByteSpan(keys.server_key));
}

StatusOr<std::vector<TokenScramKeys>> UsableTokenScramKeys(catalog::Database& db, std::string_view user,
                                                           TimePoint now) {
  ASSIGN_OR_RETURN(catalog::Statement select,
                   Prepare(db,
                           "SELECT t.id, s.stored_key, s.server_key FROM api_token t "
                           "JOIN api_token_scram s ON s.token_id = t.id "
                           "WHERE t.user_name = ?1 AND t.revoked_at_us IS NULL AND t.expires_at_us > ?2 "
                           "ORDER BY t.created_at_us, t.id",
                           user, ToMicros(now)));
  std::vector<TokenScramKeys> usable;
  while (true) {
    ASSIGN_OR_RETURN(bool has_row, select.Step());
    if (!has_row) return usable;
    const Bytes stored = select.ColumnBlob(1), server = select.ColumnBlob(2);
    if (stored.size() != crypto::kSha256Size || server.size() != crypto::kSha256Size) {
      return DataLossError("directory: a token's SCRAM keys are not 32 bytes");
    }
    TokenScramKeys row{.token_id = select.ColumnText(0)};
    std::copy(stored.begin(), stored.end(), row.keys.stored_key.begin());
    std::copy(server.begin(), server.end(), row.keys.server_key.begin());
    usable.push_back(std::move(row));
  }
}

}  // namespace hdhub::directory::internal

// Directory: the hub's users, their roles, passwords and API tokens, with
// lockout after repeated password failures. Every change, refusal and
// authentication is an audit event. Tables: docs/formats/directory.md.
//
// State lives in the hub's SQLite database (Hub::database_path(), the same
// file as the catalog) on the Directory's own connection, under its own
// schema component ("directory"). Passwords are kept as Argon2id PHC strings
// (password_hash.h); tokens as the SHA-256 of their 256-bit secret (token.h),
// and, for the PG wire's SCRAM-SHA-256, as StoredKey/ServerKey derived from
// the token's text under the user's one SCRAM salt (crypto/scram_keys.h).
// Times come from the injected Clock only.
//
// Who may act: every call takes the acting audit::Actor, and the one policy
// (policy.h) decides whether its role may make the call; the actor must also
// be an active directory user holding that role, checked in the same
// transaction as the change. There is no implicit operator: the first
// operator is created by CreateFirstOperator (hdhub init), and from the second
// on, the operator role takes two operators (GrantRole). A refusal is
// PermissionDenied and is logged with outcome "denied"; a call that fails for
// another reason is logged with outcome "error" and changes nothing
// (audit::Record).
//
// Logging: the success event is appended inside the write transaction, so a
// change whose event cannot be logged is rolled back and the call fails with
// the log's error. No event, message or log line holds a password, token,
// hash or salt.
//
// Ownership: borrows the Clock and the AuditLog, which must outlive it.
// Thread-safety: all methods may be called from several threads (one mutex
// guards the connection). Verifying a password runs Argon2 outside the mutex
// and any transaction; hashing a new one (CreateUser, SetPassword, rare
// operator actions) runs inside the write transaction, so that the change is
// checked, made and logged at once. Several Directory objects, in one or
// several processes, may share the database.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/audit/audit_log.h"
#include "hdhub/catalog/sqlite.h"
#include "hdhub/common/clock.h"
#include "hdhub/common/secret_bytes.h"
#include "hdhub/common/status.h"
#include "hdhub/crypto/scram_keys.h"
#include "hdhub/directory/password_hash.h"
#include "hdhub/directory/policy.h"
#include "hdhub/directory/role.h"

namespace hdhub::directory {

inline constexpr size_t kMaxUserNameSize = 64;
inline constexpr size_t kMaxPasswordSize = 1024;
inline constexpr size_t kMaxTokenLabelSize = 64;
inline constexpr std::chrono::days kMaxTokenTtl{365};
// The actor of an authentication event whose user does not exist: the name
// that was tried is never logged (it is often a password typed in the wrong field).
inline constexpr std::string_view kUnknownActor = "unknown";

struct DirectoryOptions {
  Argon2Cost password_cost;   // for new hashes; old hashes keep their own
  int lockout_threshold = 5;  // consecutive password failures that lock an account
  std::chrono::microseconds lockout_duration = std::chrono::minutes(15);
  size_t min_password_length = 12;  // bytes of UTF-8

  // Cheap Argon2id (see Argon2Cost::InsecureLowCostForTest), other settings as default.
  static DirectoryOptions InsecureLowCostForTest();
};

enum class UserState { kActive, kDisabled };

// What a role grant did: granted, or recorded as awaiting a second operator.
enum class GrantState { kGranted, kPending };
std::string_view UserStateName(UserState state);  // "active", "disabled"

// A user as listed: never a password hash.
struct UserRecord {
  std::string name;
  std::vector<Role> roles;  // in kAllRoles order, at least one
  UserState state = UserState::kActive;
  TimePoint created_at;
  int64_t failed_attempts = 0;            // consecutive failures since the last success or lockout
  std::optional<TimePoint> locked_until;  // set while the account is locked
};

// A token as listed: never its secret or the secret's hash.
struct TokenRecord {
  std::string id;
  std::string user;
  std::string label;
  TimePoint created_at;
  TimePoint expires_at;
  std::optional<TimePoint> revoked_at;
};

// What IssueToken returns, once: the token text exists nowhere else.
struct IssuedToken {
  std::string id;
  SecretBytes token;  // "hdh_<id>_<secret>"
  TimePoint expires_at;
};

// An identity of an OpenID provider linked to an account (single sign-on).
// The subject is the provider's identifier of a person: shown to operators,
// never logged.
struct OidcLink {
  std::string issuer;
  std::string subject;
  std::string user;
  TimePoint linked_at;
  std::string linked_by;
};
inline constexpr size_t kMaxOidcIssuerSize = 512;
inline constexpr size_t kMaxOidcSubjectSize = 255;  // OIDC Core §2: at most 255 ASCII characters

// What a SCRAM-SHA-256 login (pgwire/scram.h) checks a user's proof
// against: the user's one salt, and the keys of each of its tokens that
// would authenticate now, all made under that salt, with the tokens' ids in
// the same order. Never a token or its secret's hash.
struct TokenVerifiers {
  int iterations = crypto::kScramIterations;
  Bytes salt;                           // empty when the user has none (unknown, or no token since version 4)
  std::vector<crypto::ScramKeys> keys;  // empty when the user is unknown or disabled, or has no usable token
  std::vector<std::string> token_ids;   // parallel to keys
};

class Directory {
 public:
  // Opens the directory's tables in the database at `db_path`, creating or
  // migrating them. InvalidArgument for bad options; NotFound when the
  // directory of `db_path` does not exist; DataLoss when the file is not an
  // SQLite database; FailedPrecondition when it was written by a newer hdhub.
  // `cipher`: the hub's state is encrypted on disk (catalog/sqlite_cipher.h).
  static StatusOr<std::unique_ptr<Directory>> Open(const std::string& db_path, Clock* clock, audit::AuditLog* log,
                                                   DirectoryOptions options = {},
                                                   std::shared_ptr<const catalog::SqliteCipher> cipher = nullptr);

  // True for [a-z][a-z0-9._-]{0,63}.
  static bool IsValidUserName(std::string_view name);

  // Each change below returns OK once done and logged, or: PermissionDenied
  // for an actor that may not make it; InvalidArgument for a malformed name,
  // label or password, or an empty role list; NotFound for an unknown user,
  // role grant or token; the log's error when its event cannot be logged.

  // Creates the hub's first account, an operator acting for themselves (event
  // user.create with details.bootstrap). FailedPrecondition once the
  // directory holds any user: later accounts are created by an operator.
  Status CreateFirstOperator(std::string_view user, const SecretBytes& password);
  // Creates an active user (event user.create). AlreadyExists when the name
  // is taken; FailedPrecondition for the operator role once two operators
  // exist (it is granted afterwards, by two operators: GrantRole).
  Status CreateUser(const audit::Actor& actor, std::string_view user, const std::vector<Role>& roles,
                    const SecretBytes& password);
  // Replaces the password and releases any lockout (event user.password).
  // Allowed to an operator, or to the user themselves acting in a role they hold.
  Status SetPassword(const audit::Actor& actor, std::string_view user, const SecretBytes& password);
  // Event user.role_grant. AlreadyExists when the user holds the role.
  // Dual control: while fewer than two active operators exist, an operator
  // grants the operator role alone (the first operator adds the second);
  // after that the first operator's grant is kPending until a second,
  // different operator grants the same role (then kGranted);
  // FailedPrecondition when the operator who asked asks again.
  StatusOr<GrantState> GrantRole(const audit::Actor& actor, std::string_view user, Role role);
  // Event user.role_revoke. NotFound when the user does not hold the role;
  // FailedPrecondition for a user's last role or the last active operator's
  // operator role.
  Status RevokeRole(const audit::Actor& actor, std::string_view user, Role role);
  // A disabled user cannot authenticate, by password or token (event
  // user.disable). FailedPrecondition when already disabled or the last active operator.
  Status DisableUser(const audit::Actor& actor, std::string_view user);
  // Event user.enable. FailedPrecondition when already active.
  Status EnableUser(const audit::Actor& actor, std::string_view user);
  // Every user by name (event user.list); operators and auditors.
  StatusOr<std::vector<UserRecord>> ListUsers(const audit::Actor& actor);

  // A new token for an active user, valid for `ttl` (at most kMaxTokenTtl),
  // with an optional `label` of at most 64 characters of [A-Za-z0-9._:@/-]
  // (event token.issue). FailedPrecondition when the user is disabled.
  // Stores its SCRAM keys too (PBKDF2, 4096 iterations, a few milliseconds),
  // under the user's salt, made with the user's first such token: the token
  // is also the user's password on the PG wire.
  StatusOr<IssuedToken> IssueToken(const audit::Actor& actor, std::string_view user, std::chrono::microseconds ttl,
                                   std::string_view label = "");
  // Event token.revoke. FailedPrecondition when already revoked.
  Status RevokeToken(const audit::Actor& actor, std::string_view token_id);
  // Tokens by creation time, of `user` or of everyone (event token.list);
  // operators and auditors. NotFound for an unknown user.
  StatusOr<std::vector<TokenRecord>> ListTokens(const audit::Actor& actor,
                                                const std::optional<std::string>& user = std::nullopt);

  // Single sign-on (oidc_links.cc; docs/formats/directory.md, oidc_identity).
  // Links the identity (`issuer`, `subject`) to `user` (event
  // user.oidc_link, objects.user, details.issuer; never the subject).
  // InvalidArgument for an issuer that is not an http(s) URL or a subject
  // that is empty, too long or not printable ASCII; AlreadyExists when the
  // identity is linked (to any account) or `user` already has an identity of
  // that issuer; FailedPrecondition when `user` is disabled.
  Status LinkOidc(const audit::Actor& actor, std::string_view user, std::string_view issuer, std::string_view subject);
  // Removes `user`'s link to `issuer` (event user.oidc_unlink). NotFound
  // when there is none.
  Status UnlinkOidc(const audit::Actor& actor, std::string_view user, std::string_view issuer);
  // Every link, of `user` or of everyone, by user then issuer (event
  // user.list with details.oidc: operators and auditors).
  StatusOr<std::vector<OidcLink>> ListOidcLinks(const audit::Actor& actor,
                                                const std::optional<std::string>& user = std::nullopt);
  // The account the identity is linked to, with its roles, and whether it
  // is active; nullopt when the identity is linked to none. Not logged: the
  // caller (Service::AuthenticateOidc) logs the login.
  struct OidcAccountMatch {
    Principal principal;
    bool active = false;
  };
  StatusOr<std::optional<OidcAccountMatch>> OidcAccount(std::string_view issuer, std::string_view subject);

  // The principal for `user` and `password` (event auth.password).
  // Unauthenticated, with one message for every reason (unknown user,
  // disabled, locked, wrong password), so the answer reveals nothing about
  // the account. lockout_threshold consecutive wrong passwords lock the
  // account for lockout_duration (event auth.lockout), during which even the
  // right password is refused; a success resets the count. Argon2 runs for
  // unknown users too, so timing does not tell them apart. `source` (the
  // client address, e.g. "local") is logged as details.source when it is an
  // identifier.
  StatusOr<Principal> AuthenticatePassword(std::string_view user, const SecretBytes& password,
                                           std::string_view source = {});
  // The principal owning `token` (event auth.token). Unauthenticated for a
  // malformed, unknown, altered, expired or revoked token, or one whose user
  // is disabled. Tokens are not subject to password lockout.
  StatusOr<Principal> AuthenticateToken(const SecretBytes& token, std::string_view source = {});

  // Whether `user` is an active account holding `role` now (for sessions
  // that re-check their account before each statement).
  StatusOr<bool> HoldsActiveRole(std::string_view user, Role role);
  // Whether the token `token_id` would authenticate now: it exists, is
  // neither revoked nor expired, and its user is active (for sessions opened
  // with a token, before each statement). False for a malformed id. Not logged.
  StatusOr<bool> TokenIsValid(std::string_view token_id);

  // SCRAM-SHA-256 logins (the PG wire), in two steps around the exchange.
  // First: the salt of `user` and the keys of its tokens that would
  // authenticate now (not revoked, not expired, issued with keys, i.e. since
  // directory schema version 4, of an active user). Not an error for an
  // unknown, malformed or disabled user: no keys, and no salt when it has
  // none (the caller then answers with mock credentials). Not logged.
  StatusOr<TokenVerifiers> ScramVerifiersOf(std::string_view user);
  // Then: the outcome (event auth.token, details.mechanism "scram-sha-256",
  // objects.token the id of the matched token). `matched_token_id` names the
  // token whose keys the client's proof matched, nullopt when none did. The
  // principal of `user` when that token is `user`'s and still authenticates
  // (checked again: it may have been revoked since ScramVerifiersOf);
  // Unauthenticated, with one message for every reason, otherwise.
  StatusOr<Principal> AuthenticateScram(std::string_view user, const std::optional<std::string>& matched_token_id,
                                        std::string_view source = {});

  // Only Open() can make a Passkey, so only Open() constructs.
  class Passkey {
    friend class Directory;
    Passkey() = default;
  };
  Directory(Passkey, std::unique_ptr<catalog::Database> db, Clock* clock, audit::AuditLog* log,
            DirectoryOptions options);

 private:
  using Body = std::function<Status(audit::Event& event)>;

  // One audited call by `actor`: in one write transaction, asks the policy
  // about `op` (the "user" object of `event` is the self it may allow), runs
  // `body`, which changes the tables and may add to the event, appends the
  // event and commits. Refusals and failures are rolled back and logged.
  Status Audited(const audit::Actor& actor, Operation op, audit::Event event, const Body& body);
  // The transaction of Audited without the policy question (CreateFirstOperator
  // asks instead whether the directory is empty): `body` changes the tables,
  // the event is appended before COMMIT; a failure is rolled back and logged.
  Status InTransaction(audit::Event event, const Body& body);
  Status MayAct(const audit::Actor& actor, Operation op, std::string_view target);
  Status CheckNewPassword(const SecretBytes& password) const;
  Status InsertNewUser(std::string_view user, const std::vector<Role>& roles, const SecretBytes& password,
                       audit::Event& event);
  Status CheckLastOperator(std::string_view user, std::string_view what);

  // Authentication steps (authenticate.cc).
  struct LoginCheck;
  StatusOr<LoginCheck> CheckLogin(std::string_view user, const SecretBytes& password);
  StatusOr<Principal> FinishLogin(std::string_view user, const LoginCheck& check, std::string_view source);
  StatusOr<Principal> CheckToken(const SecretBytes& text, audit::Event& event);
  StatusOr<Principal> CheckScram(std::string_view user, const std::optional<std::string>& matched_token_id,
                                 audit::Event& event);
  // Why `token` would not authenticate now ("revoked", "expired", "disabled"
  // for its owner), or empty when it would.
  StatusOr<std::string_view> TokenRefusal(const TokenRecord& token);
  StatusOr<Principal> LoadPrincipal(const std::string& user);

  std::unique_ptr<catalog::Database> db_;
  Clock* clock_;
  audit::AuditLog* log_;
  const DirectoryOptions options_;
  std::mutex mu_;  // guards db_ (one thread at a time on a connection)
};

}  // namespace hdhub::directory

// Service: PG wire logins (SCRAM-SHA-256 with an API token as the password)
// and the credential check project sessions run before each statement.
#include "hdhub/audit/recorder.h"
#include "hdhub/crypto/random.h"
#include "hdhub/service/service.h"

namespace hdhub::service {

using directory::Role;

const crypto::HmacSha256& Service::ScramMockKey() {
  std::call_once(scram_mock_key_once_, [this] {
    // From the key store: the same key at every start of this hub, so an
    // unknown name's salt does not change at a restart while a real
    // account's stays (which would tell them apart). Logged once (key.derive).
    StatusOr<std::unique_ptr<crypto::HmacSha256>> derived = hub_->KeysFor(hub::HubActor())->HmacFor(kScramMockPurpose);
    if (derived.ok()) {
      scram_mock_key_ = *std::move(derived);
      return;
    }
    // The key store refused (logged as an error): a key of this process
    // alone; mock salts then change when it restarts. Without even
    // randomness the exchange cannot make its nonce and fails anyway.
    StatusOr<Bytes> random = crypto::RandomBytes(crypto::kSha256Size);
    SecretBytes key(random.ok() ? ByteSpan(*random) : AsBytes(kScramMockPurpose));
    scram_mock_key_ = *crypto::HmacSha256::Create(key);  // a non-empty key: Create cannot fail
  });
  return *scram_mock_key_;
}

PgLogin Service::PgwireLogin(std::string_view user) {
  // The mock is made for every name, so every login does the same work.
  PgLogin login{.scram = pgwire::ScramCredentials::Mock(ScramMockKey(), user)};
  StatusOr<directory::TokenVerifiers> found = hub_->directory().ScramVerifiersOf(user);
  if (!found.ok()) return login;
  // An account's own salt, even disabled or without a usable token, so
  // that what a client is told does not change with the account's state.
  if (!found->salt.empty()) {
    login.scram.salt = std::move(found->salt);
    login.scram.iterations = found->iterations;
  }
  if (found->keys.empty()) return login;
  login.scram.keys = std::move(found->keys);
  login.token_ids = std::move(found->token_ids);
  return login;
}

StatusOr<RequestContext> Service::AuthenticatePgwire(std::string_view user, std::optional<std::string> matched_token_id,
                                                     std::string client_address) {
  RequestContext ctx;
  ASSIGN_OR_RETURN(ctx.principal_, hub_->directory().AuthenticateScram(user, matched_token_id, client_address));
  ctx.auth_method_ = AuthMethod::kToken;
  ctx.token_id_ = std::move(matched_token_id);
  RETURN_IF_ERROR(Stamp(ctx, std::move(client_address), std::nullopt));
  return ctx;
}

Status Service::RecordLockout(std::string_view scope, std::string_view key, std::string_view client_address,
                              uint32_t failures, std::chrono::seconds duration) {
  const audit::Actor hub = hub::HubActor();
  audit::Event e{.actor = hub.id, .role = hub.role, .action = "auth.lockout"};
  e.details["scope"] = scope == "account" ? "account" : "address";
  StatusOr<IpAddress> address = ParseIpAddress(client_address);
  if (address.ok()) e.details["source"] = std::string(client_address);
  e.details["failures"] = failures;
  e.details["seconds"] = duration.count();
  if (scope == "account" && directory::Directory::IsValidUserName(key)) e.objects["user"] = std::string(key);
  const Status refused = UnauthenticatedError("logins locked out after repeated failures");
  Status logged = audit::Record(hub_->audit(), std::move(e), refused);
  return logged.code() == StatusCode::kUnauthenticated ? OkStatus() : logged;
}

projects::ProjectSession::CredentialCheck Service::CredentialCheckFor(const RequestContext& ctx) {
  directory::Directory* accounts = &hub_->directory();
  return [accounts, user = ctx.principal().user, token_id = ctx.token_id()]() -> Status {
    ASSIGN_OR_RETURN(bool active, accounts->HoldsActiveRole(user, Role::kResearcher));
    if (!active) return UnauthenticatedError("the account is disabled or no longer a researcher");
    if (!token_id) return OkStatus();
    ASSIGN_OR_RETURN(bool valid, accounts->TokenIsValid(*token_id));
    if (!valid) {
      return UnauthenticatedError("the API token this session was opened with is revoked or expired; log in again");
    }
    return OkStatus();
  };
}

}  // namespace hdhub::service

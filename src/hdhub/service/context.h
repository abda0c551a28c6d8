// RequestContext: who makes one request, and about it. Every service
// operation takes one; nothing shared holds per-request state.
//
// Only Service::Authenticate, Service::AuthenticatePgwire and the single
// sign-on ones (Service::AuthenticateOidc, AuthenticateOidcSession) make a
// context (from a token, a password, a PG wire SCRAM login checked by the
// directory, or an OpenID Connect identity linked to the account), so
// holding one means the account was authenticated for this request. Thread-safety: a value.
#pragma once

#include <optional>
#include <string>

#include "hdhub/common/clock.h"
#include "hdhub/directory/role.h"

namespace hdhub::service {

class Service;

// kOidc: single sign-on; the principal's roles are then those of the
// account that the provider's groups (and acr) grant, not all it holds.
enum class AuthMethod { kToken, kPassword, kOidc };

class RequestContext {
 public:
  const directory::Principal& principal() const { return principal_; }
  AuthMethod auth_method() const { return auth_method_; }
  // The id of the API token that authenticated the request (an API token
  // presented, or the PG wire password); none for a password. Sessions
  // check it again before each statement (Service::CredentialCheckFor).
  const std::optional<std::string>& token_id() const { return token_id_; }
  // The role the caller asked to act in (--as), if any.
  const std::optional<directory::Role>& requested_role() const { return requested_role_; }
  const std::string& request_id() const { return request_id_; }          // 16 hex digits, random
  const std::string& client_address() const { return client_address_; }  // "local" at the hub's terminal
  TimePoint time() const { return time_; }                               // when authenticated

 private:
  friend class Service;
  RequestContext() = default;

  directory::Principal principal_;
  AuthMethod auth_method_ = AuthMethod::kToken;
  std::optional<std::string> token_id_;
  std::optional<directory::Role> requested_role_;
  std::string request_id_;
  std::string client_address_;
  TimePoint time_;
};

}  // namespace hdhub::service

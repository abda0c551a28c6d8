// PgBackend: what the PG-wire server (pg_server.h) asks of the hub, and all
// it knows of it. The server speaks the protocol, runs TLS and SCRAM, and
// hands each authenticated session's statements to the Engine that Open
// returns; who may connect to which project, the audit record of every
// attempt and the per-query limits are the backend's (the service layer's).
//
// Thread-safety: the server calls both methods from its worker threads,
// several connections at once; an implementation must be thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/common/status.h"
#include "hdhub/pgwire/engine.h"
#include "hdhub/pgwire/scram.h"

namespace hdhub::server {

// What SCRAM checks a client's proof against: the keys of each of the
// account's API tokens, under the account's salt, and the tokens' ids in the
// same order (none for mock credentials).
struct PgAccount {
  pgwire::ScramCredentials credentials;
  std::vector<std::string> key_ids;
};

// One authentication attempt, as the server saw it.
struct PgLogin {
  std::string user;            // the StartupMessage's user
  std::string database;        // its database (the project id), the user when absent
  std::string client_address;  // "203.0.113.7" / "::1", for the audit record
  bool proof_ok = false;       // the SCRAM exchange succeeded
  std::string key_id;          // then: the id of the key (API token) its proof matched
};

class PgBackend {
 public:
  virtual ~PgBackend() = default;

  // The SCRAM credentials of `user`; for an unknown user mock ones
  // (ScramCredentials::Mock) that no proof matches, never an error, so that
  // neither the exchange nor its timing tells whether the account exists.
  virtual PgAccount Credentials(std::string_view user) = 0;

  // Records the attempt and, when `login.proof_ok` and the account may work
  // in `login.database`, returns the engine the session runs on (one DuckDB
  // connection, with the account's limits). Any refusal is an error; the
  // server answers every one the same way (28P01 "password authentication
  // failed for user …"), whatever its code, so there is no oracle.
  virtual StatusOr<std::unique_ptr<pgwire::Engine>> Open(const PgLogin& login) = 0;
};

}  // namespace hdhub::server

// HostRegistry: the hosts a hub knows (host.h) and its sovereignty policy
// (sovereignty_policy.h), kept in the hub's SQLite database
// (Hub::database_path()) under the component "hosts"
// (docs/formats/hosts.md). It stores and reads; who may change it is the
// service layer's question (directory/policy.h), which also logs each change.
//
// Ownership: owns its own connection. Thread-safety: every method may be
// called from several threads (one mutex over the connection).
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "hdhub/catalog/sqlite.h"
#include "hdhub/hosts/host.h"
#include "hdhub/hosts/sovereignty_policy.h"

namespace hdhub::hosts {

inline constexpr char kHostsComponent[] = "hosts";

// A policy proposed by one operator, waiting for a second one.
struct PendingPolicy {
  SovereigntyPolicy policy;
  std::string proposed_by;
  TimePoint proposed_at{};
};

// The policy in force, and who set it (empty: the default, never changed).
struct PolicyRecord {
  SovereigntyPolicy policy;
  std::string changed_by;
  std::optional<TimePoint> changed_at;
  std::optional<PendingPolicy> pending;
};

class HostRegistry {
 public:
  // Opens the registry in the database at `db_path`, applying its migrations.
  // Errors as catalog::Database::Open and catalog::ApplyMigrations.
  // `cipher`: the hub's state is encrypted on disk (catalog/sqlite_cipher.h).
  static StatusOr<std::unique_ptr<HostRegistry>> Open(const std::string& db_path,
                                                      std::shared_ptr<const catalog::SqliteCipher> cipher = nullptr);

  // Adds a host. InvalidArgument for a bad spec (ValidateHostSpec);
  // AlreadyExists when its name or its URI is already registered.
  Status Add(const HostSpec& spec, const std::string& by, TimePoint at);
  // Replaces what is declared of host spec.name (URI included) with `spec`.
  // NotFound for an unknown host; AlreadyExists when another host has the URI.
  Status Replace(const HostSpec& spec, const std::string& by, TimePoint at);
  // NotFound for an unknown host.
  StatusOr<HostRecord> Get(const std::string& name);
  // The host registered with exactly `uri`, if any.
  StatusOr<std::optional<HostRecord>> FindByUri(const std::string& uri);
  // Every host, by name.
  StatusOr<std::vector<HostRecord>> List();

  // The policy in force (the default until one is set) and any proposal.
  StatusOr<PolicyRecord> Policy();
  // Records `policy` as proposed by `by`, replacing any earlier proposal.
  Status ProposePolicy(const SovereigntyPolicy& policy, const std::string& by, TimePoint at);
  // Puts `policy` in force and forgets the proposal.
  Status ApplyPolicy(const SovereigntyPolicy& policy, const std::string& by, TimePoint at);

 private:
  explicit HostRegistry(std::unique_ptr<catalog::Database> db) : db_(std::move(db)) {}
  // Runs `sql`, an INSERT or UPDATE of one host (parameters in
  // host_registry.cc), then rewrites its qualifications. NotFound when it
  // changed no row.
  Status WriteHost(std::string_view sql, const HostSpec& spec, const std::string& by, TimePoint at);
  Status WriteQualifications(const HostSpec& spec);
  StatusOr<HostRecord> Read(catalog::Statement& row);

  std::mutex mu_;
  std::unique_ptr<catalog::Database> db_;
};

}  // namespace hdhub::hosts

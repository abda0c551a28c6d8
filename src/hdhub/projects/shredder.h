// Shredder: the end of a project (DESIGN §6). Closing a project, or sweeping
// the projects whose window has ended, deletes every workspace object from
// the host and destroys the project's keys (its pseudonymization key and its
// workspaces' data keys): whatever copy of the sealed objects survives
// anywhere is unreadable for good (crypto-shredding). Each shredding is an
// audit event (project.shred) with the number of objects deleted.
//
// Ownership: borrows everything. Thread-safety: one call at a time.
#pragma once

#include <string>
#include <vector>

#include "hdhub/audit/audit_log.h"
#include "hdhub/common/clock.h"
#include "hdhub/directory/role.h"
#include "hdhub/projects/project_store.h"
#include "hdhub/storage/sealed_store.h"

namespace hdhub::projects {

class Shredder {
 public:
  Shredder(ProjectStore* projects, storage::SealedStore* sealed, audit::AuditLog* log, Clock* clock)
      : projects_(projects), sealed_(sealed), log_(log), clock_(clock) {}

  // Closes an open project (operator only; audited by ProjectStore::Close)
  // and shreds it.
  Status Close(const directory::Principal& who, std::string_view project);
  // Shreds every project whose window has ended; returns their ids.
  // PermissionDenied unless `who` acts as operator (audited).
  StatusOr<std::vector<std::string>> Sweep(const directory::Principal& who);

 private:
  Status Shred(const audit::Actor& actor, std::string_view project, ProjectState final_state);

  ProjectStore* projects_;
  storage::SealedStore* sealed_;
  audit::AuditLog* log_;
  Clock* clock_;
};

}  // namespace hdhub::projects

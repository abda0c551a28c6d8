// Policy: the one table that decides who may do what in hdhub. Every
// operation a person can do is a row: the roles that may do it, the roles that
// may do it only as a member of the project concerned, whether the user an
// operation targets may do it to themselves, whether a member of the project
// is refused, and whether it takes two distinct accounts (dual control, which
// the operation enforces by keeping the first account's approval pending).
// docs/policy.md shows the same table; policy_test.cc holds it to that page.
//
// The code that acts (service layer, directory, projects) asks Authorize()
// with the facts it knows (membership, target user) and logs the decision
// through audit::Record; nothing else decides "who may".
//
// Thread-safety: constant data and pure functions.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/common/status.h"
#include "hdhub/directory/role.h"

namespace hdhub::directory {

enum class Operation {
  kPassphraseChange,
  kIngest,
  kCatalogRead,
  kCatalogQuery,
  kDatasetWithdraw,
  kDatasetRemove,
  kUserCreate,
  kUserList,
  kUserChange,  // disable, enable
  kUserPassword,
  kRoleGrant,
  kRoleRevoke,
  kTokenIssue,
  kTokenList,
  kTokenRevoke,
  kWhoami,
  kProjectCreate,
  kProjectChange,
  kProjectApprove,
  kProjectClose,
  kProjectRead,
  kProjectList,
  kProjectSweep,
  kWorkspaceBuild,
  kWorkspaceQuery,
  kAuditRead,
  kHostCheck,
  kAuditRecover,
  kHostRead,        // the host registry, the policy and each decision's evidence
  kHostChange,      // add a host, change what is declared of one
  kHostPolicy,      // change the sovereignty policy
  kKeysRotate,      // a new KEK, every wrapped key moved to it
  kHostMigrate,     // the hub's sealed objects moved to another host; the old one purged
  kHubRestore,      // a hub rebuilt from its host's backup, confirmed by an operator
  kKeysCustodians,  // the stage-2 key put in escrow with a new pair of custodians
  // The airlock (docs/airlock-workflow.md §5): an export request (create,
  // change, submit, withdraw), reading requests, their evidence (true
  // values), a checker's review, return or rejection, the release and its
  // downloads, the hub's rules, the transparency register.
  kAirlockRequest,
  kAirlockRead,
  kAirlockEvidence,
  kAirlockReview,
  kAirlockDecide,
  kAirlockRelease,
  kAirlockRules,
  kAirlockRegister,
  // The public transparency register (issue 11): projects approved and their
  // releases, read by anyone without an account, and a register entry's
  // proof (docs/formats/audit-log.md §9): the kPublic rows.
  kPublicRegister,
  kPublicRegisterProof,
  // Single sign-on (issue 11): an OpenID Connect identity linked to an
  // account, or unlinked.
  kOidcLink,
  kOidcUnlink,
};

enum PolicyFlag : unsigned {
  kSelf = 1,           // the targeted user may do it to themselves, in any role they hold
  kRefuseMembers = 2,  // a member of the project may not, whatever the role
  kDualControl = 4,    // a second, distinct account must confirm
  kPublic = 8,         // anyone, without an account (AuthorizePublic)
};

struct PolicyRule {
  Operation op;
  std::string_view action;         // the audit action logged for it
  std::vector<Role> roles;         // may do it
  std::vector<Role> member_roles;  // may do it as a member of the project
  unsigned flags = 0;              // PolicyFlag bits
  std::string_view note;           // why, for people

  bool Has(unsigned flag) const { return (flags & flag) != 0; }
};

// Facts about one request that the rules read.
struct PolicyFacts {
  bool member = false;  // the account is a member of the project concerned
  bool self = false;    // the account is the user the operation targets
};

// The whole table, in Operation order.
std::span<const PolicyRule> PolicyTable();
const PolicyRule& RuleFor(Operation op);

// Whether an account acting in `role` (which it holds) may do `op` given
// `facts`: OK, or PermissionDenied saying which rule refused.
Status Decide(Operation op, Role role, const PolicyFacts& facts);

// The role `who` acts in for `op`: `requested` when given (PermissionDenied
// when `who` does not hold it or the table refuses it), otherwise the first
// role `who` holds, in kAllRoles order, that the table allows. PermissionDenied
// naming the operation when none does.
StatusOr<Role> Authorize(const Principal& who, Operation op, const PolicyFacts& facts,
                         std::optional<Role> requested = std::nullopt);

// Whether a visitor without an account may do `op`: OK for a kPublic row,
// PermissionDenied naming the operation for every other one.
Status AuthorizePublic(Operation op);

}  // namespace hdhub::directory

#include "hdhub/directory/policy.h"

#include <algorithm>

namespace hdhub::directory {
namespace {

using R = Role;
constexpr R kOp = R::kOperator, kSt = R::kSteward, kRe = R::kResearcher, kCh = R::kChecker, kAu = R::kAuditor;

// The policy. Keep it in Operation order and in step with docs/policy.md.
// clang-format off
const std::vector<PolicyRule>& Table() {
  static const std::vector<PolicyRule> table = {
      // operation                   audit action        roles             member roles  flags
      {Operation::kPassphraseChange, "key.passphrase",   {kOp},            {},    0, "the passphrase unlocks keys; it grants no right"},
      {Operation::kIngest,           "ingest.run",       {kOp, kSt},       {},    0, "hub staff load extracts"},
      {Operation::kCatalogRead,      "catalog.read",     {kOp, kSt, kAu},  {},    0, "versions and ingest reports, no health value"},
      {Operation::kCatalogQuery,     "query.run",        {kOp, kSt},       {},    0, "every dataset, opted-out people included"},
      {Operation::kDatasetWithdraw,  "dataset.withdraw", {kOp, kSt},       {},    0, "a version ingested by mistake: key destroyed, objects deleted"},
      {Operation::kDatasetRemove,    "dataset.remove",   {kOp, kSt},       {},    0, "a dataset made by mistake, while no project names it"},
      {Operation::kUserCreate,       "user.create",      {kOp},            {},    0, "an operator account: see the role grant"},
      {Operation::kUserList,         "user.list",        {kOp, kAu},       {},    0, ""},
      {Operation::kUserChange,       "user.disable",     {kOp},            {},    0, "disable, enable"},
      {Operation::kUserPassword,     "user.password",    {kOp},            {},    kSelf, "or the user themselves"},
      {Operation::kRoleGrant,        "user.role_grant",  {kOp},            {},    kDualControl, "operator role: a second operator confirms once two exist"},
      {Operation::kRoleRevoke,       "user.role_revoke", {kOp},            {},    0, ""},
      {Operation::kTokenIssue,       "token.issue",      {kOp},            {},    0, ""},
      {Operation::kTokenList,        "token.list",       {kOp, kAu},       {},    0, ""},
      {Operation::kTokenRevoke,      "token.revoke",     {kOp},            {},    0, ""},
      {Operation::kWhoami,           "auth.whoami",      {kOp, kSt, kRe, kCh, kAu}, {}, 0, "any account"},
      {Operation::kProjectCreate,    "project.create",   {kOp, kSt},       {},    0, ""},
      {Operation::kProjectChange,    "project.change",   {kOp, kSt},       {},    0, "back to draft, to be approved again"},
      {Operation::kProjectApprove,   "project.approve",  {kOp},            {},    kRefuseMembers | kDualControl, "two operators, neither a member"},
      {Operation::kProjectClose,     "project.close",    {kOp},            {},    0, ""},
      {Operation::kProjectRead,      "project.read",     {kOp, kSt, kAu},  {kRe}, 0, "a researcher, her own projects"},
      {Operation::kProjectList,      "project.list",     {kOp, kSt, kAu},  {kRe}, 0, "a researcher, her own projects"},
      {Operation::kProjectSweep,     "project.sweep",    {kOp},            {},    0, ""},
      {Operation::kWorkspaceBuild,   "workspace.build",  {kOp, kSt},       {},    0, ""},
      {Operation::kWorkspaceQuery,   "project.access",   {},               {kRe}, 0, "members, in the window, every statement"},
      {Operation::kAuditRead,        "audit.read",       {kOp, kAu},       {},    0, "entries, checkpoints, proofs"},
      {Operation::kHostCheck,        "host.check",       {kOp},            {},    0, "verifies the host, removes leftovers; no health value"},
      {Operation::kAuditRecover,     "audit.recover_checkpoint", {kOp},    {},    kDualControl, "republishes a host checkpoint the host lost: two operators"},
      {Operation::kHostRead,         "host.read",        {kOp, kAu},       {},    0, "hosts, the sovereignty policy and the evidence of each decision"},
      {Operation::kHostChange,       "host.change",      {kOp},            {},    0, "declare a host or its qualifications"},
      {Operation::kHostPolicy,       "host.policy",      {kOp},            {},    kDualControl, "the sovereignty policy: one operator proposes, a second confirms"},
      {Operation::kKeysRotate,       "keys.rotate",      {kOp},            {},    kDualControl, "a new KEK: one operator asks, a second, different one rotates"},
      {Operation::kHostMigrate,      "host.migrate",     {kOp},            {},    0, "moves the sealed objects to another host, then purges the old one; no health value"},
      {Operation::kHubRestore,       "hub.restore",      {kOp},            {},    0, "a hub rebuilt from its host's backup and the key store; refused: the rebuilt files are removed"},
      {Operation::kKeysCustodians,   "keys.custodians",  {kOp},            {},    kDualControl, "the stage-2 key in escrow with a new pair of custodians: one operator asks, a second, different one confirms"},
      {Operation::kAirlockRequest,   "airlock.request",  {},               {kRe}, 0, "create, change, submit, withdraw; author-only is a state check"},
      {Operation::kAirlockRead,      "airlock.read",     {kCh, kAu},       {kRe}, 0, "show, list; a researcher, her projects' requests"},
      {Operation::kAirlockEvidence,  "airlock.evidence", {kCh},            {},    kRefuseMembers, "true values, every audited target"},
      {Operation::kAirlockReview,    "airlock.review",   {kCh},            {},    kRefuseMembers, "two distinct checkers per revision, never the author"},
      {Operation::kAirlockDecide,    "airlock.decide",   {kCh},            {},    kRefuseMembers, "return, reject"},
      {Operation::kAirlockRelease,   "airlock.release",  {},               {kRe}, 0, "the author, once approved; each later download too"},
      {Operation::kAirlockRules,     "airlock.rules",    {kOp},            {},    kDualControl, "the hub's rules: one operator proposes, a second confirms the same JSON"},
      {Operation::kAirlockRegister,  "airlock.register", {kOp, kSt, kRe, kCh, kAu}, {}, 0, "the transparency register"},
      {Operation::kPublicRegister,   "register.public",  {},               {},    kPublic, "anyone, no account: approved projects and their releases, identifiers only"},
      {Operation::kPublicRegisterProof, "register.proof", {},              {},    kPublic, "anyone, no account: a register entry, its inclusion proof, the signed checkpoint and the log key"},
      {Operation::kOidcLink,         "user.oidc_link",   {kOp},            {},    0, "an identity of an OpenID provider links to one account"},
      {Operation::kOidcUnlink,       "user.oidc_unlink", {kOp},            {},    0, "the identity no longer signs in to the account"},
  };
  return table;
}
// clang-format on

bool Contains(const std::vector<Role>& roles, Role role) { return HoldsRole(roles, role); }

}  // namespace

std::span<const PolicyRule> PolicyTable() { return Table(); }

const PolicyRule& RuleFor(Operation op) { return Table().at(static_cast<size_t>(op)); }

Status Decide(Operation op, Role role, const PolicyFacts& facts) {
  const PolicyRule& rule = RuleFor(op);
  const std::string what = std::string(RoleName(role)) + " may not " + std::string(rule.action);
  if (rule.Has(kRefuseMembers) && facts.member) {
    return PermissionDeniedError("a member of the project may not " + std::string(rule.action));
  }
  if (Contains(rule.roles, role)) return OkStatus();
  if (Contains(rule.member_roles, role)) {
    if (facts.member) return OkStatus();
    return PermissionDeniedError(what + " outside the projects they are a member of");
  }
  if (rule.Has(kSelf) && facts.self) return OkStatus();
  return PermissionDeniedError(what);
}

Status AuthorizePublic(Operation op) {
  const PolicyRule& rule = RuleFor(op);
  if (rule.Has(kPublic)) return OkStatus();
  return PermissionDeniedError("an account is required to " + std::string(rule.action));
}

StatusOr<Role> Authorize(const Principal& who, Operation op, const PolicyFacts& facts, std::optional<Role> requested) {
  if (requested) {
    if (!who.Has(*requested)) {
      return PermissionDeniedError(who.user + " does not hold the role " + std::string(RoleName(*requested)));
    }
    RETURN_IF_ERROR(Decide(op, *requested, facts));
    return *requested;
  }
  // Refused in every role: say why for the role that came closest (one that
  // needs membership), else for the first one held.
  std::optional<Status> refusal;
  bool closest = false;
  for (Role role : kAllRoles) {
    if (!who.Has(role)) continue;
    Status decided = Decide(op, role, facts);
    if (decided.ok()) return role;
    const bool member_role = Contains(RuleFor(op).member_roles, role);
    if (!refusal || (member_role && !closest)) {
      refusal = decided;
      closest = member_role;
    }
  }
  return refusal.value_or(PermissionDeniedError(who.user + " holds no role"));
}

}  // namespace hdhub::directory

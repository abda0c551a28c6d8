// One hub, many requests at once: 16 threads, each acting as its own account,
// run a mix of reads, queries, refusals and changes through one Service. The
// audit log must then verify against its signed checkpoint, hold every event
// once, and name in each event the account that caused it (never another
// thread's account: no per-request state is shared).
#include <atomic>
#include <set>
#include <thread>

#include "hdhub/audit/ed25519.h"
#include "hdhub/audit/hub_log.h"
#include "hdhub/audit/log_verifier.h"
#include "hdhub/hub/audit_key.h"
#include "hdhub/service/service_test_util.h"

namespace hdhub::service {
namespace {

using directory::Role;

constexpr int kThreads = 16;
constexpr int kRounds = 6;

class ConcurrencyTest : public ServiceTest {};

TEST_F(ConcurrencyTest, SixteenThreadsOfMixedOperationsLeaveAVerifiableLogNamingEachAccount) {
  const std::vector<Role> roles = {Role::kOperator, Role::kSteward, Role::kResearcher, Role::kAuditor};
  std::vector<std::string> names;
  AddAccount("oscar", {Role::kOperator});  // the second operator
  for (int i = 0; i < kThreads; ++i) {
    names.push_back("user" + std::to_string(i));
    Role role = i < 2 ? Role::kSteward : roles[size_t(i) % roles.size()];
    if (role == Role::kOperator) role = Role::kChecker;  // a third operator would need two
    AddAccount(names.back(), {role});
  }
  IngestBeneficiaries();
  ASSERT_OK(svc_->CreateProject(ctx("olga"), Spec("shared", {"user2", "user6"})));
  const uint64_t before = LogSize();

  std::atomic<int> unexpected{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const RequestContext& c = ctx(names[size_t(t)]);
      for (int r = 0; r < kRounds; ++r) {
        std::vector<Status> results = {
            svc_->ListCatalog(c, false).status(),
            svc_->QueryCatalog(c, "SELECT 41 + 1", {}, nullptr),
            svc_->ListProjects(c).status(),
            svc_->ShowProject(c, "shared").status(),
            svc_->ListUsers(c).status(),
            svc_->SetPassword(c, c.principal().user, Secret("a fresh long password " + std::to_string(r))),
        };
        for (const Status& s : results) {
          const bool expected =
              s.ok() || s.code() == StatusCode::kPermissionDenied || s.code() == StatusCode::kNotFound;
          if (!expected) unexpected++;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(unexpected.load(), 0);

  // Every event of the run names one of the thread accounts, or the hub itself
  // (its own key uses at open): never olga, who made no request.
  std::set<std::string> accounts(names.begin(), names.end());
  std::map<std::string, int> per_account;
  for (const audit::Entry& e : EntriesSince(before)) {
    EXPECT_TRUE(accounts.contains(e.event.actor)) << e.event.action << " names " << e.event.actor;
    per_account[e.event.actor]++;
  }
  for (const std::string& name : names) EXPECT_GE(per_account[name], kRounds * 5) << name;

  // The log, closed, verifies against its signed checkpoint, every entry present once.
  const uint64_t size = LogSize();
  svc_.reset();
  ASSERT_OK_AND_ASSIGN(std::string verifier_key, hub::ReadAuditVerifierKey(hub_dir_));
  ASSERT_OK_AND_ASSIGN(auto verifier, audit::Ed25519Verifier::FromVerifierKey(verifier_key));
  ASSERT_OK_AND_ASSIGN(audit::VerifyReport report, audit::VerifyLogDirectory(audit::HubAuditDir(hub_dir_), *verifier));
  EXPECT_EQ(report.entries, size);
  EXPECT_EQ(report.checkpoint.size, size);
  std::set<uint64_t> seqs;
  ASSERT_OK(
      audit::ForEachEntryReadOnly(audit::HubAuditDir(hub_dir_), [&](uint64_t i, std::string_view bytes) -> Status {
        ASSIGN_OR_RETURN(audit::Entry entry, audit::DecodeEntry(bytes));
        if (entry.seq != i)
          return DataLossError("entry " + std::to_string(i) + " carries seq " + std::to_string(entry.seq));
        seqs.insert(entry.seq);
        return OkStatus();
      }));
  EXPECT_EQ(seqs.size(), size);
}

}  // namespace
}  // namespace hdhub::service

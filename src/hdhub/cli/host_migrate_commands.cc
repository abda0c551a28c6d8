// hdhub host migrate | purge: the hub moved to another host, and the host
// it left purged (docs/hosts.md, "Moving to another host"). Operators; the
// service checks the sovereignty policy and logs each step. Exit codes as in
// commands.h (3, DATA_LOSS, when an object differs from the hub's records).
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "hdhub/cli/commands.h"
#include "hdhub/cli/progress.h"
#include "hdhub/common/file.h"
#include "hdhub/hub/host_migration.h"

namespace hdhub::cli {
namespace {

using nlohmann::json;

struct MigrateArgs {
  std::string to;
  bool plan = false;
  bool copy_only = false;
  bool abandon = false;
  bool read_back = false;
  int parallel = 4;
  uint64_t max_bytes_per_second = 0;
  uint64_t max_requests_per_second = 0;
  std::string report;
};

std::string Bytes(uint64_t n) { return HumanCount(static_cast<double>(n)) + "B"; }

void PrintPlan(const hub::HostMigrationPlan& p, const std::string& to_name) {
  std::cout << "plan: from " << p.from << " to host " << to_name << " (" << p.to << ")"
            << (p.resuming ? ", resuming the migration under way" : "") << "\n"
            << "  objects: " << p.objects << " (the live dataset and workspace objects, and the audit checkpoint), "
            << Bytes(p.bytes) << "\n"
            << "  already copied and verified: " << p.objects_verified << " objects, " << Bytes(p.bytes_verified)
            << "\n"
            << "  estimated time: " << HumanDuration(p.estimated_seconds) << " (" << p.estimate_basis << ")\n";
}

void PrintReport(const hub::HostMigrationReport& r, const std::string& to_name) {
  std::cout << "copied and verified " << r.objects_copied << " objects (" << Bytes(r.bytes_copied) << ") in "
            << HumanDuration(r.seconds);
  if (r.seconds > 0) std::cout << " (" << Bytes(uint64_t(double(r.bytes_copied) / r.seconds)) << "/s)";
  std::cout << "; " << r.objects_already_verified << " verified by an earlier run; " << r.objects << " of " << r.objects
            << " live objects on host " << to_name << "\n";
  if (r.unfinished_uploads_aborted > 0) {
    std::cout << "aborted " << r.unfinished_uploads_aborted << " unfinished uploads of an interrupted run\n";
  }
  if (r.switched) {
    std::cout << "switched: the hub is on host " << to_name << " (" << r.to << "); " << r.from
              << " is kept until an operator runs 'hdhub host purge'\n";
  } else {
    std::cout << "copied only: the hub stays on " << r.from
              << "; run the same command without --copy-only, with the hub to itself, to switch\n";
  }
}

}  // namespace

void AddHostMigrationCommands(CLI::App& host, const GlobalOptions& opts, int* exit_code) {
  auto a = std::make_shared<MigrateArgs>();
  auto* migrate = host.add_subcommand(
      "migrate",
      "move the hub to another registered host: sealed objects copied without decryption and verified against the "
      "hub's records, resumable; then the switch (the hub to itself: stop hdhub serve)");
  migrate->add_option("--to", a->to, "the host to move to (hdhub host add), accepted by the sovereignty policy")
      ->required();
  migrate->add_flag("--plan", a->plan, "say what would move (objects, bytes, estimated time) and change nothing");
  migrate->add_flag("--copy-only", a->copy_only,
                    "copy and verify, without switching: may run while the hub is in use; the final run copies "
                    "only what is new");
  migrate->add_flag("--abandon", a->abandon, "forget a migration not yet switching (its copies stay on the target)");
  migrate->add_flag("--read-back", a->read_back,
                    "also read each copy back from the new host and hash it again (twice the reads; by default each "
                    "object is hashed as it is copied, and the purge verifies every object before the old host is "
                    "emptied)");
  migrate->add_option("--parallel", a->parallel, "objects copied at once (1 to 64)")->capture_default_str();
  migrate
      ->add_option("--max-bytes-per-second", a->max_bytes_per_second,
                   "pace the copy (e.g. 200MB, 1GiB); default: no limit")
      ->transform(CLI::AsSizeValue(true));
  migrate->add_option(
      "--max-requests-per-second", a->max_requests_per_second,
      "pace the requests (a GET per chunk read, a PUT per 8 MiB written, the read-back if any); default: no limit");
  migrate->add_option("--report", a->report, "also write the JSON report to this file");
  migrate->callback(Run(opts, exit_code, [&opts, a]() -> Status {
    SystemClock clock;
    const bool switching = !a->plan && !a->copy_only && !a->abandon;
    StatusOr<Session> opened =
        OpenSession(opts, &clock, std::nullopt, {.exclusive = switching, .host_migration = true});
    if (switching && opened.status().code() == StatusCode::kFailedPrecondition) {
      return FailedPreconditionError(std::string(opened.status().message()) +
                                     " (--copy-only copies while the hub is in use)");
    }
    RETURN_IF_ERROR(opened.status());
    Session& s = *opened;
    if (a->abandon) {
      ASSIGN_OR_RETURN(hub::HostMigrationJournal j, s.service->AbandonHostMigration(s.ctx));
      std::cout << (opts.json ? json{{"abandoned", j.to_name}}.dump()
                              : "abandoned the migration to host " + j.to_name + "; its copies stay there")
                << "\n";
      return OkStatus();
    }
    TerminalProgress progress(opts);
    hub::HostMigrationOptions options{.copy_only = a->copy_only,
                                      .parallel = a->parallel,
                                      .max_bytes_per_second = a->max_bytes_per_second,
                                      .max_requests_per_second = a->max_requests_per_second,
                                      .read_back = a->read_back,
                                      .progress = progress.fn()};
    json out;
    if (a->plan) {
      ASSIGN_OR_RETURN(hub::HostMigrationPlan plan, s.service->PlanHostMigration(s.ctx, a->to, options));
      progress.Clear();
      out = hub::HostMigrationPlanJson(plan);
      if (!opts.json) PrintPlan(plan, a->to);
    } else {
      ASSIGN_OR_RETURN(hub::HostMigrationReport report,
                       s.service->MigrateHost(s.ctx, *opts.backends, a->to, std::move(options)));
      progress.Clear();
      out = hub::HostMigrationReportJson(report);
      if (!opts.json) PrintReport(report, a->to);
    }
    if (opts.json) std::cout << out.dump() << "\n";
    if (!a->report.empty()) RETURN_IF_ERROR(WriteFileAtomically(a->report, AsBytes(out.dump(2) + "\n"), 0640));
    return OkStatus();
  }));

  auto rotate_to = std::make_shared<std::string>();
  auto* purge = host.add_subcommand(
      "purge",
      "after a migration: verify every object on the hub's host, then delete everything on the host it left and "
      "see it listed empty; then ask for a KEK rotation, which a second operator carries out (hdhub keys rotate)");
  purge->add_option("--rotate-to", *rotate_to,
                    "the new KEK of the rotation that follows (an HSM hub's new key: pkcs11:…); default: a new key "
                    "file");
  purge->callback(Run(opts, exit_code, [&opts, rotate_to]() -> Status {
    SystemClock clock;
    ASSIGN_OR_RETURN(Session s, OpenSession(opts, &clock));
    TerminalProgress progress(opts);
    ASSIGN_OR_RETURN(service::HostPurgeOutcome o,
                     s.service->PurgeRetiredHost(s.ctx, *opts.backends, *rotate_to, progress.fn()));
    progress.Clear();
    const hub::HostPurgeReport& r = o.purge;
    if (opts.json) {
      std::cout << json{{"host", r.from_name},
                        {"uri", r.from},
                        {"objects_verified", r.objects_verified},
                        {"objects_deleted", r.objects_deleted},
                        {"bytes_deleted", r.bytes_deleted},
                        {"listed_after", 0},
                        {"kek_rotation_requested_by", o.kek_rotation_requested_by}}
                       .dump()
                << "\n";
      return OkStatus();
    }
    std::cout << "verified " << r.objects_verified << " objects on the hub's host; deleted " << r.objects_deleted
              << " objects (" << Bytes(r.bytes_deleted) << ") from host " << r.from_name << " (" << r.from
              << "), which now lists none\n"
              << "KEK rotation requested by " << o.kek_rotation_requested_by
              << ": a second, different operator runs 'hdhub keys rotate"
              << (rotate_to->empty() ? "" : " --to " + *rotate_to) << "' so that any copy left there is unreadable\n";
    return OkStatus();
  }));
}

}  // namespace hdhub::cli

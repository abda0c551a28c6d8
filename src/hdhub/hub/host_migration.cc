// Host migration (host_migration.h; docs/formats/host-migration.md).
#include "hdhub/hub/host_migration.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "hdhub/common/file.h"
#include "hdhub/common/file_lock.h"
#include "hdhub/common/rate_limiter.h"
#include "hdhub/crypto/hash.h"
#include "hdhub/crypto/random.h"
#include "hdhub/hub/host_records.h"
#include "hdhub/hub/hub_config.h"

namespace hdhub::hub {

namespace fs = std::filesystem;

namespace {

constexpr char kJournalName[] = "host-migration";
constexpr char kVerifiedName[] = "host-migration.verified";
constexpr char kLockName[] = "host-migration.lock";
constexpr char kRetiredName[] = "host-retired";
constexpr mode_t kRecordMode = 0600;
constexpr size_t kChunk = 8 * 1024 * 1024;  // the largest paced read
constexpr uint64_t kMinPacedChunk = 64 * 1024;
constexpr uint64_t kVerifyChunk = 4 * 1024 * 1024;  // as host_records.cc reads back
constexpr uint64_t kProbeBytes = 64 * 1024 * 1024;  // the plan's measure of the read rate
constexpr int kMaxParallel = 64;

std::string StatePath(const fs::path& dir, const char* name) { return (dir / "state" / name).string(); }

std::string_view PhaseName(HostMigrationJournal::Phase p) {
  return p == HostMigrationJournal::Phase::kCopy ? "copy" : "switch";
}

std::string NowText(Hub& hub) { return FormatRfc3339(hub.clock().Now()); }

Status WriteJournal(const fs::path& dir, const HostMigrationJournal& j) {
  nlohmann::json out{{"format", 1},
                     {"phase", PhaseName(j.phase)},
                     {"from", HubRelativeUri(j.from, dir)},
                     {"to", HubRelativeUri(j.to, dir)},
                     {"to_name", j.to_name},
                     {"started_at", j.started_at}};
  return WriteFileAtomically(StatePath(dir, kJournalName), AsBytes(out.dump() + "\n"), kRecordMode);
}

// A JSON record of state/: the object, or DataLoss naming the file.
StatusOr<std::optional<nlohmann::json>> ReadRecord(const std::string& path) {
  StatusOr<std::string> text = ReadFile(path);
  if (IsNotFound(text.status())) return std::optional<nlohmann::json>();
  RETURN_IF_ERROR(text.status());
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || j.value("format", 0) != 1) {
    return DataLossError(path + " is malformed: restore it from a backup of state/");
  }
  return std::optional<nlohmann::json>(std::move(j));
}

std::string TextOf(const nlohmann::json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

Status RemoveIfPresent(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return ErrnoToStatus(errno, "cannot remove " + path);
  return OkStatus();
}

// The objects an earlier run copied and verified: name -> "size sha256".
// state/host-migration.verified holds one line each, appended and synced
// as each is verified; a line torn by a kill is ignored (that object is
// copied again).
using Verified = std::map<std::string, std::string>;

std::string VerifiedValue(const RecordedObject& o) { return std::to_string(o.size) + " " + o.sha256; }

StatusOr<Verified> ReadVerified(const fs::path& dir) {
  StatusOr<std::string> text = ReadFile(StatePath(dir, kVerifiedName));
  if (IsNotFound(text.status())) return Verified();
  RETURN_IF_ERROR(text.status());
  Verified out;
  size_t at = 0;
  while (at < text->size()) {
    const size_t end = text->find('\n', at);
    if (end == std::string::npos) break;  // torn last line
    const std::string line = text->substr(at, end - at);
    at = end + 1;
    const size_t space = line.find(' ');
    if (space == std::string::npos || space == 0) continue;
    out[line.substr(0, space)] = line.substr(space + 1);
  }
  return out;
}

// Appends verified objects to state/host-migration.verified, durably.
class VerifiedLog {
 public:
  static StatusOr<std::unique_ptr<VerifiedLog>> Open(const fs::path& dir) {
    const std::string path = StatePath(dir, kVerifiedName);
    const int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, kRecordMode);
    if (fd < 0) return ErrnoToStatus(errno, "cannot open " + path);
    std::unique_ptr<VerifiedLog> log(new VerifiedLog(fd, path));
    // A line torn by a kill is ended, so that it cannot swallow the next.
    const off_t end = ::lseek(fd, 0, SEEK_END);
    char last = '\n';
    if (end > 0 && ::pread(fd, &last, 1, end - 1) != 1) return ErrnoToStatus(errno, "cannot read " + path);
    if (last != '\n') RETURN_IF_ERROR(WriteAll(fd, AsBytes(std::string_view("\n")), path));
    return log;
  }
  ~VerifiedLog() { ::close(fd_); }
  VerifiedLog(const VerifiedLog&) = delete;
  VerifiedLog& operator=(const VerifiedLog&) = delete;

  Status Append(const std::string& name, const RecordedObject& o) {
    const std::string line = name + " " + VerifiedValue(o) + "\n";
    std::lock_guard lock(mu_);
    RETURN_IF_ERROR(WriteAll(fd_, AsBytes(line), path_));
    if (::fdatasync(fd_) != 0) return ErrnoToStatus(errno, "cannot sync " + path_);
    return OkStatus();
  }

 private:
  VerifiedLog(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  std::mutex mu_;
  const int fd_;
  const std::string path_;
};

struct Pacing {
  RateLimiter bytes;
  RateLimiter requests;
};

uint64_t Chunks(uint64_t size, uint64_t chunk) { return std::max<uint64_t>(1, (size + chunk - 1) / chunk); }

// A source read in paced steps: each waits for its bytes from the limiter;
// paced, a step is an eighth of a second's worth, so that bytes flow evenly
// rather than in bursts after long waits. A request is counted per ReadAt (a
// ranged GET) and per ReadStream (one GET on S3).
class PacedReader : public storage::BlobReader {
 public:
  PacedReader(storage::BlobReader& base, Pacing& pacing) : base_(base), pacing_(pacing) {}
  uint64_t size() const override { return base_.size(); }
  std::string content_md5() const override { return base_.content_md5(); }
  Status ReadAt(uint64_t offset, MutableByteSpan out) override {
    if (out.empty()) return base_.ReadAt(offset, out);
    for (size_t at = 0, step = Step(); at < out.size(); at += step) {
      MutableByteSpan piece = out.subspan(at, std::min(step, out.size() - at));
      pacing_.bytes.Acquire(piece.size());
      pacing_.requests.Acquire(1);
      RETURN_IF_ERROR(base_.ReadAt(offset + at, piece));
    }
    return OkStatus();
  }
  Status ReadStream(uint64_t offset, uint64_t length, const Sink& sink) override {
    pacing_.requests.Acquire(1);
    return base_.ReadStream(offset, length, [&](ByteSpan piece) {
      for (size_t at = 0, step = Step(); at < piece.size(); at += step) {
        ByteSpan part = piece.subspan(at, std::min(step, piece.size() - at));
        pacing_.bytes.Acquire(part.size());
        RETURN_IF_ERROR(sink(part));
      }
      return OkStatus();
    });
  }

 private:
  size_t Step() const {
    const uint64_t rate = pacing_.bytes.per_second();
    return rate == 0 ? SIZE_MAX : size_t(std::clamp<uint64_t>(rate / 8, kMinPacedChunk, kChunk));
  }

  storage::BlobReader& base_;
  Pacing& pacing_;
};

// Copies one object from `from` to `to` without decrypting it: streamed,
// hashed on the way and published only when the hash matches the records
// (BlobStore::PutFrom; an S3 target checks the same hash on receipt), then,
// with `read_back`, read back from `to` and checked again. Returns a line for
// the report when the old host's copy differs (nothing is then written);
// NotFound when it is missing.
StatusOr<std::string> CopyObject(storage::BlobStore& from, storage::BlobStore& to, const std::string& name,
                                 const RecordedObject& o, Pacing& pacing, bool read_back) {
  const std::string what = o.label + ": sealed object '" + o.logical_name + "'";
  StatusOr<Bytes> digest = HexDecode(o.sha256);
  if (!digest.ok() || digest->size() != crypto::kSha256Size) {
    return DataLossError(what + ": the records hold no valid SHA-256 for it");
  }
  crypto::Digest sha256;
  std::copy(digest->begin(), digest->end(), sha256.begin());
  pacing.requests.Acquire(1);
  StatusOr<std::unique_ptr<storage::BlobReader>> reader = from.OpenReader(name);
  if (IsNotFound(reader.status())) return NotFoundError(what + " is missing on the old host");
  RETURN_IF_ERROR(reader.status());
  if ((*reader)->size() != o.size) {
    return what + " has " + std::to_string((*reader)->size()) + " bytes on the old host, " + std::to_string(o.size) +
           " recorded";
  }
  PacedReader paced(**reader, pacing);
  pacing.requests.Acquire(Chunks(o.size, kChunk));  // the PUTs: at most one per 8 MiB
  Status put = to.PutFrom(name, paced, sha256);
  if (put == storage::CopyHashMismatch(name)) return what + " differs from the recorded SHA-256 on the old host";
  RETURN_IF_ERROR(put);
  if (!read_back) return std::string();
  pacing.requests.Acquire(1 + Chunks(o.size, kVerifyChunk));
  ASSIGN_OR_RETURN(std::string problem, VerifyRecordedObject(to, name, o));
  if (!problem.empty()) return DataLossError("the new host did not keep what was written to it: " + problem);
  return std::string();
}

// What a run copies: the live objects not yet verified on the target.
struct Work {
  std::vector<std::pair<std::string, RecordedObject>> pending;
  uint64_t objects = 0, bytes = 0;                    // every live object
  uint64_t objects_verified = 0, bytes_verified = 0;  // by earlier runs
};

Work WorkOf(const HostRecords& records, const Verified& verified) {
  Work w;
  for (const auto& [name, o] : records.live) {
    ++w.objects;
    w.bytes += o.size;
    auto it = verified.find(name);
    if (it != verified.end() && it->second == VerifiedValue(o)) {
      ++w.objects_verified;
      w.bytes_verified += o.size;
    } else {
      w.pending.emplace_back(name, o);
    }
  }
  return w;
}

// Checks shared by the plan and the run; the journal of a migration to
// `to` (absolute), if one is under way.
StatusOr<std::optional<HostMigrationJournal>> CheckTarget(Hub& hub, const std::string& to) {
  const fs::path& dir = hub.dir();
  ASSIGN_OR_RETURN(std::optional<HostMigrationJournal> journal, ReadHostMigrationJournal(dir));
  if (journal && journal->to != to) {
    return FailedPreconditionError("a migration to host " + journal->to_name +
                                   " is under way: finish it (hdhub host migrate --to " + journal->to_name +
                                   ") or abandon it (--abandon)");
  }
  const bool switched = journal && ResolveHubUri(hub.host_uri(), dir) == to;
  if (!switched && ResolveHubUri(hub.host_uri(), dir) == to) {
    return InvalidArgumentError("the hub is already on that host");
  }
  if (!journal) {
    ASSIGN_OR_RETURN(std::optional<RetiredHost> retired, ReadRetiredHost(dir));
    if (retired) {
      return FailedPreconditionError("host " + retired->name +
                                     ", which the hub left, awaits its purge: run 'hdhub host purge' first");
    }
  }
  return journal;
}

// Runs `copy` on every pending object with `parallel` threads; stops at the
// first error (or the test hook's) and returns it.
Status ForEachPending(const Work& work, int parallel,
                      const std::function<Status(const std::string&, const RecordedObject&)>& copy) {
  std::atomic<size_t> next{0};
  std::atomic<bool> stop{false};
  std::mutex mu;
  Status first = OkStatus();
  auto worker = [&] {
    while (!stop.load()) {
      const size_t k = next.fetch_add(1);
      if (k >= work.pending.size()) return;
      Status s = copy(work.pending[k].first, work.pending[k].second);
      if (!s.ok()) {
        std::lock_guard lock(mu);
        if (first.ok()) first = std::move(s);
        stop = true;
      }
    }
  };
  std::vector<std::thread> threads;
  const int n = std::min<int>(parallel, static_cast<int>(std::max<size_t>(1, work.pending.size())));
  for (int i = 1; i < n; ++i) threads.emplace_back(worker);
  worker();
  for (std::thread& t : threads) t.join();
  return first;
}

// Every object `host` lists, and its size.
StatusOr<std::map<std::string, uint64_t>> ListedSizes(storage::BlobStore& host) {
  ASSIGN_OR_RETURN(std::vector<storage::ObjectInfo> listed, host.List(""));
  std::map<std::string, uint64_t> sizes;
  for (const storage::ObjectInfo& o : listed) sizes[o.name] = o.size;
  return sizes;
}

// Refuses two hosts whose URIs reach the same storage (another spelling of
// one bucket and prefix, or one inside the other), which a copy would
// overwrite with itself and a purge would empty: a marker put on each must
// not show in the other's listing.
Status CheckDistinctHosts(storage::BlobStore& a, storage::BlobStore& b) {
  ASSIGN_OR_RETURN(Bytes random, crypto::RandomBytes(16));
  const std::string token = HexEncode(random);
  const std::string marker = "hdhub-host-check/" + token;
  for (auto [put_on, look_in] : {std::pair{&a, &b}, std::pair{&b, &a}}) {
    RETURN_IF_ERROR(put_on->Put(marker, AsBytes(std::string_view("hdhub: is this host another's?\n"))));
    StatusOr<std::vector<storage::ObjectInfo>> listed = look_in->List("");
    Status removed = put_on->Delete(marker);
    RETURN_IF_ERROR(listed.status());
    RETURN_IF_ERROR(removed);
    for (const storage::ObjectInfo& o : *listed) {
      if (o.name.find(token) != std::string::npos) {
        return FailedPreconditionError(
            "the two hosts are the same storage (one URI is another spelling of the other, or lies inside it): "
            "refused, since a purge would delete the hub's own objects");
      }
    }
  }
  return OkStatus();
}

// Drops from `verified` what `target` does not list at the verified size.
Status ForgetUnlisted(storage::BlobStore& target, Verified& verified) {
  if (verified.empty()) return OkStatus();
  ASSIGN_OR_RETURN(auto sizes, ListedSizes(target));
  std::erase_if(verified, [&](const auto& entry) {
    auto it = sizes.find(entry.first);
    return it == sizes.end() || entry.second.substr(0, entry.second.find(' ')) != std::to_string(it->second);
  });
  return OkStatus();
}

// Before the switch: copies of objects whose records went away meanwhile (a
// version shredded, a copy killed before it was listed as verified) are
// removed (the target held nothing when the migration began, so all it holds
// is the migration's), and the new host's listing is checked to hold every
// live object at its recorded size (a host that dropped one after it was
// verified is caught here).
Status ReconcileTarget(storage::BlobStore& target, const HostRecords& records, const std::string& checkpoint,
                       HostMigrationReport& report) {
  ASSIGN_OR_RETURN(std::vector<storage::ObjectInfo> listed, target.List(""));
  for (const storage::ObjectInfo& o : listed) {
    if (o.name == checkpoint || records.live.contains(o.name)) continue;
    Status deleted = target.Delete(o.name);
    if (!deleted.ok() && !IsNotFound(deleted)) return deleted;
    if (deleted.ok()) ++report.stale_copies_removed;
  }
  ASSIGN_OR_RETURN(auto sizes, ListedSizes(target));
  for (const auto& [name, o] : records.live) {
    auto it = sizes.find(name);
    if (it == sizes.end() || it->second != o.size) {
      return DataLossError("the new host lost or changed " + o.label + ": sealed object '" + o.logical_name +
                           "' after it was verified; run the migration again to copy it anew");
    }
  }
  return OkStatus();
}

}  // namespace

StatusOr<std::optional<HostMigrationJournal>> ReadHostMigrationJournal(const fs::path& dir) {
  const std::string path = StatePath(dir, kJournalName);
  ASSIGN_OR_RETURN(std::optional<nlohmann::json> j, ReadRecord(path));
  if (!j) return std::optional<HostMigrationJournal>();
  HostMigrationJournal out{.from = ResolveHubUri(TextOf(*j, "from"), dir),
                           .to = ResolveHubUri(TextOf(*j, "to"), dir),
                           .to_name = TextOf(*j, "to_name"),
                           .started_at = TextOf(*j, "started_at")};
  const std::string phase = TextOf(*j, "phase");
  if ((phase != "copy" && phase != "switch") || TextOf(*j, "from").empty() || TextOf(*j, "to").empty() ||
      out.to_name.empty()) {
    return DataLossError(path + " is malformed: restore it from a backup of state/");
  }
  out.phase = phase == "copy" ? HostMigrationJournal::Phase::kCopy : HostMigrationJournal::Phase::kSwitch;
  return std::optional<HostMigrationJournal>(std::move(out));
}

StatusOr<std::optional<RetiredHost>> ReadRetiredHost(const fs::path& dir) {
  const std::string path = StatePath(dir, kRetiredName);
  ASSIGN_OR_RETURN(std::optional<nlohmann::json> j, ReadRecord(path));
  if (!j) return std::optional<RetiredHost>();
  RetiredHost out{.uri = ResolveHubUri(TextOf(*j, "uri"), dir),
                  .name = TextOf(*j, "name"),
                  .switched_at = TextOf(*j, "switched_at")};
  if (TextOf(*j, "uri").empty() || out.name.empty()) {
    return DataLossError(path + " is malformed: restore it from a backup of state/");
  }
  return std::optional<RetiredHost>(std::move(out));
}

nlohmann::json HostMigrationPlanJson(const HostMigrationPlan& p) {
  return {{"from", p.from},
          {"to", p.to},
          {"objects", p.objects},
          {"bytes", p.bytes},
          {"objects_verified", p.objects_verified},
          {"bytes_verified", p.bytes_verified},
          {"resuming", p.resuming},
          {"estimated_seconds", p.estimated_seconds},
          {"estimate_basis", p.estimate_basis}};
}

nlohmann::json HostMigrationReportJson(const HostMigrationReport& r) {
  return {{"from", r.from},
          {"to", r.to},
          {"objects", r.objects},
          {"bytes", r.bytes},
          {"objects_copied", r.objects_copied},
          {"bytes_copied", r.bytes_copied},
          {"verification", r.read_back ? "hash on copy, read back" : "hash on copy"},
          {"objects_already_verified", r.objects_already_verified},
          {"stale_copies_removed", r.stale_copies_removed},
          {"unfinished_uploads_aborted", r.unfinished_uploads_aborted},
          {"damaged", r.damaged},
          {"seconds", r.seconds},
          {"bytes_per_second", r.seconds > 0 ? double(r.bytes_copied) / r.seconds : 0.0},
          {"resumed", r.resumed},
          {"switched", r.switched}};
}

StatusOr<HostMigrationPlan> PlanHostMigration(Hub& hub, const HostMigrationOptions& options) {
  const std::string to = ResolveHubUri(options.to_uri, hub.dir());
  ASSIGN_OR_RETURN(std::optional<HostMigrationJournal> journal, CheckTarget(hub, to));
  ASSIGN_OR_RETURN(HostRecords records, CollectHostRecords(hub));
  ASSIGN_OR_RETURN(Verified verified, ReadVerified(hub.dir()));
  if (!journal) verified.clear();  // a list without a journal is an abandoned run's
  const Work work = WorkOf(records, verified);
  HostMigrationPlan plan{.from = hub.host_uri(),
                         .to = HubRelativeUri(to, hub.dir()),
                         .objects = work.objects + 1,
                         .bytes = work.bytes,
                         .objects_verified = work.objects_verified,
                         .bytes_verified = work.bytes_verified,
                         .resuming = journal.has_value()};
  StatusOr<storage::ObjectInfo> checkpoint = hub.host().Stat(hub.CheckpointObjectName());
  if (checkpoint.ok()) plan.bytes += checkpoint->size;
  const uint64_t left = plan.bytes - plan.bytes_verified;
  if (options.max_bytes_per_second > 0) {
    plan.estimated_seconds = double(left) / double(options.max_bytes_per_second);
    plan.estimate_basis = "the limit of " + std::to_string(options.max_bytes_per_second) + " bytes/s";
    return plan;
  }
  // The old host's read rate, on the first objects left to copy.
  uint64_t probed = 0;
  const auto start = std::chrono::steady_clock::now();
  for (const auto& [name, o] : work.pending) {
    if (probed >= kProbeBytes) break;
    const uint64_t n = std::min<uint64_t>(o.size, kProbeBytes - probed);
    ASSIGN_OR_RETURN(Bytes bytes, hub.host().GetRange(name, 0, n));
    probed += bytes.size();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (probed == 0 || seconds <= 0) {
    plan.estimate_basis = left == 0 ? "nothing left to copy" : "no object to measure the old host's read rate on";
    return plan;
  }
  plan.estimated_seconds = double(left) / (double(probed) / seconds);
  plan.estimate_basis = "the old host's read rate, measured on " + std::to_string(probed) + " bytes";
  return plan;
}

StatusOr<HostMigrationReport> MigrateHost(Hub& hub, const Backends& backends, const HostMigrationOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const fs::path& dir = hub.dir();
  if (options.parallel < 1 || options.parallel > kMaxParallel) {
    return InvalidArgumentError("--parallel must be 1 to " + std::to_string(kMaxParallel));
  }
  const std::string to = ResolveHubUri(options.to_uri, dir);
  ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(StatePath(dir, kLockName), std::chrono::milliseconds(0),
                                                    "the host migration (another one is running)"));
  ASSIGN_OR_RETURN(std::optional<HostMigrationJournal> journal, CheckTarget(hub, to));
  HostMigrationReport report{.from = journal ? HubRelativeUri(journal->from, dir) : hub.host_uri(),
                             .to = HubRelativeUri(to, dir),
                             .read_back = options.read_back,
                             .resumed = journal.has_value()};
  ASSIGN_OR_RETURN(HostRecords records, CollectHostRecords(hub));
  ASSIGN_OR_RETURN(Verified verified, ReadVerified(dir));
  if (!journal) verified.clear();
  if (journal && journal->phase == HostMigrationJournal::Phase::kSwitch && ResolveHubUri(hub.host_uri(), dir) == to) {
    // Killed after hub.json named the new host: only the record remains.
    const Work work = WorkOf(records, verified);
    report.objects = work.objects;
    report.bytes = work.bytes;
    report.objects_already_verified = work.objects_verified;
    report.switched = true;
    return report;
  }
  if (!options.copy_only && !hub.opened_exclusively()) {
    return FailedPreconditionError("the switch to the new host needs the hub to itself (hdhub serve stopped)");
  }
  if (hub.HostCheckpointNeedsRecovery()) {
    return FailedPreconditionError(
        "the host's audit checkpoint awaits its recovery by two operators: recover it first");
  }
  ASSIGN_OR_RETURN(std::unique_ptr<storage::BlobStore> target, backends.hosts.Open(to));
  if (!journal) {
    RETURN_IF_ERROR(CheckDistinctHosts(hub.host(), *target));
    ASSIGN_OR_RETURN(std::vector<storage::ObjectInfo> held, target->List(""));
    if (!held.empty()) {
      return FailedPreconditionError("host " + options.to_name + " already holds " + std::to_string(held.size()) +
                                     " objects under its URI: a migration starts on an empty one");
    }
    journal = HostMigrationJournal{
        .from = ResolveHubUri(hub.host_uri(), dir), .to = to, .to_name = options.to_name, .started_at = NowText(hub)};
    RETURN_IF_ERROR(RemoveIfPresent(StatePath(dir, kVerifiedName)));
    RETURN_IF_ERROR(WriteJournal(dir, *journal));
  }
  // What a killed run left half-uploaded: nobody else writes to the target.
  ASSIGN_OR_RETURN(report.unfinished_uploads_aborted, target->AbortUnfinishedWrites());
  // A copy verified earlier counts only while the target still lists it at
  // its size: one the host dropped or truncated since is copied again.
  RETURN_IF_ERROR(ForgetUnlisted(*target, verified));
  const Work work = WorkOf(records, verified);
  report.objects_already_verified = work.objects_verified;

  ASSIGN_OR_RETURN(std::unique_ptr<VerifiedLog> log, VerifiedLog::Open(dir));
  Pacing pacing{RateLimiter(options.max_bytes_per_second), RateLimiter(options.max_requests_per_second)};
  std::mutex mu;
  // Progress over what this run copies (its rate, its time left).
  uint64_t done_bytes = 0;
  const uint64_t todo_bytes = work.bytes - work.bytes_verified;
  const std::string phase = "copy to " + options.to_name;
  auto progress = [&] {
    if (options.progress) {
      options.progress({.phase = phase,
                        .fraction = todo_bytes == 0 ? 1.0 : double(done_bytes) / double(todo_bytes),
                        .done = done_bytes,
                        .total = todo_bytes,
                        .unit = "bytes"});
    }
  };
  Status copied =
      ForEachPending(work, options.parallel, [&](const std::string& name, const RecordedObject& o) -> Status {
        StatusOr<std::string> copied = CopyObject(hub.host(), *target, name, o, pacing, options.read_back);
        // While the hub is in use a version may be withdrawn between the
        // records' reading and the copy: the switch, with the hub to
        // itself, decides whether a missing object is damage.
        if (IsNotFound(copied.status()) && options.copy_only) return OkStatus();
        std::string damaged;
        if (IsNotFound(copied.status())) {
          damaged = std::string(copied.status().message());
        } else {
          RETURN_IF_ERROR(copied.status());
          damaged = *std::move(copied);
        }
        if (damaged.empty()) RETURN_IF_ERROR(log->Append(name, o));
        {
          std::lock_guard guard(mu);
          if (damaged.empty()) {
            ++report.objects_copied;
            report.bytes_copied += o.size;
          } else {
            report.damaged.push_back(std::move(damaged));
          }
          done_bytes += o.size;
          progress();
        }
        return options.after_step_for_test ? options.after_step_for_test("object") : OkStatus();
      });
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  RETURN_IF_ERROR(copied);
  std::sort(report.damaged.begin(), report.damaged.end());
  report.objects = work.objects - report.damaged.size();
  report.bytes = work.bytes;
  if (!report.damaged.empty() || options.copy_only) return report;

  // The switch: the hub is ours alone, so the records cannot change now.
  journal->phase = HostMigrationJournal::Phase::kSwitch;
  RETURN_IF_ERROR(WriteJournal(dir, *journal));
  RETURN_IF_ERROR(ReconcileTarget(*target, records, hub.CheckpointObjectName(), report));
  if (options.after_step_for_test) RETURN_IF_ERROR(options.after_step_for_test("switch-begin"));
  RETURN_IF_ERROR(hub.SwitchHost(backends, HubRelativeUri(to, dir)));
  report.switched = true;
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (options.after_step_for_test) RETURN_IF_ERROR(options.after_step_for_test("switched"));
  return report;
}

Status FinishHostMigration(Hub& hub) {
  const fs::path& dir = hub.dir();
  ASSIGN_OR_RETURN(std::optional<HostMigrationJournal> journal, ReadHostMigrationJournal(dir));
  if (!journal || journal->phase != HostMigrationJournal::Phase::kSwitch ||
      ResolveHubUri(hub.host_uri(), dir) != journal->to) {
    return FailedPreconditionError("no host migration has switched hosts");
  }
  ASSIGN_OR_RETURN(std::optional<hosts::HostRecord> from, hub.hosts().FindByUri(HubRelativeUri(journal->from, dir)));
  nlohmann::json retired{{"format", 1},
                         {"uri", HubRelativeUri(journal->from, dir)},
                         {"name", from ? from->spec.name : std::string("unregistered")},
                         {"switched_at", NowText(hub)}};
  RETURN_IF_ERROR(WriteFileAtomically(StatePath(dir, kRetiredName), AsBytes(retired.dump() + "\n"), kRecordMode));
  RETURN_IF_ERROR(RemoveIfPresent(StatePath(dir, kVerifiedName)));
  RETURN_IF_ERROR(RemoveIfPresent(StatePath(dir, kJournalName)));
  return SyncDir((dir / "state").string());
}

StatusOr<HostMigrationJournal> AbandonHostMigration(Hub& hub) {
  const fs::path& dir = hub.dir();
  ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(StatePath(dir, kLockName), std::chrono::milliseconds(0),
                                                    "the host migration (one is running)"));
  ASSIGN_OR_RETURN(std::optional<HostMigrationJournal> journal, ReadHostMigrationJournal(dir));
  if (!journal) return NotFoundError("no host migration is under way");
  if (ResolveHubUri(hub.host_uri(), dir) == journal->to) {
    return FailedPreconditionError("the hub is already on host " + journal->to_name +
                                   ": finish the migration (hdhub host migrate --to " + journal->to_name + ")");
  }
  RETURN_IF_ERROR(RemoveIfPresent(StatePath(dir, kJournalName)));
  RETURN_IF_ERROR(RemoveIfPresent(StatePath(dir, kVerifiedName)));
  RETURN_IF_ERROR(SyncDir((dir / "state").string()));
  return *journal;
}

StatusOr<HostPurgeReport> PurgeRetiredHost(Hub& hub, const Backends& backends, const ProgressFn& progress,
                                           const std::function<Status(const HostPurgeReport&)>& before_delete) {
  const fs::path& dir = hub.dir();
  ASSIGN_OR_RETURN(std::optional<RetiredHost> retired, ReadRetiredHost(dir));
  if (!retired)
    return FailedPreconditionError("no host awaits its purge: the hub has not left one (hdhub host migrate)");
  if (retired->uri == ResolveHubUri(hub.host_uri(), dir)) {
    return FailedPreconditionError("state/host-retired names the hub's own host: it is never purged");
  }
  HostPurgeReport report{.from = HubRelativeUri(retired->uri, dir), .from_name = retired->name};
  // Everything the hub needs, verified on its host before anything goes.
  ASSIGN_OR_RETURN(HostRecords records, CollectHostRecords(hub));
  std::vector<std::string> damaged;
  for (const auto& [name, o] : records.live) {
    ASSIGN_OR_RETURN(std::string problem, VerifyRecordedObject(hub.host(), name, o));
    if (!problem.empty()) damaged.push_back(std::move(problem));
    ++report.objects_verified;
    if (progress) {
      progress({.phase = "verify the hub's host",
                .fraction = double(report.objects_verified) / double(records.live.size()),
                .done = report.objects_verified,
                .total = records.live.size(),
                .unit = "objects"});
    }
  }
  if (!damaged.empty()) {
    return DataLossError("the hub's host fails verification (" + std::to_string(damaged.size()) +
                         " objects; the first: " + damaged.front() + "): host " + retired->name +
                         " is kept; run hdhub check");
  }
  RETURN_IF_ERROR(hub.VerifyAudit().status());
  ASSIGN_OR_RETURN(std::unique_ptr<storage::BlobStore> old, backends.hosts.Open(retired->uri));
  RETURN_IF_ERROR(CheckDistinctHosts(hub.host(), *old));
  if (before_delete) RETURN_IF_ERROR(before_delete(report));
  RETURN_IF_ERROR(old->AbortUnfinishedWrites().status());
  ASSIGN_OR_RETURN(std::vector<storage::ObjectInfo> objects, old->List(""));
  for (const storage::ObjectInfo& o : objects) {
    Status deleted = old->Delete(o.name);
    if (!deleted.ok() && !IsNotFound(deleted)) return deleted;
    ++report.objects_deleted;
    report.bytes_deleted += o.size;
  }
  ASSIGN_OR_RETURN(std::vector<storage::ObjectInfo> left, old->List(""));
  if (!left.empty()) {
    return UnavailableError("host " + retired->name + " still lists " + std::to_string(left.size()) +
                            " objects after the purge: run it again");
  }
  RETURN_IF_ERROR(RemoveIfPresent(StatePath(dir, kRetiredName)));
  RETURN_IF_ERROR(SyncDir((dir / "state").string()));
  return report;
}

}  // namespace hdhub::hub

#include "hdhub/synth/synth.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "hdhub/synth/batch.h"
#include "hdhub/synth/drug_reference.h"
#include "hdhub/synth/extract_files.h"
#include "hdhub/synth/manifest.h"

namespace hdhub::synth {
namespace {

// About 2 560 person-years per batch (a few tens of MB of rows); batches in
// flight: two per worker and one being written.
constexpr int64_t kBatchPersonYears = 2560;
constexpr int64_t kMinBatchPeople = 16;
constexpr int kSlotsPerThread = 2;

StatusOr<int> ParseYear(std::string_view text) {
  int year = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), year);
  if (ec != std::errc() || end != text.data() + text.size() || text.size() != 4) {
    return InvalidArgumentError("year '" + std::string(text) + "' is not four digits");
  }
  return year;
}

// Runs the workers and writes their batches in person order.
class Pipeline {
 public:
  Pipeline(const SynthOptions& options, int threads, ExtractFiles* files)
      : options_(options),
        threads_(threads),
        files_(files),
        layouts_(options.years),
        allocator_(options.seed, options.years, options.opt_out_rate),
        batch_people_(std::max(kMinBatchPeople, kBatchPersonYears / options.years.count())),
        batches_((options.people + batch_people_ - 1) / batch_people_),
        slots_(static_cast<size_t>(kSlotsPerThread * threads + 1)) {}

  Status Run(ExtractStats* stats);

 private:
  struct Slot {
    std::vector<Identity> people;
    BatchOutput output;
    bool ready = false;
  };
  void Work();
  Slot* Take();
  Status WriteBatch(Slot& slot);

  const SynthOptions& options_;
  int threads_;
  ExtractFiles* files_;
  Layouts layouts_;
  IdentityAllocator allocator_;  // guarded by mu_
  int64_t batch_people_;
  int64_t batches_;
  std::vector<Slot> slots_;
  std::mutex mu_;
  std::condition_variable cv_;
  int64_t next_batch_ = 0;  // guarded by mu_
  int64_t written_ = 0;     // guarded by mu_
  bool stop_ = false;       // guarded by mu_
};

Pipeline::Slot* Pipeline::Take() {
  std::unique_lock lock(mu_);
  int64_t in_flight = static_cast<int64_t>(slots_.size());
  cv_.wait(lock, [&] { return stop_ || next_batch_ >= batches_ || next_batch_ - written_ < in_flight; });
  if (stop_ || next_batch_ >= batches_) return nullptr;
  int64_t batch = next_batch_++;
  Slot& slot = slots_[static_cast<size_t>(batch % in_flight)];
  // Identities are drawn in person order, under the lock: NIR numbering is sequential.
  int64_t end = std::min(options_.people, (batch + 1) * batch_people_);
  slot.people.clear();
  while (allocator_.next_index() < end) slot.people.push_back(allocator_.Next());
  return &slot;
}

void Pipeline::Work() {
  BatchGenerator generator(&layouts_, options_.seed, options_.years);
  while (Slot* slot = Take()) {
    generator.Generate(slot->people, &slot->output);
    {
      std::lock_guard lock(mu_);
      slot->ready = true;
    }
    cv_.notify_all();
  }
}

Status Pipeline::WriteBatch(Slot& slot) {
  for (int i = 0; i < kOutputFiles; ++i) {
    auto f = static_cast<OutputFile>(i);
    RETURN_IF_ERROR(files_->Append(f, slot.output.Of(f).view()));
  }
  return OkStatus();
}

Status Pipeline::Run(ExtractStats* stats) {
  for (int i = 0; i < kOutputFiles; ++i) {
    auto f = static_cast<OutputFile>(i);
    RETURN_IF_ERROR(files_->Append(f, layouts_.Of(f).header()));
  }
  std::vector<std::thread> workers;
  for (int t = 0; t < threads_; ++t) workers.emplace_back([this] { Work(); });
  Status status;
  for (int64_t b = 0; b < batches_ && status.ok(); ++b) {
    Slot& slot = slots_[static_cast<size_t>(b % static_cast<int64_t>(slots_.size()))];
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return slot.ready; });
    }
    status = WriteBatch(slot);
    stats->Add(slot.output.stats);
    {
      std::lock_guard lock(mu_);
      slot.ready = false;
      written_ = b + 1;
      if (!status.ok()) stop_ = true;
    }
    cv_.notify_all();
    if (options_.progress && status.ok()) options_.progress(std::min(options_.people, (b + 1) * batch_people_));
  }
  for (std::thread& w : workers) w.join();
  return status;
}

}  // namespace

StatusOr<SpanYears> ParseYears(std::string_view text) {
  size_t dash = text.find('-');
  ASSIGN_OR_RETURN(int first, ParseYear(text.substr(0, dash)));
  int last = first;
  if (dash != std::string_view::npos) {
    ASSIGN_OR_RETURN(last, ParseYear(text.substr(dash + 1)));
  }
  return SpanYears{first, last};
}

Status ValidateOptions(const SynthOptions& o) {
  if (o.people < 1 || o.people > kMaxPeople) {
    return InvalidArgumentError("--people must be between 1 and " + std::to_string(kMaxPeople));
  }
  if (o.years.first < kMinYear || o.years.last > kMaxYear || o.years.first > o.years.last) {
    return InvalidArgumentError("--years must be FIRST-LAST with " + std::to_string(kMinYear) +
                                " <= FIRST <= LAST <= " + std::to_string(kMaxYear));
  }
  if (o.years.count() > kMaxSpanYears) {
    return InvalidArgumentError("--years spans more than " + std::to_string(kMaxSpanYears) + " years");
  }
  if (!(o.opt_out_rate >= 0 && o.opt_out_rate <= 1)) {
    return InvalidArgumentError("--opt-out-rate must be between 0 and 1");
  }
  if (o.threads < 0 || o.threads > kMaxThreads) {
    return InvalidArgumentError("--threads must be between 0 (one per core) and " + std::to_string(kMaxThreads));
  }
  if (o.out_dir.empty()) return InvalidArgumentError("--out names no directory");
  return OkStatus();
}

StatusOr<SynthResult> GenerateExtract(const SynthOptions& options) {
  RETURN_IF_ERROR(ValidateOptions(options));
  auto start = std::chrono::steady_clock::now();
  int threads = options.threads > 0 ? options.threads : static_cast<int>(std::thread::hardware_concurrency());
  threads = std::max(1, threads);
  ASSIGN_OR_RETURN(std::unique_ptr<ExtractFiles> files, ExtractFiles::Create(options.out_dir));
  ExtractStats stats;
  Pipeline pipeline(options, threads, files.get());
  RETURN_IF_ERROR(pipeline.Run(&stats));
  const std::string reference(kDrugReferenceTable);
  RETURN_IF_ERROR(files->AddWholeFile(reference + ".csv", DrugReferenceCsv()));
  RETURN_IF_ERROR(files->AddWholeFile(reference + ".json", DrugReferenceSchemaJson()));
  ManifestParameters parameters{options.seed, options.people, options.years, options.opt_out_rate};
  RETURN_IF_ERROR(files->Commit(BuildManifest(parameters, stats)));
  SynthResult result;
  result.rows = stats.rows;
  result.total_rows = stats.TotalRows();
  result.threads = threads;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace hdhub::synth

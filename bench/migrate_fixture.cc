// The host migration benchmark's fixture (bench/migrate_bench.sh): fills a
// hub's host with N objects of M MiB, recorded in the catalog as the objects
// of one committed dataset version (BENCH_BLOBS), each with its size and
// SHA-256, as an ingest records sealed Parquet parts.
//
//   HDHUB_PASSPHRASE=… hdhub_migrate_fixture --hub DIR --objects N --mib M [--threads T]
//
// The bytes are random (what ciphertext looks like) rather than sealed
// Parquet: a migration copies and verifies ciphertext without ever
// decrypting it, so the contents do not change what it does; making 10 GB
// of real sealed Parquet would take an ingest of hundreds of millions of
// rows. The version's data key is a real wrapped key; its "parts" are not
// Parquet, so this hub is for the migration benchmark only.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "hdhub/crypto/hash.h"
#include "hdhub/crypto/random.h"
#include "hdhub/hub/hub.h"
#include "hdhub/ingest/csv_ingest.h"

namespace {

using hdhub::Status;

void Check(const Status& s, const char* what) {
  if (s.ok()) return;
  std::fprintf(stderr, "migrate_fixture: %s: %s\n", what, s.ToString().c_str());
  std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir;
  int objects = 0, threads = 4;
  long mib = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--hub")
      dir = argv[i + 1];
    else if (a == "--objects")
      objects = std::atoi(argv[i + 1]);
    else if (a == "--mib")
      mib = std::atol(argv[i + 1]);
    else if (a == "--threads")
      threads = std::atoi(argv[i + 1]);
  }
  const char* passphrase = std::getenv("HDHUB_PASSPHRASE");
  if (dir.empty() || objects <= 0 || mib <= 0 || passphrase == nullptr) {
    std::fprintf(stderr, "usage: HDHUB_PASSPHRASE=… hdhub_migrate_fixture --hub DIR --objects N --mib M\n");
    return 2;
  }
  hdhub::SystemClock clock;
  auto hub = hdhub::hub::Hub::Open(hdhub::hub::BuiltinBackends(), dir,
                                   hdhub::SecretBytes(hdhub::AsBytes(std::string(passphrase))), &clock);
  Check(hub.status(), "open the hub");
  const hdhub::audit::Actor actor{"bench", "operator"};
  std::unique_ptr<hdhub::keys::KeyStore> keys = (*hub)->KeysFor(actor);
  hdhub::catalog::Catalog& catalog = (*hub)->catalog();
  const std::string dataset = "BENCH_BLOBS";
  Status created = catalog.CreateDataset(dataset);
  if (created.code() != hdhub::StatusCode::kAlreadyExists) Check(created, "create the dataset");
  auto version = catalog.BeginVersion(
      dataset, "{}", hdhub::catalog::Catalog::kDigestNotYetKnown, [&](int64_t v) -> hdhub::StatusOr<hdhub::Bytes> {
        auto key = hdhub::crypto::RandomBytes(32);
        if (!key.ok()) return key.status();
        return keys->WrapKey(hdhub::SecretBytes(*key), hdhub::ingest::DataKeyContext(dataset, v));
      });
  Check(version.status(), "begin a version");
  std::atomic<int> next{0};
  std::mutex mu;
  auto worker = [&] {
    constexpr size_t kChunk = 8 << 20;
    hdhub::Bytes chunk(kChunk);
    for (int k; (k = next.fetch_add(1)) < objects;) {
      const std::string logical =
          "datasets/" + dataset + "/v" + std::to_string(*version) + "/part-" + std::to_string(k) + ".parquet";
      const std::string name = (*hub)->sealed().ObjectNameFor(logical);
      auto writer = (*hub)->host().NewWriter(name);
      Check(writer.status(), "open a writer");
      hdhub::crypto::Sha256Hasher hasher;
      const uint64_t size = uint64_t(mib) << 20;
      for (uint64_t at = 0; at < size; at += kChunk) {
        Check(hdhub::crypto::RandomBytes(chunk), "random bytes");
        hasher.Update(chunk);
        Check((*writer)->Append(chunk), "write");
      }
      Check((*writer)->Commit(), "commit an object");
      const std::string sha = hdhub::HexEncode(hasher.Finish());
      std::lock_guard lock(mu);
      Check(catalog.AddObject(dataset, *version, {logical, name, size, size, sha}), "record an object");
    }
  };
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();
  Check(catalog.CommitVersion(dataset, *version, 0), "commit the version");
  std::printf("%d objects of %ld MiB on %s\n", objects, mib, (*hub)->host().Describe().c_str());
  return 0;
}

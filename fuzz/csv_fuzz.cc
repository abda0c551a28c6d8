#include "csv_fuzz.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "hdhub/audit/audit_log.h"
#include "hdhub/catalog/catalog.h"
#include "hdhub/common/clock.h"
#include "hdhub/ingest/opt_out.h"
#include "hdhub/ingest/table_schema.h"
#include "hdhub/keys/memory_key_store.h"
#include "hdhub/storage/memory_blob_store.h"
#include "hdhub/storage/sealed_store.h"

namespace hdhub::fuzz {
namespace fs = std::filesystem;

const std::vector<FuzzTable>& Tables() {
  static const std::vector<FuzzTable> tables = [] {
    std::vector<FuzzTable> out;
    for (const char* name : {"IR_BEN_R", "ER_PRS_F", "ER_PHA_F", "T_MCOaaB", "T_MCOaaC", "KI_CCI_R"}) {
      std::string path = (fs::path(SharedDir()) / "snds" / "schemas" / (std::string(name) + ".json")).string();
      if (!fs::exists(path)) {
        std::fprintf(stderr, "fuzz: no schema %s (is ../shared beside the checkout?)\n", path.c_str());
        std::abort();
      }
      out.push_back({.name = name, .schema_path = path});
    }
    out.push_back({.name = "OPT_OUT", .schema_text = std::string(ingest::kOptOutSchemaJson)});
    return out;
  }();
  return tables;
}

const LeakOracle& Oracle() {
  static const LeakOracle oracle = [] {
    LeakOracle o;
    for (const FuzzTable& t : Tables()) {
      auto schema = ingest::TableSchema::LoadOrParse(t.schema_path, t.schema_text);
      if (!schema.ok()) {
        std::fprintf(stderr, "fuzz: %s\n", schema.status().ToString().c_str());
        std::abort();
      }
      o.Allow(t.name);
      for (const ingest::Field& f : schema->fields) o.Allow(f.name);
    }
    o.AllowDir(WorkDir());
    return o;
  }();
  return oracle;
}

const std::string& WorkDir() {
  // Removed with its content when the process exits.
  struct Dir {
    std::string path;
    Dir() {
      fs::path d = fs::temp_directory_path() / ("hdhub-fuzz-" + std::to_string(::getpid()));
      fs::create_directories(d);
      path = d.string();
    }
    ~Dir() {
      std::error_code ec;
      fs::remove_all(path, ec);
    }
  };
  static const Dir dir;
  return dir.path;
}

const std::string& EmptyDir() {
  static const std::string dir = [] {
    std::string d = WorkDir() + "/empty";
    fs::create_directories(d);
    return d;
  }();
  return dir;
}

std::string WriteInput(std::string_view name, std::string_view bytes) {
  std::string path = (fs::path(WorkDir()) / name).string();
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return path;
}

StatusOr<ingest::IngestResult> IngestOnce(const ingest::IngestRequest& request) {
  static const std::unique_ptr<keys::MemoryKeyStore> keys = keys::MemoryKeyStore::Create().value();
  const std::string catalog_path = WorkDir() + "/catalog.db";
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(catalog_path + suffix);
  FakeClock clock{TimePoint(std::chrono::seconds(1'800'000'000))};
  storage::MemoryBlobStore host;
  storage::SealedStore sealed(&host, keys->HmacFor("object-names").value());
  auto catalog = catalog::Catalog::Open(catalog_path, &clock).value();
  audit::MemoryAuditLog log{&clock};
  ingest::CsvIngester ingester(keys.get(), &sealed, catalog.get(), &log, audit::Actor{"fuzzer", "operator"},
                               {.threads = 1});
  return ingester.Ingest(request);
}

}  // namespace hdhub::fuzz

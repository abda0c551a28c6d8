// A test fixture for CsvIngester: an in-memory host and key store, a catalog
// in a temporary directory, a MemoryAuditLog and a FakeClock, and an
// ingester over them acting as an operator. Test-only.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "hdhub/audit/audit_log.h"
#include "hdhub/common/clock.h"
#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"
#include "hdhub/ingest/csv_ingest.h"
#include "hdhub/keys/memory_key_store.h"
#include "hdhub/storage/memory_blob_store.h"

namespace hdhub::ingest {

class IngestFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(keys_, keys::MemoryKeyStore::Create());
    ASSERT_OK_AND_ASSIGN(auto names, keys_->HmacFor("object-names"));
    sealed_ = std::make_unique<storage::SealedStore>(&host_, std::move(names));
    ASSERT_OK_AND_ASSIGN(catalog_, catalog::Catalog::Open(dir_.Sub("catalog.db"), &clock_));
    ingester_ = std::make_unique<CsvIngester>(keys_.get(), sealed_.get(), catalog_.get(), &log_,
                                              audit::Actor{"tester", "operator"});
  }

  testing::TempDir dir_;
  FakeClock clock_{TimePoint(std::chrono::seconds(1'800'000'000))};
  std::unique_ptr<keys::MemoryKeyStore> keys_;
  storage::MemoryBlobStore host_;
  std::unique_ptr<storage::SealedStore> sealed_;
  std::unique_ptr<catalog::Catalog> catalog_;
  audit::MemoryAuditLog log_{&clock_};
  std::unique_ptr<CsvIngester> ingester_;
};

}  // namespace hdhub::ingest

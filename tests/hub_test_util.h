// Helpers of the integration tests that build a hub on file hosts
// (host_migration_test, state_backup_test): the synthetic SNDS tables
// ingested, rows counted through the host, a byte of an object flipped.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "hdhub/common/status_matchers.h"
#include "hdhub/hub/hub.h"
#include "hdhub/ingest/csv_ingest.h"

namespace hdhub::hub::testing_util {

inline const audit::Actor kOperator{"tester", "operator"};

// Ingests the synthetic sample of each SNDS table named, as the operator.
inline void IngestSynthetic(Hub& hub, std::initializer_list<const char*> tables) {
  std::unique_ptr<keys::KeyStore> keys = hub.KeysFor(kOperator);
  ingest::CsvIngester ingester = hub.Ingester(kOperator, keys.get());
  const std::filesystem::path snds = testing::SharedDir() / "snds";
  for (const char* t : tables) {
    ASSERT_OK(ingester
                  .Ingest({.dataset = t,
                           .csv_path = (snds / "synthetic" / (std::string(t) + ".csv")).string(),
                           .schema_path = (snds / "schemas" / (std::string(t) + ".json")).string(),
                           .on_invalid = ingest::InvalidPolicy::kSetNull})
                  .status());
  }
}

// Rows of IR_BEN_R as the hub reads them back through its host; -1 on error.
inline int64_t CountRows(Hub& hub) {
  std::unique_ptr<keys::KeyStore> keys = hub.KeysFor(kOperator);
  auto db = hub.OpenCatalogDatabase(*keys);
  EXPECT_OK(db.status());
  if (!db.ok()) return -1;
  auto result = (*db)->Query("SELECT count(*) FROM IR_BEN_R");
  EXPECT_OK(result.status());
  return result.ok() ? std::stoll(result->rows.at(0).at(0).value_or("-1")) : -1;
}

// The host's tampering: the last byte of `file` flipped.
inline void FlipLastByte(const std::filesystem::path& file) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(-1, std::ios::end);
  char c = 0;
  f.read(&c, 1);
  f.seekp(-1, std::ios::end);
  c = static_cast<char>(c ^ 0x01);
  f.write(&c, 1);
}

}  // namespace hdhub::hub::testing_util

// The BlobStore conformance suite: the behaviour every backend must share,
// written once and run against each of them (memory:, file://, decorators, and
// later s3://). A backend joins with one line in its own test file:
//
//   INSTANTIATE_BLOB_STORE_CONFORMANCE(Memory, [](const std::filesystem::path&) {
//     return StatusOr<std::unique_ptr<BlobStore>>(std::make_unique<MemoryBlobStore>());
//   });
//
// The factory receives an empty scratch directory that lives as long as the
// test, for backends that need local state; it must return a fresh, empty
// store. The tests are in blob_store_conformance.cc, linked through the
// hdhub_storage_conformance object library (a static library would let the
// linker drop the unreferenced TEST_Ps).
//
// Test-only.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "hdhub/common/temp_dir.h"
#include "hdhub/storage/blob_store.h"

namespace hdhub::testing {

using BlobStoreFactory = std::function<StatusOr<std::unique_ptr<storage::BlobStore>>(
    const std::filesystem::path& scratch)>;

struct BlobStoreBackend {
  std::string name;  // [A-Za-z0-9_]: becomes part of the test names
  BlobStoreFactory make;
};

class BlobStoreConformanceTest : public ::testing::TestWithParam<BlobStoreBackend> {
 protected:
  void SetUp() override;
  storage::BlobStore& store() { return *store_; }

 private:
  TempDir scratch_;
  std::unique_ptr<storage::BlobStore> store_;
};

std::string BlobStoreBackendName(const ::testing::TestParamInfo<BlobStoreBackend>& info);
// So that gtest and CTest show "Memory", not the bytes of a std::function.
void PrintTo(const BlobStoreBackend& backend, std::ostream* os);

// Deterministic pseudo-random content: different seeds give different bytes.
Bytes TestPattern(size_t size, uint32_t seed);

}  // namespace hdhub::testing

// Use at namespace scope. (gtest pastes the suite name into identifiers, so it
// must be unqualified: hence the using-declaration.)
#define INSTANTIATE_BLOB_STORE_CONFORMANCE(label, factory)                                         \
  using ::hdhub::testing::BlobStoreConformanceTest;                                                \
  INSTANTIATE_TEST_SUITE_P(label, BlobStoreConformanceTest,                                        \
                           ::testing::Values(::hdhub::testing::BlobStoreBackend{#label, factory}), \
                           ::hdhub::testing::BlobStoreBackendName)

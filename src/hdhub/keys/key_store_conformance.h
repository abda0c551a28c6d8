// The KeyStore conformance suite: the behaviour every key store must share,
// written once and run against each of them (memory:, keyfile:, wrappers, and
// later an HSM over PKCS#11). A backend joins with one line in its own test
// file:
//
//   INSTANTIATE_KEY_STORE_CONFORMANCE(Memory, [](const std::filesystem::path&, int kek) {
//     return StatusOr<std::unique_ptr<KeyStore>>(...a store whose KEK is number `kek`...);
//   });
//
// The factory receives a scratch directory that lives as long as the test and
// a KEK number: within one test, equal numbers must give stores sharing a KEK
// (the same key file, the same HSM key) and different numbers stores that do
// not. The tests are in key_store_conformance.cc, linked through the
// hdhub_keys_conformance object library (a static library would let the
// linker drop the unreferenced TEST_Ps).
//
// What the suite does not check: the byte format of a wrapped key, which is
// each backend's own (kek_operations_test.cc checks key-file.md's).
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
#include "hdhub/keys/key_store.h"

namespace hdhub::testing {

using KeyStoreFactory =
    std::function<StatusOr<std::unique_ptr<keys::KeyStore>>(const std::filesystem::path& scratch, int kek)>;

struct KeyStoreBackend {
  std::string name;  // [A-Za-z0-9_]: becomes part of the test names
  KeyStoreFactory make;
};

class KeyStoreConformanceTest : public ::testing::TestWithParam<KeyStoreBackend> {
 protected:
  void SetUp() override;
  keys::KeyStore& store() { return *store_; }
  // Another store of the same backend with KEK number `kek` (the test's own
  // store has KEK 1); nullptr, with a test failure, if the factory fails.
  std::unique_ptr<keys::KeyStore> Another(int kek);

  SecretBytes dek_;

 private:
  TempDir scratch_;
  std::unique_ptr<keys::KeyStore> store_;
};

std::string KeyStoreBackendName(const ::testing::TestParamInfo<KeyStoreBackend>& info);
// So that gtest and CTest show "Memory", not the bytes of a std::function.
void PrintTo(const KeyStoreBackend& backend, std::ostream* os);

}  // namespace hdhub::testing

// Use at namespace scope. (gtest pastes the suite name into identifiers, so it
// must be unqualified: hence the using-declaration.)
#define INSTANTIATE_KEY_STORE_CONFORMANCE(label, factory)                                         \
  using ::hdhub::testing::KeyStoreConformanceTest;                                                \
  INSTANTIATE_TEST_SUITE_P(label, KeyStoreConformanceTest,                                        \
                           ::testing::Values(::hdhub::testing::KeyStoreBackend{#label, factory}), \
                           ::hdhub::testing::KeyStoreBackendName)

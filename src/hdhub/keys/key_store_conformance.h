// The KeyStore conformance suite: the behaviour every key store must share,
// written once and run against each of them (memory:, keyfile:, wrappers, and
// pkcs11: on SoftHSM2). A backend joins with one line in its own test
// file:
//
//   INSTANTIATE_KEY_STORE_CONFORMANCE(Memory, [](const std::filesystem::path&, int kek) {
//     return StatusOr<std::unique_ptr<KeyStore>>(...a store whose KEK is number `kek`...);
//   });
//
// A store whose HmacFor derives no purpose keys adds `/*derives_purpose_keys=*/false`
// as a third argument (KeyStoreBackend::derives_purpose_keys).
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
#include <vector>

#include "hdhub/common/temp_dir.h"
#include "hdhub/keys/key_store.h"

namespace hdhub::testing {

using KeyStoreFactory =
    std::function<StatusOr<std::unique_ptr<keys::KeyStore>>(const std::filesystem::path& scratch, int kek)>;

struct KeyStoreBackend {
  std::string name;  // [A-Za-z0-9_]: becomes part of the test names
  KeyStoreFactory make;
  // Whether HmacFor derives purpose keys from the KEK (memory:, keyfile:).
  // A store that does not (pkcs11:: an HSM derives none; the hub's key ring
  // holds random purpose keys instead) must answer FailedPrecondition; the
  // suite checks that, and runs the derivation tests (KeyStorePurposeKeyTest)
  // only for stores that derive.
  bool derives_purpose_keys = true;
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

// The purpose-key derivation tests, run only for backends whose
// derives_purpose_keys is true.
class KeyStorePurposeKeyTest : public KeyStoreConformanceTest {};
// {backend} when it derives purpose keys, else nothing.
std::vector<KeyStoreBackend> IfDerivingPurposeKeys(const KeyStoreBackend& backend);

std::string KeyStoreBackendName(const ::testing::TestParamInfo<KeyStoreBackend>& info);
// So that gtest and CTest show "Memory", not the bytes of a std::function.
void PrintTo(const KeyStoreBackend& backend, std::ostream* os);

}  // namespace hdhub::testing

// Use at namespace scope. (gtest pastes the suite name into identifiers, so it
// must be unqualified: hence the using-declaration.)
#define INSTANTIATE_KEY_STORE_CONFORMANCE(label, factory, ...)                                                       \
  using ::hdhub::testing::KeyStoreConformanceTest;                                                                   \
  using ::hdhub::testing::KeyStorePurposeKeyTest;                                                                    \
  static const ::hdhub::testing::KeyStoreBackend label##KeyStoreBackend{#label, factory __VA_OPT__(, ) __VA_ARGS__}; \
  INSTANTIATE_TEST_SUITE_P(label, KeyStoreConformanceTest, ::testing::Values(label##KeyStoreBackend),                \
                           ::hdhub::testing::KeyStoreBackendName);                                                   \
  INSTANTIATE_TEST_SUITE_P(label, KeyStorePurposeKeyTest,                                                            \
                           ::testing::ValuesIn(::hdhub::testing::IfDerivingPurposeKeys(label##KeyStoreBackend)),     \
                           ::hdhub::testing::KeyStoreBackendName)

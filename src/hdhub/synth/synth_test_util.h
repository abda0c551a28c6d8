// Test helpers for hdhub_synth: generating small extracts, streaming their
// CSV files, and reading the shared SNDS schemas and nomenclatures.
// Test-only (linked into hdhub_synth_test).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "hdhub/common/temp_dir.h"
#include "hdhub/synth/synth.h"

namespace hdhub::synth::testing {

// Generates an extract of `people` people over 2019-2023; aborts the test
// binary on failure (a fixture cannot continue without it).
SynthResult GenerateOrDie(const std::string& dir, int64_t people, uint64_t seed, int threads);

using Fields = std::span<const std::string_view>;

// Reads an RFC 4180 file, calls `row` for each data line; returns the header.
std::vector<std::string> ForEachRow(const std::string& path, const std::function<void(Fields)>& row);
std::vector<std::string> ReadHeader(const std::string& path);
int64_t CountRows(const std::string& path);
std::string ReadFile(const std::string& path);
nlohmann::json ReadJson(const std::string& path);

// Column positions by name.
std::map<std::string, int, std::less<>> ColumnMap(const std::vector<std::string>& header);

// /work/shared/snds/schemas/<table>.json.
nlohmann::json LoadSchema(std::string_view table);
// The codes (the column whose role is "code") of a nomenclature in
// /work/shared/snds/nomenclatures; empty if it is not there.
std::unordered_set<std::string> NomenclatureCodes(const std::string& name);

// The people of an extract as its register (IR_BEN_R) and OPTOUT.csv know them.
struct RegisteredPerson {
  int birth = 0;
  int death = kNoDeath;
  int sex = 0;
  bool opted_out = false;
  static constexpr int kNoDeath = 1 << 30;
};
using Register = std::unordered_map<std::string, RegisteredPerson>;
Register LoadRegister(const std::string& dir);

// Dates as written in the extract.
int DaysFromIso(std::string_view yyyy_mm_dd);  // days since 1970-01-01
int DaysFromDdMmYyyy(std::string_view ddmmyyyy);

// A fixture holding one extract of kPeople people (seed 7, 2019-2023) and its
// register, generated once per test suite.
class LargeExtractTest : public ::testing::Test {
 protected:
  static constexpr int64_t kPeople = 20000;
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  static std::string Dir() { return dir_->Sub("extract"); }
  static std::string Path(const std::string& table) { return Dir() + "/" + table + ".csv"; }
  static const Register& People() { return *people_; }

 private:
  static inline std::unique_ptr<hdhub::testing::TempDir> dir_;
  static inline std::unique_ptr<Register> people_;
};

}  // namespace hdhub::synth::testing

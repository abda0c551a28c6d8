#include "hdhub/synth/synth_test_util.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "hdhub/synth/calendar.h"

namespace hdhub::synth::testing {
namespace {

int Digits(std::string_view s) {
  int v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

// Splits one CSV record; handles quoted fields (none are expected, but a
// reader of the format must not assume it).
void SplitRecord(std::string_view line, std::vector<std::string>& scratch, std::vector<std::string_view>& out) {
  out.clear();
  if (line.find('"') == std::string_view::npos) {
    size_t start = 0;
    for (size_t i = 0; i <= line.size(); ++i) {
      if (i == line.size() || line[i] == ',') {
        out.push_back(line.substr(start, i - start));
        start = i + 1;
      }
    }
    return;
  }
  scratch.clear();
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
      field += c;  // "" inside quotes
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      scratch.push_back(std::move(field));
      field.clear();
    } else {
      field += c;
    }
  }
  scratch.push_back(std::move(field));
  for (const std::string& f : scratch) out.push_back(f);
}

}  // namespace

SynthResult GenerateOrDie(const std::string& dir, int64_t people, uint64_t seed, int threads) {
  SynthOptions options;
  options.people = people;
  options.seed = seed;
  options.years = {2019, 2023};
  options.out_dir = dir;
  options.threads = threads;
  StatusOr<SynthResult> result = GenerateExtract(options);
  if (!result.ok()) {
    std::cerr << "GenerateExtract failed: " << result.status() << "\n";
    std::abort();
  }
  return *result;
}

std::vector<std::string> ForEachRow(const std::string& path, const std::function<void(Fields)>& row) {
  std::ifstream in(path);
  std::string line;
  std::vector<std::string> header;
  std::vector<std::string> scratch;
  std::vector<std::string_view> fields;
  if (!std::getline(in, line)) return header;
  SplitRecord(line, scratch, fields);
  for (std::string_view f : fields) header.emplace_back(f);
  while (std::getline(in, line)) {
    SplitRecord(line, scratch, fields);
    row(fields);
  }
  return header;
}

std::vector<std::string> ReadHeader(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::vector<std::string> scratch;
  std::vector<std::string_view> fields;
  std::vector<std::string> header;
  if (std::getline(in, line)) SplitRecord(line, scratch, fields);
  for (std::string_view f : fields) header.emplace_back(f);
  return header;
}

int64_t CountRows(const std::string& path) {
  int64_t n = 0;
  ForEachRow(path, [&](Fields) { ++n; });
  return n;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

nlohmann::json ReadJson(const std::string& path) { return nlohmann::json::parse(ReadFile(path)); }

std::map<std::string, int, std::less<>> ColumnMap(const std::vector<std::string>& header) {
  std::map<std::string, int, std::less<>> m;
  for (size_t i = 0; i < header.size(); ++i) m[header[i]] = static_cast<int>(i);
  return m;
}

nlohmann::json LoadSchema(std::string_view table) {
  return ReadJson((hdhub::testing::SharedDir() / "snds/schemas" / (std::string(table) + ".json")).string());
}

std::unordered_set<std::string> NomenclatureCodes(const std::string& name) {
  std::unordered_set<std::string> codes;
  auto dir = hdhub::testing::SharedDir() / "snds/nomenclatures";
  std::ifstream probe((dir / (name + ".json")).string());
  if (!probe) return codes;
  nlohmann::json description = ReadJson((dir / (name + ".json")).string());
  std::string code_field;
  for (const auto& f : description["fields"]) {
    if (f.value("role", "") == "code") code_field = f["name"];
  }
  std::ifstream csv((dir / (name + ".csv")).string());
  std::string line;
  int code_column = -1;
  for (bool first = true; std::getline(csv, line); first = false) {
    std::vector<std::string> cells;
    std::stringstream ss(line);
    for (std::string cell; std::getline(ss, cell, ';');) {
      if (cell.size() >= 2 && cell.front() == '"' && cell.back() == '"') cell = cell.substr(1, cell.size() - 2);
      cells.push_back(cell);
    }
    if (first) {
      for (size_t i = 0; i < cells.size(); ++i) {
        if (cells[i] == code_field) code_column = static_cast<int>(i);
      }
    } else if (code_column >= 0 && static_cast<size_t>(code_column) < cells.size()) {
      codes.insert(cells[static_cast<size_t>(code_column)]);
    }
  }
  return codes;
}

Register LoadRegister(const std::string& dir) {
  Register people;
  std::vector<std::string> header = ReadHeader(dir + "/IR_BEN_R.csv");
  auto col = ColumnMap(header);
  size_t death = static_cast<size_t>(col.at("BEN_DCD_DTE"));
  ForEachRow(dir + "/IR_BEN_R.csv", [&](Fields row) {
    RegisteredPerson& p = people[std::string(row[0])];
    p.birth = DaysFromIso(row[1]);
    p.sex = row[2] == "1" ? 1 : 2;
    if (!row[death].empty()) p.death = DaysFromIso(row[death]);
  });
  ForEachRow(dir + "/OPTOUT.csv", [&](Fields row) {
    auto it = people.find(std::string(row[0]));
    if (it != people.end()) it->second.opted_out = true;
  });
  return people;
}

void LargeExtractTest::SetUpTestSuite() {
  dir_ = std::make_unique<hdhub::testing::TempDir>();
  GenerateOrDie(Dir(), kPeople, 7, 2);
  people_ = std::make_unique<Register>(LoadRegister(Dir()));
}

void LargeExtractTest::TearDownTestSuite() {
  people_.reset();
  dir_.reset();
}

int DaysFromIso(std::string_view s) {
  return FromCivil(Digits(s.substr(0, 4)), Digits(s.substr(5, 2)), Digits(s.substr(8, 2)));
}

int DaysFromDdMmYyyy(std::string_view s) {
  return FromCivil(Digits(s.substr(4, 4)), Digits(s.substr(2, 2)), Digits(s.substr(0, 2)));
}

}  // namespace hdhub::synth::testing

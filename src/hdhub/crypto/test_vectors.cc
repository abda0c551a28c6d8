#include "hdhub/crypto/test_vectors.h"

#include <fstream>

#include "hdhub/common/temp_dir.h"

namespace hdhub::crypto::testing {
namespace {

std::string Trim(const std::string& s) {
  const size_t begin = s.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return "";
  const size_t end = s.find_last_not_of(" \t\r");
  return s.substr(begin, end - begin + 1);
}

}  // namespace

StatusOr<std::vector<VectorBlock>> ReadVectorFile(const std::string& name) {
  const std::filesystem::path path = hdhub::testing::SourceDir() / "testdata/crypto" / name;
  std::ifstream in(path);
  if (!in) return NotFoundError("cannot open test vectors " + path.string());
  std::vector<VectorBlock> blocks;
  VectorBlock current;
  std::string line;
  for (int line_number = 1; std::getline(in, line); ++line_number) {
    line = Trim(line);
    if (line.empty()) {
      if (!current.empty()) blocks.push_back(std::move(current));
      current.clear();
      continue;
    }
    if (line[0] == '#') continue;
    const size_t eq = line.find('=');
    if (eq == std::string::npos) {
      return InvalidArgumentError(path.string() + ":" + std::to_string(line_number) +
                                  ": expected `field = value`");
    }
    current[Trim(line.substr(0, eq))] = Trim(line.substr(eq + 1));
  }
  if (!current.empty()) blocks.push_back(std::move(current));
  return blocks;
}

StatusOr<Bytes> HexField(const VectorBlock& block, const std::string& field) {
  auto it = block.find(field);
  if (it == block.end()) return InvalidArgumentError("test vector has no field " + field);
  return HexDecode(it->second);
}

}  // namespace hdhub::crypto::testing

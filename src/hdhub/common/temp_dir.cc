#include "hdhub/common/temp_dir.h"

#include <stdlib.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <system_error>

namespace hdhub::testing {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base != nullptr ? base : "/tmp") + "/hdhub-test-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + tmpl);
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::filesystem::path SourceDir() {
  if (const char* dir = std::getenv("HDHUB_SOURCE_DIR"); dir != nullptr) return dir;
  std::filesystem::path p = std::filesystem::current_path();
  while (!p.empty() && p != p.root_path()) {
    if (std::filesystem::exists(p / "src/hdhub")) return p;
    p = p.parent_path();
  }
  return std::filesystem::current_path();
}

std::filesystem::path SharedDir() { return SourceDir().parent_path() / "shared"; }

std::string RunCommandForTest(const std::string& command) {
  std::string output;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return "popen failed";
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) output.append(buffer.data(), n);
  ::pclose(pipe);
  return output;
}

}  // namespace hdhub::testing

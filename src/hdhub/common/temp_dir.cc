#include "hdhub/common/temp_dir.h"

#include <stdlib.h>

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

}  // namespace hdhub::testing

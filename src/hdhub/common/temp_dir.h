// TempDir: a fresh directory under $TMPDIR for a test, removed with its content
// when the object goes out of scope. Test-only (hdhub_testing target).
#pragma once

#include <filesystem>
#include <string>

namespace hdhub::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string Sub(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// $HDHUB_SOURCE_DIR (set by CTest), or the current directory's ancestors' checkout.
std::filesystem::path SourceDir();
// ../shared beside the checkout: the SNDS schemas, nomenclatures and samples.
std::filesystem::path SharedDir();

// Runs `command` through the shell (a real client: psql, python3, openssl)
// and returns its standard output and standard error together.
std::string RunCommandForTest(const std::string& command);

}  // namespace hdhub::testing

#include "hdhub/synth/extract_files.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <system_error>

namespace hdhub::synth {
namespace {

constexpr mode_t kPrivateFile = 0600;
constexpr char kManifest[] = "manifest.json";

std::string Join(const std::string& dir, std::string_view name) { return dir + "/" + std::string(name); }

}  // namespace

std::string ExtractFiles::FileName(OutputFile file) {
  return std::string(kTableNames[static_cast<size_t>(Index(file))]) + ".csv";
}

ExtractFiles::ExtractFiles(std::string dir)
    : dir_(std::move(dir)), prefix_(".synth-" + std::to_string(getpid()) + "-") {}

std::string ExtractFiles::TempPath(int file) const {
  return Join(dir_, prefix_ + FileName(static_cast<OutputFile>(file)) + ".tmp");
}

StatusOr<std::unique_ptr<ExtractFiles>> ExtractFiles::Create(const std::string& dir) {
  std::error_code ec;
  if (std::filesystem::exists(dir, ec) && !std::filesystem::is_directory(dir, ec)) {
    return FailedPreconditionError("output path '" + dir + "' exists and is not a directory");
  }
  std::filesystem::create_directories(dir, ec);
  if (ec) return ErrnoToStatus(ec.value(), "cannot create output directory '" + dir + "'");
  std::unique_ptr<ExtractFiles> files(new ExtractFiles(dir));
  for (int i = 0; i < kOutputFiles; ++i) {
    const std::string path = files->TempPath(i);
    UniqueFd fd(open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, kPrivateFile));
    if (!fd.valid()) return ErrnoToStatus(errno, "cannot write in output directory '" + dir + "'");
    files->temps_[static_cast<size_t>(i)].emplace(path);
    files->fds_[static_cast<size_t>(i)] = std::move(fd);
  }
  return files;
}

Status ExtractFiles::Append(OutputFile file, std::string_view data) {
  return WriteAll(fds_[static_cast<size_t>(Index(file))].get(), AsBytes(data), FileName(file) + " in '" + dir_ + "'");
}

Status ExtractFiles::AddWholeFile(std::string_view name, std::string_view data) {
  const std::string path = Join(dir_, prefix_ + std::string(name) + ".tmp");
  auto temp = std::make_unique<TempFileGuard>(path);
  UniqueFd fd(open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, kPrivateFile));
  if (!fd.valid()) return ErrnoToStatus(errno, "cannot write in output directory '" + dir_ + "'");
  RETURN_IF_ERROR(WriteAll(fd.get(), AsBytes(data), std::string(name) + " in '" + dir_ + "'"));
  RETURN_IF_ERROR(fd.Close().WithContext("cannot write in '" + dir_ + "'"));
  whole_files_.emplace_back(std::string(name), std::move(temp));
  return OkStatus();
}

Status ExtractFiles::Commit(std::string_view manifest_json) {
  for (UniqueFd& fd : fds_) RETURN_IF_ERROR(fd.Close().WithContext("cannot write in '" + dir_ + "'"));
  // An older extract's manifest goes first: while files are being replaced,
  // the directory must not claim to hold a complete extract.
  if (unlink(Join(dir_, kManifest).c_str()) != 0 && errno != ENOENT) {
    return ErrnoToStatus(errno, "cannot replace manifest.json in '" + dir_ + "'");
  }
  const WriteOptions test_data{.durable = false};
  for (int i = 0; i < kOutputFiles; ++i) {
    std::optional<TempFileGuard>& temp = temps_[static_cast<size_t>(i)];
    RETURN_IF_ERROR(PublishFile(temp->path(), Join(dir_, FileName(static_cast<OutputFile>(i))), test_data));
    temp->Release();
  }
  for (auto& [name, temp] : whole_files_) {
    RETURN_IF_ERROR(PublishFile(temp->path(), Join(dir_, name), test_data));
    temp->Release();
  }
  return WriteFileAtomically(Join(dir_, kManifest), AsBytes(manifest_json), kPrivateFile, test_data);
}

}  // namespace hdhub::synth

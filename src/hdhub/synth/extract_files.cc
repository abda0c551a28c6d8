#include "hdhub/synth/extract_files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
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

ExtractFiles::ExtractFiles(std::string dir) : dir_(std::move(dir)), prefix_(".synth-" + std::to_string(getpid()) + "-") {
  fds_.fill(-1);
}

ExtractFiles::~ExtractFiles() {
  if (!committed_) Abandon();
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
    std::string path = Join(dir, files->prefix_ + FileName(static_cast<OutputFile>(i)) + ".tmp");
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, kPrivateFile);
    if (fd < 0) return ErrnoToStatus(errno, "cannot write in output directory '" + dir + "'");
    files->fds_[static_cast<size_t>(i)] = fd;
  }
  return files;
}

Status ExtractFiles::WriteAll(int fd, std::string_view data, std::string_view name) {
  while (!data.empty()) {
    ssize_t n = write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoToStatus(errno, "cannot write " + std::string(name) + " in '" + dir_ + "'");
    data.remove_prefix(static_cast<size_t>(n));
  }
  return OkStatus();
}

Status ExtractFiles::Append(OutputFile file, std::string_view data) {
  return WriteAll(fds_[static_cast<size_t>(Index(file))], data, FileName(file));
}

Status ExtractFiles::Commit(std::string_view manifest_json) {
  std::string manifest_tmp = Join(dir_, prefix_ + kManifest + ".tmp");
  int fd = open(manifest_tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, kPrivateFile);
  if (fd < 0) return ErrnoToStatus(errno, "cannot write manifest.json in '" + dir_ + "'");
  Status written = WriteAll(fd, manifest_json, kManifest);
  if (close(fd) != 0 && written.ok()) written = ErrnoToStatus(errno, "cannot write manifest.json");
  if (!written.ok()) {
    unlink(manifest_tmp.c_str());
    return written;
  }
  for (int i = 0; i < kOutputFiles; ++i) {
    int& data_fd = fds_[static_cast<size_t>(i)];
    if (close(data_fd) != 0) return ErrnoToStatus(errno, "cannot write in '" + dir_ + "'");
    data_fd = -1;
  }
  // An older extract's manifest goes first: while files are being replaced,
  // the directory must not claim to hold a complete extract.
  if (unlink(Join(dir_, kManifest).c_str()) != 0 && errno != ENOENT) {
    return ErrnoToStatus(errno, "cannot replace manifest.json in '" + dir_ + "'");
  }
  for (int i = 0; i < kOutputFiles; ++i) {
    std::string name = FileName(static_cast<OutputFile>(i));
    if (rename(Join(dir_, prefix_ + name + ".tmp").c_str(), Join(dir_, name).c_str()) != 0) {
      return ErrnoToStatus(errno, "cannot rename " + name + " into place in '" + dir_ + "'");
    }
  }
  if (rename(manifest_tmp.c_str(), Join(dir_, kManifest).c_str()) != 0) {
    return ErrnoToStatus(errno, "cannot rename manifest.json into place in '" + dir_ + "'");
  }
  committed_ = true;
  return OkStatus();
}

void ExtractFiles::Abandon() {
  for (int i = 0; i < kOutputFiles; ++i) {
    int& fd = fds_[static_cast<size_t>(i)];
    if (fd >= 0) close(fd);
    fd = -1;
    unlink(Join(dir_, prefix_ + FileName(static_cast<OutputFile>(i)) + ".tmp").c_str());
  }
  unlink(Join(dir_, prefix_ + kManifest + ".tmp").c_str());
}

}  // namespace hdhub::synth

#include "hdhub/sql/private_temp_file_system.h"

#include <filesystem>

#include "duckdb/common/file_opener.hpp"
#include "hdhub/common/bytes.h"
#include "hdhub/crypto/random.h"

namespace hdhub::sql {
namespace {

[[noreturn]] void Refuse(const std::string& path) {
  throw duckdb::PermissionException("hdhub PERMISSION_DENIED: " + path.substr(0, 64) +
                                    ": the temporary storage is not reachable from SQL");
}

}  // namespace

StatusOr<std::string> MakePrivateTempDir(const std::string& root, std::string_view prefix) {
  ASSIGN_OR_RETURN(Bytes random, crypto::RandomBytes(8));
  std::filesystem::path dir = std::filesystem::path(root) / (std::string(prefix) + "-" + HexEncode(random));
  std::error_code ec;
  std::filesystem::create_directories(root, ec);
  if (!ec) std::filesystem::create_directory(dir, ec);
  if (!ec) std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
  if (ec) return InternalError("cannot create the private directory " + dir.string() + ": " + ec.message());
  return dir.string();
}

PrivateTempFileSystem::PrivateTempFileSystem(std::string directory)
    : directory_(std::move(directory)), local_(duckdb::FileSystem::CreateLocal()) {}

PrivateTempFileSystem::~PrivateTempFileSystem() {
  std::error_code ec;
  std::filesystem::remove_all(directory_, ec);
}

std::string PrivateTempFileSystem::Local(const std::string& path,
                                         duckdb::optional_ptr<duckdb::FileOpener> opener) const {
  if (duckdb::FileOpener::TryGetClientContext(opener) != nullptr) Refuse(path);
  size_t start = path.find("://");
  std::string rest = start == std::string::npos ? std::string() : path.substr(start + 3);
  while (!rest.empty() && rest.front() == '/') rest.erase(0, 1);
  if (rest.find("..") != std::string::npos || rest.find('/') != std::string::npos) Refuse(path);
  return rest.empty() ? directory_ : directory_ + "/" + rest;
}

duckdb::unique_ptr<duckdb::FileHandle> PrivateTempFileSystem::OpenFile(
    const std::string& path, duckdb::FileOpenFlags flags, duckdb::optional_ptr<duckdb::FileOpener> opener) {
  return local_->OpenFile(Local(path, opener), flags);
}

bool PrivateTempFileSystem::FileExists(const std::string& filename, duckdb::optional_ptr<duckdb::FileOpener> opener) {
  return local_->FileExists(Local(filename, opener));
}

bool PrivateTempFileSystem::DirectoryExists(const std::string& directory,
                                            duckdb::optional_ptr<duckdb::FileOpener> opener) {
  return local_->DirectoryExists(Local(directory, opener));
}

void PrivateTempFileSystem::CreateDirectory(const std::string& directory,
                                            duckdb::optional_ptr<duckdb::FileOpener> opener) {
  std::string local = Local(directory, opener);
  if (!local_->DirectoryExists(local)) local_->CreateDirectory(local);
}

void PrivateTempFileSystem::RemoveDirectory(const std::string& directory,
                                            duckdb::optional_ptr<duckdb::FileOpener> opener) {
  std::string local = Local(directory, opener);
  if (local != directory_) local_->RemoveDirectory(local);
}

bool PrivateTempFileSystem::ListFiles(const std::string& directory,
                                      const std::function<void(const std::string&, bool)>& callback,
                                      duckdb::FileOpener* opener) {
  return local_->ListFiles(Local(directory, opener), callback);
}

void PrivateTempFileSystem::MoveFile(const std::string& source, const std::string& target,
                                     duckdb::optional_ptr<duckdb::FileOpener> opener) {
  local_->MoveFile(Local(source, opener), Local(target, opener));
}

void PrivateTempFileSystem::RemoveFile(const std::string& filename, duckdb::optional_ptr<duckdb::FileOpener> opener) {
  local_->RemoveFile(Local(filename, opener));
}

bool PrivateTempFileSystem::TryRemoveFile(const std::string& filename,
                                          duckdb::optional_ptr<duckdb::FileOpener> opener) {
  return local_->TryRemoveFile(Local(filename, opener));
}

duckdb::vector<duckdb::OpenFileInfo> PrivateTempFileSystem::Glob(const std::string& path, duckdb::FileOpener* opener) {
  Local(path, opener);  // refuses a query's glob
  return {};
}

}  // namespace hdhub::sql

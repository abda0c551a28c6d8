#include "hdhub/storage/file_blob_store.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"
#include "hdhub/storage/blob_store_conformance.h"

namespace hdhub::storage {
namespace {

namespace fs = std::filesystem;
using ::hdhub::testing::StatusIs;
using ::hdhub::testing::TempDir;
using ::hdhub::testing::TestPattern;
using ::testing::HasSubstr;

INSTANTIATE_BLOB_STORE_CONFORMANCE(File, [](const fs::path& scratch) {
  auto store = FileBlobStore::Create(scratch / "root");
  if (!store.ok()) return StatusOr<std::unique_ptr<BlobStore>>(store.status());
  return StatusOr<std::unique_ptr<BlobStore>>(std::move(store).value());
});

std::vector<std::string> FilesIn(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename());
  return names;
}

void WriteFile(const fs::path& path, std::string_view content) {
  std::ofstream(path, std::ios::binary) << content;
}

TEST(FileBlobStoreTest, CreateMakesMissingRootAndLaysOutObjectsAsFiles) {
  TempDir dir;
  fs::path root = dir.path() / "a" / "b";
  ASSERT_OK_AND_ASSIGN(auto store, FileBlobStore::Create(root));
  ASSERT_OK(store->Put("o/5f/abc", AsBytes("sealed")));
  EXPECT_TRUE(fs::is_regular_file(root / "o" / "5f" / "abc"));
  EXPECT_EQ(fs::file_size(root / "o" / "5f" / "abc"), 6u);
  EXPECT_TRUE(FilesIn(root / ".tmp").empty());
}

TEST(FileBlobStoreTest, UncommittedWriterLeavesTempFileThatIsRemovedOnAbandon) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto store, FileBlobStore::Create(dir.path()));
  ASSERT_OK_AND_ASSIGN(auto writer, store->NewWriter("x"));
  ASSERT_OK(writer->Append(AsBytes("partial")));
  EXPECT_EQ(FilesIn(dir.path() / ".tmp").size(), 1u);
  writer.reset();
  EXPECT_TRUE(FilesIn(dir.path() / ".tmp").empty());
}

TEST(FileBlobStoreTest, CreateRemovesLeftoverTempFiles) {
  TempDir dir;
  fs::create_directories(dir.path() / ".tmp");
  WriteFile(dir.path() / ".tmp" / "123-0", "left by a crash");
  ASSERT_OK_AND_ASSIGN(auto store, FileBlobStore::Create(dir.path()));
  EXPECT_TRUE(FilesIn(dir.path() / ".tmp").empty());
  ASSERT_OK_AND_ASSIGN(auto listed, store->List(""));
  EXPECT_TRUE(listed.empty());
}

TEST(FileBlobStoreTest, ListIgnoresTempAndForeignFiles) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto store, FileBlobStore::Create(dir.path()));
  ASSERT_OK(store->Put("a/x", AsBytes("1")));
  ASSERT_OK_AND_ASSIGN(auto writer, store->NewWriter("a/y"));
  ASSERT_OK(writer->Append(AsBytes("pending")));
  WriteFile(dir.path() / "a" / "Upper", "not an object name");
  WriteFile(dir.path() / ".hidden", "not an object name");
  ASSERT_OK_AND_ASSIGN(auto listed, store->List(""));
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].name, "a/x");
}

TEST(FileBlobStoreTest, SymlinkedObjectIsRefusedNotFollowed) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto store, FileBlobStore::Create(dir.path() / "root"));
  WriteFile(dir.path() / "outside", "secret outside the root");
  fs::create_symlink(dir.path() / "outside", dir.path() / "root" / "link");
  EXPECT_THAT(store->Get("link"), StatusIs(StatusCode::kFailedPrecondition, HasSubstr("link")));
  EXPECT_THAT(store->Stat("link"), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(store->OpenReader("link"), StatusIs(StatusCode::kFailedPrecondition));
  ASSERT_OK_AND_ASSIGN(auto listed, store->List(""));
  EXPECT_TRUE(listed.empty());
}

TEST(FileBlobStoreTest, SymlinkedDirectoryIsRefusedForReadsAndWrites) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto store, FileBlobStore::Create(dir.path() / "root"));
  fs::create_directories(dir.path() / "elsewhere");
  WriteFile(dir.path() / "elsewhere" / "x", "outside");
  fs::create_directory_symlink(dir.path() / "elsewhere", dir.path() / "root" / "d");
  EXPECT_THAT(store->Get("d/x"), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(store->Put("d/y", AsBytes("1")), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_FALSE(fs::exists(dir.path() / "elsewhere" / "y"));
  ASSERT_OK_AND_ASSIGN(auto listed, store->List(""));
  EXPECT_TRUE(listed.empty());
}

TEST(FileBlobStoreTest, ObjectBelowAnotherObjectIsFailedPrecondition) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto store, FileBlobStore::Create(dir.path()));
  ASSERT_OK(store->Put("a", AsBytes("1")));
  EXPECT_THAT(store->Put("a/b", AsBytes("2")), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(store->Get("a/b"), StatusIs(StatusCode::kNotFound));
  ASSERT_OK(store->Put("c/d", AsBytes("3")));
  EXPECT_THAT(store->Put("c", AsBytes("4")), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(store->Get("c"), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(store->Delete("c"), StatusIs(StatusCode::kNotFound));
}

TEST(FileBlobStoreTest, ReaderKeepsOpenedContentAfterOverwriteAndDelete) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto store, FileBlobStore::Create(dir.path()));
  ASSERT_OK(store->Put("x", AsBytes("old")));
  ASSERT_OK_AND_ASSIGN(auto reader, store->OpenReader("x"));
  ASSERT_OK(store->Put("x", AsBytes("new!")));
  ASSERT_OK(store->Delete("x"));
  Bytes out(3);
  ASSERT_OK(reader->ReadAt(0, out));
  EXPECT_EQ(AsStringView(out), "old");
}

TEST(FileBlobStoreTest, ComponentLongerThanNameMaxIsInvalidArgument) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto store, FileBlobStore::Create(dir.path()));
  EXPECT_THAT(store->Put(std::string(300, 'a'), AsBytes("1")),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST(FileBlobStoreTest, CreateFailsWhenRootIsAFile) {
  TempDir dir;
  WriteFile(dir.path() / "file", "x");
  EXPECT_FALSE(FileBlobStore::Create(dir.path() / "file").ok());
  EXPECT_FALSE(FileBlobStore::Create(dir.path() / "file" / "below").ok());
}

// Makes a directory unwritable for the lifetime of the guard: by its mode
// for an ordinary user, by the immutable attribute for root (which ignores
// modes but not FS_IMMUTABLE_FL). `ok()` is false where neither is possible.
class ReadOnlyDirectory {
 public:
  explicit ReadOnlyDirectory(const fs::path& dir) : dir_(dir) {
    if (geteuid() != 0) {
      fs::permissions(dir_, fs::perms::owner_read | fs::perms::owner_exec);
      ok_ = true;
      return;
    }
    ok_ = SetImmutable(true);
  }
  ~ReadOnlyDirectory() {
    if (!ok_) return;
    if (geteuid() != 0) {
      fs::permissions(dir_, fs::perms::owner_all);
    } else {
      SetImmutable(false);
    }
  }
  bool ok() const { return ok_; }

 private:
  bool SetImmutable(bool on) {
    int fd = open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return false;
    int flags = 0;
    bool done = ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0;
    flags = on ? (flags | FS_IMMUTABLE_FL) : (flags & ~FS_IMMUTABLE_FL);
    done = done && ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0;
    close(fd);
    return done;
  }

  fs::path dir_;
  bool ok_ = false;
};

TEST(FileBlobStoreTest, UnwritableDirectoryIsPermissionDenied) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto store, FileBlobStore::Create(dir.path()));
  ASSERT_OK(store->Put("ro/x", AsBytes("1")));
  ReadOnlyDirectory read_only(dir.path() / "ro");
  if (!read_only.ok()) GTEST_SKIP() << "cannot make a directory read-only here";
  EXPECT_THAT(store->Put("ro/y", AsBytes("2")),
              StatusIs(StatusCode::kPermissionDenied, HasSubstr("ro/y")));
  EXPECT_THAT(store->Delete("ro/x"), StatusIs(StatusCode::kPermissionDenied, HasSubstr("ro/x")));
  ASSERT_OK_AND_ASSIGN(Bytes still, store->Get("ro/x"));
  EXPECT_EQ(AsStringView(still), "1");
  EXPECT_TRUE(FilesIn(dir.path() / ".tmp").empty());
}

}  // namespace
}  // namespace hdhub::storage

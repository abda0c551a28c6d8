#include "hdhub/common/file.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"

namespace hdhub {
namespace {

namespace fs = std::filesystem;
using ::hdhub::testing::StatusIs;
using ::hdhub::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> Entries(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// The file's content, or the error in angle brackets.
std::string Content(const std::string& path) {
  StatusOr<std::string> text = ReadFile(path);
  return text.ok() ? *text : "<" + text.status().ToString() + ">";
}

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0);
  return st.st_mode & 0777;
}

// Fails the n-th call (1-based) of one system call, and records every call.
class FailingOps : public FileOps {
 public:
  enum class Call { kSync, kRename, kLink };
  FailingOps(Call fail, int nth) : fail_(fail), nth_(nth) {}

  Status Sync(int fd, const std::string& path) override {
    return Record(Call::kSync, "sync " + path) ? UnavailableError("EIO on fsync") : FileOps::Sync(fd, path);
  }
  Status Rename(const std::string& from, const std::string& to) override {
    return Record(Call::kRename, "rename") ? UnavailableError("EIO on rename") : FileOps::Rename(from, to);
  }
  Status Link(const std::string& from, const std::string& to) override {
    return Record(Call::kLink, "link") ? UnavailableError("EIO on link") : FileOps::Link(from, to);
  }
  const std::vector<std::string>& calls() const { return calls_; }

 private:
  bool Record(Call call, std::string what) {
    calls_.push_back(std::move(what));
    return call == fail_ && --nth_ == 0;
  }
  Call fail_;
  int nth_;
  std::vector<std::string> calls_;
};

class FileTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_OK(WriteFileAtomically(path_, AsBytes("old"), 0644)); }
  TempDir dir_;
  std::string path_ = dir_.Sub("hub.json");
};

TEST_F(FileTest, ReadFileGivesTheWholeContentAndNotFoundWhenAbsent) {
  std::string big(200000, 'x');
  ASSERT_OK(WriteFileAtomically(path_, AsBytes(big), 0600));
  EXPECT_EQ(Content(path_), big);
  EXPECT_THAT(ReadFile(dir_.Sub("none")), StatusIs(StatusCode::kNotFound, HasSubstr("none")));
}

TEST_F(FileTest, WriteReplacesTheFileWithExactlyTheModeAskedAndLeavesNoTemporary) {
  const mode_t old_umask = ::umask(077);
  Status written = WriteFileAtomically(path_, AsBytes("new"), 0644);
  ::umask(old_umask);
  ASSERT_OK(written);
  EXPECT_EQ(Content(path_), "new");
  EXPECT_EQ(ModeOf(path_), 0644u);
  EXPECT_THAT(Entries(dir_.path()), ElementsAre("hub.json"));
}

TEST_F(FileTest, DurableWriteSyncsTheFileAndThenItsFolder) {
  FailingOps ops(FailingOps::Call::kLink, 0);
  ASSERT_OK(WriteFileAtomically(path_, AsBytes("new"), 0644, {.ops_for_test = &ops}));
  ASSERT_EQ(ops.calls().size(), 3u);
  EXPECT_THAT(ops.calls()[0], HasSubstr("sync " + path_ + ".tmp-"));
  EXPECT_EQ(ops.calls()[1], "rename");
  EXPECT_EQ(ops.calls()[2], "sync directory " + dir_.path().string());
}

TEST_F(FileTest, WriteWithoutDurabilitySyncsNothing) {
  FailingOps ops(FailingOps::Call::kSync, 1);
  ASSERT_OK(WriteFileAtomically(path_, AsBytes("new"), 0644, {.durable = false, .ops_for_test = &ops}));
  EXPECT_THAT(ops.calls(), ElementsAre("rename"));
  EXPECT_EQ(Content(path_), "new");
}

TEST_F(FileTest, FailedFsyncOrRenameLeavesTheOldFileAndNoTemporary) {
  for (auto [call, what] : {std::pair{FailingOps::Call::kSync, "fsync"}, {FailingOps::Call::kRename, "rename"}}) {
    FailingOps ops(call, 1);
    EXPECT_THAT(WriteFileAtomically(path_, AsBytes("new"), 0644, {.ops_for_test = &ops}),
                StatusIs(StatusCode::kUnavailable, HasSubstr(what)));
    EXPECT_EQ(Content(path_), "old") << what;
    EXPECT_THAT(Entries(dir_.path()), ElementsAre("hub.json")) << what;
  }
}

TEST_F(FileTest, IfAbsentCreatesButNeverReplaces) {
  EXPECT_THAT(WriteFileAtomically(path_, AsBytes("new"), 0600, {.if_absent = true}),
              StatusIs(StatusCode::kAlreadyExists, HasSubstr(path_)));
  EXPECT_EQ(Content(path_), "old");
  ASSERT_OK(WriteFileAtomically(dir_.Sub("hub.key"), AsBytes("key"), 0600, {.if_absent = true}));
  EXPECT_EQ(Content(dir_.Sub("hub.key")), "key");
  EXPECT_EQ(ModeOf(dir_.Sub("hub.key")), 0600u);
  EXPECT_THAT(Entries(dir_.path()), ElementsAre("hub.json", "hub.key"));
}

TEST_F(FileTest, WriteIntoAMissingFolderIsNotFound) {
  EXPECT_THAT(WriteFileAtomically(dir_.Sub("missing/hub.json"), AsBytes("x"), 0644), StatusIs(StatusCode::kNotFound));
}

TEST_F(FileTest, PublishFileMovesACompleteFileAndLeavesItOnFailure) {
  const std::string temp = dir_.Sub("out.csv.tmp-1");
  ASSERT_OK(WriteFileAtomically(temp, AsBytes("rows"), 0644));
  FailingOps ops(FailingOps::Call::kLink, 1);
  EXPECT_THAT(PublishFile(temp, dir_.Sub("out.csv"), {.if_absent = true, .ops_for_test = &ops}),
              StatusIs(StatusCode::kUnavailable));
  EXPECT_TRUE(fs::exists(temp)) << "the caller's guard removes it";
  ASSERT_OK(PublishFile(temp, dir_.Sub("out.csv"), {.if_absent = true}));
  EXPECT_EQ(Content(dir_.Sub("out.csv")), "rows");
  EXPECT_THAT(Entries(dir_.path()), ElementsAre("hub.json", "out.csv"));
}

TEST(TempFileGuardTest, RemovesThePathUnlessReleased) {
  TempDir dir;
  ASSERT_OK(WriteFileAtomically(dir.Sub("a"), AsBytes("a"), 0600));
  ASSERT_OK(WriteFileAtomically(dir.Sub("b"), AsBytes("b"), 0600));
  {
    TempFileGuard a(dir.Sub("a"));
    TempFileGuard b(dir.Sub("b"));
    b.Release();
  }
  EXPECT_THAT(Entries(dir.path()), ElementsAre("b"));
}

TEST(UniqueFdTest, ClosesOnDestructionAndOnMoveAssignment) {
  int first = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  int second = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(first, 0);
  ASSERT_GE(second, 0);
  {
    UniqueFd a(first);
    UniqueFd b(second);
    a = std::move(b);
    EXPECT_EQ(::fcntl(first, F_GETFD), -1) << "the replaced descriptor is closed";
    EXPECT_EQ(a.get(), second);
    EXPECT_FALSE(b.valid());
  }
  EXPECT_EQ(::fcntl(second, F_GETFD), -1);
}

TEST(MakeDirsTest, CreatesParentsWithTheModeAndKeepsAnExistingFolder) {
  TempDir dir;
  ASSERT_OK(MakeDirs(dir.Sub("a/b"), 0700));
  EXPECT_EQ(ModeOf(dir.Sub("a/b")), 0700u);
  ASSERT_EQ(::chmod(dir.Sub("a/b").c_str(), 0750), 0);
  ASSERT_OK(MakeDirs(dir.Sub("a/b"), 0700));
  EXPECT_EQ(ModeOf(dir.Sub("a/b")), 0750u);
  ASSERT_OK(SyncDir(dir.Sub("a")));
  EXPECT_THAT(SyncDir(dir.Sub("none")), StatusIs(StatusCode::kNotFound));
}

}  // namespace
}  // namespace hdhub

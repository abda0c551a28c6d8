#include "hdhub/common/file_lock.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <iterator>
#include <thread>

#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"

namespace hdhub {
namespace {

using ::hdhub::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

std::string Contents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(FileLockTest, SecondHolderIsRefusedUntilTheFirstReleases) {
  testing::TempDir dir;
  std::string path = dir.Sub("lock");
  auto first = FileLock::Acquire(path, std::chrono::milliseconds(0), "the ingest");
  ASSERT_OK(first.status());
  EXPECT_THAT(FileLock::Acquire(path, std::chrono::milliseconds(50), "the ingest"),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("the ingest is busy")));
  std::thread release([&first] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    FileLock gone = std::move(*first);
  });
  EXPECT_OK(FileLock::Acquire(path, std::chrono::seconds(30), "the ingest").status());
  release.join();
}

TEST(FileLockTest, MissingDirectoryIsNotFound) {
  EXPECT_THAT(FileLock::Acquire("/nonexistent-hdhub-dir/lock", std::chrono::milliseconds(0), "x"),
              StatusIs(StatusCode::kNotFound));
}

// A child process holds the lock until told to go; the parent's error names it.
TEST(FileLockTest, WaiterIsToldWhichProcessHoldsTheLockAndSinceWhen) {
  testing::TempDir dir;
  const std::string path = dir.Sub("lock");
  int locked[2], go[2];
  ASSERT_EQ(::pipe(locked), 0);
  ASSERT_EQ(::pipe(go), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto lock = FileLock::Acquire(path, std::chrono::milliseconds(0), "the ingest");
    char c = lock.ok() ? 'y' : 'n';
    if (::write(locked[1], &c, 1) != 1) ::_exit(2);
    if (::read(go[0], &c, 1) != 1) ::_exit(3);
    ::_exit(0);
  }
  char c = 0;
  ASSERT_EQ(::read(locked[0], &c, 1), 1);
  ASSERT_EQ(c, 'y');
  auto waited = FileLock::Acquire(path, std::chrono::milliseconds(50), "the ingest");
  ASSERT_EQ(::write(go[1], &c, 1), 1);
  int wstatus = 0;
  ::waitpid(child, &wstatus, 0);
  EXPECT_THAT(waited, StatusIs(StatusCode::kFailedPrecondition,
                               AllOf(HasSubstr("the ingest is busy: held by pid " + std::to_string(child) + " (" +
                                               program_invocation_short_name + ") since 20"),
                                     HasSubstr("(lock " + path + ")"))));
  for (int fd : {locked[0], locked[1], go[0], go[1]}) ::close(fd);
  // The child died holding nothing: the lock is free again.
  EXPECT_OK(FileLock::Acquire(path, std::chrono::milliseconds(0), "the ingest").status());
}

TEST(FileLockTest, HolderLineIsWrittenWhileHeldAndClearedOnRelease) {
  testing::TempDir dir;
  const std::string path = dir.Sub("lock");
  {
    ASSERT_OK_AND_ASSIGN(FileLock lock, FileLock::Acquire(path, std::chrono::milliseconds(0), "x"));
    EXPECT_THAT(Contents(path),
                MatchesRegex(std::to_string(::getpid()) + " 20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9:]+Z [^\n]+\n"));
  }
  EXPECT_EQ(Contents(path), "");
}

TEST(FileLockTest, SharedHoldersCoexistAndExcludeAnExclusiveHolder) {
  testing::TempDir dir;
  const std::string path = dir.Sub("lock");
  {
    ASSERT_OK_AND_ASSIGN(FileLock a, FileLock::AcquireShared(path, std::chrono::milliseconds(0), "the log"));
    ASSERT_OK_AND_ASSIGN(FileLock b, FileLock::AcquireShared(path, std::chrono::milliseconds(0), "the log"));
    EXPECT_THAT(FileLock::Acquire(path, std::chrono::milliseconds(10), "the log"),
                StatusIs(StatusCode::kFailedPrecondition, HasSubstr("the log is busy: held by another process")));
    EXPECT_EQ(Contents(path), "");  // shared holders write no line
  }
  ASSERT_OK_AND_ASSIGN(FileLock exclusive, FileLock::Acquire(path, std::chrono::milliseconds(0), "the log"));
  EXPECT_THAT(FileLock::AcquireShared(path, std::chrono::milliseconds(10), "the log"),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("held by pid " + std::to_string(::getpid()))));
}

}  // namespace
}  // namespace hdhub

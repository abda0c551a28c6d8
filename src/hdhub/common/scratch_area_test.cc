#include "hdhub/common/scratch_area.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"

namespace hdhub {
namespace {

namespace fs = std::filesystem;
using ::hdhub::testing::IsOkAndHolds;
using ::testing::IsEmpty;

// Forks a process that creates an area under `root`, writes a file in it and
// is killed with SIGKILL (nothing of its own cleans up); returns the area's
// folder name.
std::string AreaOfAKilledProcess(const std::string& root) {
  int pipe_fds[2];
  EXPECT_EQ(::pipe(pipe_fds), 0);
  pid_t child = ::fork();
  if (child == 0) {
    StatusOr<std::unique_ptr<ScratchArea>> area = ScratchArea::Create(root);
    std::string name = area.ok() ? fs::path((*area)->path()).filename().string() : "";
    if (area.ok()) std::ofstream(fs::path((*area)->path()) / "spill.tmp") << "block";
    (void)!::write(pipe_fds[1], name.data(), name.size());
    ::kill(::getpid(), SIGKILL);
  }
  ::close(pipe_fds[1]);
  char buffer[128] = {};
  ssize_t n = ::read(pipe_fds[0], buffer, sizeof buffer - 1);
  ::close(pipe_fds[0]);
  int wstatus = 0;
  ::waitpid(child, &wstatus, 0);
  EXPECT_TRUE(WIFSIGNALED(wstatus));
  return std::string(buffer, n > 0 ? size_t(n) : 0);
}

TEST(ScratchAreaTest, AreaIsPrivateAndRemovedWithItsOwner) {
  testing::TempDir dir;
  std::string path;
  {
    ASSERT_OK_AND_ASSIGN(auto area, ScratchArea::Create(dir.Sub("tmp")));
    path = area->path();
    EXPECT_TRUE(fs::is_directory(path));
    EXPECT_EQ(fs::status(path).permissions() & fs::perms::all, fs::perms::owner_all);
    EXPECT_EQ(fs::status(dir.Sub("tmp")).permissions() & fs::perms::all, fs::perms::owner_all);
  }
  EXPECT_FALSE(fs::exists(path));
  EXPECT_TRUE(fs::is_empty(dir.Sub("tmp")));
}

TEST(ScratchAreaTest, RemovesTheAreasOfKilledProcessesAndKeepsLiveOnes) {
  testing::TempDir dir;
  const std::string root = dir.Sub("tmp");
  ASSERT_OK_AND_ASSIGN(auto live, ScratchArea::Create(root));
  std::ofstream(fs::path(live->path()) / "spill.tmp") << "in use";
  const std::string killed = AreaOfAKilledProcess(root);
  ASSERT_FALSE(killed.empty());
  ASSERT_TRUE(fs::exists(fs::path(root) / killed / "spill.tmp"));
  fs::create_directory(fs::path(root) / "ingest-0123456789abcdef");  // left by an older hdhub

  ASSERT_OK_AND_ASSIGN(std::vector<std::string> removed, ScratchArea::RemoveAbandoned(root));
  std::vector<std::string> expected = {killed, "ingest-0123456789abcdef"};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(removed, expected);
  EXPECT_FALSE(fs::exists(fs::path(root) / killed));
  EXPECT_FALSE(fs::exists(fs::path(root) / (killed + ".lock")));
  EXPECT_TRUE(fs::exists(fs::path(live->path()) / "spill.tmp"));  // its owner lives
  EXPECT_THAT(ScratchArea::RemoveAbandoned(root), IsOkAndHolds(IsEmpty()));
}

TEST(ScratchAreaTest, NothingToRemoveWithoutARoot) {
  testing::TempDir dir;
  EXPECT_THAT(ScratchArea::RemoveAbandoned(dir.Sub("absent")), IsOkAndHolds(IsEmpty()));
}

}  // namespace
}  // namespace hdhub

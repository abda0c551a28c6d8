#include "hdhub/common/file_lock.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"

namespace hdhub {
namespace {

using ::hdhub::testing::StatusIs;
using ::testing::HasSubstr;

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

}  // namespace
}  // namespace hdhub

// Crash consistency of the file:// backend, for real: a child process writes a
// large object through NewWriter and is SIGKILLed at a chosen or random point;
// the parent then reopens the store and checks that the name holds the complete
// old or the complete new content, and that the temporary files are gone.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <random>

#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"
#include "hdhub/storage/blob_store_conformance.h"
#include "hdhub/storage/file_blob_store.h"

namespace hdhub::storage {
namespace {

namespace fs = std::filesystem;
using ::hdhub::testing::StatusIs;
using ::hdhub::testing::TempDir;
using ::hdhub::testing::TestPattern;

constexpr char kName[] = "o/ab/crash-target";
constexpr size_t kChunkSize = 64 * 1024;
constexpr int kChunks = 64;  // 4 MiB
constexpr uint32_t kOldSeed = 1;
constexpr uint32_t kNewSeed = 2;
constexpr int kChildFailed = 2;

// Lockstep: the child waits for a go byte before each step (an Append, then
// the Commit) so the parent knows exactly what was done before the kill.
// Free-running: the child never waits, so the kill lands anywhere, including
// inside write(), fsync() or rename().
enum class Mode { kLockstep, kFreeRunning };

struct Pipe {
  int read_end = -1;
  int write_end = -1;
  Pipe() {
    int fds[2];
    if (pipe(fds) == 0) {
      read_end = fds[0];
      write_end = fds[1];
    }
  }
  ~Pipe() {
    if (read_end >= 0) close(read_end);
    if (write_end >= 0) close(write_end);
  }
};

bool ReadByte(int fd) {
  char c;
  return read(fd, &c, 1) == 1;
}
bool WriteByte(int fd) { return write(fd, "x", 1) == 1; }

[[noreturn]] void RunChild(const fs::path& root, Mode mode, int go_fd, int ack_fd) {
  auto store = FileBlobStore::Create(root);
  if (!store.ok()) _exit(kChildFailed);
  auto writer = (*store)->NewWriter(kName);
  // Ready: the temporary file exists.
  if (!writer.ok() || !WriteByte(ack_fd)) _exit(kChildFailed);
  Bytes content = TestPattern(kChunkSize * kChunks, kNewSeed);
  for (int step = 0; step <= kChunks; ++step) {
    if (mode == Mode::kLockstep && !ReadByte(go_fd)) _exit(kChildFailed);
    Status status =
        step < kChunks ? (*writer)->Append(ByteSpan(content).subspan(step * kChunkSize, kChunkSize))
                       : (*writer)->Commit();
    if (!status.ok() || !WriteByte(ack_fd)) _exit(kChildFailed);
  }
  // Wait to be killed: exiting normally would run the writer's destructor.
  for (;;) pause();
}

// Forks a writer, waits until it has created its temporary file, lets it take
// `steps` steps (lockstep) or get past `steps` acknowledgements (free-running),
// then SIGKILLs it.
void WriteAndKill(const fs::path& root, Mode mode, int steps) {
  Pipe go;
  Pipe ack;
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) RunChild(root, mode, go.read_end, ack.write_end);
  bool in_step = ReadByte(ack.read_end);
  for (int i = 0; i < steps && in_step; ++i) {
    if (mode == Mode::kLockstep) in_step = WriteByte(go.write_end);
    in_step = in_step && ReadByte(ack.read_end);
  }
  // Killed in every case, so that no child outlives the test.
  kill(pid, SIGKILL);
  int wait_status = 0;
  ASSERT_EQ(waitpid(pid, &wait_status, 0), pid);
  EXPECT_TRUE(in_step) << "child failed before its step " << steps;
  EXPECT_TRUE(WIFSIGNALED(wait_status)) << "child exited with " << WEXITSTATUS(wait_status);
}

struct Outcome {
  bool had_temp_files = false;
  StatusOr<Bytes> content = NotFoundError("unset");
};

Outcome CrashOnce(Mode mode, int steps, bool with_previous) {
  TempDir dir;
  fs::path root = dir.path() / "root";
  {
    auto store = FileBlobStore::Create(root);
    EXPECT_OK(store);
    if (with_previous) {
      EXPECT_OK((*store)->Put(kName, TestPattern(kChunkSize * 3 + 17, kOldSeed)));
    }
  }
  WriteAndKill(root, mode, steps);
  Outcome outcome;
  outcome.had_temp_files = !fs::is_empty(root / ".tmp");
  auto reopened = FileBlobStore::Create(root);
  EXPECT_OK(reopened);
  EXPECT_TRUE(fs::is_empty(root / ".tmp")) << "leftover temporary files after reopen";
  outcome.content = (*reopened)->Get(kName);
  return outcome;
}

bool IsOld(const StatusOr<Bytes>& content) {
  return content.ok() && *content == TestPattern(kChunkSize * 3 + 17, kOldSeed);
}
bool IsNew(const StatusOr<Bytes>& content) {
  return content.ok() && *content == TestPattern(kChunkSize * kChunks, kNewSeed);
}

TEST(FileBlobStoreCrashTest, KillBeforeCommitKeepsOldObjectOrNothing) {
  std::mt19937 random(20261123);
  for (int steps : {0, 1, kChunks / 2, kChunks, static_cast<int>(random() % kChunks)}) {
    for (bool with_previous : {false, true}) {
      SCOPED_TRACE("steps " + std::to_string(steps) + (with_previous ? " over old" : " new"));
      Outcome outcome = CrashOnce(Mode::kLockstep, steps, with_previous);
      EXPECT_TRUE(outcome.had_temp_files);
      if (with_previous) {
        EXPECT_TRUE(IsOld(outcome.content)) << outcome.content.status();
      } else {
        EXPECT_THAT(outcome.content, StatusIs(StatusCode::kNotFound));
      }
    }
  }
}

TEST(FileBlobStoreCrashTest, KillAfterCommitKeepsNewObject) {
  for (bool with_previous : {false, true}) {
    Outcome outcome = CrashOnce(Mode::kLockstep, kChunks + 1, with_previous);
    EXPECT_FALSE(outcome.had_temp_files);
    EXPECT_TRUE(IsNew(outcome.content)) << outcome.content.status();
  }
}

TEST(FileBlobStoreCrashTest, KillAtRandomPointLeavesOldOrNewNeverPartial) {
  std::mt19937 random(42);
  for (int iteration = 0; iteration < 8; ++iteration) {
    int steps = static_cast<int>(random() % (kChunks + 1));
    bool with_previous = iteration % 2 == 0;
    SCOPED_TRACE("iteration " + std::to_string(iteration) + " after " + std::to_string(steps));
    Outcome outcome = CrashOnce(Mode::kFreeRunning, steps, with_previous);
    bool old_or_absent = with_previous ? IsOld(outcome.content)
                                       : outcome.content.status().code() == StatusCode::kNotFound;
    EXPECT_TRUE(old_or_absent || IsNew(outcome.content)) << outcome.content.status();
  }
}

}  // namespace
}  // namespace hdhub::storage

#include "hdhub/common/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <fstream>
#include <iterator>
#include <thread>

#include "hdhub/common/clock.h"

namespace hdhub {
namespace {
// Polling starts fast (another process's audit group commit takes a few
// milliseconds) and backs off.
constexpr std::chrono::milliseconds kFirstPoll{1};
constexpr std::chrono::milliseconds kMaxPoll{20};
constexpr mode_t kLockFileMode = 0600;
constexpr size_t kMaxHolderLine = 256;
constexpr size_t kMaxSubcommand = 32;

bool IsPlainWord(std::string_view s) {
  return !s.empty() && s.size() <= kMaxSubcommand && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  }) && s.front() != '-';
}

// Keeps a name printable and free of spaces, whatever argv[0] holds.
std::string Printable(std::string_view s) {
  std::string out(s.substr(0, kMaxSubcommand));
  for (char& c : out) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) c = '?';
  }
  return out;
}

// "hdhub ingest": the program's name and its subcommand, read once.
const std::string& ThisCommand() {
  static const std::string command = [] {
    std::ifstream in("/proc/self/cmdline", std::ios::binary);
    const std::string all((std::istreambuf_iterator<char>(in)), {});
    std::string_view args(all);
    const std::string_view argv0 = args.substr(0, args.find('\0'));
    args.remove_prefix(std::min(args.size(), argv0.size() + 1));
    const std::string_view argv1 = args.substr(0, args.find('\0'));
    std::string out = Printable(argv0.substr(argv0.rfind('/') + 1));
    if (out.empty()) out = "?";
    if (IsPlainWord(argv1)) out += " " + std::string(argv1);
    return out;
  }();
  return command;
}

std::string HolderLine() {
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  const std::string since = FormatRfc3339(TimePoint(now)).substr(0, 19) + "Z";
  return std::to_string(::getpid()) + " " + since + " " + ThisCommand() + "\n";
}

// "held by pid 1234 (hdhub ingest) since 2026-12-01T23:50:00Z", from the
// holder line; "held by another process" when there is none (a shared holder,
// or a holder that has not written it yet).
std::string DescribeHolder(int fd) {
  char buf[kMaxHolderLine];
  const ssize_t n = ::pread(fd, buf, sizeof(buf), 0);
  std::string_view line(buf, n > 0 ? static_cast<size_t>(n) : 0);
  line = line.substr(0, line.find('\n'));
  const size_t sp1 = line.find(' ');
  const size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  long pid = 0;
  const bool parsed = sp2 != std::string_view::npos &&
                      std::from_chars(line.data(), line.data() + sp1, pid).ptr == line.data() + sp1 && pid > 0;
  if (!parsed) return "held by another process";
  const std::string_view since = line.substr(sp1 + 1, sp2 - sp1 - 1);
  return "held by pid " + std::to_string(pid) + " (" + Printable(line.substr(sp2 + 1)) + ") since " + Printable(since);
}

void WriteHolderLine(int fd) {
  // Informative only: a failure to write it leaves the lock as good.
  const std::string line = HolderLine();
  if (::ftruncate(fd, 0) == 0) (void)!::pwrite(fd, line.data(), line.size(), 0);
}
}  // namespace

StatusOr<FileLock> FileLock::Acquire(const std::string& path, std::chrono::milliseconds wait, std::string_view what) {
  return Lock(path, wait, what, /*exclusive=*/true);
}

StatusOr<FileLock> FileLock::AcquireShared(const std::string& path, std::chrono::milliseconds wait,
                                           std::string_view what) {
  return Lock(path, wait, what, /*exclusive=*/false);
}

StatusOr<FileLock> FileLock::Lock(const std::string& path, std::chrono::milliseconds wait, std::string_view what,
                                  bool exclusive) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, kLockFileMode);
  if (fd < 0) return ErrnoToStatus(errno, "open " + path);
  FileLock lock(fd, /*exclusive=*/false);  // writes and clears no line until locked
  const auto deadline = std::chrono::steady_clock::now() + wait;
  std::chrono::milliseconds poll = kFirstPoll;
  while (::flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) return ErrnoToStatus(errno, "lock " + path);
    if (std::chrono::steady_clock::now() >= deadline) {
      return FailedPreconditionError(std::string(what) + " is busy: " + DescribeHolder(fd) + " (lock " + path + ")");
    }
    std::this_thread::sleep_for(poll);
    poll = std::min(poll * 2, kMaxPoll);
  }
  if (exclusive) WriteHolderLine(fd);
  lock.exclusive_ = exclusive;
  return lock;
}

void FileLock::Release() {
  if (fd_ < 0) return;
  if (exclusive_) (void)!::ftruncate(fd_, 0);  // before unlocking: the next holder writes its own
  ::close(fd_);                                // closing the last descriptor releases the lock
  fd_ = -1;
}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    Release();
    fd_ = other.fd_;
    exclusive_ = other.exclusive_;
    other.fd_ = -1;
  }
  return *this;
}

FileLock::~FileLock() { Release(); }

}  // namespace hdhub

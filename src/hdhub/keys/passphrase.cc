#include "hdhub/keys/passphrase.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>

#include "hdhub/common/bytes.h"

namespace hdhub::keys {
namespace {

// Restores the terminal's mode when the prompt ends, however it ends.
class EchoOff {
 public:
  explicit EchoOff(int fd) : fd_(fd) {
    if (::tcgetattr(fd_, &saved_) != 0) return;
    termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    active_ = ::tcsetattr(fd_, TCSAFLUSH, &quiet) == 0;
  }
  ~EchoOff() {
    if (active_) ::tcsetattr(fd_, TCSAFLUSH, &saved_);
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;

 private:
  int fd_;
  termios saved_{};
  bool active_ = false;
};

void WriteToStderr(std::string_view text) {
  // Best effort: a prompt that cannot be shown still lets the user type.
  ssize_t ignored = ::write(STDERR_FILENO, text.data(), text.size());
  (void)ignored;
}

// Reads one line from `fd` straight into a SecretBytes, one byte at a time,
// so the passphrase never passes through a std::string or stdio buffer.
StatusOr<SecretBytes> ReadLineSecret(int fd) {
  SecretBytes buffer(kMaxPassphraseSize);
  size_t size = 0;
  while (true) {
    uint8_t c = 0;
    ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoToStatus(errno, "read passphrase");
    if (n == 0 || c == '\n') break;
    if (size == buffer.size()) {
      return InvalidArgumentError("passphrase longer than " + std::to_string(kMaxPassphraseSize) +
                                  " bytes");
    }
    buffer.mutable_data()[size++] = c;
  }
  if (size > 0 && buffer.data()[size - 1] == '\r') --size;
  return SecretBytes(buffer.span().first(size));
}

// The variable's value, or NotFound when it is unset (then the caller prompts).
StatusOr<SecretBytes> FromEnvironment(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return NotFoundError("environment variable " + name + " is unset");
  std::string_view text(value);
  if (text.empty()) return InvalidArgumentError("environment variable " + name + " is empty");
  if (text.size() > kMaxPassphraseSize) {
    return InvalidArgumentError("environment variable " + name + " is longer than " +
                                std::to_string(kMaxPassphraseSize) + " bytes");
  }
  return SecretBytes(AsBytes(text));
}

// systemd's credential of that name (LoadCredential=NAME:path), or NotFound
// when the service has none. The file's first line is the passphrase.
StatusOr<SecretBytes> FromCredentials(const std::string& name) {
  const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
  if (dir == nullptr || *dir == '\0') return NotFoundError("no systemd credentials");
  const std::string path = std::string(dir) + "/" + name;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) return NotFoundError("no systemd credential " + name);
  if (fd < 0) return ErrnoToStatus(errno, "open the systemd credential " + name);
  StatusOr<SecretBytes> line = ReadLineSecret(fd);
  ::close(fd);
  if (line.ok() && line->empty()) return InvalidArgumentError("the systemd credential " + name + " is empty");
  return line;
}

StatusOr<SecretBytes> Prompt(std::string_view prompt) {
  WriteToStderr(prompt);
  StatusOr<SecretBytes> line = [] {
    EchoOff echo_off(STDIN_FILENO);
    return ReadLineSecret(STDIN_FILENO);
  }();
  WriteToStderr("\n");  // the user's Enter was not echoed
  if (line.ok() && line->empty()) return InvalidArgumentError("the passphrase must not be empty");
  return line;
}

Status RequireTerminal(const std::string& name) {
  if (::isatty(STDIN_FILENO) != 0) return OkStatus();
  return FailedPreconditionError(name +
                                 " is not set: set that environment variable, or run on a terminal to be "
                                 "prompted");
}

}  // namespace

StatusOr<SecretBytes> ReadPassphrase(std::string_view env_var, std::string_view prompt) {
  std::string name(env_var);
  StatusOr<SecretBytes> from_env = FromEnvironment(name);
  if (!IsNotFound(from_env.status())) return from_env;
  StatusOr<SecretBytes> from_credentials = FromCredentials(name);
  if (!IsNotFound(from_credentials.status())) return from_credentials;
  RETURN_IF_ERROR(RequireTerminal(name));
  return Prompt(prompt);
}

StatusOr<SecretBytes> ReadNewPassphrase(std::string_view env_var, std::string_view prompt) {
  std::string name(env_var);
  StatusOr<SecretBytes> from_env = FromEnvironment(name);
  if (!IsNotFound(from_env.status())) return from_env;
  RETURN_IF_ERROR(RequireTerminal(name));
  ASSIGN_OR_RETURN(SecretBytes first, Prompt(prompt));
  ASSIGN_OR_RETURN(SecretBytes second, Prompt("Repeat the passphrase: "));
  if (!first.Equals(second)) return InvalidArgumentError("the two passphrases differ");
  return first;
}

}  // namespace hdhub::keys

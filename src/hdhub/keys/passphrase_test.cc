#include "hdhub/keys/passphrase.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "hdhub/common/bytes.h"
#include "hdhub/common/status_matchers.h"

namespace hdhub::keys {
namespace {

using ::hdhub::testing::StatusIs;
using ::testing::HasSubstr;

constexpr char kEnvVar[] = "HDHUB_PASSPHRASE_TEST_VAR";

// Puts an empty pipe on stdin for the test's duration, so "stdin is not a
// terminal" holds even when the tests run from a shell.
class StdinFromPipe {
 public:
  StdinFromPipe() {
    saved_ = ::dup(STDIN_FILENO);
    int fds[2];
    if (::pipe(fds) == 0) {
      ::close(fds[1]);
      ::dup2(fds[0], STDIN_FILENO);
      ::close(fds[0]);
    }
  }
  ~StdinFromPipe() {
    ::dup2(saved_, STDIN_FILENO);
    ::close(saved_);
  }

 private:
  int saved_;
};

TEST(ReadPassphraseTest, TakesTheEnvironmentVariable) {
  ASSERT_EQ(::setenv(kEnvVar, "tr0ub4dor&3", 1), 0);
  ASSERT_OK_AND_ASSIGN(SecretBytes got, ReadPassphrase(kEnvVar, "unused: "));
  ::unsetenv(kEnvVar);
  EXPECT_TRUE(got.Equals(SecretBytes(AsBytes("tr0ub4dor&3"))));
}

TEST(ReadPassphraseTest, RefusesAnEmptyOrOverlongVariable) {
  ASSERT_EQ(::setenv(kEnvVar, "", 1), 0);
  EXPECT_THAT(ReadPassphrase(kEnvVar, ""),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr(kEnvVar)));
  ASSERT_EQ(::setenv(kEnvVar, std::string(kMaxPassphraseSize + 1, 'x').c_str(), 1), 0);
  EXPECT_THAT(ReadPassphrase(kEnvVar, ""), StatusIs(StatusCode::kInvalidArgument));
  ::unsetenv(kEnvVar);
}

// systemd's LoadCredential=HDHUB_PASSPHRASE:/etc/hdhub/passphrase puts the
// file in $CREDENTIALS_DIRECTORY under the variable's name.
TEST(ReadPassphraseTest, TakesTheSystemdCredentialWhenTheVariableIsUnset) {
  ::unsetenv(kEnvVar);
  char dir[] = "/tmp/hdhub_credentials_XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string file = std::string(dir) + "/" + kEnvVar;
  FILE* f = std::fopen(file.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fputs("correct horse battery\n", f);
  std::fclose(f);
  ASSERT_EQ(::setenv("CREDENTIALS_DIRECTORY", dir, 1), 0);
  StdinFromPipe no_terminal;
  StatusOr<SecretBytes> got = ReadPassphrase(kEnvVar, "unused: ");
  ::unsetenv("CREDENTIALS_DIRECTORY");
  std::remove(file.c_str());
  ::rmdir(dir);
  ASSERT_OK(got.status());
  EXPECT_TRUE(got->Equals(SecretBytes(AsBytes("correct horse battery"))));
}

TEST(ReadPassphraseTest, WithoutVariableOrTerminalSaysWhatToSet) {
  ::unsetenv(kEnvVar);
  StdinFromPipe no_terminal;
  EXPECT_THAT(ReadPassphrase(kEnvVar, "Passphrase: "),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr(kEnvVar)));
}

TEST(ReadNewPassphraseTest, TakesTheEnvironmentVariableOrSaysWhatToSet) {
  ASSERT_EQ(::setenv(kEnvVar, "new one", 1), 0);
  ASSERT_OK_AND_ASSIGN(SecretBytes got, ReadNewPassphrase(kEnvVar, "unused: "));
  EXPECT_TRUE(got.Equals(SecretBytes(AsBytes("new one"))));
  ASSERT_EQ(::setenv(kEnvVar, "", 1), 0);
  EXPECT_THAT(ReadNewPassphrase(kEnvVar, ""), StatusIs(StatusCode::kInvalidArgument));
  ::unsetenv(kEnvVar);
  StdinFromPipe no_terminal;
  EXPECT_THAT(ReadNewPassphrase(kEnvVar, "New passphrase: "),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr(kEnvVar)));
}

}  // namespace
}  // namespace hdhub::keys

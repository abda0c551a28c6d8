#include "hdhub/keys/key_file_key_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"
#include "hdhub/keys/key_store_conformance.h"

namespace hdhub::keys {
namespace {

using ::hdhub::testing::StatusIs;
using ::hdhub::testing::TempDir;
using ::testing::HasSubstr;

const KeyFileParams kCheap = KeyFileParams::InsecureLowCostForTest();
constexpr std::string_view kContext = "dataset-version:ER_PRS_F/1";

// KEK number n is the random KEK of key file "hub-<n>.key", created on first use.
INSTANTIATE_KEY_STORE_CONFORMANCE(
    KeyFile, [](const std::filesystem::path& scratch, int kek) -> StatusOr<std::unique_ptr<KeyStore>> {
      const std::string path = (scratch / ("hub-" + std::to_string(kek) + ".key")).string();
      const SecretBytes passphrase(AsBytes("correct horse battery staple"));
      Status created = KeyFileKeyStore::CreateKeyFile(path, passphrase, kCheap);
      if (!created.ok() && !IsAlreadyExists(created)) return created;
      ASSIGN_OR_RETURN(auto store, KeyFileKeyStore::Open(path, passphrase));
      return std::unique_ptr<KeyStore>(std::move(store));
    });

SecretBytes Passphrase(std::string_view text = "correct horse") {
  return SecretBytes(AsBytes(text));
}

Bytes ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void WriteAll(const std::string& path, ByteSpan data) {
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  ::chmod(path.c_str(), 0600);
}

class KeyFileKeyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_OK(KeyFileKeyStore::CreateKeyFile(path_, Passphrase(), kCheap)); }
  TempDir dir_;
  std::string path_ = dir_.Sub("hub.key");
};

TEST_F(KeyFileKeyStoreTest, ReopenedStoreUnwrapsAndHashesLikeTheFirst) {
  ASSERT_OK_AND_ASSIGN(SecretBytes dek, NewDataKey());
  ASSERT_OK_AND_ASSIGN(auto first, KeyFileKeyStore::Open(path_, Passphrase()));
  ASSERT_OK_AND_ASSIGN(Bytes wrapped, first->WrapKey(dek, kContext));
  ASSERT_OK_AND_ASSIGN(auto first_hmac, first->HmacFor("object-names"));
  first.reset();

  ASSERT_OK_AND_ASSIGN(auto second, KeyFileKeyStore::Open(path_, Passphrase()));
  ASSERT_OK_AND_ASSIGN(SecretBytes unwrapped, second->UnwrapKey(wrapped, kContext));
  EXPECT_TRUE(unwrapped.Equals(dek));
  ASSERT_OK_AND_ASSIGN(auto second_hmac, second->HmacFor("object-names"));
  EXPECT_EQ(second_hmac->Compute(AsBytes("x")), first_hmac->Compute(AsBytes("x")));
  EXPECT_EQ(second->Describe(), "keyfile:" + path_);
}

TEST_F(KeyFileKeyStoreTest, DestroyedKekIsGoneFromTheDiskAndTheStore) {
  ASSERT_OK_AND_ASSIGN(auto store, KeyFileKeyStore::Open(path_, Passphrase()));
  ASSERT_OK_AND_ASSIGN(SecretBytes dek, NewDataKey());
  ASSERT_OK_AND_ASSIGN(Bytes wrapped, store->WrapKey(dek, kContext));
  const std::string copy = dir_.Sub("copy.key");
  std::filesystem::copy_file(path_, copy);
  ASSERT_OK(store->DestroyKek());
  EXPECT_FALSE(std::filesystem::exists(path_));
  EXPECT_THAT(KeyFileKeyStore::Open(path_, Passphrase()), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(store->UnwrapKey(wrapped, kContext), StatusIs(StatusCode::kFailedPrecondition, HasSubstr("destroyed")));
  EXPECT_THAT(store->WrapKey(dek, kContext), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(store->HmacFor("object-names"), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_OK(store->DestroyKek()) << "destroying it again: already gone";
  // A copy made before (an operator's backup) still opens: copies are the operator's.
  ASSERT_OK_AND_ASSIGN(auto from_copy, KeyFileKeyStore::Open(copy, Passphrase()));
  EXPECT_OK(from_copy->UnwrapKey(wrapped, kContext));
}

TEST_F(KeyFileKeyStoreTest, FileIsOwnerOnlyAndNoTemporaryFileRemains) {
  struct stat st {};
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(static_cast<size_t>(st.st_size), kKeyFileSize);
  int entries = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
    ++entries;
  }
  EXPECT_EQ(entries, 1);
}

TEST_F(KeyFileKeyStoreTest, CreateNeverOverwrites) {
  const Bytes before = ReadAll(path_);
  EXPECT_THAT(KeyFileKeyStore::CreateKeyFile(path_, Passphrase("another"), kCheap),
              StatusIs(StatusCode::kAlreadyExists, HasSubstr(path_)));
  EXPECT_EQ(ReadAll(path_), before);
}

TEST_F(KeyFileKeyStoreTest, CreateValidatesItsInputs) {
  EXPECT_THAT(KeyFileKeyStore::CreateKeyFile(dir_.Sub("a.key"), SecretBytes(), kCheap),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(KeyFileKeyStore::CreateKeyFile(dir_.Sub("b.key"), Passphrase(), {0, 8, 1}),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(KeyFileKeyStore::CreateKeyFile(dir_.Sub("missing/c.key"), Passphrase(), kCheap),
              StatusIs(StatusCode::kNotFound));
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("a.key")));
}

TEST_F(KeyFileKeyStoreTest, WrongPassphraseIsRefused) {
  EXPECT_THAT(KeyFileKeyStore::Open(path_, Passphrase("wrong")),
              StatusIs(StatusCode::kPermissionDenied,
                       HasSubstr("key file " + path_ + ": wrong passphrase or damaged file")));
}

TEST_F(KeyFileKeyStoreTest, MissingFileIsNotFound) {
  EXPECT_THAT(KeyFileKeyStore::Open(dir_.Sub("none.key"), Passphrase()),
              StatusIs(StatusCode::kNotFound));
}

TEST_F(KeyFileKeyStoreTest, TruncatedFileIsDataLossNamingFileAndField) {
  Bytes file = ReadAll(path_);
  file.resize(30);
  WriteAll(path_, file);
  EXPECT_THAT(KeyFileKeyStore::Open(path_, Passphrase()),
              StatusIs(StatusCode::kDataLoss, HasSubstr("key file " + path_ + ": field 'salt'")));
}

TEST_F(KeyFileKeyStoreTest, BitFlippedFileIsRefused) {
  Bytes file = ReadAll(path_);
  file[0] ^= 0x20;  // "hDHUBKEY"
  WriteAll(path_, file);
  EXPECT_THAT(KeyFileKeyStore::Open(path_, Passphrase()),
              StatusIs(StatusCode::kDataLoss, HasSubstr("field 'magic'")));
  file[0] ^= 0x20;
  file[60] ^= 0x01;  // inside the sealed KEK
  WriteAll(path_, file);
  EXPECT_THAT(KeyFileKeyStore::Open(path_, Passphrase()), StatusIs(StatusCode::kPermissionDenied));
}

TEST_F(KeyFileKeyStoreTest, OversizedFileIsRefusedUnread) {
  WriteAll(path_, Bytes(1 << 20, 0));
  EXPECT_THAT(KeyFileKeyStore::Open(path_, Passphrase()), StatusIs(StatusCode::kDataLoss));
}

TEST_F(KeyFileKeyStoreTest, FileReadableByOthersIsRefused) {
  ASSERT_EQ(::chmod(path_.c_str(), 0644), 0);
  EXPECT_THAT(KeyFileKeyStore::Open(path_, Passphrase()),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("chmod 600")));
}

TEST_F(KeyFileKeyStoreTest, ChangePassphraseKeepsTheKek) {
  ASSERT_OK_AND_ASSIGN(SecretBytes dek, NewDataKey());
  ASSERT_OK_AND_ASSIGN(auto before, KeyFileKeyStore::Open(path_, Passphrase()));
  ASSERT_OK_AND_ASSIGN(Bytes wrapped, before->WrapKey(dek, kContext));

  ASSERT_OK(KeyFileKeyStore::ChangePassphrase(path_, Passphrase(), Passphrase("new one"), kCheap));
  EXPECT_THAT(KeyFileKeyStore::Open(path_, Passphrase()), StatusIs(StatusCode::kPermissionDenied));
  ASSERT_OK_AND_ASSIGN(auto after, KeyFileKeyStore::Open(path_, Passphrase("new one")));
  ASSERT_OK_AND_ASSIGN(SecretBytes unwrapped, after->UnwrapKey(wrapped, kContext));
  EXPECT_TRUE(unwrapped.Equals(dek));
  struct stat st {};
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(KeyFileKeyStoreTest, ChangePassphraseWithTheWrongOldOneChangesNothing) {
  const Bytes before = ReadAll(path_);
  EXPECT_THAT(
      KeyFileKeyStore::ChangePassphrase(path_, Passphrase("wrong"), Passphrase("x"), kCheap),
      StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(KeyFileKeyStore::ChangePassphrase(path_, Passphrase(), SecretBytes(), kCheap),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(KeyFileKeyStore::ChangePassphrase(dir_.Sub("none.key"), Passphrase(), Passphrase("x"),
                                                kCheap),
              StatusIs(StatusCode::kNotFound));
  EXPECT_EQ(ReadAll(path_), before);
}

}  // namespace
}  // namespace hdhub::keys

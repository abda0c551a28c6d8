// The encrypting VFS (sqlite_cipher.h) under catalog::Database: what reaches
// the disk (database, WAL) holds no value in clear, yet SQLite works as
// usual: two connections share the WAL, a crashed writer's WAL is recovered,
// a checkpoint moves pages into the database; the wrong key, and a database
// left in clear, are refused with a clear error.
#include "hdhub/catalog/sqlite_cipher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "hdhub/catalog/sqlite.h"
#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"
#include "hdhub/crypto/random.h"

namespace hdhub::catalog {
namespace {

namespace fs = std::filesystem;
using ::hdhub::testing::StatusIs;
using ::hdhub::testing::TempDir;
using ::testing::HasSubstr;

constexpr char kMarker[] = "zebra-marker-1234";

std::shared_ptr<SqliteCipher> NewCipher() {
  return SqliteCipher::Create(SecretBytes(crypto::RandomBytes(64).value())).value();
}

std::string Contents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

// Rows whose text holds the marker, in several pages.
Status Fill(Database& db, int from, int count) {
  RETURN_IF_ERROR(db.Exec("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT)"));
  ASSIGN_OR_RETURN(Statement insert, db.Prepare("INSERT INTO t VALUES (?1, ?2)"));
  for (int i = from; i < from + count; ++i) {
    RETURN_IF_ERROR(insert.BindInt64(1, i));
    RETURN_IF_ERROR(insert.BindText(2, std::string(kMarker) + "-" + std::to_string(i) + std::string(200, 'x')));
    RETURN_IF_ERROR(insert.Run());
    RETURN_IF_ERROR(insert.Reset());
  }
  return OkStatus();
}

StatusOr<int64_t> Count(Database& db) {
  ASSIGN_OR_RETURN(Statement count, db.Prepare("SELECT count(*), sum(v LIKE 'zebra-marker-1234-%') FROM t"));
  ASSIGN_OR_RETURN(bool row, count.Step());
  if (!row || count.ColumnInt64(0) != count.ColumnInt64(1)) return InternalError("rows read back wrong");
  return count.ColumnInt64(0);
}

TEST(SqliteCipherTest, NothingReachesTheDiskInClearAndEverythingReadsBack) {
  TempDir dir;
  const std::string path = dir.Sub("state.db");
  auto cipher = NewCipher();
  {
    ASSERT_OK_AND_ASSIGN(auto db, Database::Open(path, Database::kDefaultBusyTimeoutMs, cipher));
    ASSERT_OK(Fill(*db, 0, 500));
    // Before any checkpoint the rows are in the WAL.
    ASSERT_TRUE(fs::exists(path + "-wal"));
    EXPECT_GT(fs::file_size(path + "-wal"), 100'000u);
    EXPECT_EQ(Contents(path + "-wal").find(kMarker), std::string::npos);
    EXPECT_EQ(Contents(path + "-wal").find("CREATE TABLE"), std::string::npos);
    ASSERT_OK(db->CheckpointAndTruncateWal());
    EXPECT_GT(fs::file_size(path), 100'000u);
    EXPECT_EQ(Contents(path).find(kMarker), std::string::npos);
    EXPECT_EQ(Contents(path).find("SQLite format 3"), std::string::npos);
    // What a backup holds is an ordinary database image.
    ASSERT_OK_AND_ASSIGN(Bytes image, db->Serialize());
    EXPECT_EQ(std::string(image.begin(), image.begin() + 15), "SQLite format 3");
  }
  ASSERT_OK_AND_ASSIGN(auto reopened, Database::Open(path, Database::kDefaultBusyTimeoutMs, cipher));
  ASSERT_OK_AND_ASSIGN(Statement check, reopened->Prepare("PRAGMA integrity_check"));
  ASSERT_OK_AND_ASSIGN(bool row, check.Step());
  ASSERT_TRUE(row);
  EXPECT_EQ(check.ColumnText(0), "ok");
  EXPECT_THAT(Count(*reopened), ::hdhub::testing::IsOkAndHolds(500));
}

TEST(SqliteCipherTest, TwoConnectionsShareTheWalAndACrashedWritersWalIsRecovered) {
  TempDir dir;
  const std::string path = dir.Sub("state.db");
  auto cipher = NewCipher();
  ASSERT_OK_AND_ASSIGN(auto writer, Database::Open(path, Database::kDefaultBusyTimeoutMs, cipher));
  ASSERT_OK_AND_ASSIGN(auto reader, Database::Open(path, Database::kDefaultBusyTimeoutMs, cipher));
  ASSERT_OK(Fill(*writer, 0, 300));
  EXPECT_THAT(Count(*reader), ::hdhub::testing::IsOkAndHolds(300));
  ASSERT_OK(Fill(*writer, 300, 50));
  EXPECT_THAT(Count(*reader), ::hdhub::testing::IsOkAndHolds(350));
  // A copy of the files while both are open, as a crash leaves them: the
  // next open rebuilds the WAL index from the (encrypted) WAL.
  fs::create_directories(dir.Sub("copy"));
  fs::copy_file(path, dir.Sub("copy/state.db"));
  fs::copy_file(path + "-wal", dir.Sub("copy/state.db-wal"));
  ASSERT_OK_AND_ASSIGN(auto recovered,
                       Database::Open(dir.Sub("copy/state.db"), Database::kDefaultBusyTimeoutMs, cipher));
  EXPECT_THAT(Count(*recovered), ::hdhub::testing::IsOkAndHolds(350));
}

// Another process (this test binary run again, writing) commits; this
// connection sees each commit at its next statement, as with any WAL
// database: both go through the shared-memory WAL index.
TEST(SqliteCipherTest, AnotherProcessSeesEachCommit) {
  if (const char* child = std::getenv("HDHUB_CIPHER_TEST_WRITER")) {  // the writing process
    const std::string spec(child);                                    // "<path> <hex key> <first id>"
    const size_t a = spec.find(' '), b = spec.rfind(' ');
    auto cipher = SqliteCipher::Create(SecretBytes(HexDecode(spec.substr(a + 1, b - a - 1)).value()));
    ASSERT_OK(cipher.status());
    ASSERT_OK_AND_ASSIGN(auto db, Database::Open(spec.substr(0, a), Database::kDefaultBusyTimeoutMs, *cipher));
    ASSERT_OK(Fill(*db, std::stoi(spec.substr(b + 1)), 7));
    ASSERT_OK(db->CheckpointAndTruncateWal());  // as a hub does when it closes
    return;
  }
  TempDir dir;
  const std::string path = dir.Sub("state.db");
  const Bytes key = crypto::RandomBytes(64).value();
  auto cipher = SqliteCipher::Create(SecretBytes(key)).value();
  ASSERT_OK_AND_ASSIGN(auto reader, Database::Open(path, Database::kDefaultBusyTimeoutMs, cipher));
  ASSERT_OK(Fill(*reader, 0, 5));
  EXPECT_THAT(Count(*reader), ::hdhub::testing::IsOkAndHolds(5));
  for (int round = 1; round <= 3; ++round) {
    // Another connection of this process opens and closes meanwhile (a
    // server's sessions do): it must not drop the reader's locks, else the
    // writer, believing itself alone, resets the WAL index under it.
    ASSERT_OK(Database::Open(path, Database::kDefaultBusyTimeoutMs, cipher).status());
    const std::string env = path + " " + HexEncode(key) + " " + std::to_string(100 * round);
    const std::string command = "HDHUB_CIPHER_TEST_WRITER='" + env + "' /proc/" + std::to_string(getpid()) +
                                "/exe --gtest_filter=SqliteCipherTest.AnotherProcessSeesEachCommit >/dev/null";
    ASSERT_EQ(std::system(command.c_str()), 0) << "round " << round;
    EXPECT_THAT(Count(*reader), ::hdhub::testing::IsOkAndHolds(5 + 7 * round)) << "round " << round;
  }
}

TEST(SqliteCipherTest, AnotherKeyAndADatabaseInClearAreRefused) {
  TempDir dir;
  const std::string path = dir.Sub("state.db");
  {
    ASSERT_OK_AND_ASSIGN(auto db, Database::Open(path, Database::kDefaultBusyTimeoutMs, NewCipher()));
    ASSERT_OK(Fill(*db, 0, 10));
    ASSERT_OK(db->CheckpointAndTruncateWal());
  }
  EXPECT_THAT(Database::Open(path, Database::kDefaultBusyTimeoutMs, NewCipher()),
              StatusIs(StatusCode::kDataLoss, HasSubstr("cannot be read with this hub's state key")));
  const std::string clear = dir.Sub("clear.db");
  {
    ASSERT_OK_AND_ASSIGN(auto db, Database::Open(clear));
    ASSERT_OK(Fill(*db, 0, 10));
  }
  EXPECT_THAT(Database::Open(clear, Database::kDefaultBusyTimeoutMs, NewCipher()),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("is stored in clear")));
  ASSERT_OK_AND_ASSIGN(auto still_clear, Database::Open(clear));
  EXPECT_THAT(Count(*still_clear), ::hdhub::testing::IsOkAndHolds(10));
}

TEST(SqliteCipherTest, EachCipherHasItsOwnVfsUntilItGoes) {
  auto a = NewCipher();
  auto b = NewCipher();
  EXPECT_NE(a->vfs_name(), b->vfs_name());
  const std::string name = a->vfs_name();
  EXPECT_NE(sqlite3_vfs_find(name.c_str()), nullptr);
  a.reset();
  EXPECT_EQ(sqlite3_vfs_find(name.c_str()), nullptr);
}

}  // namespace
}  // namespace hdhub::catalog

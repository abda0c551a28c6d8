// Crypto-shredding: once a dataset version's wrapped data key is destroyed,
// its sealed objects cannot be read again, by the hub or anyone, even with
// every other key the hub holds.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"
#include "hdhub/hub/hub.h"
#include "hdhub/ingest/csv_ingest.h"
#include "hdhub/keys/key_store.h"

namespace hdhub {
namespace {

const audit::Actor kOperator{"tester", "operator"};
hub::FirstOperator TestOperator() { return {"tester", SecretBytes(AsBytes("the tester's long password"))}; }

namespace fs = std::filesystem;
using ::hdhub::testing::IsOk;
using ::hdhub::testing::StatusIs;
using ::testing::Not;

TEST(CryptoShreddingTest, DestroyedDataKeyMakesObjectsUnreadable) {
  testing::TempDir dir;
  fs::path snds = testing::SharedDir() / "snds";
  SecretBytes passphrase(AsBytes("shred me, harbour violet"));
  ASSERT_OK(hub::Hub::Init(hub::BuiltinBackends(), dir.path() / "hub", passphrase,
                           {.fast_key_derivation_for_test = true}, TestOperator()));
  SystemClock clock;
  ASSERT_OK_AND_ASSIGN(auto hub, hub::Hub::Open(hub::BuiltinBackends(), dir.path() / "hub", passphrase, &clock));
  std::unique_ptr<keys::KeyStore> keys = hub->KeysFor(kOperator);
  ingest::CsvIngester ingester = hub->Ingester(kOperator, keys.get());
  ASSERT_OK_AND_ASSIGN(ingest::IngestResult r,
                       ingester.Ingest({.dataset = "IR_BEN_R",
                                        .csv_path = (snds / "synthetic/IR_BEN_R.csv").string(),
                                        .schema_path = (snds / "schemas/IR_BEN_R.json").string(),
                                        .on_invalid = ingest::InvalidPolicy::kSetNull}));
  ASSERT_OK_AND_ASSIGN(catalog::VersionWithObjects before, hub->catalog().GetVersion("IR_BEN_R", r.version));
  ASSERT_EQ(before.objects.size(), 1u);
  const std::string logical = before.objects[0].logical_name;
  const std::string context = ingest::DataKeyContext("IR_BEN_R", before.version.version);
  {
    ASSERT_OK_AND_ASSIGN(SecretBytes dek, keys->UnwrapKey(before.version.wrapped_dek, context));
    EXPECT_THAT(hub->sealed().Get(logical, dek), IsOk());
  }

  ASSERT_OK(hub->catalog().DestroyWrappedKey("IR_BEN_R", r.version));
  ASSERT_OK_AND_ASSIGN(catalog::VersionWithObjects after, hub->catalog().GetVersion("IR_BEN_R", r.version));
  EXPECT_TRUE(after.version.wrapped_dek.empty());
  EXPECT_THAT(keys->UnwrapKey(after.version.wrapped_dek, context), Not(IsOk()));
  // The object is still on the host, but no key the hub can make opens it:
  // a fresh data key, or keys derived from the KEK for other purposes.
  ASSERT_OK_AND_ASSIGN(SecretBytes other, keys::NewDataKey());
  EXPECT_THAT(hub->sealed().Get(logical, other), StatusIs(StatusCode::kDataLoss));
  ASSERT_OK_AND_ASSIGN(auto names, keys->HmacFor("object-names"));
  crypto::Digest derived = names->Compute(AsBytes(logical));
  EXPECT_THAT(hub->sealed().Get(logical, SecretBytes(derived)), StatusIs(StatusCode::kDataLoss));
  // And the operator's SQL no longer sees the dataset.
  ASSERT_OK_AND_ASSIGN(auto db, hub->OpenCatalogDatabase(*keys));
  EXPECT_THAT(db->Query("SELECT count(*) FROM IR_BEN_R"), Not(IsOk()));
}

}  // namespace
}  // namespace hdhub

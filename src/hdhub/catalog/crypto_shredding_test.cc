// End to end across keys, storage and the catalog: a dataset version sealed
// under its data key reads back while the catalog holds the wrapped key, and
// after DestroyWrappedKey nothing the hub holds can read it again, although
// the sealed bytes are still on the host.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "hdhub/catalog/catalog.h"
#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"
#include "hdhub/crypto/hash.h"
#include "hdhub/keys/memory_key_store.h"
#include "hdhub/storage/memory_blob_store.h"
#include "hdhub/storage/sealed_store.h"

namespace hdhub::catalog {
namespace {

using ::hdhub::testing::StatusIs;
using ::hdhub::testing::TempDir;

constexpr std::string_view kSchema = R"({"fields":[{"name":"PRS_NAT_REF","type":"integer"}]})";
constexpr std::string_view kLogical = "datasets/ER_PRS_F/v1/part-0.parquet";
constexpr std::string_view kContext = "dataset-version:ER_PRS_F/1";

class CryptoShreddingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(keys_, keys::MemoryKeyStore::Create());
    ASSERT_OK_AND_ASSIGN(auto names, keys_->HmacFor("object-names"));
    sealed_ = std::make_unique<storage::SealedStore>(&host_, std::move(names));
    ASSERT_OK_AND_ASSIGN(catalog_, Catalog::Open(path_, &clock_));
    ASSERT_OK(catalog_->CreateDataset("ER_PRS_F"));
  }

  // Ingests one object the way the ingest does: a fresh DEK, wrapped into the
  // catalog, the object sealed under it and recorded, then committed.
  void IngestOneObject(ByteSpan plaintext) {
    ASSERT_OK_AND_ASSIGN(SecretBytes dek, keys::NewDataKey());
    ASSERT_OK_AND_ASSIGN(Bytes wrapped, keys_->WrapKey(dek, kContext));
    ASSERT_OK_AND_ASSIGN(
        int64_t v, catalog_->BeginVersion("ER_PRS_F", kSchema, std::string(64, '0'), wrapped));
    ASSERT_EQ(v, 1);
    ASSERT_OK_AND_ASSIGN(storage::SealedObjectInfo info, sealed_->Put(kLogical, dek, plaintext));
    ASSERT_OK(catalog_->AddObject("ER_PRS_F", v,
                                  {info.logical_name, info.object_name, info.plaintext_size,
                                   info.ciphertext_size, HexEncode(info.ciphertext_sha256)}));
    ASSERT_OK(catalog_->CommitVersion("ER_PRS_F", v, 1));
  }

  StatusOr<Bytes> ReadThroughCatalog() {
    ASSIGN_OR_RETURN(VersionWithObjects latest, catalog_->GetVersion("ER_PRS_F", 1));
    ASSIGN_OR_RETURN(SecretBytes dek, keys_->UnwrapKey(latest.version.wrapped_dek, kContext));
    return sealed_->Get(latest.objects.at(0).logical_name, dek);
  }

  TempDir dir_;
  std::string path_ = dir_.Sub("catalog.db");
  FakeClock clock_{TimePoint(std::chrono::seconds(1'800'000'000))};
  std::unique_ptr<keys::KeyStore> keys_;
  storage::MemoryBlobStore host_;
  std::unique_ptr<storage::SealedStore> sealed_;
  std::unique_ptr<Catalog> catalog_;
};

TEST_F(CryptoShreddingTest, VersionIsUnreadableOnceItsWrappedKeyIsDestroyed) {
  const Bytes plaintext = ToBytes("PAR1 stand-in for a Parquet file PAR1");
  IngestOneObject(plaintext);
  ASSERT_OK_AND_ASSIGN(Bytes before, ReadThroughCatalog());
  EXPECT_EQ(before, plaintext);

  // The host's bytes match what the catalog recorded (tamper evidence).
  ASSERT_OK_AND_ASSIGN(VersionWithObjects v, catalog_->GetVersion("ER_PRS_F", 1));
  ASSERT_OK_AND_ASSIGN(Bytes on_host, host_.Get(v.objects[0].object_name));
  EXPECT_EQ(HexEncode(crypto::Sha256(on_host)), v.objects[0].ciphertext_sha256);

  ASSERT_OK(catalog_->DestroyWrappedKey("ER_PRS_F", 1));
  catalog_.reset();  // even a fresh process sees the key gone
  ASSERT_OK_AND_ASSIGN(catalog_, Catalog::Open(path_, &clock_));

  EXPECT_THAT(ReadThroughCatalog(), StatusIs(StatusCode::kDataLoss));
  ASSERT_OK_AND_ASSIGN(VersionWithObjects shredded, catalog_->GetVersion("ER_PRS_F", 1));
  EXPECT_EQ(shredded.version.state, VersionState::kShredded);
  EXPECT_TRUE(shredded.version.wrapped_dek.empty());
  // The sealed object is still on the host, and still useless: no other key
  // the hub can produce opens it.
  ASSERT_OK(host_.Get(v.objects[0].object_name).status());
  ASSERT_OK_AND_ASSIGN(SecretBytes other_dek, keys::NewDataKey());
  EXPECT_THAT(sealed_->Get(kLogical, other_dek), StatusIs(StatusCode::kDataLoss));
}

}  // namespace
}  // namespace hdhub::catalog

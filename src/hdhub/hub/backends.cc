#include "hdhub/hub/backends.h"

#include "hdhub/keys/key_file_key_store.h"
#include "hdhub/keys/pkcs11_key_store.h"
#include "hdhub/s3/s3_blob_store.h"
#include "hdhub/storage/file_blob_store.h"
#include "hdhub/storage/memory_blob_store.h"

namespace hdhub::hub {

Backends BuiltinBackends() {
  Backends backends;
  backends.hosts.Register("file", &storage::FileBlobStore::FromUri);
  backends.hosts.Register("memory", &storage::MemoryBlobStore::FromUri);
  backends.hosts.Register("s3", &s3::S3BlobStore::FromUri);
  backends.key_stores = [](const SecretBytes& unlock) {
    keys::KeyStoreRegistry registry;
    registry.Register("keyfile", [&unlock](std::string_view path) -> StatusOr<std::unique_ptr<keys::KeyStore>> {
      ASSIGN_OR_RETURN(auto store, keys::KeyFileKeyStore::Open(std::string(path), unlock));
      return std::unique_ptr<keys::KeyStore>(std::move(store));
    });
    // The unlock secret is the token's user PIN.
    registry.Register("pkcs11", [&unlock](std::string_view rest) -> StatusOr<std::unique_ptr<keys::KeyStore>> {
      ASSIGN_OR_RETURN(auto store, keys::Pkcs11KeyStore::Open(rest, unlock));
      return std::unique_ptr<keys::KeyStore>(std::move(store));
    });
    return registry;
  };
  return backends;
}

}  // namespace hdhub::hub

// Test support for the s3:// tests: the radosgw that scripts/rgw-start runs
// (the CTest fixture `radosgw`), read from HDHUB_RGW_DIR/env, and stores on
// it under a fresh random prefix, so each test sees an empty store.
//
// When radosgw is not running, MakeRgwStore fails (and so does the test): CI
// must not pass by skipping the real host. Test-only.
#pragma once

#include <memory>
#include <string>

#include "hdhub/s3/s3_blob_store.h"

namespace hdhub::s3 {

struct RgwEnv {
  std::string endpoint;
  std::string region;
  std::string bucket;
  std::string access_key_id;
  std::string secret_access_key;
  std::string tls_endpoint;  // https, the same radosgw
  std::string ca_file;       // its certificate
};

// FailedPrecondition naming the env file and the fixture when it is missing.
StatusOr<RgwEnv> LoadRgwEnv();

// Options for `env`'s bucket under a new random prefix "t/<hex>", 5 MiB parts,
// and request retries that do not sleep.
S3Options RgwOptions(const RgwEnv& env);

// LoadRgwEnv + RgwOptions (+ `adjust`) + S3BlobStore::Create; the
// endpoint is http (RgwTls in `adjust` switches it to https).
StatusOr<std::unique_ptr<S3BlobStore>> MakeRgwStore(const std::function<void(S3Options&)>& adjust = nullptr);

// Switches `options` to the radosgw's https endpoint, trusting its certificate.
void RgwTls(const RgwEnv& env, S3Options& options);

}  // namespace hdhub::s3

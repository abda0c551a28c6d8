#include "hdhub/s3/s3_test_util.h"

#include <fstream>
#include <map>

#include "hdhub/crypto/random.h"

namespace hdhub::s3 {

StatusOr<RgwEnv> LoadRgwEnv() {
  const std::string path = std::string(HDHUB_RGW_DIR) + "/env";
  std::ifstream in(path);
  if (!in) {
    return FailedPreconditionError(path +
                                   " is missing: radosgw is not running (run the tests through ctest, whose "
                                   "fixture radosgw.start runs scripts/rgw-start)");
  }
  std::map<std::string, std::string> values;
  for (std::string line; std::getline(in, line);) {
    size_t eq = line.find('=');
    if (eq != std::string::npos) values[line.substr(0, eq)] = line.substr(eq + 1);
  }
  RgwEnv env{values["HDHUB_S3_ENDPOINT"],
             values["HDHUB_S3_REGION"],
             values["HDHUB_S3_BUCKET"],
             values["HDHUB_S3_ACCESS_KEY_ID"],
             values["HDHUB_S3_SECRET_ACCESS_KEY"],
             values["HDHUB_S3_TLS_ENDPOINT"],
             values["HDHUB_S3_CA_FILE"]};
  if (env.endpoint.empty() || env.bucket.empty() || env.access_key_id.empty() || env.secret_access_key.empty() ||
      env.tls_endpoint.empty() || env.ca_file.empty()) {
    return FailedPreconditionError(path + " lacks a value");
  }
  return env;
}

S3Options RgwOptions(const RgwEnv& env) {
  S3Options options;
  options.client.endpoint = env.endpoint;
  options.client.region = env.region;
  options.client.bucket = env.bucket;
  Bytes random = crypto::RandomBytes(8).value();
  options.prefix = "t/" + HexEncode(random);
  options.part_size = kMinPartSize;
  options.request_retry.sleep = [](std::chrono::milliseconds) {};
  return options;
}

void RgwTls(const RgwEnv& env, S3Options& options) {
  options.client.endpoint = env.tls_endpoint;
  options.client.ca_file = env.ca_file;
}

StatusOr<std::unique_ptr<S3BlobStore>> MakeRgwStore(const std::function<void(S3Options&)>& adjust) {
  ASSIGN_OR_RETURN(RgwEnv env, LoadRgwEnv());
  S3Options options = RgwOptions(env);
  if (adjust) adjust(options);
  return S3BlobStore::Create(std::move(options), env.access_key_id, SecretBytes(AsBytes(env.secret_access_key)));
}

}  // namespace hdhub::s3

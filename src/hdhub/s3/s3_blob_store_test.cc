// S3BlobStore against a real Ceph radosgw (the CTest fixture `radosgw`).
#include "hdhub/s3/s3_blob_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <thread>

#include "hdhub/common/status_matchers.h"
#include "hdhub/crypto/hash.h"
#include "hdhub/s3/s3_test_util.h"
#include "hdhub/storage/blob_store_conformance.h"
#include "hdhub/storage/blob_store_wrapper.h"

namespace hdhub::s3 {
namespace {

using ::hdhub::testing::StatusIs;
using ::hdhub::testing::TestPattern;
using storage::BlobStore;
using storage::WriteMode;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

INSTANTIATE_BLOB_STORE_CONFORMANCE(S3Rgw, [](const std::filesystem::path&) -> StatusOr<std::unique_ptr<BlobStore>> {
  ASSIGN_OR_RETURN(auto store, MakeRgwStore());
  return std::unique_ptr<BlobStore>(std::move(store));
});

namespace retrying {
INSTANTIATE_BLOB_STORE_CONFORMANCE(S3RgwRetrying,
                                   [](const std::filesystem::path&) -> StatusOr<std::unique_ptr<BlobStore>> {
                                     ASSIGN_OR_RETURN(auto store, MakeRgwStore());
                                     return std::unique_ptr<BlobStore>(std::make_unique<storage::RetryingBlobStore>(
                                         std::move(store), storage::RetryOptions{}));
                                   });
}  // namespace retrying

TEST(S3BlobStoreTest, ListFollowsContinuationTokens) {
  ASSERT_OK_AND_ASSIGN(auto store, MakeRgwStore([](S3Options& o) { o.list_page_size = 2; }));
  for (const char* name : {"e", "a", "d/x", "c", "b", "d/y", "f"}) ASSERT_OK(store->Put(name, AsBytes(name)));
  ASSERT_OK_AND_ASSIGN(auto all, store->List(""));
  std::vector<std::string> names;
  for (const auto& info : all) names.push_back(info.name);
  EXPECT_THAT(names, ::testing::ElementsAre("a", "b", "c", "d/x", "d/y", "e", "f"));
  ASSERT_OK_AND_ASSIGN(auto d, store->List("d/"));
  EXPECT_EQ(d.size(), 2u);
}

// A streamed body that sends `sent` from `at` on (reset `at` to send it again).
StreamedBody BodyReading(const Bytes& sent, const crypto::Digest& declared, size_t& at) {
  return StreamedBody{.size = sent.size(), .sha256 = declared, .read = [&sent, &at](MutableByteSpan out) {
                        const size_t n = std::min(out.size(), sent.size() - at);
                        std::copy_n(sent.begin() + std::ptrdiff_t(at), n, out.begin());
                        at += n;
                        return StatusOr<size_t>(n);
                      }};
}

// The payload hash a streamed PUT declares is checked by the host itself:
// bytes that do not hash to it are refused, and nothing is stored.
TEST(S3BlobStoreTest, TheHostRefusesAStreamedBodyThatDoesNotHashToItsDeclaredDigest) {
  ASSERT_OK_AND_ASSIGN(auto store, MakeRgwStore());
  const Bytes sent = TestPattern(3 * 1024 * 1024 + 5, 41);
  Bytes declared = sent;
  declared[1000] ^= 1;
  size_t at = 0;
  StreamedBody body = BodyReading(sent, crypto::Sha256(declared), at);
  const std::string key = store->Key("streamed");
  ASSERT_OK_AND_ASSIGN(HttpResponse response,
                       store->client().Send({.method = "PUT", .key = key, .streamed_body = &body}));
  EXPECT_EQ(response.status, 400);
  EXPECT_THAT(store->client().HttpError(response, "PUT", key),
              StatusIs(StatusCode::kUnavailable, HasSubstr("received other bytes than were sent")));
  EXPECT_THAT(store->Stat("streamed"), StatusIs(StatusCode::kNotFound));
  // The same bytes declared with their own digest are stored.
  at = 0;
  body.sha256 = crypto::Sha256(sent);
  ASSERT_OK_AND_ASSIGN(response, store->client().Send({.method = "PUT", .key = key, .streamed_body = &body}));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(store->Get("streamed").value(), sent);
}

// PutFrom: one streamed PUT up to copy_put_max, the multipart writer above.
TEST(S3BlobStoreTest, PutFromStreamsOnePutUpToItsLimitAndUploadsPartsAbove) {
  std::atomic<int> streamed{0}, multipart{0};
  ASSERT_OK_AND_ASSIGN(auto store, MakeRgwStore([&](S3Options& o) {
                         o.copy_put_max = kMinPartSize;
                         o.client.fault_hook_for_test = [&](const HttpRequest& r) {
                           if (r.streamed_body != nullptr) ++streamed;
                           for (const auto& [name, value] : r.query) {
                             if (name == "uploads") ++multipart;
                           }
                           return FaultAction{};
                         };
                       }));
  const Bytes small = TestPattern(kMinPartSize, 42), large = TestPattern(kMinPartSize + 1, 43);
  ASSERT_OK(store->Put("from/small", small));
  ASSERT_OK(store->Put("from/large", large));
  multipart = 0;
  for (const auto& [name, data] : {std::pair{"small", &small}, std::pair{"large", &large}}) {
    ASSERT_OK_AND_ASSIGN(auto reader, store->OpenReader(std::string("from/") + name));
    ASSERT_OK(store->PutFrom(std::string("to/") + name, *reader, crypto::Sha256(*data)));
    EXPECT_EQ(store->Get(std::string("to/") + name).value(), *data);
  }
  EXPECT_EQ(streamed.load(), 1);
  EXPECT_EQ(multipart.load(), 1);
  ASSERT_OK_AND_ASSIGN(int uploads, store->CountMultipartUploadsForTest());
  EXPECT_EQ(uploads, 0);
}

std::string Md5Hex(ByteSpan data) {
  unsigned char md5[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EXPECT_EQ(EVP_Digest(data.data(), data.size(), md5, &size, EVP_md5(), nullptr), 1);
  return HexEncode(ByteSpan(md5, size));
}

// A source that states another MD5 than its bytes have.
class WrongMd5Reader : public storage::BlobReaderWrapper {
 public:
  using BlobReaderWrapper::BlobReaderWrapper;
  std::string content_md5() const override { return std::string(32, '0'); }
};

// A copy from a single-part object passes the MD5 its ETag states on as
// Content-MD5 (the payload then unsigned): the new host checks it, so a
// source whose MD5 does not match the bytes lands nothing.
TEST(S3BlobStoreTest, CopyPassesTheSourceMd5OnForTheNewHostToCheck) {
  std::atomic<int> with_md5{0};
  ASSERT_OK_AND_ASSIGN(auto store, MakeRgwStore([&](S3Options& o) {
                         o.client.fault_hook_for_test = [&](const HttpRequest& r) {
                           if (r.streamed_body != nullptr && !r.streamed_body->content_md5.empty()) ++with_md5;
                           return FaultAction{};
                         };
                       }));
  const Bytes data = TestPattern(3 * 1024 * 1024 + 7, 44);
  ASSERT_OK(store->Put("md5/from", data));
  ASSERT_OK_AND_ASSIGN(auto reader, store->OpenReader("md5/from"));
  EXPECT_EQ(reader->content_md5(), Md5Hex(data));
  ASSERT_OK(store->PutFrom("md5/to", *reader, crypto::Sha256(data)));
  EXPECT_EQ(store->Get("md5/to").value(), data);
  EXPECT_EQ(with_md5.load(), 1);

  ASSERT_OK_AND_ASSIGN(auto again, store->OpenReader("md5/from"));
  WrongMd5Reader lying(std::move(again));
  EXPECT_THAT(store->PutFrom("md5/refused", lying, crypto::Sha256(data)),
              StatusIs(StatusCode::kUnavailable, HasSubstr("BadDigest")));
  EXPECT_THAT(store->Stat("md5/refused"), StatusIs(StatusCode::kNotFound));
}

// A multipart upload's ETag ("<hex>-<parts>") states no MD5: such a copy
// keeps the SHA-256 payload hash, which the host checks.
TEST(S3BlobStoreTest, MultipartSourceStatesNoMd5AndItsCopyIsSigned) {
  std::atomic<int> signed_copies{0};
  ASSERT_OK_AND_ASSIGN(auto store, MakeRgwStore([&](S3Options& o) {
                         o.client.fault_hook_for_test = [&](const HttpRequest& r) {
                           if (r.streamed_body != nullptr && r.streamed_body->content_md5.empty()) ++signed_copies;
                           return FaultAction{};
                         };
                       }));
  const Bytes data = TestPattern(kMinPartSize + 1, 45);
  ASSERT_OK(store->Put("md5/multipart", data));
  ASSERT_OK_AND_ASSIGN(auto reader, store->OpenReader("md5/multipart"));
  EXPECT_EQ(reader->content_md5(), "");
  ASSERT_OK(store->PutFrom("md5/multipart-copy", *reader, crypto::Sha256(data)));
  EXPECT_EQ(store->Get("md5/multipart-copy").value(), data);
  EXPECT_EQ(signed_copies.load(), 1);
}

// Over https the host's certificate is verified (against ca_file), and a
// streamed body goes unsigned: TLS vouches for the transfer and the copy for
// the bytes, so the host no longer hashes them (it stores a body whose
// declared digest is not its own), while a copy whose source bytes do not
// match the record still lands nothing.
TEST(S3BlobStoreTest, OverTlsTheCertificateIsVerifiedAndCopiesGoUnsigned) {
  ASSERT_OK_AND_ASSIGN(RgwEnv env, LoadRgwEnv());
  ASSERT_OK_AND_ASSIGN(auto untrusted, MakeRgwStore([&](S3Options& o) { o.client.endpoint = env.tls_endpoint; }));
  EXPECT_THAT(untrusted->Put("x", AsBytes("x")),
              StatusIs(StatusCode::kUnavailable, Not(HasSubstr(env.secret_access_key))));
  ASSERT_OK_AND_ASSIGN(auto store, MakeRgwStore([&](S3Options& o) { RgwTls(env, o); }));
  const Bytes data = TestPattern(kMinPartSize + 3, 46);  // a multipart source: its ETag states no MD5
  ASSERT_OK(store->Put("tls/from", data));
  ASSERT_OK_AND_ASSIGN(auto reader, store->OpenReader("tls/from"));
  ASSERT_OK(store->PutFrom("tls/to", *reader, crypto::Sha256(data)));
  EXPECT_EQ(store->Get("tls/to").value(), data);
  Bytes other = data;
  other[7] ^= 1;
  EXPECT_THAT(store->PutFrom("tls/damaged", *reader, crypto::Sha256(other)), StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(store->Stat("tls/damaged"), StatusIs(StatusCode::kNotFound));

  const Bytes sent = TestPattern(1024 * 1024, 47);
  size_t at = 0;
  StreamedBody body = BodyReading(sent, crypto::Sha256(other), at);
  ASSERT_OK_AND_ASSIGN(
      HttpResponse response,
      store->client().Send({.method = "PUT", .key = store->Key("tls/unsigned"), .streamed_body = &body}));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(store->Get("tls/unsigned").value(), sent);
}

TEST(S3BlobStoreTest, MultipartObjectOfSeveralPartsRoundTrips) {
  ASSERT_OK_AND_ASSIGN(auto store, MakeRgwStore([](S3Options& o) { o.parallel_parts = 3; }));
  Bytes data = TestPattern(3 * kMinPartSize + 4321, 11);  // 4 parts, 3 in flight at once
  ASSERT_OK(store->Put("mpu/object", data));
  ASSERT_OK_AND_ASSIGN(Bytes got, store->Get("mpu/object"));
  EXPECT_TRUE(got == data);
  ASSERT_OK_AND_ASSIGN(Bytes slice, store->GetRange("mpu/object", kMinPartSize - 10, 20));
  EXPECT_TRUE(std::equal(slice.begin(), slice.end(), data.begin() + kMinPartSize - 10));
  EXPECT_THAT(store->CountMultipartUploadsForTest(), ::hdhub::testing::IsOkAndHolds(0));
}

TEST(S3BlobStoreTest, PartSizeExactlyFilledHasNoEmptyLastPart) {
  ASSERT_OK_AND_ASSIGN(auto store, MakeRgwStore());
  Bytes data = TestPattern(2 * kMinPartSize, 12);
  ASSERT_OK_AND_ASSIGN(auto writer, store->NewWriter("exact"));
  ASSERT_OK(writer->Append(data));
  ASSERT_OK(writer->Commit());
  ASSERT_OK_AND_ASSIGN(auto info, store->Stat("exact"));
  EXPECT_EQ(info.size, data.size());
}

TEST(S3BlobStoreTest, LargeCreateIfAbsentIsConditionalToo) {
  // radosgw ignores If-None-Match on CompleteMultipartUpload: such writers use one PUT.
  ASSERT_OK_AND_ASSIGN(auto store, MakeRgwStore());
  ASSERT_OK(store->Put("big", TestPattern(10, 1)));
  ASSERT_OK_AND_ASSIGN(auto writer, store->NewWriter("big", WriteMode::kIfAbsent));
  ASSERT_OK(writer->Append(TestPattern(kMinPartSize + 7, 2)));
  EXPECT_THAT(writer->Commit(), StatusIs(StatusCode::kAlreadyExists));
  ASSERT_OK_AND_ASSIGN(Bytes got, store->Get("big"));
  EXPECT_EQ(got, TestPattern(10, 1));
  ASSERT_OK_AND_ASSIGN(auto fresh, store->NewWriter("fresh", WriteMode::kIfAbsent));
  ASSERT_OK(fresh->Append(TestPattern(kMinPartSize + 7, 3)));
  ASSERT_OK(fresh->Commit());
  ASSERT_OK_AND_ASSIGN(auto info, store->Stat("fresh"));
  EXPECT_EQ(info.size, kMinPartSize + 7);
}

TEST(S3BlobStoreTest, ConcurrentCreateIfAbsentHasOneWinner) {
  ASSERT_OK_AND_ASSIGN(auto store, MakeRgwStore());
  constexpr int kWriters = 8;
  std::vector<Status> results(kWriters);
  std::vector<std::thread> threads;
  for (int i = 0; i < kWriters; ++i) {
    threads.emplace_back([&, i] { results[i] = store->Put("race", TestPattern(1000, i), WriteMode::kIfAbsent); });
  }
  for (std::thread& thread : threads) thread.join();
  int winner = -1;
  for (int i = 0; i < kWriters; ++i) {
    if (results[i].ok()) {
      EXPECT_EQ(winner, -1) << "two writers created the object";
      winner = i;
    } else {
      // radosgw answers a lost race with 412, or with 409 (Unavailable: retry, then 412).
      EXPECT_THAT(results[i].code(), ::testing::AnyOf(StatusCode::kAlreadyExists, StatusCode::kUnavailable));
    }
  }
  ASSERT_NE(winner, -1);
  EXPECT_THAT(store->Get("race"), ::hdhub::testing::IsOkAndHolds(TestPattern(1000, winner)));
}

TEST(S3BlobStoreTest, ReaderFailsWhenObjectReplaced) {
  ASSERT_OK_AND_ASSIGN(auto store, MakeRgwStore());
  ASSERT_OK(store->Put("r", TestPattern(100, 1)));
  ASSERT_OK_AND_ASSIGN(auto reader, store->OpenReader("r"));
  ASSERT_OK(store->Put("r", TestPattern(100, 2)));
  Bytes out(10);
  EXPECT_THAT(reader->ReadAt(0, out), StatusIs(StatusCode::kFailedPrecondition, HasSubstr("replaced")));
}

TEST(S3BlobStoreTest, WrongSecretIsPermissionDeniedWithoutCredentialsInMessage) {
  ASSERT_OK_AND_ASSIGN(RgwEnv env, LoadRgwEnv());
  const std::string wrong = "wrong-secret-0123456789";
  ASSERT_OK_AND_ASSIGN(auto store,
                       S3BlobStore::Create(RgwOptions(env), env.access_key_id, SecretBytes(AsBytes(wrong))));
  Status status = store->Put("k/x", TestPattern(3, 1));
  EXPECT_THAT(status, StatusIs(StatusCode::kPermissionDenied,
                               AllOf(HasSubstr("s3://" + env.bucket + "/"), HasSubstr("k/x"), Not(HasSubstr(wrong)),
                                     Not(HasSubstr(env.access_key_id)), Not(HasSubstr(env.secret_access_key)))));
  EXPECT_THAT(store->Describe(), AllOf(Not(HasSubstr(wrong)), Not(HasSubstr(env.access_key_id))));
}

TEST(S3BlobStoreTest, MissingBucketIsNotFound) {
  ASSERT_OK_AND_ASSIGN(RgwEnv env, LoadRgwEnv());
  S3Options options = RgwOptions(env);
  options.client.bucket = "no-such-bucket";
  ASSERT_OK_AND_ASSIGN(auto store,
                       S3BlobStore::Create(options, env.access_key_id, SecretBytes(AsBytes(env.secret_access_key))));
  EXPECT_THAT(store->List(""), StatusIs(StatusCode::kNotFound, HasSubstr("no-such-bucket")));
}

TEST(S3BlobStoreTest, UnreachableHostIsUnavailable) {
  ASSERT_OK_AND_ASSIGN(auto store, MakeRgwStore([](S3Options& o) {
                         o.client.endpoint = "http://127.0.0.1:1";
                         o.client.connect_timeout = std::chrono::milliseconds(2000);
                       }));
  EXPECT_THAT(store->Get("x"), StatusIs(StatusCode::kUnavailable, HasSubstr("/x")));
}

TEST(S3BlobStoreTest, FromUriOpensWithCredentialsFromEnvironment) {
  ASSERT_OK_AND_ASSIGN(RgwEnv env, LoadRgwEnv());
  ::setenv("HDHUB_S3_ACCESS_KEY_ID", env.access_key_id.c_str(), 1);
  ::setenv("HDHUB_S3_SECRET_ACCESS_KEY", env.secret_access_key.c_str(), 1);
  std::string rest = "//" + env.bucket + "/" + RgwOptions(env).prefix + "?endpoint=" + env.endpoint +
                     "&region=" + env.region + "&retries=3";
  ASSERT_OK_AND_ASSIGN(auto store, S3BlobStore::FromUri(rest));
  ASSERT_OK(store->Put("via/uri", TestPattern(5, 1)));
  EXPECT_THAT(store->Get("via/uri"), ::hdhub::testing::IsOkAndHolds(TestPattern(5, 1)));
  ::unsetenv("HDHUB_S3_SECRET_ACCESS_KEY");
  EXPECT_THAT(S3BlobStore::FromUri(rest), StatusIs(StatusCode::kFailedPrecondition, HasSubstr("HDHUB_S3_")));
}

TEST(S3UriTest, ParsesBucketPrefixAndParameters) {
  ASSERT_OK_AND_ASSIGN(S3Options o, S3BlobStore::ParseUri("//my-bucket/hub/one/?endpoint=http%3A%2F%2F127.0.0.1%3A7480"
                                                          "&region=fr-par&part_size_mib=16&parallel_parts=2"
                                                          "&conditional_create=single-writer&timeout_ms=5000"));
  EXPECT_EQ(o.client.bucket, "my-bucket");
  EXPECT_EQ(o.prefix, "hub/one");
  EXPECT_EQ(o.client.endpoint, "http://127.0.0.1:7480");
  EXPECT_EQ(o.client.region, "fr-par");
  EXPECT_EQ(o.part_size, 16u * 1024 * 1024);
  EXPECT_EQ(o.parallel_parts, 2);
  EXPECT_EQ(o.conditional_create, ConditionalCreate::kSingleWriter);
  EXPECT_EQ(o.client.request_timeout, std::chrono::milliseconds(5000));
  ASSERT_OK_AND_ASSIGN(S3Options bare, S3BlobStore::ParseUri("//bkt?endpoint=https://s3.example"));
  EXPECT_EQ(bare.prefix, "");
  EXPECT_EQ(bare.client.ca_file, "");
  ASSERT_OK_AND_ASSIGN(S3Options ca,
                       S3BlobStore::ParseUri("//bkt?endpoint=https://s3.example&ca_file=/etc/hub/ca.pem"));
  EXPECT_EQ(ca.client.ca_file, "/etc/hub/ca.pem");
}

TEST(S3UriTest, RefusesCredentialsAndBadParameters) {
  EXPECT_THAT(
      S3BlobStore::ParseUri("//KEY:SECRET@bucket/p?endpoint=http://h"),
      StatusIs(StatusCode::kInvalidArgument, AllOf(HasSubstr("HDHUB_S3_ACCESS_KEY_ID"), Not(HasSubstr("SECRET@")))));
  EXPECT_THAT(S3BlobStore::ParseUri("//bucket/p"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("endpoint")));
  EXPECT_THAT(S3BlobStore::ParseUri("//bucket?endpoint=http://h&secret=abc"),
              StatusIs(StatusCode::kInvalidArgument, AllOf(HasSubstr("secret"), Not(HasSubstr("abc")))));
  EXPECT_THAT(S3BlobStore::ParseUri("//B?endpoint=http://h"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(S3BlobStore::ParseUri("//bucket/A/../b?endpoint=http://h"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(S3BlobStore::ParseUri("//bucket?endpoint=https://h&ca_file=ca.pem"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("absolute")));
  EXPECT_THAT(S3BlobStore::ParseUri("//bucket?endpoint=http://h&part_size_mib=x"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("part_size_mib")));
  EXPECT_THAT(
      S3BlobStore::Create(*S3BlobStore::ParseUri("//bucket?endpoint=http://h/path"), "k", SecretBytes(AsBytes("s"))),
      StatusIs(StatusCode::kInvalidArgument, HasSubstr("endpoint")));
  EXPECT_THAT(S3BlobStore::Create(*S3BlobStore::ParseUri("//bucket?endpoint=http://h&part_size_mib=4"), "k",
                                  SecretBytes(AsBytes("s"))),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("5 MiB")));
}

}  // namespace
}  // namespace hdhub::s3

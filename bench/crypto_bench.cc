// hdhub_crypto_bench: sealing and unsealing throughput of the sealed-object
// format per core, beside raw AES-256-GCM through OpenSSL EVP on the same
// buffers, and HMAC-SHA256 over 15-byte messages (the pseudonymization path).
//
//   hdhub_crypto_bench [--gib N]     (default 1: GiB of plaintext per figure)
//
// "Per core" is bytes over the CPU time of the (single) benchmark thread, so
// other load on the machine does not lower it much; wall time is shown too.
#include <openssl/evp.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "hdhub/crypto/aes_gcm.h"
#include "hdhub/crypto/hash.h"
#include "hdhub/crypto/random.h"
#include "hdhub/crypto/streaming_aead.h"

namespace hdhub::crypto {
namespace {

constexpr size_t kKiB = 1024, kMiB = 1024 * kKiB;
constexpr double kGiB = 1024.0 * 1024 * 1024;
// Objects as the hub writes them (a Parquet file), fed in 1 MiB writes.
constexpr size_t kObjectSize = 64 * kMiB;
constexpr size_t kWriteSize = 1 * kMiB;
constexpr size_t kRawBufferSize = 256 * kKiB;

struct Timer {
  double cpu0 = Cpu(), wall0 = Wall();
  static double Read(clockid_t clock) {
    timespec ts;
    clock_gettime(clock, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
  }
  static double Cpu() { return Read(CLOCK_THREAD_CPUTIME_ID); }
  static double Wall() { return Read(CLOCK_MONOTONIC); }
  double cpu() const { return Cpu() - cpu0; }
  double wall() const { return Wall() - wall0; }
};

void Report(const std::string& what, double bytes, const Timer& timer) {
  const double cpu = timer.cpu(), wall = timer.wall();
  std::printf("%-44s %6.2f GB/s per core   (%.2f GiB, cpu %.2f s, wall %.2f s)\n", what.c_str(),
              bytes / cpu / 1e9, bytes / kGiB, cpu, wall);
}

void Check(const Status& status, const char* what) {
  if (status.ok()) return;
  std::fprintf(stderr, "%s: %s\n", what, status.ToString().c_str());
  std::exit(1);
}

template <typename T>
T Must(StatusOr<T> value, const char* what) {
  Check(value.status(), what);
  return std::move(value).value();
}

std::string SegmentName(uint32_t segment_size) {
  return segment_size >= kMiB ? std::to_string(segment_size / kMiB) + " MiB"
                              : std::to_string(segment_size / kKiB) + " KiB";
}

// Seals whole objects, each with a fresh writer (salt, HKDF) as the hub does.
void BenchSeal(const SecretBytes& key, const Bytes& source, uint32_t segment_size,
               size_t objects) {
  Bytes out;
  out.reserve(2 * kWriteSize);
  Timer timer;
  for (size_t i = 0; i < objects; ++i) {
    auto writer = Must(SealWriter::Create(key, AsBytes("bench/object"), segment_size), "create");
    for (size_t at = 0; at < kObjectSize; at += kWriteSize) {
      Check(writer->Write(ByteSpan(source).subspan(at, kWriteSize), &out), "write");
      out.clear();  // A real writer hands these bytes to the blob store here.
    }
    Check(writer->Finish(&out), "finish");
    out.clear();
  }
  Report("seal,   " + SegmentName(segment_size) + " segments", double(objects * kObjectSize),
         timer);
}

// Decrypts every segment of an object into a segment-sized buffer, as a
// range reader does; the reader (and its HKDF) is created once per object read.
void BenchUnseal(const SecretBytes& key, const Bytes& source, uint32_t segment_size,
                 size_t objects) {
  const Bytes sealed = Must(SealAll(key, AsBytes("bench/object"), source, segment_size), "seal");
  Bytes out(segment_size);
  Timer timer;
  for (size_t i = 0; i < objects; ++i) {
    auto reader = Must(SealReader::Create(key, AsBytes("bench/object"),
                                          ByteSpan(sealed).first(kSealedHeaderSize), sealed.size()),
                       "reader");
    const SealedLayout& layout = reader->layout();
    for (uint64_t s = 0; s < layout.segment_count; ++s) {
      const ByteSpan segment = ByteSpan(sealed).subspan(layout.SegmentCiphertextOffset(s),
                                                        layout.SegmentCiphertextSize(s));
      Check(reader->DecryptSegment(s, segment, MutableByteSpan(out).first(segment.size() - 16)),
            "decrypt");
    }
  }
  Report("unseal, " + SegmentName(segment_size) + " segments", double(objects * kObjectSize),
         timer);
}

// The floor: one EVP context, a new IV per 256 KiB buffer, in place.
void BenchRawEvp(const SecretBytes& key, Bytes buffer, size_t total) {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  uint8_t iv[kAesGcmNonceSize] = {}, tag[kAesGcmTagSize];
  EVP_EncryptInit_ex2(ctx, EVP_aes_256_gcm(), key.data(), iv, nullptr);
  Timer timer;
  for (size_t done = 0; done < total; done += kRawBufferSize) {
    ++iv[0];
    int len = 0;
    EVP_EncryptInit_ex2(ctx, nullptr, nullptr, iv, nullptr);
    EVP_EncryptUpdate(ctx, buffer.data(), &len, buffer.data(), int(kRawBufferSize));
    EVP_EncryptFinal_ex(ctx, tag, &len);
    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, sizeof(tag), tag);
  }
  Report("raw EVP AES-256-GCM, 256 KiB buffers", double(total), timer);
  EVP_CIPHER_CTX_free(ctx);
}

// AesGcm256::Encrypt (template context copied per call) on the same buffers.
void BenchAesGcmClass(const SecretBytes& key, size_t total) {
  auto aead = Must(AesGcm256::Create(key), "aead");
  Bytes buffer(kRawBufferSize + kAesGcmTagSize, 0x5a);
  uint8_t nonce[kAesGcmNonceSize] = {};
  MutableByteSpan all(buffer);
  Timer timer;
  for (size_t done = 0; done < total; done += kRawBufferSize) {
    ++nonce[0];
    Check(aead->Encrypt(ByteSpan(nonce), {}, all.first(kRawBufferSize), all), "encrypt");
  }
  Report("AesGcm256::Encrypt, 256 KiB in place", double(total), timer);
}

void BenchHmac(size_t messages) {
  auto hmac = Must(HmacSha256::Create(Must(RandomSecret(32), "key")), "hmac");
  uint8_t message[15] = {'1', '8', '5', '0', '7', '7', '5', '0', '1', '2', '3', '4', '5', '6', '7'};
  uint8_t out[kSha256Size] = {};
  Timer timer;
  for (size_t i = 0; i < messages; ++i) {
    message[i % sizeof(message)] ^= out[0];  // A data dependency the compiler cannot hoist.
    hmac->Compute(ByteSpan(message), out);
  }
  const double cpu = timer.cpu();
  std::printf("%-44s %6.2f M messages/s per core (%zu messages, cpu %.2f s)\n",
              "HMAC-SHA256, 15-byte messages", double(messages) / cpu / 1e6, messages, cpu);
}

int Run(int argc, char** argv) {
  double gib = 1.0;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--gib") == 0) gib = std::atof(argv[++i]);
  }
  const size_t total = size_t(gib * kGiB) / kObjectSize * kObjectSize;
  const size_t objects = std::max<size_t>(1, total / kObjectSize);
  const SecretBytes key = Must(RandomSecret(32), "key");
  const Bytes source = Must(RandomBytes(kObjectSize), "source");
  std::printf("sealed-object format, %zu objects of %zu MiB per figure\n", objects,
              kObjectSize / kMiB);
  for (uint32_t segment_size : {64 * 1024u, 256 * 1024u, 1024 * 1024u}) {
    BenchSeal(key, source, segment_size, objects);
    BenchUnseal(key, source, segment_size, objects);
  }
  BenchRawEvp(key, Bytes(source.begin(), source.begin() + kRawBufferSize), objects * kObjectSize);
  BenchAesGcmClass(key, objects * kObjectSize);
  BenchHmac(size_t(20'000'000 * std::min(gib, 1.0)));
  return 0;
}

}  // namespace
}  // namespace hdhub::crypto

int main(int argc, char** argv) { return hdhub::crypto::Run(argc, argv); }

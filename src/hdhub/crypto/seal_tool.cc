// hdhub_seal_tool: seals or unseals a file with the C++ sealed-object code, for
// the interoperability test against tests/python/unseal.py. Test-only: it
// takes the data key on the command line, which real tools never do.
//
//   hdhub_seal_tool seal   --key-hex K [--aad-hex A] [--segment-size N] INPUT OUTPUT
//   hdhub_seal_tool unseal --key-hex K [--aad-hex A] INPUT OUTPUT
//
// Exit status: 0 success, 1 the object was rejected, 2 usage or I/O error.
#include <charconv>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "hdhub/crypto/streaming_aead.h"

namespace hdhub::crypto {
namespace {

constexpr int kRejected = 1;
constexpr int kUsage = 2;
// Odd on purpose: segments then straddle reads, exercising the writer's buffer.
constexpr size_t kReadChunk = 100003;

struct Args {
  std::string command, key_hex, aad_hex, input, output;
  uint32_t segment_size = kDefaultSegmentSize;
};

bool ParseArgs(int argc, char** argv, Args* args) {
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--key-hex" && has_value) {
      args->key_hex = argv[++i];
    } else if (arg == "--aad-hex" && has_value) {
      args->aad_hex = argv[++i];
    } else if (arg == "--segment-size" && has_value) {
      const std::string value = argv[++i];
      const auto [end, error] =
          std::from_chars(value.data(), value.data() + value.size(), args->segment_size);
      if (error != std::errc() || end != value.data() + value.size()) return false;
    } else {
      positional.push_back(arg);
    }
  }
  if (positional.size() != 3) return false;
  args->command = positional[0];
  args->input = positional[1];
  args->output = positional[2];
  return args->command == "seal" || args->command == "unseal";
}

Status SealFile(const SecretBytes& key, ByteSpan aad, const Args& args) {
  std::ifstream in(args.input, std::ios::binary);
  std::ofstream out(args.output, std::ios::binary);
  if (!in || !out) return NotFoundError("cannot open input or output file");
  ASSIGN_OR_RETURN(auto writer, SealWriter::Create(key, aad, args.segment_size));
  Bytes chunk(kReadChunk), sealed;
  while (in) {
    in.read(reinterpret_cast<char*>(chunk.data()), static_cast<std::streamsize>(chunk.size()));
    RETURN_IF_ERROR(writer->Write(ByteSpan(chunk).first(static_cast<size_t>(in.gcount())), &sealed));
    out.write(reinterpret_cast<const char*>(sealed.data()), static_cast<std::streamsize>(sealed.size()));
    sealed.clear();
  }
  RETURN_IF_ERROR(writer->Finish(&sealed));
  out.write(reinterpret_cast<const char*>(sealed.data()), static_cast<std::streamsize>(sealed.size()));
  return out ? OkStatus() : InternalError("cannot write " + args.output);
}

Status UnsealFile(const SecretBytes& key, ByteSpan aad, const Args& args) {
  std::ifstream in(args.input, std::ios::binary);
  if (!in) return NotFoundError("cannot open " + args.input);
  const Bytes sealed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSIGN_OR_RETURN(Bytes plaintext, UnsealAll(key, aad, sealed));
  std::ofstream out(args.output, std::ios::binary);
  out.write(reinterpret_cast<const char*>(plaintext.data()),
            static_cast<std::streamsize>(plaintext.size()));
  return out ? OkStatus() : InternalError("cannot write " + args.output);
}

int Run(int argc, char** argv) {
  Args args;
  if (!ParseArgs(argc, argv, &args)) {
    std::fprintf(stderr,
                 "usage: hdhub_seal_tool seal|unseal --key-hex K [--aad-hex A] "
                 "[--segment-size N] INPUT OUTPUT\n");
    return kUsage;
  }
  StatusOr<Bytes> key = HexDecode(args.key_hex);
  StatusOr<Bytes> aad = HexDecode(args.aad_hex);
  if (!key.ok() || !aad.ok()) {
    std::fprintf(stderr, "hdhub_seal_tool: --key-hex and --aad-hex must be hex\n");
    return kUsage;
  }
  const SecretBytes data_key(*key);
  SecureWipe(key->data(), key->size());
  const Status status = args.command == "seal" ? SealFile(data_key, *aad, args)
                                               : UnsealFile(data_key, *aad, args);
  if (status.ok()) return 0;
  std::fprintf(stderr, "hdhub_seal_tool: %s\n", status.ToString().c_str());
  return IsDataLoss(status) ? kRejected : kUsage;
}

}  // namespace
}  // namespace hdhub::crypto

int main(int argc, char** argv) { return hdhub::crypto::Run(argc, argv); }

// Fuzz target: what a PostgreSQL client sends before and after logging in
// (pgwire/protocol.h, pgwire/scram.h). The first byte picks the decoder:
//   0  a startup packet body;
//   1  a sequence of typed frontend messages (type, int32 length, body), as
//      they arrive on a connection, cut at the first malformed one;
//   2  a SCRAM exchange: client-first and client-final messages split at
//      the first NUL, against a known verifier.
// Properties: no crash, no read past a message (ASan); a refusal is
// InvalidArgument (or, for SCRAM, Unauthenticated / FailedPrecondition) and
// never repeats what was sent (leak_oracle.h); whatever decodes encodes back
// to the same bytes; no SCRAM exchange authenticates without the password.
#include <cstdio>
#include <cstdlib>

#include "hdhub/pgwire/protocol.h"
#include "hdhub/pgwire/scram.h"
#include "leak_oracle.h"

namespace {

using namespace hdhub;

const fuzz::LeakOracle& Oracle() {
  static const fuzz::LeakOracle oracle;
  return oracle;
}

[[noreturn]] void Fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "\nhdhub fuzz property broken: %s\n%s\n", what, detail.c_str());
  std::abort();
}

void CheckRefusal(const Status& status, std::string_view input, bool scram) {
  const StatusCode code = status.code();
  const bool expected = code == StatusCode::kInvalidArgument ||
                        (scram && (code == StatusCode::kUnauthenticated || code == StatusCode::kFailedPrecondition));
  if (!expected) Fail("an unexpected status code", status.ToString());
  Oracle().Check("a protocol error", status.ToString(), input);
}

void Startup(ByteSpan body, std::string_view input) {
  auto packet = pgwire::DecodeStartup(body);
  if (!packet.ok()) return CheckRefusal(packet.status(), input, false);
  if (const auto* m = std::get_if<pgwire::StartupMessage>(&*packet)) {
    Bytes again = pgwire::EncodeStartup(*m);
    auto round = pgwire::DecodeStartup(ByteSpan(again).subspan(4));
    if (!round.ok() || std::get<pgwire::StartupMessage>(*round).parameters != m->parameters) {
      Fail("a startup message does not round-trip", "");
    }
  }
}

void Messages(ByteSpan stream, std::string_view input) {
  while (stream.size() >= 5) {
    const char type = char(stream[0]);
    const uint32_t length = GetBigEndian32(stream.data() + 1);
    if (length < 4 || length - 4 > stream.size() - 5) return;  // the server reads no further
    ByteSpan body = stream.subspan(5, length - 4);
    stream = stream.subspan(5 + length - 4);
    auto message = pgwire::DecodeFrontend(type, body);
    if (!message.ok()) return CheckRefusal(message.status(), input, false);
    Bytes wire = pgwire::EncodeFrontend(*message);
    if (wire.size() != body.size() + 5 || !std::equal(body.begin(), body.end(), wire.begin() + 5)) {
      Fail("a frontend message does not encode back to its bytes", std::string(1, type));
    }
    if (type == 'p') {
      auto sasl = pgwire::DecodeSaslInitialResponse(body);
      if (!sasl.ok()) CheckRefusal(sasl.status(), input, false);
    }
  }
}

void Scram(std::string_view text) {
  static const pgwire::ScramVerifier verifier =
      pgwire::ScramVerifier::Derive(SecretBytes(AsBytes("a token the fuzzer does not know")),
                                    AsBytes("sixteen byte slt"), 16)
          .value();
  const size_t nul = text.find('\0');
  std::string_view first = text.substr(0, nul);
  std::string_view final_message = nul == text.npos ? std::string_view() : text.substr(nul + 1);
  for (bool tls : {false, true}) {
    pgwire::ScramServer server(verifier, {.tls_server_end_point = tls ? Bytes(32, 7) : Bytes{}});
    const std::string mechanism = server.Mechanisms().front();
    auto server_first = server.ClientFirst(mechanism, first);
    if (!server_first.ok()) {
      CheckRefusal(server_first.status(), text, true);
      continue;
    }
    auto server_final = server.ClientFinal(final_message);
    if (server_final.ok() || server.authenticated()) Fail("a SCRAM exchange authenticated without the password", "");
    CheckRefusal(server_final.status(), text, true);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  ByteSpan rest(data + 1, size - 1);
  std::string_view input = AsStringView(rest);
  switch (data[0] % 3) {
    case 0:
      Startup(rest, input);
      break;
    case 1:
      Messages(rest, input);
      break;
    default:
      Scram(input);
  }
  return 0;
}

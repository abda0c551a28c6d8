// Fuzz target: what a PostgreSQL client sends before and after logging in
// (pgwire/protocol.h, pgwire/scram.h). The first byte picks the decoder:
//   0  a startup packet body;
//   1  a sequence of typed frontend messages (type, int32 length, body), as
//      they arrive on a connection, cut at the first malformed one;
//   2  a SCRAM exchange: client-first and client-final messages split at
//      the first NUL, against a known verifier;
//   3  a session: each pair of bytes one frontend message (Query, Parse,
//      Bind, Describe, Execute, Close, Sync, Flush) built from a dictionary
//      of the statements the session handles itself (settings,
//      transactions, cursors, COPY, catalog) and of plain queries, with
//      names and values taken from the input, into one ProtocolSession over
//      an in-memory DuckDB.
// Properties: no crash, no read past a message (ASan); in a session, every
// Query and Sync is answered by exactly one ReadyForQuery, nothing else is,
// and the session's own errors never repeat a value of the input; a refusal is
// InvalidArgument (or, for SCRAM, Unauthenticated / FailedPrecondition) and
// never repeats what was sent (leak_oracle.h); whatever decodes encodes back
// to the same bytes; no SCRAM exchange authenticates without the password.
#include <cstdio>
#include <cstdlib>

#include "duckdb.hpp"
#include "hdhub/pgwire/protocol.h"
#include "hdhub/pgwire/session.h"
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

// A word from the input, made of [a-z0-9_] (a name or a value).
std::string Word(std::string_view& input) {
  std::string w;
  while (!input.empty() && w.size() < 12) {
    const char c = input.front();
    input.remove_prefix(1);
    if (c == ' ') break;
    w += (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c : '_';
  }
  return w.empty() ? std::string("v") : w;
}

std::string Statement(uint8_t pick, const std::string& v) {
  static const char* const kFixed[] = {
      "BEGIN", "COMMIT", "ROLLBACK", "SELECT id FROM patients ORDER BY id", "SELECT * FROM nowhere",
      "SHOW ALL", "SHOW DateStyle", "RESET ALL", "DISCARD ALL", "DECLARE c CURSOR FOR SELECT id FROM patients",
      "DECLARE h BINARY CURSOR WITH HOLD FOR SELECT id, born FROM patients", "FETCH 2 FROM c", "FETCH ALL FROM h",
      "MOVE 1 IN c", "CLOSE c", "CLOSE ALL", "COPY patients TO STDOUT", "COPY (SELECT 1 a) TO STDOUT (FORMAT csv, HEADER)",
      "SELECT relname FROM pg_catalog.pg_class", "SELECT $1::INTEGER + 1", "", "SELECT 1; SELECT 2", "LISTEN x",
      "SHOW TRANSACTION ISOLATION LEVEL", "SELECT set_config('search_path', 'public', false)", "COPY patients FROM STDIN"};
  constexpr size_t kFixedCount = sizeof kFixed / sizeof kFixed[0];
  if (pick < kFixedCount) return kFixed[pick];
  switch (pick % 8) {
    case 0: return "SET application_name = '" + v + "'";
    case 1: return "SET TimeZone = '" + v + "'";
    case 2: return "SET DateStyle = '" + v + "'";
    case 3: return "SET extra_float_digits = '" + v + "'";
    case 4: return "SET " + v + " = 1";
    case 5: return "FETCH 1 FROM " + v;
    case 6: return "SET LOCAL statement_timeout = '" + v + "'";
    default: return "DECLARE " + v + " CURSOR FOR SELECT region FROM patients";
  }
}

// The 'M' field of each ErrorResponse the session wrote itself never repeats
// the input (DuckDB's own errors quote the statement back: not checked).
void CheckSessionErrors(const Bytes& out, std::string_view input) {
  for (size_t pos = 0; pos + 5 <= out.size();) {
    const char type = char(out[pos]);
    const uint32_t length = GetBigEndian32(out.data() + pos + 1);
    const std::string_view body(reinterpret_cast<const char*>(out.data() + pos + 5), length - 4);
    pos += 1 + length;
    if (type != 'E') continue;
    for (size_t at = 0; at < body.size() && body[at] != 0;) {
      const size_t end = body.find('\0', at + 1);
      const std::string_view value = body.substr(at + 1, end - at - 1);
      if (body[at] == 'M' && value.find(" Error: ") == value.npos) Oracle().Check("a session error", value, input);
      at = end + 1;
    }
  }
}

size_t ReadyCount(const Bytes& out) {
  size_t ready = 0;
  for (size_t pos = 0; pos + 5 <= out.size(); pos += 1 + GetBigEndian32(out.data() + pos + 1)) ready += out[pos] == 'Z';
  return ready;
}

void Session(std::string_view input) {
  static duckdb::DuckDB db(nullptr);
  static duckdb::Connection con = [] {
    duckdb::Connection c(db);
    c.Query("CREATE TABLE patients (id INTEGER, born DATE, region VARCHAR)");
    c.Query("INSERT INTO patients VALUES (1, '1950-02-03', 'IDF'), (2, NULL, 'PACA')");
    return c;
  }();
  pgwire::DuckDbEngine engine(con);
  pgwire::ProtocolSession session(engine);
  Bytes out;
  if (!session.Start({{"user", "rita"}, {"database", "p1"}}, out).ok()) Fail("a session does not start", "");
  const std::string_view whole = input;
  for (int step = 0; step < 64 && input.size() >= 2 && !session.closed(); ++step) {
    const uint8_t kind = uint8_t(input[0]), pick = uint8_t(input[1]);
    input.remove_prefix(2);
    const std::string v = Word(input);
    const std::string name = pick % 3 == 0 ? "" : pick % 3 == 1 ? "s" : v;
    pgwire::FrontendMessage m;
    switch (kind % 8) {
      case 0: m = pgwire::Query{Statement(pick, v)}; break;
      case 1: m = pgwire::Parse{name, Statement(pick / 2, v), {}}; break;
      case 2: m = pgwire::Bind{pick % 2 ? "c" : "", name, {}, {}, {int16_t(pick % 4 == 3)}}; break;
      case 3: m = pgwire::Describe{pick % 2 ? 'P' : 'S', pick % 4 < 2 ? name : "c"}; break;
      case 4: m = pgwire::Execute{pick % 2 ? "c" : "", uint32_t(pick % 3)}; break;
      case 5: m = pgwire::Close{pick % 2 ? 'P' : 'S', name}; break;
      case 6: m = pgwire::Flush{}; break;
      default: m = pgwire::Sync{}; break;
    }
    out.clear();
    const Bytes wire = pgwire::EncodeFrontend(m);
    session.Handle(char(wire[0]), ByteSpan(wire).subspan(5), out);
    const bool answers = std::holds_alternative<pgwire::Query>(m) || std::holds_alternative<pgwire::Sync>(m);
    if (ReadyCount(out) != (answers ? 1u : 0u)) Fail("a message not answered by exactly one ReadyForQuery", "");
    CheckSessionErrors(out, whole);
  }
  // Leaves the shared connection as it found it: no transaction, no stream.
  out.clear();
  const Bytes rollback = pgwire::EncodeFrontend(pgwire::Query{"ROLLBACK"});
  session.Handle('Q', ByteSpan(rollback).subspan(5), out);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  ByteSpan rest(data + 1, size - 1);
  std::string_view input = AsStringView(rest);
  switch (data[0] % 4) {
    case 0:
      Startup(rest, input);
      break;
    case 1:
      Messages(rest, input);
      break;
    case 2:
      Scram(input);
      break;
    default:
      Session(input);
  }
  return 0;
}

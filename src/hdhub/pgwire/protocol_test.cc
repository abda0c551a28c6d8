#include "hdhub/pgwire/protocol.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hdhub/common/status_matchers.h"

namespace hdhub::pgwire {
namespace {

using ::hdhub::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

Bytes Hex(std::string_view hex) { return HexDecode(hex).value(); }
ByteSpan Body(const Bytes& packet, size_t header) { return ByteSpan(packet).subspan(header); }

// Captured from psql 15.18 (libpq) on loopback: `psql "host=127.0.0.1
// user=rita dbname=diab sslmode=prefer"` sends an SSLRequest, then (after 'N')
// this StartupMessage.
constexpr char kPsqlSslRequest[] = "0000000804d2162f";
constexpr char kPsqlStartup[] =
    "00000037000300007573657200726974610064617461626173650064696162006170706c69636174696f6e5f6e616d65007073716c0000";

TEST(StartupTest, DecodesWhatPsqlSends) {
  Bytes ssl = Hex(kPsqlSslRequest);
  ASSERT_OK_AND_ASSIGN(StartupPacket first, DecodeStartup(Body(ssl, 4)));
  EXPECT_TRUE(std::holds_alternative<SslRequest>(first));

  Bytes startup = Hex(kPsqlStartup);
  EXPECT_EQ(GetBigEndian32(startup.data()), startup.size());
  ASSERT_OK_AND_ASSIGN(StartupPacket packet, DecodeStartup(Body(startup, 4)));
  const auto& m = std::get<StartupMessage>(packet);
  EXPECT_EQ(m.major, 3);
  EXPECT_EQ(m.minor, 0);
  EXPECT_THAT(m.parameters,
              ElementsAre(Pair("application_name", "psql"), Pair("database", "diab"), Pair("user", "rita")));
  // Our encoder writes the same bytes (parameters in name order here).
  StartupMessage again = m;
  ASSERT_OK_AND_ASSIGN(StartupPacket round, DecodeStartup(Body(EncodeStartup(again), 4)));
  EXPECT_EQ(std::get<StartupMessage>(round).parameters, m.parameters);
}

TEST(StartupTest, CancelGssAndNewerMinorVersions) {
  Bytes cancel = Hex("0000001004d2162e0000002a12345678");
  ASSERT_OK_AND_ASSIGN(StartupPacket c, DecodeStartup(Body(cancel, 4)));
  EXPECT_EQ(std::get<CancelRequest>(c).process_id, 42u);
  EXPECT_EQ(std::get<CancelRequest>(c).secret_key, 0x12345678u);
  Bytes gss = Hex("0000000804d21630");
  ASSERT_OK_AND_ASSIGN(StartupPacket g, DecodeStartup(Body(gss, 4)));
  EXPECT_TRUE(std::holds_alternative<GssEncRequest>(g));

  // libpq "greasing" (3.9999 and _pq_ options): decoded, for NegotiateProtocolVersion.
  StartupMessage grease{.major = 3,
                        .minor = 9999,
                        .parameters = {{"user", "rita"}},
                        .protocol_options = {"_pq_.test_protocol_negotiation"}};
  ASSERT_OK_AND_ASSIGN(StartupPacket s, DecodeStartup(Body(EncodeStartup(grease), 4)));
  EXPECT_EQ(std::get<StartupMessage>(s).minor, 9999);
  EXPECT_THAT(std::get<StartupMessage>(s).protocol_options, ElementsAre("_pq_.test_protocol_negotiation"));
}

TEST(StartupTest, RefusesMalformedPackets) {
  Bytes psql = Hex(kPsqlStartup);
  struct Case {
    Bytes body;
    const char* why;
  };
  std::vector<Case> cases = {
      {{}, "shorter"},
      {Hex("04d2162f00"), "trailing"},                                // SSLRequest with a byte more
      {Hex("04d2162e0000002a"), "shorter"},                           // CancelRequest cut
      {Hex("00020000757365720072697461000000"), "protocol version"},  // old protocol (2.0)
      {Hex("0003000075736572007269746100"), "NUL"},                   // no list terminator
      {Hex("000300007573657200"), "NUL"},                             // a name without its value
      {Hex("00030000757365720061007573657200620000"), "repeated"},    // user twice
      {Hex("000300007573657200726974610000ff"), "trailing"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(DecodeStartup(c.body), StatusIs(StatusCode::kInvalidArgument, HasSubstr(c.why))) << HexEncode(c.body);
  }
}

TEST(FrontendTest, EveryMessageRoundTrips) {
  std::vector<FrontendMessage> messages = {
      Query{"SELECT 1; SELECT 2"},
      Parse{"S_1", "select id from patients where id = $1", {23}},
      Bind{"C_2", "S_1", {1}, {Bytes{0, 0, 0, 7}, std::nullopt}, {0, 1}},
      Describe{'P', "C_2"},
      Execute{"C_2", 2},
      Close{'S', "S_1"},
      Sync{},
      Flush{},
      Terminate{},
      PasswordFamily{ToBytes(std::string("SCRAM-SHA-256\0\0\0\0\x05n,,n=", 23))},
      CopyData{ToBytes("a,b\n")},
      CopyDone{},
      CopyFail{"cancelled"},
  };
  for (const FrontendMessage& m : messages) {
    Bytes wire = EncodeFrontend(m);
    ASSERT_GE(wire.size(), 5u);
    EXPECT_EQ(GetBigEndian32(wire.data() + 1), wire.size() - 1);
    ASSERT_OK_AND_ASSIGN(FrontendMessage back, DecodeFrontend(char(wire[0]), ByteSpan(wire).subspan(5)));
    EXPECT_EQ(back.index(), m.index());
    EXPECT_EQ(EncodeFrontend(back), wire) << "message " << m.index();
  }
}

TEST(FrontendTest, DecodesPgJdbcsBinaryBind) {
  // pgJDBC 42.5.5's 6th execution of a prepared statement (research/interfaces.md §2.1):
  // portal '', statement 'S_1', one binary int4 parameter, binary results for 2 columns.
  Bytes body =
      Hex("00535f3100"
          "00010001"
          "0001"
          "0000000400000000"
          "000200010001");
  ASSERT_OK_AND_ASSIGN(FrontendMessage m, DecodeFrontend('B', body));
  const Bind& b = std::get<Bind>(m);
  EXPECT_EQ(b.portal, "");
  EXPECT_EQ(b.statement, "S_1");
  EXPECT_THAT(b.parameter_formats, ElementsAre(1));
  ASSERT_EQ(b.parameters.size(), 1u);
  EXPECT_EQ(*b.parameters[0], (Bytes{0, 0, 0, 0}));
  EXPECT_THAT(b.result_formats, ElementsAre(1, 1));
  EXPECT_THAT(FormatOf(b.result_formats, 1, 2), ::hdhub::testing::IsOkAndHolds(1));
  EXPECT_THAT(FormatOf({}, 5, 9), ::hdhub::testing::IsOkAndHolds(0));
  EXPECT_THAT(FormatOf({1}, 5, 9), ::hdhub::testing::IsOkAndHolds(1));
  EXPECT_THAT(FormatOf({0, 1}, 0, 3), StatusIs(StatusCode::kInvalidArgument));
}

TEST(FrontendTest, RefusesMalformedBodiesWithoutQuotingThem) {
  struct Case {
    char type;
    Bytes body;
    const char* why;
  };
  std::vector<Case> cases = {
      {'Q', ToBytes("SELECT 'secret'"), "NUL"},
      {'Q', Hex("41004200"), "trailing"},
      {'P',
       Hex("0073656c65637400"
           "7fff"),
       "count larger"},  // 32767 parameter types announced, none there
      {'P',
       Hex("0073656c65637400"
           "ffff"),
       "negative count"},
      {'B',
       Hex("0000"
           "0000"
           "0001"
           "fffffffe"
           "0000"),
       "negative parameter length"},
      {'B',
       Hex("0000"
           "0000"
           "0001"
           "00000010"
           "41"
           "0000"),
       "shorter"},
      {'B',
       Hex("0000"
           "00010002"
           "0000"
           "0000"),
       "other than 0 and 1"},
      {'B',
       Hex("0000"
           "000200000000"
           "0001"
           "00000001"
           "41"
           "0000"),
       "2 parameter formats for 1"},
      {'D', Hex("5800"), "kind other than S and P"},
      {'E', Hex("00ffffffff"), "negative row limit"},
      {'S', Hex("00"), "trailing"},
      {'Z', {}, "unknown message type"},
  };
  for (const Case& c : cases) {
    auto m = DecodeFrontend(c.type, c.body);
    EXPECT_THAT(m, StatusIs(StatusCode::kInvalidArgument, HasSubstr(c.why))) << c.type << " " << HexEncode(c.body);
    if (!m.ok()) {
      EXPECT_THAT(std::string(m.status().message()), ::testing::Not(HasSubstr("secret")));
    }
  }
}

TEST(FrontendTest, SaslInitialResponse) {
  Bytes body = ToBytes(std::string("SCRAM-SHA-256\0", 14));
  const std::string first = "n,,n=,r=rOprNGfwEbeRWgbNEkqO";
  body.insert(body.end(), {0, 0, 0, uint8_t(first.size())});
  body.insert(body.end(), first.begin(), first.end());
  ASSERT_OK_AND_ASSIGN(SaslInitialResponse s, DecodeSaslInitialResponse(body));
  EXPECT_EQ(s.mechanism, "SCRAM-SHA-256");
  EXPECT_EQ(AsStringView(*s.data), first);
  body.push_back('x');
  EXPECT_THAT(DecodeSaslInitialResponse(body), StatusIs(StatusCode::kInvalidArgument, HasSubstr("trailing")));
  EXPECT_THAT(DecodeSaslInitialResponse(ToBytes(std::string("SCRAM-SHA-256\0\xff\xff\xff\xfe", 18))),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("negative length")));
}

TEST(BackendTest, WritesTheBytesPostgresWrites) {
  Bytes out;
  BackendWriter w(out);
  w.AuthenticationOk();
  EXPECT_EQ(HexEncode(out), "520000000800000000");
  out.clear();
  w.AuthenticationSasl({"SCRAM-SHA-256"});
  EXPECT_EQ(HexEncode(out),
            "52"
            "00000017"
            "0000000a"
            "534352414d2d5348412d32353600"
            "00");
  out.clear();
  w.ReadyForQuery('I');
  EXPECT_EQ(HexEncode(out), "5a0000000549");
  out.clear();
  w.CommandComplete("SELECT 1");
  EXPECT_EQ(HexEncode(out), "430000000d53454c454354203100");
  out.clear();
  w.DataRow({std::string("42"), std::nullopt});
  EXPECT_EQ(HexEncode(out),
            "44"
            "00000010"
            "0002"
            "00000002"
            "3432"
            "ffffffff");
  w.DataRow({std::string(), std::string("x")});  // after what is already there; an empty value is not NULL
  EXPECT_EQ(HexEncode(out).substr(34),
            "44"
            "0000000f"
            "0002"
            "00000000"
            "00000001"
            "78");
  out.clear();
  w.ErrorResponse({.severity = "FATAL", .sqlstate = "28P01", .message = "password authentication failed for user"});
  std::string hex = HexEncode(out);
  EXPECT_TRUE(hex.starts_with("45")) << hex;
  EXPECT_THAT(AsStringView(out), HasSubstr(std::string("SFATAL\0VFATAL\0C28P01\0Mpassword", 28)));
  EXPECT_EQ(out.back(), 0);
  EXPECT_EQ(GetBigEndian32(out.data() + 1), out.size() - 1);
}

TEST(BackendTest, RowDescriptionAndAStringWithANulInside) {
  Bytes out;
  BackendWriter w(out);
  w.RowDescription({{.name = "n", .type_oid = 23, .type_size = 4}});
  EXPECT_EQ(HexEncode(out),
            "54"
            "0000001a"
            "0001"
            "6e00"
            "00000000"
            "0000"
            "00000017"
            "0004"
            "ffffffff"
            "0000");
  out.clear();
  w.CommandComplete(std::string("SEL\0ECT", 7));
  EXPECT_EQ(HexEncode(out), "430000000853454c00");
}

}  // namespace
}  // namespace hdhub::pgwire

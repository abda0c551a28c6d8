// The PostgreSQL frontend/backend protocol, version 3.0 (PostgreSQL docs,
// "Frontend/Backend Protocol" and "Message Formats"): decoding what a client
// sends and encoding what the server answers. No I/O: the server reads a
// packet's length and body and hands the body here; answers are appended to
// a byte buffer it writes out.
//
// Decoding checks every length against what is left of the body (a message
// is never read past its end), refuses trailing bytes, and bounds every
// count; errors are InvalidArgument ("protocol violation", SQLSTATE 08P01)
// naming the message type and what was wrong, never its content.
//
// Value types and pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "hdhub/common/bytes.h"
#include "hdhub/common/status.h"

namespace hdhub::pgwire {

// A startup packet (length included) may be at most this long (PostgreSQL's
// MAX_STARTUP_PACKET_LENGTH); any other message at most kMaxMessageBytes.
inline constexpr uint32_t kMaxStartupPacketBytes = 10000;
inline constexpr uint32_t kMaxMessageBytes = 64u << 20;
// Bind may carry at most this many parameters and result formats (int16).
inline constexpr size_t kMaxParameters = 65535;

inline constexpr uint32_t kProtocol30 = 196608;  // 3 << 16
inline constexpr uint32_t kSslRequestCode = 80877103;
inline constexpr uint32_t kGssEncRequestCode = 80877104;
inline constexpr uint32_t kCancelRequestCode = 80877102;

// ---- Startup ---------------------------------------------------------------

struct SslRequest {};
struct GssEncRequest {};
struct CancelRequest {
  uint32_t process_id = 0;
  uint32_t secret_key = 0;
};
struct StartupMessage {
  uint16_t major = 3;
  uint16_t minor = 0;
  std::map<std::string, std::string> parameters;  // user, database, application_name, …
  std::vector<std::string> protocol_options;      // "_pq_.*" names, to list in NegotiateProtocolVersion
};
using StartupPacket = std::variant<SslRequest, GssEncRequest, CancelRequest, StartupMessage>;

// `body`: the packet after its 4-byte length. InvalidArgument for an unknown
// request code, a protocol major version other than 3, a parameter list that
// is not NUL-terminated name/value pairs, or a repeated name.
StatusOr<StartupPacket> DecodeStartup(ByteSpan body);

// ---- Frontend messages (type byte, int32 length, body) ------------------------

struct Query {
  std::string sql;
};
struct Parse {
  std::string statement;  // "" = the unnamed statement
  std::string sql;
  std::vector<uint32_t> parameter_types;  // OIDs; 0 = let the server infer
};
struct Bind {
  std::string portal;
  std::string statement;
  std::vector<int16_t> parameter_formats;        // none: all text; one: for all; else one per parameter
  std::vector<std::optional<Bytes>> parameters;  // nullopt = NULL
  std::vector<int16_t> result_formats;           // the same convention
};
struct Describe {
  char kind = 'S';  // 'S' statement, 'P' portal
  std::string name;
};
struct Execute {
  std::string portal;
  uint32_t max_rows = 0;  // 0 = no limit
};
struct Close {
  char kind = 'S';
  std::string name;
};
struct Sync {};
struct Flush {};
struct Terminate {};
// 'p' is one type for several messages; which one the server expects
// depends on the authentication state, so it is decoded by the caller's
// choice: DecodeSaslInitialResponse / DecodeSaslResponse / DecodePassword.
struct PasswordFamily {
  Bytes body;
};
struct CopyData {
  Bytes data;
};
struct CopyDone {};
struct CopyFail {
  std::string message;
};

using FrontendMessage = std::variant<Query, Parse, Bind, Describe, Execute, Close, Sync, Flush, Terminate,
                                     PasswordFamily, CopyData, CopyDone, CopyFail>;

// InvalidArgument for an unknown type byte or a malformed body.
StatusOr<FrontendMessage> DecodeFrontend(char type, ByteSpan body);

struct SaslInitialResponse {
  std::string mechanism;
  std::optional<Bytes> data;  // the client-first-message; nullopt when the length is -1
};
StatusOr<SaslInitialResponse> DecodeSaslInitialResponse(ByteSpan body);
// SASLResponse: the whole body is the mechanism's data.
inline Bytes DecodeSaslResponse(ByteSpan body) { return Bytes(body.begin(), body.end()); }

// The format code (0 text, 1 binary) of column or parameter `i` of `count`
// under Bind's convention; InvalidArgument when `formats` has another size
// than 0, 1 or `count`, or a code other than 0 or 1.
StatusOr<int16_t> FormatOf(const std::vector<int16_t>& formats, size_t i, size_t count);

// ---- Backend messages --------------------------------------------------------

struct FieldDescription {
  std::string name;
  uint32_t table_oid = 0;
  int16_t column = 0;
  uint32_t type_oid = 0;
  int16_t type_size = -1;
  int32_t type_modifier = -1;
  int16_t format = 0;
};

// ErrorResponse / NoticeResponse fields. severity: ERROR, FATAL, NOTICE,
// WARNING…; sqlstate: five characters (e.g. "28P01").
struct ErrorFields {
  std::string severity = "ERROR";
  std::string sqlstate;
  std::string message;
  std::string detail;
  std::string hint;
  uint32_t position = 0;  // 1-based character position in the statement; 0 = none
};

// Appends one message each to `out`.
class BackendWriter {
 public:
  explicit BackendWriter(Bytes& out) : out_(out) {}

  void AuthenticationOk();
  void AuthenticationSasl(const std::vector<std::string>& mechanisms);
  void AuthenticationSaslContinue(std::string_view data);
  void AuthenticationSaslFinal(std::string_view data);
  void ParameterStatus(std::string_view name, std::string_view value);
  void BackendKeyData(uint32_t process_id, uint32_t secret_key);
  void NegotiateProtocolVersion(uint16_t newest_minor, const std::vector<std::string>& unrecognised_options);
  void ReadyForQuery(char status);  // 'I' idle, 'T' in a transaction, 'E' in a failed one
  void RowDescription(const std::vector<FieldDescription>& fields);
  void DataRow(const std::vector<std::optional<std::string>>& values);
  void CommandComplete(std::string_view tag);
  void EmptyQueryResponse();
  void ErrorResponse(const ErrorFields& fields);
  void NoticeResponse(const ErrorFields& fields);
  void ParseComplete();
  void BindComplete();
  void CloseComplete();
  void NoData();
  void PortalSuspended();
  void ParameterDescription(const std::vector<uint32_t>& type_oids);
  void CopyOutResponse(int16_t format, size_t columns);
  void CopyData(ByteSpan data);
  void CopyDone();
  // The one-byte answers to SSLRequest and GSSENCRequest ('S' / 'N').
  void RawByte(char c) { out_.push_back(uint8_t(c)); }

  // The messages written so far (whole messages between calls).
  Bytes& buffer() { return out_; }

 private:
  void Begin(char type);
  void End();
  void Int16(int16_t v);
  void Int32(uint32_t v);
  void CString(std::string_view s);
  void Fields(const ErrorFields& fields);

  Bytes& out_;
  size_t start_ = 0;
};

// Frontend encoders, for tests and for fuzzing the decoder's round trip.
Bytes EncodeFrontend(const FrontendMessage& message);  // type byte, length, body
Bytes EncodeStartup(const StartupMessage& message);    // length, body

}  // namespace hdhub::pgwire

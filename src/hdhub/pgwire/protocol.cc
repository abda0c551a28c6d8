#include "hdhub/pgwire/protocol.h"

#include <cstring>
#include <set>

namespace hdhub::pgwire {
namespace {

// Reads a message body front to back; every read is bounds-checked and a
// failed one leaves ok() false for good.
class Reader {
 public:
  Reader(ByteSpan body, std::string_view what) : body_(body), what_(what) {}

  bool ok() const { return ok_; }
  size_t left() const { return body_.size() - pos_; }

  uint8_t Byte() {
    if (!Need(1)) return 0;
    return body_[pos_++];
  }
  int16_t Int16() {
    if (!Need(2)) return 0;
    int16_t v = int16_t(uint16_t(body_[pos_]) << 8 | body_[pos_ + 1]);
    pos_ += 2;
    return v;
  }
  uint32_t Int32() {
    if (!Need(4)) return 0;
    uint32_t v = GetBigEndian32(body_.data() + pos_);
    pos_ += 4;
    return v;
  }
  std::string CString() {
    if (!ok_) return {};
    const uint8_t* start = body_.data() + pos_;
    const void* nul = std::memchr(start, 0, left());
    if (nul == nullptr) {
      ok_ = false;
      problem_ = "a string without its terminating NUL";
      return {};
    }
    size_t n = static_cast<const uint8_t*>(nul) - start;
    pos_ += n + 1;
    return std::string(reinterpret_cast<const char*>(start), n);
  }
  Bytes Take(size_t n) {
    if (!Need(n)) return {};
    Bytes out(body_.begin() + pos_, body_.begin() + pos_ + n);
    pos_ += n;
    return out;
  }
  Bytes Rest() { return Take(left()); }
  // A count (int16, non-negative), bounded so that a huge count cannot
  // allocate before the bytes behind it are found missing.
  size_t Count(size_t bytes_each) {
    int16_t n = Int16();
    if (!ok_) return 0;
    if (n < 0) return Bad("a negative count");
    if (size_t(n) * bytes_each > left()) return Bad("a count larger than the message");
    return size_t(n);
  }
  size_t Bad(std::string_view problem) {
    if (ok_) problem_ = problem;
    ok_ = false;
    return 0;
  }

  // OK when every read succeeded and nothing is left over.
  Status Finish() {
    if (ok_ && left() != 0) Bad("trailing bytes");
    if (ok_) return OkStatus();
    return InvalidArgumentError("protocol violation: " + std::string(what_) + ": " + std::string(problem_));
  }

 private:
  bool Need(size_t n) {
    if (!ok_) return false;
    if (left() < n) {
      ok_ = false;
      problem_ = "shorter than its fields";
      return false;
    }
    return true;
  }

  ByteSpan body_;
  std::string_view what_;
  size_t pos_ = 0;
  bool ok_ = true;
  std::string_view problem_;
};

char Kind(Reader& r, const char* problem) {
  char kind = char(r.Byte());
  if (r.ok() && kind != 'S' && kind != 'P') r.Bad(problem);
  return kind;
}

std::vector<int16_t> Formats(Reader& r) {
  std::vector<int16_t> formats(r.Count(2));
  for (int16_t& f : formats) {
    f = r.Int16();
    if (r.ok() && f != 0 && f != 1) r.Bad("a format code other than 0 and 1");
  }
  return formats;
}

// The wire's integers are big-endian; its strings end with a NUL (one inside
// would end the string early on the other side: the string is cut there).
void AppendInt16(Bytes& out, int16_t v) {
  out.push_back(uint8_t(uint16_t(v) >> 8));
  out.push_back(uint8_t(v));
}
void AppendInt32(Bytes& out, uint32_t v) {
  const size_t at = out.size();
  out.resize(at + 4);
  PutBigEndian32(v, out.data() + at);
}
void AppendCString(Bytes& out, std::string_view s) {
  s = s.substr(0, s.find('\0'));
  out.insert(out.end(), s.begin(), s.end());
  out.push_back(0);
}

}  // namespace

StatusOr<StartupPacket> DecodeStartup(ByteSpan body) {
  Reader r(body, "startup packet");
  const uint32_t code = r.Int32();
  if (!r.ok()) return r.Finish();
  if (code == kSslRequestCode || code == kGssEncRequestCode) {
    RETURN_IF_ERROR(r.Finish());
    if (code == kSslRequestCode) return StartupPacket(SslRequest{});
    return StartupPacket(GssEncRequest{});
  }
  if (code == kCancelRequestCode) {
    CancelRequest cancel{.process_id = r.Int32(), .secret_key = r.Int32()};
    RETURN_IF_ERROR(r.Finish());
    return StartupPacket(cancel);
  }
  StartupMessage message{.major = uint16_t(code >> 16), .minor = uint16_t(code & 0xffff)};
  if (message.major != 3) {
    return InvalidArgumentError("unsupported frontend protocol version: the server supports 3.0");
  }
  while (r.ok()) {
    std::string name = r.CString();
    if (!r.ok()) break;
    if (name.empty()) break;  // the list's terminator
    std::string value = r.CString();
    if (!r.ok()) break;
    if (name.starts_with("_pq_.")) {
      message.protocol_options.push_back(name);
    } else if (!message.parameters.emplace(std::move(name), std::move(value)).second) {
      r.Bad("a repeated parameter");
    }
  }
  RETURN_IF_ERROR(r.Finish());
  return StartupPacket(std::move(message));
}

StatusOr<FrontendMessage> DecodeFrontend(char type, ByteSpan body) {
  switch (type) {
    case 'Q': {
      Reader r(body, "Query");
      Query q{.sql = r.CString()};
      RETURN_IF_ERROR(r.Finish());
      return FrontendMessage(std::move(q));
    }
    case 'P': {
      Reader r(body, "Parse");
      Parse p{.statement = r.CString(), .sql = r.CString()};
      p.parameter_types.resize(r.Count(4));
      for (uint32_t& oid : p.parameter_types) oid = r.Int32();
      RETURN_IF_ERROR(r.Finish());
      return FrontendMessage(std::move(p));
    }
    case 'B': {
      Reader r(body, "Bind");
      Bind b{.portal = r.CString(), .statement = r.CString()};
      b.parameter_formats = Formats(r);
      const size_t n = r.Count(4);
      b.parameters.reserve(n);
      for (size_t i = 0; i < n && r.ok(); ++i) {
        const int32_t length = int32_t(r.Int32());
        if (length == -1) {
          b.parameters.emplace_back(std::nullopt);
        } else if (length < 0) {
          r.Bad("a negative parameter length");
        } else {
          b.parameters.emplace_back(r.Take(size_t(length)));
        }
      }
      b.result_formats = Formats(r);
      RETURN_IF_ERROR(r.Finish());
      if (b.parameter_formats.size() > 1 && b.parameter_formats.size() != b.parameters.size()) {
        return InvalidArgumentError("protocol violation: Bind: " + std::to_string(b.parameter_formats.size()) +
                                    " parameter formats for " + std::to_string(b.parameters.size()) + " parameters");
      }
      return FrontendMessage(std::move(b));
    }
    case 'D': {
      Reader r(body, "Describe");
      Describe d{.kind = Kind(r, "a kind other than S and P")};
      d.name = r.CString();
      RETURN_IF_ERROR(r.Finish());
      return FrontendMessage(std::move(d));
    }
    case 'E': {
      Reader r(body, "Execute");
      Execute e{.portal = r.CString()};
      e.max_rows = r.Int32();
      RETURN_IF_ERROR(r.Finish());
      if (int32_t(e.max_rows) < 0) return InvalidArgumentError("protocol violation: Execute: a negative row limit");
      return FrontendMessage(std::move(e));
    }
    case 'C': {
      Reader r(body, "Close");
      Close c{.kind = Kind(r, "a kind other than S and P")};
      c.name = r.CString();
      RETURN_IF_ERROR(r.Finish());
      return FrontendMessage(std::move(c));
    }
    case 'S':
    case 'H':
    case 'X':
    case 'c': {
      const char* names = type == 'S' ? "Sync" : type == 'H' ? "Flush" : type == 'X' ? "Terminate" : "CopyDone";
      Reader r(body, names);
      RETURN_IF_ERROR(r.Finish());
      if (type == 'S') return FrontendMessage(Sync{});
      if (type == 'H') return FrontendMessage(Flush{});
      if (type == 'X') return FrontendMessage(Terminate{});
      return FrontendMessage(CopyDone{});
    }
    case 'p':
      return FrontendMessage(PasswordFamily{.body = Bytes(body.begin(), body.end())});
    case 'd':
      return FrontendMessage(CopyData{.data = Bytes(body.begin(), body.end())});
    case 'f': {
      Reader r(body, "CopyFail");
      CopyFail f{.message = r.CString()};
      RETURN_IF_ERROR(r.Finish());
      return FrontendMessage(std::move(f));
    }
    default:
      return InvalidArgumentError("protocol violation: unknown message type " + std::to_string(uint8_t(type)));
  }
}

StatusOr<SaslInitialResponse> DecodeSaslInitialResponse(ByteSpan body) {
  Reader r(body, "SASLInitialResponse");
  SaslInitialResponse s{.mechanism = r.CString()};
  const int32_t length = int32_t(r.Int32());
  if (length == -1) {
    s.data = std::nullopt;
  } else if (length < 0) {
    r.Bad("a negative length");
  } else {
    s.data = r.Take(size_t(length));
  }
  RETURN_IF_ERROR(r.Finish());
  return s;
}

StatusOr<int16_t> FormatOf(const std::vector<int16_t>& formats, size_t i, size_t count) {
  if (formats.empty()) return int16_t(0);
  if (formats.size() != 1 && formats.size() != count) {
    return InvalidArgumentError("protocol violation: " + std::to_string(formats.size()) + " format codes for " +
                                std::to_string(count) + " values");
  }
  const int16_t f = formats.size() == 1 ? formats[0] : formats[i];
  if (f != 0 && f != 1) return InvalidArgumentError("protocol violation: a format code other than 0 and 1");
  return f;
}

// ---- BackendWriter ----------------------------------------------------------

void BackendWriter::Begin(char type) {
  out_.push_back(uint8_t(type));
  start_ = out_.size();
  out_.resize(out_.size() + 4);  // the length, filled by End()
}
void BackendWriter::End() { PutBigEndian32(uint32_t(out_.size() - start_), out_.data() + start_); }
void BackendWriter::Int16(int16_t v) { AppendInt16(out_, v); }
void BackendWriter::Int32(uint32_t v) { AppendInt32(out_, v); }
void BackendWriter::CString(std::string_view s) { AppendCString(out_, s); }

void BackendWriter::AuthenticationOk() {
  Begin('R');
  Int32(0);
  End();
}
void BackendWriter::AuthenticationSasl(const std::vector<std::string>& mechanisms) {
  Begin('R');
  Int32(10);
  for (const std::string& m : mechanisms) CString(m);
  out_.push_back(0);
  End();
}
void BackendWriter::AuthenticationSaslContinue(std::string_view data) {
  Begin('R');
  Int32(11);
  out_.insert(out_.end(), data.begin(), data.end());
  End();
}
void BackendWriter::AuthenticationSaslFinal(std::string_view data) {
  Begin('R');
  Int32(12);
  out_.insert(out_.end(), data.begin(), data.end());
  End();
}
void BackendWriter::ParameterStatus(std::string_view name, std::string_view value) {
  Begin('S');
  CString(name);
  CString(value);
  End();
}
void BackendWriter::BackendKeyData(uint32_t process_id, uint32_t secret_key) {
  Begin('K');
  Int32(process_id);
  Int32(secret_key);
  End();
}
void BackendWriter::NegotiateProtocolVersion(uint16_t newest_minor, const std::vector<std::string>& options) {
  Begin('v');
  Int32(newest_minor);
  Int32(uint32_t(options.size()));
  for (const std::string& o : options) CString(o);
  End();
}
void BackendWriter::ReadyForQuery(char status) {
  Begin('Z');
  out_.push_back(uint8_t(status));
  End();
}
void BackendWriter::RowDescription(const std::vector<FieldDescription>& fields) {
  Begin('T');
  Int16(int16_t(fields.size()));
  for (const FieldDescription& f : fields) {
    CString(f.name);
    Int32(f.table_oid);
    Int16(f.column);
    Int32(f.type_oid);
    Int16(f.type_size);
    Int32(uint32_t(f.type_modifier));
    Int16(f.format);
  }
  End();
}
void BackendWriter::DataRow(const std::vector<std::optional<std::string>>& values) {
  // Every row of a result comes here: the message is sized first and written
  // in place, one resize per row.
  size_t length = 4 + 2;  // the length itself and the column count
  for (const auto& v : values) length += 4 + (v ? v->size() : 0);
  const size_t at = out_.size();
  out_.resize(at + 1 + length);
  uint8_t* p = out_.data() + at;
  *p++ = uint8_t('D');
  PutBigEndian32(uint32_t(length), p);
  p += 4;
  *p++ = uint8_t(values.size() >> 8);
  *p++ = uint8_t(values.size());
  for (const auto& v : values) {
    PutBigEndian32(v ? uint32_t(v->size()) : uint32_t(-1), p);
    p += 4;
    if (v && !v->empty()) {
      std::memcpy(p, v->data(), v->size());
      p += v->size();
    }
  }
}
void BackendWriter::CommandComplete(std::string_view tag) {
  Begin('C');
  CString(tag);
  End();
}
void BackendWriter::EmptyQueryResponse() {
  Begin('I');
  End();
}
void BackendWriter::Fields(const ErrorFields& f) {
  auto field = [&](char code, std::string_view value) {
    if (value.empty()) return;
    out_.push_back(uint8_t(code));
    CString(value);
  };
  field('S', f.severity);
  field('V', f.severity);
  field('C', f.sqlstate);
  field('M', f.message);
  field('D', f.detail);
  field('H', f.hint);
  if (f.position > 0) field('P', std::to_string(f.position));
  out_.push_back(0);
}
void BackendWriter::ErrorResponse(const ErrorFields& fields) {
  Begin('E');
  Fields(fields);
  End();
}
void BackendWriter::NoticeResponse(const ErrorFields& fields) {
  Begin('N');
  Fields(fields);
  End();
}
void BackendWriter::ParseComplete() {
  Begin('1');
  End();
}
void BackendWriter::BindComplete() {
  Begin('2');
  End();
}
void BackendWriter::CloseComplete() {
  Begin('3');
  End();
}
void BackendWriter::NoData() {
  Begin('n');
  End();
}
void BackendWriter::PortalSuspended() {
  Begin('s');
  End();
}
void BackendWriter::ParameterDescription(const std::vector<uint32_t>& type_oids) {
  Begin('t');
  Int16(int16_t(type_oids.size()));
  for (uint32_t oid : type_oids) Int32(oid);
  End();
}
void BackendWriter::CopyOutResponse(int16_t format, size_t columns) {
  Begin('H');
  out_.push_back(uint8_t(format));
  Int16(int16_t(columns));
  for (size_t i = 0; i < columns; ++i) Int16(format);
  End();
}
void BackendWriter::CopyData(ByteSpan data) {
  Begin('d');
  out_.insert(out_.end(), data.begin(), data.end());
  End();
}
void BackendWriter::CopyDone() {
  Begin('c');
  End();
}

// ---- Frontend encoders (tests, fuzzing) --------------------------------------

namespace {

class FrontendWriter {
 public:
  explicit FrontendWriter(char type) : out_{uint8_t(type), 0, 0, 0, 0} {}
  FrontendWriter() : out_{0, 0, 0, 0} {}  // a startup packet: no type byte
  void Int16(int16_t v) { AppendInt16(out_, v); }
  void Int32(uint32_t v) { AppendInt32(out_, v); }
  void CString(std::string_view s) { AppendCString(out_, s); }
  void Raw(ByteSpan b) { out_.insert(out_.end(), b.begin(), b.end()); }
  Bytes Finish(bool typed) {
    const size_t start = typed ? 1 : 0;
    PutBigEndian32(uint32_t(out_.size() - start), out_.data() + start);
    return std::move(out_);
  }

 private:
  Bytes out_;
};

}  // namespace

Bytes EncodeStartup(const StartupMessage& message) {
  FrontendWriter w;
  w.Int32(uint32_t(message.major) << 16 | message.minor);
  for (const auto& [name, value] : message.parameters) {
    w.CString(name);
    w.CString(value);
  }
  for (const std::string& option : message.protocol_options) {
    w.CString(option);
    w.CString("");
  }
  w.CString("");
  return w.Finish(false);
}

Bytes EncodeFrontend(const FrontendMessage& message) {
  struct Visitor {
    Bytes operator()(const Query& q) {
      FrontendWriter w('Q');
      w.CString(q.sql);
      return w.Finish(true);
    }
    Bytes operator()(const Parse& p) {
      FrontendWriter w('P');
      w.CString(p.statement);
      w.CString(p.sql);
      w.Int16(int16_t(p.parameter_types.size()));
      for (uint32_t oid : p.parameter_types) w.Int32(oid);
      return w.Finish(true);
    }
    Bytes operator()(const Bind& b) {
      FrontendWriter w('B');
      w.CString(b.portal);
      w.CString(b.statement);
      w.Int16(int16_t(b.parameter_formats.size()));
      for (int16_t f : b.parameter_formats) w.Int16(f);
      w.Int16(int16_t(b.parameters.size()));
      for (const auto& p : b.parameters) {
        w.Int32(p ? uint32_t(p->size()) : uint32_t(-1));
        if (p) w.Raw(*p);
      }
      w.Int16(int16_t(b.result_formats.size()));
      for (int16_t f : b.result_formats) w.Int16(f);
      return w.Finish(true);
    }
    Bytes operator()(const Describe& d) { return KindAndName('D', d.kind, d.name); }
    Bytes operator()(const Execute& e) {
      FrontendWriter w('E');
      w.CString(e.portal);
      w.Int32(e.max_rows);
      return w.Finish(true);
    }
    Bytes operator()(const Close& c) { return KindAndName('C', c.kind, c.name); }
    Bytes operator()(const Sync&) { return FrontendWriter('S').Finish(true); }
    Bytes operator()(const Flush&) { return FrontendWriter('H').Finish(true); }
    Bytes operator()(const Terminate&) { return FrontendWriter('X').Finish(true); }
    Bytes operator()(const PasswordFamily& p) { return Body('p', p.body); }
    Bytes operator()(const CopyData& c) { return Body('d', c.data); }
    Bytes operator()(const CopyDone&) { return FrontendWriter('c').Finish(true); }
    Bytes operator()(const CopyFail& f) {
      FrontendWriter w('f');
      w.CString(f.message);
      return w.Finish(true);
    }
    static Bytes KindAndName(char type, char kind, const std::string& name) {
      FrontendWriter w(type);
      w.Raw(AsBytes(std::string_view(&kind, 1)));
      w.CString(name);
      return w.Finish(true);
    }
    static Bytes Body(char type, const Bytes& body) {
      FrontendWriter w(type);
      w.Raw(body);
      return w.Finish(true);
    }
  };
  return std::visit(Visitor{}, message);
}

}  // namespace hdhub::pgwire

// Test helpers for ProtocolSession: a one-line-per-message trace of what the
// session answered, and a fixture with an in-memory DuckDB of five patients.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "hdhub/pgwire/session.h"

namespace hdhub::pgwire::session_testing {

// The backend messages in `out`, one line each: "T a:23 b:25", "D 1|x|NULL",
// "C SELECT 2", "E 42P01", "Z I", "s", "1", "2", "3", "n", "t 23 25", "I".
inline std::vector<std::string> Trace(const Bytes& out) {
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos + 5 <= out.size()) {
    const char type = char(out[pos]);
    const uint32_t length = GetBigEndian32(out.data() + pos + 1);
    const uint8_t* body = out.data() + pos + 5;
    const size_t n = length - 4;
    pos += 1 + length;
    auto i16 = [&](size_t at) { return int16_t(uint16_t(body[at]) << 8 | body[at + 1]); };
    std::string line(1, type);
    switch (type) {
      case 'T': {
        size_t at = 2;
        for (int16_t f = 0, count = i16(0); f < count; ++f) {
          std::string name(reinterpret_cast<const char*>(body + at));
          at += name.size() + 1;
          const uint32_t oid = GetBigEndian32(body + at + 6);
          const int16_t format = i16(at + 16);
          line += " " + name + ":" + std::to_string(oid) + (format == 1 ? "b" : "");
          at += 18;
        }
        break;
      }
      case 'D': {
        size_t at = 2;
        for (int16_t c = 0, count = i16(0); c < count; ++c) {
          const int32_t len = int32_t(GetBigEndian32(body + at));
          at += 4;
          line += c == 0 ? " " : "|";
          if (len < 0) {
            line += "NULL";
          } else {
            std::string v(reinterpret_cast<const char*>(body + at), size_t(len));
            bool printable = true;
            for (unsigned char ch : v) printable &= ch >= 0x20 && ch < 0x7f;
            line += printable ? v : "0x" + HexEncode(AsBytes(v));
            at += size_t(len);
          }
        }
        break;
      }
      case 'C':
        line += " " + std::string(reinterpret_cast<const char*>(body));
        break;
      case 'Z':
        line += " " + std::string(1, char(body[0]));
        break;
      case 'S': {
        std::string name(reinterpret_cast<const char*>(body));
        line += " " + name + "=" + std::string(reinterpret_cast<const char*>(body + name.size() + 1));
        break;
      }
      case 'd':
        line += " " + std::string(reinterpret_cast<const char*>(body), n);
        break;
      case 'E':
      case 'N': {
        for (size_t at = 0; at < n && body[at] != 0;) {
          const char code = char(body[at]);
          std::string value(reinterpret_cast<const char*>(body + at + 1));
          if (code == 'C') line += " " + value;
          at += value.size() + 2;
        }
        break;
      }
      case 't': {
        for (int16_t p = 0, count = i16(0); p < count; ++p)
          line += " " + std::to_string(GetBigEndian32(body + 2 + 4 * p));
        break;
      }
      default:
        break;
    }
    lines.push_back(line);
  }
  return lines;
}

class SessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    con_.Query("CREATE TABLE patients (id INTEGER, born DATE, region VARCHAR)");
    con_.Query(
        "INSERT INTO patients VALUES (1, '1950-02-03', 'IDF'), (2, '2001-04-05', 'PACA'), (3, '2010-06-07', 'IDF'),"
        " (4, NULL, 'IDF'), (5, '1999-12-31', 'BRE')");
  }

  // Sends `messages` as one flight; returns the trace of everything answered.
  std::vector<std::string> Flight(const std::vector<FrontendMessage>& messages) {
    Bytes out;
    for (const FrontendMessage& m : messages) {
      Bytes wire = EncodeFrontend(m);
      session_.Handle(char(wire[0]), ByteSpan(wire).subspan(5), out);
    }
    return Trace(out);
  }

  duckdb::DuckDB db_{nullptr};
  duckdb::Connection con_{db_};
  DuckDbEngine engine_{con_};
  ProtocolSession session_{engine_};
};

}  // namespace hdhub::pgwire::session_testing

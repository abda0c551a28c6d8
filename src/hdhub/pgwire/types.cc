#include "hdhub/pgwire/types.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "duckdb.hpp"

namespace hdhub::pgwire {
namespace {

using duckdb::LogicalType;
using duckdb::LogicalTypeId;
using duckdb::Value;

constexpr uint32_t kBool = 16, kBytea = 17, kInt8 = 20, kInt2 = 21, kInt4 = 23, kText = 25, kFloat4 = 700,
                   kFloat8 = 701, kDate = 1082, kTime = 1083, kTimestamp = 1114, kTimestampTz = 1184, kInterval = 1186,
                   kNumeric = 1700, kUuid = 2950;

// The array type of each element type (pg_type.typarray).
uint32_t ArrayOf(uint32_t oid) {
  switch (oid) {
    case kBool:
      return 1000;
    case kBytea:
      return 1001;
    case kInt2:
      return 1005;
    case kInt4:
      return 1007;
    case kInt8:
      return 1016;
    case kText:
      return 1009;
    case kFloat4:
      return 1021;
    case kFloat8:
      return 1022;
    case kDate:
      return 1182;
    case kTime:
      return 1183;
    case kTimestamp:
      return 1115;
    case kTimestampTz:
      return 1185;
    case kInterval:
      return 1187;
    case kNumeric:
      return 1231;
    case kUuid:
      return 2951;
    default:
      return 0;
  }
}

// PostgreSQL's shortest-exact float output (float8out / float4out with
// extra_float_digits > 0): the fewest digits that read back to the same
// value, in fixed notation when the decimal exponent is in [-4, precision),
// else d.ddde±XX.
template <typename F>
std::string ShortestFloat(F v, int precision) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  if (v == 0) return std::signbit(v) ? "-0" : "0";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  const size_t e = sci.find('e');
  std::string mantissa = sci.substr(0, e);
  const int exponent = std::stoi(sci.substr(e + 1));
  const bool negative = mantissa[0] == '-';
  if (negative) mantissa.erase(0, 1);
  std::string digits;
  for (char c : mantissa) {
    if (c != '.') digits += c;
  }
  std::string out = negative ? "-" : "";
  if (exponent >= -4 && exponent < precision) {
    if (exponent < 0) {
      out += "0." + std::string(size_t(-exponent - 1), '0') + digits;
    } else if (size_t(exponent + 1) >= digits.size()) {
      out += digits + std::string(size_t(exponent + 1) - digits.size(), '0');
    } else {
      out += digits.substr(0, size_t(exponent + 1)) + "." + digits.substr(size_t(exponent + 1));
    }
    return out;
  }
  out += digits.substr(0, 1);
  if (digits.size() > 1) out += "." + digits.substr(1);
  char exp[16];
  std::snprintf(exp, sizeof exp, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
  return out + exp;
}

// IntervalStyle postgres (PostgreSQL's EncodeInterval): "1 year 2 mons 3
// days 04:05:06.5", "-1 years", "00:00:00" for zero; a positive field after
// a negative one carries "+".
std::string IntervalText(const duckdb::interval_t& iv) {
  std::string out;
  bool after_negative = false;
  auto add = [&](int64_t n, const char* one, const char* many) {
    if (n == 0) return;
    out += (out.empty() ? "" : " ") + std::string(after_negative && n > 0 ? "+" : "") + std::to_string(n) + " " +
           (n == 1 ? one : many);
    after_negative = n < 0;
  };
  add(iv.months / 12, "year", "years");
  add(iv.months % 12, "mon", "mons");
  add(iv.days, "day", "days");
  if (iv.micros != 0 || out.empty()) {
    const uint64_t micros = iv.micros < 0 ? uint64_t(-(iv.micros + 1)) + 1 : uint64_t(iv.micros);
    const char* sign = iv.micros < 0 ? "-" : after_negative ? "+" : "";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s%02llu:%02llu:%02llu", sign,
                  static_cast<unsigned long long>(micros / 3'600'000'000),
                  static_cast<unsigned long long>(micros / 60'000'000 % 60),
                  static_cast<unsigned long long>(micros / 1'000'000 % 60));
    std::string time = buf;
    if (const uint64_t fraction = micros % 1'000'000; fraction != 0) {
      std::snprintf(buf, sizeof buf, ".%06llu", static_cast<unsigned long long>(fraction));
      std::string f = buf;
      while (f.back() == '0') f.pop_back();
      time += f;
    }
    out += (out.empty() ? "" : " ") + time;
  }
  return out;
}

std::string ByteaText(const std::string& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\\x";
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

// An array element in an array's text form: quoted (with \ and " escaped)
// when empty, "NULL" as a string, or holding a character that has a meaning
// there.
std::string ArrayElement(const std::string& text) {
  bool quote = text.empty() || text == "NULL" || text.find_first_of("{},\"\\ \t\n\r\v\f") != std::string::npos;
  if (!quote) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

PgType PgTypeOf(const LogicalType& type) {
  switch (type.id()) {
    case LogicalTypeId::BOOLEAN:
      return {kBool, 1};
    case LogicalTypeId::TINYINT:
    case LogicalTypeId::SMALLINT:
      return {kInt2, 2};
    case LogicalTypeId::INTEGER:
    case LogicalTypeId::UTINYINT:
    case LogicalTypeId::USMALLINT:
      return {kInt4, 4};
    case LogicalTypeId::BIGINT:
    case LogicalTypeId::UINTEGER:
      return {kInt8, 8};
    case LogicalTypeId::HUGEINT:
    case LogicalTypeId::UBIGINT:
    case LogicalTypeId::UHUGEINT:
      return {kNumeric, -1};
    case LogicalTypeId::DECIMAL:
      return {kNumeric, -1,
              int32_t((uint32_t(duckdb::DecimalType::GetWidth(type)) << 16) | duckdb::DecimalType::GetScale(type)) + 4};
    case LogicalTypeId::FLOAT:
      return {kFloat4, 4};
    case LogicalTypeId::DOUBLE:
      return {kFloat8, 8};
    case LogicalTypeId::BLOB:
      return {kBytea, -1};
    case LogicalTypeId::DATE:
      return {kDate, 4};
    case LogicalTypeId::TIME:
      return {kTime, 8};
    case LogicalTypeId::TIMESTAMP:
    case LogicalTypeId::TIMESTAMP_SEC:
    case LogicalTypeId::TIMESTAMP_MS:
    case LogicalTypeId::TIMESTAMP_NS:
      return {kTimestamp, 8};
    case LogicalTypeId::TIMESTAMP_TZ:
      return {kTimestampTz, 8};
    case LogicalTypeId::INTERVAL:
      return {kInterval, 16};
    case LogicalTypeId::UUID:
      return {kUuid, 16};
    case LogicalTypeId::LIST: {
      const uint32_t array = ArrayOf(PgTypeOf(duckdb::ListType::GetChildType(type)).oid);
      return array != 0 ? PgType{array, -1} : PgType{kText, -1};
    }
    default:
      return {kText, -1};
  }
}

std::optional<std::string> PgText(const Value& value) {
  if (value.IsNull()) return std::nullopt;
  const LogicalType& type = value.type();
  switch (type.id()) {
    case LogicalTypeId::BOOLEAN:
      return std::string(duckdb::BooleanValue::Get(value) ? "t" : "f");
    case LogicalTypeId::FLOAT:
      return ShortestFloat(duckdb::FloatValue::Get(value), 6);
    case LogicalTypeId::DOUBLE:
      return ShortestFloat(duckdb::DoubleValue::Get(value), 15);
    case LogicalTypeId::BLOB:
      return ByteaText(duckdb::StringValue::Get(value));
    case LogicalTypeId::INTERVAL:
      return IntervalText(duckdb::IntervalValue::Get(value));
    case LogicalTypeId::LIST: {
      if (PgTypeOf(type).oid == kText) return value.ToString();
      std::string out = "{";
      const auto& children = duckdb::ListValue::GetChildren(value);
      for (size_t i = 0; i < children.size(); ++i) {
        if (i) out += ",";
        std::optional<std::string> element = PgText(children[i]);
        out += element ? ArrayElement(*element) : "NULL";
      }
      return out + "}";
    }
    default:
      return value.ToString();
  }
}

}  // namespace hdhub::pgwire

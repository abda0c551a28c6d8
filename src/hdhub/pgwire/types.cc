#include "hdhub/pgwire/types.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

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
  // Every column of a result's floats goes through here: no heap temporary,
  // only the returned string (inline up to 15 characters).
  char sci[48];  // [-]d[.ddd]e(+|-)XX[X]: at most 17 digits for a double
  const char* const sci_end = std::to_chars(sci, sci + sizeof sci, v, std::chars_format::scientific).ptr;
  const char* p = sci;
  const bool negative = *p == '-';
  if (negative) ++p;
  char digits[24];
  int n = 0;
  for (; *p != 'e'; ++p) {
    if (*p != '.') digits[n++] = *p;
  }
  ++p;  // the exponent's sign: from_chars reads '-' but not '+'
  if (*p == '+') ++p;
  int exponent = 0;
  std::from_chars(p, sci_end, exponent);

  char out[64];  // sign, "0.", up to 3 or 14 zeros, the digits, or d.ddde-XXX
  int o = 0;
  auto put = [&](char c) { out[o++] = c; };
  auto put_digits = [&](int from, int to) {
    for (int i = from; i < to; ++i) put(digits[i]);
  };
  if (negative) put('-');
  if (exponent >= -4 && exponent < precision) {
    if (exponent < 0) {
      put('0');
      put('.');
      for (int i = 0; i < -exponent - 1; ++i) put('0');
      put_digits(0, n);
    } else if (exponent + 1 >= n) {
      put_digits(0, n);
      for (int i = n; i < exponent + 1; ++i) put('0');
    } else {
      put_digits(0, exponent + 1);
      put('.');
      put_digits(exponent + 1, n);
    }
    return std::string(out, size_t(o));
  }
  put(digits[0]);
  if (n > 1) {
    put('.');
    put_digits(1, n);
  }
  put('e');
  put(exponent < 0 ? '-' : '+');
  const int magnitude = std::abs(exponent);
  if (magnitude < 10) put('0');  // at least two exponent digits, as printf's %02d
  o = int(std::to_chars(out + o, out + sizeof out, magnitude).ptr - out);
  return std::string(out, size_t(o));
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

namespace {

// Calls out[i] = text(data, k) for each valid row i of `vector` (k: the
// row's index in the vector's data, through its selection).
template <typename T, typename F>
void EachValid(duckdb::Vector& vector, size_t n, std::vector<std::optional<std::string>>& out, F text) {
  duckdb::UnifiedVectorFormat format;
  vector.ToUnifiedFormat(n, format);
  const T* data = duckdb::UnifiedVectorFormat::GetData<T>(format);
  for (size_t i = 0; i < n; ++i) {
    const duckdb::idx_t k = format.sel->get_index(i);
    if (format.validity.RowIsValid(k)) out[i] = text(data[k]);
  }
}

std::string FromStringT(const duckdb::string_t& s) { return std::string(s.GetData(), s.GetSize()); }

}  // namespace

std::vector<std::optional<std::string>> PgTextColumn(duckdb::DataChunk& chunk, size_t column) {
  const size_t n = chunk.size();
  duckdb::Vector& source = chunk.data[column];
  std::vector<std::optional<std::string>> out(n);
  if (n == 0) return out;
  switch (source.GetType().id()) {
    case LogicalTypeId::BOOLEAN:
      EachValid<bool>(source, n, out, [](bool b) { return std::string(b ? "t" : "f"); });
      return out;
    case LogicalTypeId::FLOAT:
      EachValid<float>(source, n, out, [](float v) { return ShortestFloat(v, 6); });
      return out;
    case LogicalTypeId::DOUBLE:
      EachValid<double>(source, n, out, [](double v) { return ShortestFloat(v, 15); });
      return out;
    case LogicalTypeId::VARCHAR:
      EachValid<duckdb::string_t>(source, n, out, FromStringT);
      return out;
    case LogicalTypeId::BLOB:
    case LogicalTypeId::INTERVAL:
    case LogicalTypeId::LIST:
      break;
    default:
      try {
        duckdb::Vector text(LogicalType::VARCHAR, n);
        duckdb::VectorOperations::DefaultCast(source, text, n);
        EachValid<duckdb::string_t>(text, n, out, FromStringT);
        return out;
      } catch (const std::exception&) {
        break;  // value by value below, as PgText would
      }
  }
  for (size_t i = 0; i < n; ++i) out[i] = PgText(source.GetValue(i));
  return out;
}

}  // namespace hdhub::pgwire

namespace hdhub::pgwire {
namespace {

constexpr int64_t kPgEpochDays = 10957;  // 2000-01-01 - 1970-01-01
constexpr int64_t kPgEpochMicros = kPgEpochDays * 86'400'000'000;

std::string BigEndian(uint64_t v, int bytes) {
  std::string out(size_t(bytes), '\0');
  for (int i = bytes - 1; i >= 0; --i, v >>= 8) out[size_t(i)] = char(v & 0xff);
  return out;
}
uint64_t ReadBigEndian(std::string_view b) {
  uint64_t v = 0;
  for (unsigned char c : b) v = v << 8 | c;
  return v;
}

uint32_t OidOfType(const duckdb::LogicalType& type) { return PgTypeOf(type).oid; }

// numeric_send's format of a number in PostgreSQL's text form ("-12.340"):
// int16 ndigits, weight, sign, dscale, then ndigits base-10000 digits, the
// first of weight `weight`, without leading or trailing zero digits.
std::string NumericBinary(std::string_view text) {
  const bool negative = !text.empty() && text.front() == '-';
  if (negative) text.remove_prefix(1);
  const size_t point = text.find('.');
  std::string whole(text.substr(0, point));
  std::string fraction(point == text.npos ? std::string_view() : text.substr(point + 1));
  const size_t dscale = fraction.size();
  whole.insert(0, (4 - whole.size() % 4) % 4, '0');
  fraction.append((4 - fraction.size() % 4) % 4, '0');
  const std::string all = whole + fraction;
  std::vector<uint16_t> digits;
  for (size_t i = 0; i < all.size(); i += 4) digits.push_back(uint16_t(std::stoi(all.substr(i, 4))));
  int weight = int(whole.size() / 4) - 1;
  size_t first = 0;
  while (first < digits.size() && digits[first] == 0) ++first, --weight;
  size_t end = digits.size();
  while (end > first && digits[end - 1] == 0) --end;
  if (first == end) weight = 0;  // zero: no digits
  std::string out = BigEndian(end - first, 2) + BigEndian(uint16_t(int16_t(weight)), 2) +
                    BigEndian(negative && first != end ? 0x4000 : 0, 2) + BigEndian(dscale, 2);
  for (size_t i = first; i < end; ++i) out += BigEndian(digits[i], 2);
  return out;
}

}  // namespace

bool HasBinaryFormat(const duckdb::LogicalType& type) {
  switch (OidOfType(type)) {
    case kBool:
    case kInt2:
    case kInt4:
    case kInt8:
    case kFloat4:
    case kFloat8:
    case kText:
    case kBytea:
    case kDate:
    case kTime:
    case kTimestamp:
    case kTimestampTz:
    case kInterval:
    case kUuid:
    case kNumeric:
      return type.id() != duckdb::LogicalTypeId::LIST;
    default:
      return false;
  }
}

StatusOr<std::optional<std::string>> PgBinary(const Value& value) {
  if (value.IsNull()) return std::optional<std::string>();
  const LogicalType& type = value.type();
  if (!HasBinaryFormat(type)) return UnimplementedError("no binary format for this column's type: ask for text");
  switch (OidOfType(type)) {
    case kBool:
      return std::optional<std::string>(std::string(1, duckdb::BooleanValue::Get(value) ? 1 : 0));
    case kInt2:
      return std::optional<std::string>(BigEndian(uint64_t(value.GetValue<int16_t>()), 2));
    case kInt4:
      return std::optional<std::string>(BigEndian(uint64_t(value.GetValue<int32_t>()), 4));
    case kInt8:
      return std::optional<std::string>(BigEndian(uint64_t(value.GetValue<int64_t>()), 8));
    case kFloat4: {
      float f = duckdb::FloatValue::Get(value);
      uint32_t bits;
      std::memcpy(&bits, &f, 4);
      return std::optional<std::string>(BigEndian(bits, 4));
    }
    case kFloat8: {
      double d = duckdb::DoubleValue::Get(value);
      uint64_t bits;
      std::memcpy(&bits, &d, 8);
      return std::optional<std::string>(BigEndian(bits, 8));
    }
    case kText:
    case kBytea:
      return std::optional<std::string>(duckdb::StringValue::Get(
          value.DefaultCastAs(type.id() == duckdb::LogicalTypeId::BLOB ? LogicalType::BLOB : LogicalType::VARCHAR)));
    case kDate:
      return std::optional<std::string>(
          BigEndian(uint64_t(int64_t(duckdb::DateValue::Get(value).days) - kPgEpochDays), 4));
    case kTime:
      return std::optional<std::string>(BigEndian(uint64_t(duckdb::TimeValue::Get(value).micros), 8));
    case kTimestamp:
    case kTimestampTz: {
      const Value micros = value.DefaultCastAs(LogicalType::TIMESTAMP);
      return std::optional<std::string>(
          BigEndian(uint64_t(duckdb::TimestampValue::Get(micros).value - kPgEpochMicros), 8));
    }
    case kInterval: {
      const duckdb::interval_t iv = duckdb::IntervalValue::Get(value);
      return std::optional<std::string>(BigEndian(uint64_t(iv.micros), 8) + BigEndian(uint32_t(iv.days), 4) +
                                        BigEndian(uint32_t(iv.months), 4));
    }
    case kUuid: {
      std::string hex = value.ToString(), out;
      for (size_t i = 0; i + 1 < hex.size(); ++i) {
        if (hex[i] == '-') continue;
        out += char(std::stoi(hex.substr(i, 2), nullptr, 16));
        ++i;
      }
      return std::optional<std::string>(out);
    }
    case kNumeric:
      return std::optional<std::string>(NumericBinary(*PgText(value)));
    default:
      return UnimplementedError("no binary format for this column's type: ask for text");
  }
}

StatusOr<Value> FromPg(std::string_view bytes, int16_t format, uint32_t oid, const LogicalType& type, size_t number) {
  const std::string where = "parameter $" + std::to_string(number);
  auto cast = [&](Value v) -> StatusOr<Value> {
    if (type.id() == duckdb::LogicalTypeId::UNKNOWN || type.id() == duckdb::LogicalTypeId::ANY) return v;
    Value out;
    std::string error;
    if (!v.DefaultTryCastAs(type, out, &error)) {
      return InvalidArgumentError(where + ": not a value of type " + type.ToString());
    }
    return out;
  };
  if (format == 0) return cast(Value(std::string(bytes)));
  const uint32_t declared = oid != 0 ? oid : OidOfType(type);
  auto need = [&](size_t n) { return bytes.size() == n; };
  switch (declared) {
    case kBool:
      if (need(1)) return cast(Value::BOOLEAN(bytes[0] != 0));
      break;
    case kInt2:
      if (need(2)) return cast(Value::SMALLINT(int16_t(ReadBigEndian(bytes))));
      break;
    case kInt4:
      if (need(4)) return cast(Value::INTEGER(int32_t(ReadBigEndian(bytes))));
      break;
    case kInt8:
      if (need(8)) return cast(Value::BIGINT(int64_t(ReadBigEndian(bytes))));
      break;
    case kFloat4:
      if (need(4)) {
        uint32_t bits = uint32_t(ReadBigEndian(bytes));
        float f;
        std::memcpy(&f, &bits, 4);
        return cast(Value::FLOAT(f));
      }
      break;
    case kFloat8:
      if (need(8)) {
        uint64_t bits = ReadBigEndian(bytes);
        double d;
        std::memcpy(&d, &bits, 8);
        return cast(Value::DOUBLE(d));
      }
      break;
    case kText:
    case 1043:  // varchar
    case 1042:  // bpchar
      return cast(Value(std::string(bytes)));
    case kBytea:
      return cast(Value::BLOB(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
    case kDate:
      if (need(4))
        return cast(Value::DATE(duckdb::date_t(int32_t(int64_t(int32_t(ReadBigEndian(bytes))) + kPgEpochDays))));
      break;
    case kTimestamp:
    case kTimestampTz:
      if (need(8)) return cast(Value::TIMESTAMP(duckdb::timestamp_t(int64_t(ReadBigEndian(bytes)) + kPgEpochMicros)));
      break;
    default:
      return UnimplementedError(where + ": no binary format for its type: send it as text");
  }
  return InvalidArgumentError(where + ": wrong length for its binary format");
}

}  // namespace hdhub::pgwire

#include "hdhub/sql/value.h"

#include <charconv>
#include <chrono>
#include <cstdio>
#include <optional>
#include <type_traits>

namespace hdhub::sql {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kSecondsPerDay = 86'400;

// Floor division, so that instants before 1970 fall on the right day.
int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

std::string DoubleText(double value) {
  char buffer[32];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return error == std::errc() ? std::string(buffer, end) : std::string("?");
}

// "2021-03-04" then, for a timestamp, `separator` and "05:06:07[.ffffff]".
std::string FormatInstant(int64_t days, int64_t micros_of_day, std::optional<char> separator) {
  std::chrono::year_month_day ymd{std::chrono::sys_days(std::chrono::days(days))};
  char buffer[48];
  int n = std::snprintf(buffer, sizeof(buffer), "%04d-%02u-%02u", int(ymd.year()), unsigned(ymd.month()),
                        unsigned(ymd.day()));
  std::string out(buffer, size_t(n));
  if (!separator) return out;
  int64_t seconds = micros_of_day / kMicrosPerSecond, fraction = micros_of_day % kMicrosPerSecond;
  n = std::snprintf(buffer, sizeof(buffer), "%c%02d:%02d:%02d", *separator, int(seconds / 3600), int(seconds / 60 % 60),
                    int(seconds % 60));
  out.append(buffer, size_t(n));
  if (fraction != 0) {
    n = std::snprintf(buffer, sizeof(buffer), ".%06d", int(fraction));
    out.append(buffer, size_t(n));
  }
  return out;
}

std::string TimestampText(Timestamp t, char separator) {
  int64_t days = FloorDiv(t.micros, kSecondsPerDay * kMicrosPerSecond);
  return FormatInstant(days, t.micros - days * kSecondsPerDay * kMicrosPerSecond, separator);
}

}  // namespace

TypeKind KindOf(const Value& value) {
  static constexpr TypeKind kByIndex[] = {
      TypeKind::kNull,    TypeKind::kBoolean, TypeKind::kInteger,   TypeKind::kHugeInteger, TypeKind::kDouble,
      TypeKind::kDecimal, TypeKind::kDate,    TypeKind::kTimestamp, TypeKind::kText,        TypeKind::kOther};
  static_assert(std::size(kByIndex) == std::variant_size_v<Value>);
  return kByIndex[value.index()];
}

std::string Int128ToString(Int128 value) {
  // Digits from the magnitude as unsigned, so that the minimum has one.
  unsigned __int128 magnitude = value < 0 ? -static_cast<unsigned __int128>(value) : value;
  std::string digits;
  do {
    digits.insert(digits.begin(), char('0' + int(magnitude % 10)));
    magnitude /= 10;
  } while (magnitude != 0);
  return value < 0 ? "-" + digits : digits;
}

std::string DecimalToString(const Decimal& value) {
  std::string digits = Int128ToString(value.unscaled);
  bool negative = digits[0] == '-';
  if (negative) digits.erase(0, 1);
  if (value.scale == 0) return negative ? "-" + digits : digits;
  if (digits.size() <= value.scale) digits.insert(0, value.scale + 1 - digits.size(), '0');
  const size_t point = digits.size() - value.scale;
  return (negative ? "-" : "") + digits.substr(0, point) + "." + digits.substr(point);
}

std::string IsoDate(Date date) { return FormatInstant(date.days, 0, std::nullopt); }

std::string IsoTimestamp(Timestamp timestamp) { return TimestampText(timestamp, 'T'); }

std::string ToText(const Value& value) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) return "NULL";
        if constexpr (std::is_same_v<T, bool>) return v ? "true" : "false";
        if constexpr (std::is_same_v<T, int64_t>) return std::to_string(v);
        if constexpr (std::is_same_v<T, Int128>) return Int128ToString(v);
        if constexpr (std::is_same_v<T, double>) return DoubleText(v);
        if constexpr (std::is_same_v<T, Decimal>) return DecimalToString(v);
        if constexpr (std::is_same_v<T, Date>) return IsoDate(v);
        if constexpr (std::is_same_v<T, Timestamp>) return TimestampText(v, ' ');
        if constexpr (std::is_same_v<T, std::string>) return v;
        if constexpr (std::is_same_v<T, Rendered>) return v.text;
      },
      value);
}

}  // namespace hdhub::sql

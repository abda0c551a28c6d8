#pragma once
// Reading a whole number from a JSON value without undefined behaviour:
// nlohmann's get<int>() casts a float or an out-of-range integer unchecked
// (1e92 into an int64_t is UB; 4294969296 into an int wraps to 2000).

#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>

namespace hdhub {

// The value as an integer if it is a JSON number with no fractional part
// within [min, max]; nullopt otherwise (a string, a bool, 2.5, 1e92, NaN).
inline std::optional<int64_t> JsonInteger(const nlohmann::json& v, int64_t min, int64_t max) {
  if (v.is_number_unsigned()) {
    const uint64_t u = v.get<uint64_t>();
    if (max < 0 || u > static_cast<uint64_t>(max)) return std::nullopt;
    const auto i = static_cast<int64_t>(u);
    return i < min ? std::nullopt : std::optional<int64_t>(i);
  }
  if (v.is_number_integer()) {
    const int64_t i = v.get<int64_t>();
    return i < min || i > max ? std::nullopt : std::optional<int64_t>(i);
  }
  if (v.is_number_float()) {
    const double d = v.get<double>();
    // Only a double strictly inside int64's range converts without UB.
    if (!std::isfinite(d) || d != std::floor(d) || d < -0x1p63 || d >= 0x1p63) return std::nullopt;
    const auto i = static_cast<int64_t>(d);
    return i < min || i > max ? std::nullopt : std::optional<int64_t>(i);
  }
  return std::nullopt;
}

}  // namespace hdhub

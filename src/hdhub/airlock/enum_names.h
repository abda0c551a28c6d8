// Names of the airlock's enums (outcomes, column kinds) for JSON, requests
// and messages: one table per enum, read both ways. Internal to the airlock.
//
// Thread-safety: pure functions over constant tables.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "hdhub/common/status.h"

namespace hdhub::airlock {

template <typename E, size_t N>
using NameTable = std::array<std::pair<E, std::string_view>, N>;

// `value`'s name in `table`; "unknown" for a value the table lacks.
template <typename E, size_t N>
std::string_view NameOf(const NameTable<E, N>& table, E value) {
  for (const auto& [v, name] : table) {
    if (v == value) return name;
  }
  return "unknown";
}

// The value named `name` (exactly: no case folding); InvalidArgument
// "unknown <what> "<name>"; expected a, b or c" otherwise.
template <typename E, size_t N>
StatusOr<E> ValueNamed(const NameTable<E, N>& table, std::string_view name, std::string_view what) {
  std::string expected;
  for (size_t i = 0; i < N; ++i) {
    if (table[i].second == name) return table[i].first;
    expected += (i == 0 ? "" : i + 1 == N ? " or " : ", ") + std::string(table[i].second);
  }
  return InvalidArgumentError("unknown " + std::string(what) + " \"" + std::string(name) + "\"; expected " + expected);
}

}  // namespace hdhub::airlock

// hdhub's version: what `hdhub --version` prints and what a release
// certificate names (docs/formats/airlock-certificate.md, member `hdhub`).
#pragma once

#include <string_view>

namespace hdhub {

inline constexpr std::string_view kHdhubVersion = "0.9.0";

}  // namespace hdhub

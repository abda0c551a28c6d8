// How a command reports a failure, the same way in every command.
#include <iostream>
#include <nlohmann/json.hpp>

#include "hdhub/cli/commands.h"

namespace hdhub::cli {

int ReportError(const GlobalOptions& opts, const Status& status) {
  if (opts.json) {
    nlohmann::json error = {{"code", std::string(StatusCodeName(status.code()))},
                            {"message", std::string(status.message())}};
    std::cerr << nlohmann::json{{"error", error}}.dump() << "\n";
  } else {
    std::cerr << "hdhub: " << status.ToString() << "\n";
  }
  return status.code() == StatusCode::kInvalidArgument ? kExitUsage : kExitError;
}

}  // namespace hdhub::cli

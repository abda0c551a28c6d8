// Internal to the directory: user names as callers give them, which are
// validated before use and named in audit events only when valid.
#pragma once

#include <string>
#include <string_view>

#include "hdhub/audit/event.h"
#include "hdhub/directory/directory.h"

namespace hdhub::directory::internal {

// An event for `action` on the user `name`. The name is added as the "user"
// object only when valid: anything else is whatever a caller typed, which
// the log must not carry.
inline audit::Event UserEvent(std::string_view action, std::string_view name) {
  audit::Event event{.action = std::string(action)};
  if (Directory::IsValidUserName(name)) event.objects["user"] = std::string(name);
  return event;
}

// An InvalidArgument for a malformed user name, or OK.
inline Status CheckUserName(std::string_view name) {
  if (Directory::IsValidUserName(name)) return OkStatus();
  return InvalidArgumentError("directory: a user name is 1 to 64 characters of [a-z0-9._-], starting with a letter");
}

}  // namespace hdhub::directory::internal

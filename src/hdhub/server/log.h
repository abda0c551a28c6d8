// Logger: the structured log of `hdhub serve`, one JSON object per line
// (stderr by default, for journald or a collector): time, level, event and,
// when known, the connection id, client address, user, database, duration and
// a fixed reason word. By construction it has no field for a password, a
// token, a query's text, a value or a pseudonym: nothing else can be logged.
//
// Thread-safe: lines from several threads never interleave.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace hdhub::server {

struct LogEntry {
  std::string_view level = "info";  // info, warning, error
  std::string_view event;           // e.g. "connection.accepted", "auth.refused"
  uint64_t connection = 0;          // 0: none
  std::string client;               // the peer's IP address
  std::string user;
  std::string database;
  std::string listen;  // "host:port" the server listens on
  std::optional<double> duration_seconds;
  std::string_view reason;  // a fixed word from the server, never client data
  std::string request_id;   // HTTP: the X-Request-Id the server made
  unsigned http_status = 0;  // HTTP: the answer's status; 0: none
};

class Logger {
 public:
  using Sink = std::function<void(std::string_view line)>;
  // `sink` receives each line without its newline; null: stderr.
  explicit Logger(Sink sink = nullptr);
  void Log(const LogEntry& entry);

 private:
  std::mutex mu_;
  Sink sink_;
};

}  // namespace hdhub::server

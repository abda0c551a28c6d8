#include "hdhub/server/log.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

namespace hdhub::server {
namespace {

// "2026-12-02T10:15:03.123Z"
std::string Now() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc;
  ::gmtime_r(&seconds, &utc);
  char text[64];  // roomy: the compiler cannot bound every field
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, int(millis));
  return text;
}

}  // namespace

Logger::Logger(Sink sink) : sink_(std::move(sink)) {}

void Logger::Log(const LogEntry& e) {
  nlohmann::json line = {{"time", Now()}, {"level", e.level}, {"event", e.event}};
  if (e.connection != 0) line["connection"] = e.connection;
  if (!e.client.empty()) line["client"] = e.client;
  if (!e.user.empty()) line["user"] = e.user;
  if (!e.database.empty()) line["database"] = e.database;
  if (!e.listen.empty()) line["listen"] = e.listen;
  if (e.duration_seconds) line["duration"] = *e.duration_seconds;
  if (!e.reason.empty()) line["reason"] = e.reason;
  if (!e.request_id.empty()) line["request_id"] = e.request_id;
  if (e.http_status != 0) line["status"] = e.http_status;
  // A client's user name need not be UTF-8: replaced, never thrown on.
  const std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::lock_guard<std::mutex> lock(mu_);
  if (sink_) {
    sink_(text);
  } else {
    std::fprintf(stderr, "%s\n", text.c_str());
  }
}

}  // namespace hdhub::server

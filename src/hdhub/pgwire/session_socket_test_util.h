// Test support: a ProtocolSession served over a blocking loopback socket,
// trusted (no authentication), for real clients (psql, psycopg) in tests.
// `hdhub serve` is the real server; this is only its session loop.
#pragma once

#include <optional>
#include <utility>

#include "hdhub/common/bytes.h"
#include "hdhub/pgwire/engine.h"

namespace hdhub::pgwire::session_testing {

// A socket listening on 127.0.0.1 (port 0: any); its port in `port`.
int ListenOnLoopback(int& port);
bool ReadAll(int fd, uint8_t* out, size_t n);
void WriteAll(int fd, const Bytes& bytes);
// A startup packet's body, or a typed message; nullopt at EOF or when too long.
std::optional<Bytes> ReadStartup(int fd);
std::optional<std::pair<char, Bytes>> ReadMessage(int fd);
// Serves the connection `fd` until Terminate or EOF (SSLRequest answered
// 'N'), then closes it.
void ServeSessionOn(int fd, Engine& engine);

}  // namespace hdhub::pgwire::session_testing

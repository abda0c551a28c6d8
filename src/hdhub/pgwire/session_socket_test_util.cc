#include "hdhub/pgwire/session_socket_test_util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <array>

#include "hdhub/pgwire/protocol.h"
#include "hdhub/pgwire/session.h"

namespace hdhub::pgwire::session_testing {

int ListenOnLoopback(int& port) {
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(uint16_t(port));
  if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listener, 8) != 0) {
    ::close(listener);
    return -1;
  }
  socklen_t len = sizeof addr;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  port = ntohs(addr.sin_port);
  return listener;
}

bool ReadAll(int fd, uint8_t* out, size_t n) {
  while (n > 0) {
    ssize_t got = ::read(fd, out, n);
    if (got <= 0) return false;
    out += got;
    n -= size_t(got);
  }
  return true;
}

void WriteAll(int fd, const Bytes& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t put = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (put <= 0) return;
    done += size_t(put);
  }
}

std::optional<Bytes> ReadStartup(int fd) {
  std::array<uint8_t, 4> len;
  if (!ReadAll(fd, len.data(), 4)) return std::nullopt;
  uint32_t n = GetBigEndian32(len.data());
  if (n < 4 || n > kMaxStartupPacketBytes) return std::nullopt;
  Bytes body(n - 4);
  if (!ReadAll(fd, body.data(), body.size())) return std::nullopt;
  return body;
}

std::optional<std::pair<char, Bytes>> ReadMessage(int fd) {
  std::array<uint8_t, 5> head;
  if (!ReadAll(fd, head.data(), 5)) return std::nullopt;
  uint32_t n = GetBigEndian32(head.data() + 1);
  if (n < 4 || n > kMaxMessageBytes) return std::nullopt;
  Bytes body(n - 4);
  if (!ReadAll(fd, body.data(), body.size())) return std::nullopt;
  return std::make_pair(char(head[0]), std::move(body));
}

void ServeSessionOn(int fd, Engine& engine) {
  timeval timeout{.tv_sec = 30, .tv_usec = 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  Bytes out;
  BackendWriter w(out);
  StartupMessage startup;
  for (;;) {
    auto body = ReadStartup(fd);
    auto packet = body ? DecodeStartup(*body) : StatusOr<StartupPacket>(InvalidArgumentError("no startup"));
    if (!packet.ok() || std::holds_alternative<CancelRequest>(*packet)) return (void)::close(fd);
    if (std::holds_alternative<StartupMessage>(*packet)) {
      startup = std::get<StartupMessage>(*packet);
      break;
    }
    WriteAll(fd, {uint8_t('N')});
  }
  ProtocolSession session(engine);
  w.AuthenticationOk();
  if (!session.Start(startup.parameters, out).ok()) return (void)::close(fd);
  w.BackendKeyData(42, 0x12345678);
  w.ReadyForQuery('I');
  WriteAll(fd, out);
  while (!session.closed()) {
    out.clear();
    auto message = ReadMessage(fd);
    if (!message) break;
    session.Handle(message->first, message->second, out);
    WriteAll(fd, out);
  }
  ::close(fd);
}

}  // namespace hdhub::pgwire::session_testing

// A trusted ProtocolSession server over an in-memory DuckDB holding five
// test patients, for the real Python clients' test (psycopg_clients_test.py):
// prints its loopback port, then serves each connection on its own thread
// and DuckDB connection until killed. Test support only: `hdhub serve` is
// the server (TLS, SCRAM, limits).
#include <sys/socket.h>

#include <cstdio>
#include <thread>

#include "duckdb.hpp"
#include "hdhub/pgwire/session_socket_test_util.h"

int main() {
  using namespace hdhub::pgwire;
  int port = 0;
  const int listener = session_testing::ListenOnLoopback(port);
  if (listener < 0) return 1;
  duckdb::DuckDB db(nullptr);
  {
    duckdb::Connection con(db);
    con.Query("CREATE TABLE patients (id INTEGER, born DATE, region VARCHAR)");
    con.Query(
        "INSERT INTO patients VALUES (1, '1950-02-03', 'IDF'), (2, '2001-04-05', 'PACA'), (3, '2010-06-07', 'IDF'),"
        " (4, NULL, 'IDF'), (5, '1999-12-31', 'BRE')");
  }
  std::printf("%d\n", port);
  std::fflush(stdout);
  for (;;) {
    const int fd = ::accept(listener, nullptr, nullptr);
    if (fd < 0) return 1;
    std::thread([&db, fd] {
      duckdb::Connection con(db);
      DuckDbEngine engine(con);
      session_testing::ServeSessionOn(fd, engine);
    }).detach();
  }
}

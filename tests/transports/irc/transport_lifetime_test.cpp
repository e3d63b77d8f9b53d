// The IRC transport on a real uv loop without an IRC server: destroyed from inside its
// state callbacks (connecting, disconnected after a refused connection) it stops before
// touching itself again (ASan watches), and its first registration timeout counts from
// start() even when the loop's cached time is old (start-up work before the loop ran).
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "live_support.h"
#include "tests/core/http/test_support.h"
#include "transports/irc/transport.h"

using namespace frugal;
using irc_live::recorder;
using irc_live::run_until;
using transports::state;

namespace {
config::irc_network local_config(int port) {
  config::irc_network c;
  c.name = "local";
  c.server = "127.0.0.1";
  c.port = port;
  c.tls = false;
  c.nick = "frugalbot";
  c.reconnect_min_ms = 50;
  c.reconnect_max_ms = 100;
  c.register_timeout_ms = 5000;
  return c;
}

// A TCP listener on 127.0.0.1 that never accepts: the kernel completes the handshake from
// its backlog, so a client connects and then hears nothing.
struct silent_listener {
  int fd = -1;
  int port = 0;
  silent_listener() {
    fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(listen(fd, 8) == 0);
    socklen_t len = sizeof a;
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
  }
  ~silent_listener() { close(fd); }
};
}  // namespace

TEST_CASE("irc transport: destroyed from inside on_state(connecting)") {
  irc_live::test_loop loop;
  std::unique_ptr<transports::transport> t =
      irc::make_transport(loop.get(), local_config(testing::unused_port()));
  int calls = 0;
  t->start([](transports::inbound) {},
           [&](state s, const std::string&) {
             ++calls;
             if (s == state::connecting) t.reset();
           });
  // Before the fix, connect() went on writing the freed transport (ASan: use after free).
  CHECK_FALSE(t);
  CHECK(calls == 1);
  run_until(
      loop.get(), [] { return false; }, 100);
  CHECK(calls == 1);
}

TEST_CASE("irc transport: destroyed from inside on_state(disconnected) after a refused connect") {
  irc_live::test_loop loop;
  std::unique_ptr<transports::transport> t =
      irc::make_transport(loop.get(), local_config(testing::unused_port()));
  std::vector<state> seen;
  std::string why;
  t->start([](transports::inbound) {},
           [&](state s, const std::string& detail) {
             seen.push_back(s);
             if (s != state::disconnected) return;
             why = detail;
             t.reset();  // no reconnect may be scheduled on the freed transport
           });
  REQUIRE(run_until(
      loop.get(), [&] { return !t; }, 5000));
  INFO(why);
  CHECK(why.find("cannot connect") != std::string::npos);
  run_until(
      loop.get(), [] { return false; }, 300);  // a reconnect timer would fire by now
  CHECK(seen == std::vector<state>{state::connecting, state::disconnected});
}

TEST_CASE(
    "irc transport: the first registration timeout counts from start(), not the loop's "
    "cached time") {
  silent_listener server;
  irc_live::test_loop loop;
  // Start-up work before the loop runs (opening the database, probing the sandbox) leaves
  // uv_now() behind the clock.
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  auto cfg = local_config(server.port);
  cfg.register_timeout_ms = 1500;
  cfg.reconnect_min_ms = 60000;  // one attempt in this test
  cfg.reconnect_max_ms = 60000;
  auto t = irc::make_transport(loop.get(), cfg);
  recorder rec;
  auto started = std::chrono::steady_clock::now();
  t->start(rec.on_message(), rec.on_state());
  REQUIRE(run_until(
      loop.get(), [&] { return rec.count(state::disconnected) > 0; }, 5000));
  auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now() - started)
                    .count();
  INFO(rec.details());
  CHECK(rec.details().find("registration timed out") != std::string::npos);
  // Before the fix it gave up after about 300 ms (1500 ms minus the 1200 ms of start-up).
  CHECK(waited >= 1450);
  t->stop();
}

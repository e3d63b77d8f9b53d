// The transport against tests/fakes/hostile_irc.py (oversized lines, partial lines, NUL,
// invalid UTF-8, a CAP LS that never ends, a PING flood, 433 for every nick, ERROR then
// close, garbage, silence after 001), while a second transport on a real ngircd keeps working: the
// process survives, keeps reconnecting, answers what can be answered, and gives up where it must.
#include <catch2/catch.hpp>
#include <fstream>

#include "live_support.h"
#include "transports/irc/transport.h"

using namespace frugal;
using irc_live::raw_client;
using irc_live::recorder;
using irc_live::run_until;
using transports::state;

namespace {
std::map<std::string, std::string> results(const std::string& log) {
  std::map<std::string, std::string> out;  // scenario → first result
  std::ifstream in(log);
  for (std::string n, name, result; in >> n >> name >> result;) out.emplace(name, result);
  return out;
}
}  // namespace

TEST_CASE("irc live: hostile server — survives every scenario and keeps reconnecting") {
  irc_live::test_loop loop;
  std::string log = irc_live::temp_path("hostile.log");
  struct remove_at_end {
    std::string path;
    ~remove_at_end() { unlink(path.c_str()); }
  } remove_log{log};
  std::string port_file = irc_live::temp_path("hostile.port");
  irc_live::helper_process hostile(
      {"python3", irc_live::source_dir() + "/tests/fakes/hostile_irc.py", "--port-file", port_file,
       "--log", log},
      port_file);
  auto server = irc_live::start_server("ngircd");

  config::irc_network bad;
  bad.name = "hostile";
  bad.server = "127.0.0.1";
  bad.port = hostile.port("port");
  bad.tls = false;
  bad.nick = "frugalbot";
  bad.channels = {{"#test", "", "mention"}};
  bad.reconnect_min_ms = 50;
  bad.reconnect_max_ms = 200;
  bad.reconnect_penalty_ms = 100;
  bad.register_timeout_ms = 1500;
  bad.keepalive_ping_ms = 300;
  bad.keepalive_dead_ms = 800;
  recorder hostile_rec;
  auto h = irc::make_transport(loop.get(), bad);

  config::irc_network good = bad;
  good.name = "good";
  good.port = server->port("port");
  good.flood_lines_per_s = 50;
  good.flood_burst = 20;
  recorder good_rec;
  auto g = irc::make_transport(loop.get(), good);

  raw_client user(server->port("port"));
  irc_live::register_client(loop.get(), user, "alice");
  user.send("JOIN #test");
  g->start(good_rec.on_message(), good_rec.on_state());
  h->start(hostile_rec.on_message(), hostile_rec.on_state());
  REQUIRE(
      run_until(loop.get(), [&] { return good_rec.count(state::connected) == 1; }, 10000, {&user}));

  // One full cycle of the ten scenarios.
  REQUIRE(run_until(
      loop.get(),
      [&] { return results(log).size() == 10 && hostile_rec.count(state::disconnected) >= 10; },
      40000, {&user}));
  auto r = results(log);
  INFO(hostile_rec.details());
  CHECK(r["oversized"] == "pong-ok");
  CHECK(r["partial"] == "pong-ok");
  CHECK(r["nul"] == "pong-ok");
  CHECK(r["utf8"] == "pong-ok");
  CHECK(r["cap_ls_forever"] == "client-closed");  // registration timed out on our side
  CHECK(r["ping_flood"] == "pongs=500");
  CHECK(r["nick_in_use"] == "client-quit");
  CHECK(r["error_close"] == "closed");
  CHECK(r["garbage"] == "pong-ok");
  CHECK(r["silent"] == "ping-then-closed");  // keepalive: our PING, then a dead link
  CHECK(hostile_rec.count(state::connecting) >= 10);
  CHECK(hostile_rec.count(state::disconnected) >= 10);
  CHECK(hostile_rec.messages.empty());  // nothing hostile reached the agent as a message

  // And it keeps reconnecting...
  size_t connects = static_cast<size_t>(hostile_rec.count(state::connecting));
  REQUIRE(run_until(
      loop.get(),
      [&] { return static_cast<size_t>(hostile_rec.count(state::connecting)) > connects; }, 10000,
      {&user}));

  // ...while the other transport never dropped and still answers.
  CHECK(good_rec.count(state::disconnected) == 0);
  user.send("PRIVMSG #test :frugalbot: still alive?");
  REQUIRE(run_until(loop.get(), [&] { return !good_rec.messages.empty(); }, 5000, {&user}));
  CHECK(good_rec.messages[0].text == "still alive?");
  g->send("#test", "yes");
  REQUIRE(run_until(loop.get(), [&] { return user.has("PRIVMSG #test :yes"); }, 5000, {&user}));
  h->stop();
  g->stop();
}

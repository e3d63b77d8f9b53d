// Loop tests of the IRC transport against REAL servers started here (ngircd; InspIRCd +
// Atheme for SASL) through tests/e2e/irc_servers.py, with a raw-socket user in the
// channel. A missing server binary fails the test (the helper says which); nothing skips.
#include <catch2/catch.hpp>

#include "live_support.h"
#include "transports/irc/transport.h"

using namespace frugal;
using irc_live::raw_client;
using irc_live::recorder;
using irc_live::run_until;
using transports::state;

namespace {
config::irc_network ngircd_config(int port, bool tls, const std::string& ca) {
  config::irc_network c;
  c.name = "test";
  c.server = tls ? "localhost" : "127.0.0.1";
  c.port = port;
  c.tls = tls;
  c.ca_file = ca;
  c.nick = "frugalbot";
  c.username = "frugal";
  c.channels = {{"#test", "", "mention"}};
  c.flood_lines_per_s = 50;  // the flood test measures the bucket on its own
  c.flood_burst = 20;
  c.reconnect_min_ms = 100;
  c.reconnect_max_ms = 500;
  c.reconnect_penalty_ms = 200;
  c.register_timeout_ms = 5000;
  return c;
}

// Lines a raw client saw as PRIVMSGs from the bot to `target`, text only.
std::vector<std::string> bot_lines(const raw_client& c, const std::string& target,
                                   size_t from = 0) {
  std::vector<std::string> out;
  std::string needle = " PRIVMSG " + target + " :";
  for (size_t i = from; i < c.lines.size(); ++i) {
    const auto& l = c.lines[i];
    if (l.rfind(":frugalbot!", 0) != 0) continue;
    size_t p = l.find(needle);
    if (p != std::string::npos) out.push_back(l.substr(p + needle.size()));
  }
  return out;
}

// Waits until the bot is connected and `user` sees it in #test.
void bot_joined(uv_loop_t* loop, recorder& rec, raw_client& user) {
  REQUIRE(run_until(loop, [&] { return rec.count(state::connected) > 0; }, 15000, {&user}));
  REQUIRE(run_until(loop,
                    [&] {
                      for (const auto& l : user.lines)
                        if (l.rfind(":frugalbot!", 0) == 0 && l.find(" JOIN ") != std::string::npos)
                          return true;
                      return false;
                    },
                    5000, {&user}));
}
}  // namespace

TEST_CASE("irc live: ngircd plain — inbound identity, split reply, no injection, CTCP") {
  irc_live::test_loop loop;
  auto server = irc_live::start_server("ngircd");
  int port = server->port("port");
  raw_client user(port);
  irc_live::register_client(loop.get(), user, "alice");
  user.send("JOIN #test");
  REQUIRE(run_until(loop.get(), [&] { return user.has(" 366 "); }, 5000, {&user}));

  recorder rec;
  auto t = irc::make_transport(loop.get(), ngircd_config(port, false, ""));
  CHECK(t->name() == "irc.test");
  t->start(rec.on_message(), rec.on_state());
  bot_joined(loop.get(), rec, user);

  // Not addressed: nothing. Addressed: the inbound callback fires with the sender's identity.
  user.send("PRIVMSG #test :just chatting");
  user.send("PRIVMSG #test :FrugalBot: what is the answer?");
  REQUIRE(run_until(loop.get(), [&] { return !rec.messages.empty(); }, 5000, {&user}));
  REQUIRE(rec.messages.size() == 1);
  const auto& in = rec.messages[0];
  CHECK(in.text == "what is the answer?");
  CHECK(in.target == "#test");
  CHECK(in.transport == "irc.test");
  CHECK_FALSE(in.direct);
  CHECK(in.from.network == "irc");
  CHECK(in.from.display == "alice");
  CHECK(in.from.mask.rfind("alice!", 0) == 0);
  CHECK(in.from.mask.find('@') != std::string::npos);
  CHECK(in.from.account.empty());

  // A private message is always for the bot; the reply target is the sender.
  user.send("PRIVMSG frugalbot :in private");
  REQUIRE(run_until(loop.get(), [&] { return rec.messages.size() == 2; }, 5000, {&user}));
  CHECK(rec.messages[1].direct);
  CHECK(rec.messages[1].target == "alice");

  // A long reply arrives split; ngircd (which drops lines over 512 bytes) keeps us.
  std::string words;
  for (int i = 0; words.size() < 2000; ++i) words += "word" + std::to_string(i) + " ";
  size_t mark = user.lines.size();
  t->send("#test", words);
  auto all_arrived = [&] {
    std::string joined;
    for (const auto& l : bot_lines(user, "#test", mark)) joined += l + " ";
    return joined == words;
  };
  REQUIRE(run_until(loop.get(), all_arrived, 10000, {&user}));
  auto got = bot_lines(user, "#test", mark);
  REQUIRE(got.size() >= 5);
  size_t longest = 0;
  for (size_t i = mark; i < user.lines.size(); ++i)
    if (user.lines[i].rfind(":frugalbot!", 0) == 0) {
      CHECK(user.lines[i].size() + 2 <= 512);  // as relayed by the server, with CR LF
      longest = std::max(longest, user.lines[i].size() + 2);
    }
  CHECK(longest > 480);  // and the space is used
  CHECK(rec.count(state::disconnected) == 0);

  // Model text trying to inject a QUIT stays text, and the bot is still there afterwards.
  mark = user.lines.size();
  t->send("#test",
          "innocent\r\nQUIT :bye\n\x01"
          "ACTION dies\x01");
  t->send("alice", "still here");
  REQUIRE(run_until(loop.get(), [&] { return !bot_lines(user, "alice", mark).empty(); }, 5000,
                    {&user}));
  auto inj = bot_lines(user, "#test", mark);
  REQUIRE(inj.size() == 3);
  CHECK(inj[0] == "innocent");
  CHECK(inj[1] == "QUIT :bye");
  CHECK(inj[2] == "ACTION dies");
  CHECK(user.find(" QUIT ", mark) < 0);
  CHECK(rec.count(state::disconnected) == 0);

  // CTCP VERSION is answered by NOTICE; a NOTICE gets no answer at all.
  mark = user.lines.size();
  user.send("PRIVMSG frugalbot :\x01VERSION\x01");
  REQUIRE(run_until(loop.get(), [&] { return user.has("NOTICE alice :\x01VERSION frugal", mark); },
                    5000, {&user}));
  user.send("NOTICE frugalbot :frugalbot: are you there?");
  user.send("PRIVMSG frugalbot :\x01PING 42\x01");
  REQUIRE(run_until(loop.get(), [&] { return user.has("\x01PING 42\x01", mark); }, 5000, {&user}));
  CHECK(rec.messages.size() == 2);

  t->stop();
  REQUIRE(run_until(loop.get(), [&] { return user.has(":frugalbot!") && user.find(" QUIT ") >= 0; },
                    5000, {&user}));
  CHECK(rec.count(state::stopped) == 1);
  t.reset();
}

TEST_CASE("irc live: ngircd TLS — verified with the CA file, refused without it") {
  irc_live::test_loop loop;
  auto server = irc_live::start_server("ngircd");
  int tls_port = server->port("tls_port");
  raw_client user(server->port("port"));
  irc_live::register_client(loop.get(), user, "alice");
  user.send("JOIN #test");
  REQUIRE(run_until(loop.get(), [&] { return user.has(" 366 "); }, 5000, {&user}));

  recorder rec;
  auto t = irc::make_transport(loop.get(), ngircd_config(tls_port, true, server->info.at("cert")));
  t->start(rec.on_message(), rec.on_state());
  bot_joined(loop.get(), rec, user);
  user.send("PRIVMSG #test :frugalbot, over TLS?");
  REQUIRE(run_until(loop.get(), [&] { return !rec.messages.empty(); }, 5000, {&user}));
  CHECK(rec.messages[0].text == "over TLS?");
  size_t mark = user.lines.size();
  t->send("#test", "yes, encrypted");
  REQUIRE(run_until(loop.get(), [&] { return !bot_lines(user, "#test", mark).empty(); }, 5000,
                    {&user}));

  // Destroying a connected transport is safe (no QUIT, handles closed by the loop).
  t.reset();
  REQUIRE(run_until(loop.get(), [&] { return user.find(" QUIT ", mark) >= 0; }, 5000, {&user}));

  // Destroying a transport from inside its own message callback is safe too.
  std::unique_ptr<transports::transport> doomed;
  auto bye_cfg = ngircd_config(tls_port, true, server->info.at("cert"));
  bye_cfg.nick = "frugalbye";
  recorder bye_rec;
  doomed = irc::make_transport(loop.get(), bye_cfg);
  bool destroyed = false;
  doomed->start(
      [&](transports::inbound) {
        doomed.reset();
        destroyed = true;
      },
      bye_rec.on_state());
  REQUIRE(run_until(loop.get(), [&] { return user.has(":frugalbye!", mark); }, 5000, {&user}));
  user.send("PRIVMSG frugalbye :go away");
  REQUIRE(run_until(loop.get(), [&] { return destroyed; }, 5000, {&user}));
  REQUIRE(run_until(loop.get(),
                    [&] {
                      return user.find(":frugalbye!", mark) >= 0 &&
                             user.has(" QUIT ",
                                      static_cast<size_t>(user.find(":frugalbye!", mark)));
                    },
                    5000, {&user}));

  // With the system CAs the self-signed certificate is refused: never connected.
  recorder bad;
  auto cfg = ngircd_config(tls_port, true, "");
  auto t2 = irc::make_transport(loop.get(), cfg);
  t2->start(bad.on_message(), bad.on_state());
  REQUIRE(run_until(loop.get(), [&] { return bad.count(state::disconnected) > 0; }, 5000, {&user}));
  CHECK(bad.count(state::connected) == 0);
  INFO(bad.details());
  CHECK(bad.details().find("certificate verify failed") != std::string::npos);
  t2->stop();
}

TEST_CASE("irc live: server killed and restarted — reconnects, rejoins, delivers the queue") {
  irc_live::test_loop loop;
  auto server = irc_live::start_server("ngircd");
  int port = server->port("port");
  int tls_port = server->port("tls_port");
  recorder rec;
  auto cfg = ngircd_config(port, false, "");
  auto t = irc::make_transport(loop.get(), cfg);
  t->start(rec.on_message(), rec.on_state());
  REQUIRE(run_until(
      loop.get(), [&] { return rec.count(state::connected) == 1; }, 10000));

  // Counted from here: a first attempt may already have failed (a registration timeout
  // when the start took long), and that earlier disconnect must not stand in for this one,
  // or the reply below is written to the dying link and lost.
  int drops_before = rec.count(state::disconnected);
  server->stop();
  REQUIRE(run_until(
      loop.get(), [&] { return rec.count(state::disconnected) > drops_before; }, 10000));
  // A reply finished while the link is down is kept and delivered after the rejoin.
  t->send("#test", "queued while down");
  (void)run_until(
      loop.get(), [] { return false; }, 300);

  server = irc_live::start_server("ngircd", port, tls_port);
  // Alice must be in #test before the bot rejoins, or she misses the queued line. The bot's
  // reconnect timer is already due by now (the restart takes seconds under load), so the
  // loop stays still until ngircd confirms her JOIN (366); only then does the bot run.
  raw_client user(port);
  user.send("NICK alice");
  user.send("USER alice 0 * :alice");
  user.send("JOIN #test");
  REQUIRE(irc_live::pump_until([&] { return user.has(" 366 alice #test "); }, 10000, {&user}));
  REQUIRE(run_until(loop.get(), [&] { return rec.count(state::connected) == 2; }, 10000, {&user}));
  REQUIRE(run_until(loop.get(), [&] { return user.has("PRIVMSG #test :queued while down"); }, 5000,
                    {&user}));
  user.send("PRIVMSG #test :frugalbot: back?");
  REQUIRE(run_until(loop.get(), [&] { return !rec.messages.empty(); }, 5000, {&user}));
  CHECK(rec.messages[0].text == "back?");
  t->stop();
}

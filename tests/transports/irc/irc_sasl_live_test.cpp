// Loop tests of SASL against a REAL InspIRCd 3 linked to Atheme 7 (account agentbot /
// s3cretpw, with the fingerprint of the shared client.crt): PLAIN success and failure
// (require_sasl → QUIT, never registered), EXTERNAL over TLS with the client certificate,
// and the owner recognised by account (extended-join). One server start for all steps.
#include <catch2/catch.hpp>

#include "live_support.h"
#include "transports/irc/transport.h"

using namespace frugal;
using irc_live::raw_client;
using irc_live::recorder;
using irc_live::run_until;
using transports::state;

namespace {
config::irc_network inspircd_config(int port) {
  config::irc_network c;
  c.name = "atheme";
  c.server = "127.0.0.1";
  c.port = port;
  c.tls = false;
  c.nick = "frugalbot";
  c.channels = {{"#test", "", "mention"}};
  c.sasl = "plain";
  c.sasl_user = "agentbot";
  c.sasl_password = "s3cretpw";
  c.flood_lines_per_s = 50;
  c.flood_burst = 20;
  c.reconnect_min_ms = 100;
  c.reconnect_max_ms = 300;
  c.reconnect_penalty_ms = 60000;  // a failed SASL must not retry within the test
  c.register_timeout_ms = 5000;
  return c;
}

// A raw user logged in to `account` through SASL PLAIN (base64 precomputed).
void sasl_user(uv_loop_t* loop, raw_client& c, const std::string& nick) {
  c.send("CAP LS 302");
  c.send("NICK " + nick);
  c.send("USER " + nick + " 0 * :" + nick);
  c.send("CAP REQ :sasl");
  REQUIRE(run_until(loop, [&] { return c.has("ACK :sasl"); }, 5000, {&c}));
  c.send("AUTHENTICATE PLAIN");
  REQUIRE(run_until(loop, [&] { return c.has("AUTHENTICATE"); }, 5000, {&c}));
  c.send("AUTHENTICATE YWdlbnRib3QAYWdlbnRib3QAczNjcmV0cHc=");
  REQUIRE(run_until(loop, [&] { return c.has(" 903 "); }, 5000, {&c}));
  c.send("CAP END");
  REQUIRE(run_until(loop, [&] { return c.has(" 001 "); }, 5000, {&c}));
}

std::string whois_account(uv_loop_t* loop, raw_client& c, const std::string& nick) {
  size_t mark = c.lines.size();
  c.send("WHOIS " + nick);
  REQUIRE(run_until(loop, [&] { return c.has(" 318 ", mark); }, 5000, {&c}));
  int i = c.find(" 330 ", mark);  // RPL_WHOISACCOUNT: me nick account :is logged in as
  if (i < 0) return "";
  auto m = c.lines[static_cast<size_t>(i)];
  size_t p = m.find(" 330 ");
  std::vector<std::string> words;
  std::string rest = m.substr(p + 5), w;
  for (std::istringstream in(rest); in >> w;) words.push_back(w);
  return words.size() >= 3 ? words[2] : "";
}
}  // namespace

TEST_CASE("irc live: InspIRCd + Atheme — SASL PLAIN, EXTERNAL, require_sasl, owner by account") {
  irc_live::test_loop loop;
  auto server = irc_live::start_server("inspircd");
  int port = server->port("port");
  int tls_port = server->port("tls_port");
  raw_client watcher(port);
  irc_live::register_client(loop.get(), watcher, "watcher");

  // PLAIN with the right password: 903, logged in as agentbot.
  {
    recorder rec;
    auto t = irc::make_transport(loop.get(), inspircd_config(port));
    t->start(rec.on_message(), rec.on_state());
    REQUIRE(
        run_until(loop.get(), [&] { return rec.count(state::connected) == 1; }, 10000, {&watcher}));
    INFO(rec.details());
    CHECK(rec.details().find("account agentbot") != std::string::npos);
    CHECK(whois_account(loop.get(), watcher, "frugalbot") == "agentbot");

    // The owner joins after the bot; extended-join tells the bot the owner's account.
    (void)run_until(loop.get(), [] { return false; }, 200, {&watcher});
    raw_client owner(port);
    sasl_user(loop.get(), owner, "owner");
    owner.send("JOIN #test");
    REQUIRE(run_until(loop.get(), [&] { return owner.has(" 366 "); }, 5000, {&owner, &watcher}));
    owner.send("PRIVMSG #test :frugalbot: it is me");
    REQUIRE(run_until(loop.get(), [&] { return !rec.messages.empty(); }, 5000, {&owner, &watcher}));
    CHECK(rec.messages[0].from.account == "agentbot");
    CHECK(rec.messages[0].from.mask.rfind("owner!", 0) == 0);
    // A user who is not logged in has no account, whatever their nick.
    raw_client stranger(port);
    irc_live::register_client(loop.get(), stranger, "agentbot");
    stranger.send("JOIN #test");
    REQUIRE(run_until(loop.get(), [&] { return stranger.has(" 366 "); }, 5000, {&stranger}));
    stranger.send("PRIVMSG #test :frugalbot: trust me");
    REQUIRE(run_until(loop.get(), [&] { return rec.messages.size() == 2; }, 5000,
                      {&owner, &watcher, &stranger}));
    CHECK(rec.messages[1].from.account.empty());
    CHECK(rec.messages[1].from.display == "agentbot");
    t->stop();
    (void)run_until(loop.get(), [] { return false; }, 100, {&watcher});
  }

  // PLAIN with a wrong password and require_sasl: the bot QUITs and never registers.
  {
    recorder rec;
    auto cfg = inspircd_config(port);
    cfg.sasl_password = "wrong-password";
    cfg.require_sasl = true;
    auto t = irc::make_transport(loop.get(), cfg);
    t->start(rec.on_message(), rec.on_state());
    REQUIRE(run_until(loop.get(), [&] { return rec.count(state::disconnected) == 1; }, 10000,
                      {&watcher}));
    INFO(rec.details());
    CHECK(rec.details().find("SASL authentication failed (904)") != std::string::npos);
    (void)run_until(loop.get(), [] { return false; }, 500, {&watcher});
    CHECK(rec.count(state::connected) == 0);
    CHECK(rec.count(state::connecting) == 1);  // the penalty delay holds the retry back
    t->stop();
  }

  // The same wrong password without require_sasl: registered, but not logged in.
  {
    recorder rec;
    auto cfg = inspircd_config(port);
    cfg.nick = "frugalanon";
    cfg.sasl_password = "wrong-password";
    auto t = irc::make_transport(loop.get(), cfg);
    t->start(rec.on_message(), rec.on_state());
    REQUIRE(
        run_until(loop.get(), [&] { return rec.count(state::connected) == 1; }, 10000, {&watcher}));
    CHECK(rec.details().find("904") != std::string::npos);
    CHECK(whois_account(loop.get(), watcher, "frugalanon").empty());
    t->stop();
  }

  // EXTERNAL over TLS with the client certificate whose fingerprint Atheme knows.
  {
    recorder rec;
    auto cfg = inspircd_config(tls_port);
    cfg.server = "localhost";
    cfg.tls = true;
    cfg.ca_file = server->info.at("cert");
    cfg.sasl = "external";
    cfg.sasl_password.clear();
    cfg.client_cert = server->info.at("client_cert");
    cfg.client_key = server->info.at("client_key");
    cfg.require_sasl = true;
    auto t = irc::make_transport(loop.get(), cfg);
    t->start(rec.on_message(), rec.on_state());
    REQUIRE(
        run_until(loop.get(), [&] { return rec.count(state::connected) == 1; }, 10000, {&watcher}));
    INFO(rec.details());
    CHECK(rec.details().find("account agentbot") != std::string::npos);
    CHECK(whois_account(loop.get(), watcher, "frugalbot") == "agentbot");
    t->stop();
  }
}

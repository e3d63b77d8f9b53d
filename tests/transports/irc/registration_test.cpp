// Scripted registration exchanges: what the client writes in answer to each server line,
// recorded as the socket would see it (the ZNC IRCTest way).
#include "transports/irc/registration.h"

#include <catch2/catch.hpp>

using namespace frugal;
using namespace frugal::irc;

namespace {
using lines = std::vector<std::string>;

lines feed(registration& r, const std::string& line) {
  auto m = parse(line);
  REQUIRE(m);
  return r.feed(*m);
}

config::irc_network base() {
  config::irc_network c;
  c.name = "test";
  c.nick = "bot";
  c.username = "botuser";
  c.realname = "The Bot";
  c.channels = {{"#a", "", "mention"}, {"#b", "sekrit", "all"}};
  return c;
}

std::string b64_decode(const std::string& s) {
  static const std::string abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  int val = 0, bits = -8;
  for (char c : s) {
    if (c == '=') break;
    val = (val << 6) + static_cast<int>(abc.find(c));
    bits += 6;
    if (bits >= 0) {
      out += static_cast<char>((val >> bits) & 0xFF);
      bits -= 8;
    }
  }
  return out;
}
}  // namespace

TEST_CASE("registration: PASS, CAP LS 302, NICK, USER first") {
  auto cfg = base();
  cfg.server_password = "serverpw";
  registration r(cfg);
  CHECK(r.begin() ==
        lines{"PASS :serverpw", "CAP LS 302", "NICK bot", "USER botuser 0 * :The Bot"});
  cfg.server_password.clear();
  registration plain(cfg);
  CHECK(plain.begin() == lines{"CAP LS 302", "NICK bot", "USER botuser 0 * :The Bot"});
}

TEST_CASE("registration: requests exactly the offered subset, CAP END, JOIN after 001") {
  auto cfg = base();
  registration r(cfg);
  (void)r.begin();
  CHECK(feed(r, ":s CAP * LS * :multi-prefix sasl=PLAIN away-notify").empty());
  CHECK(feed(r, ":s CAP * LS * :server-time account-tag").empty());
  CHECK(feed(r, ":s CAP * LS :echo-message extended-join chghost") ==
        lines{"CAP REQ :server-time account-tag extended-join echo-message multi-prefix"});
  CHECK(feed(r, ":s CAP * ACK :server-time account-tag extended-join echo-message multi-prefix") ==
        lines{"CAP END"});
  CHECK(r.has_cap("account-tag"));
  CHECK_FALSE(r.registered());
  CHECK(feed(r, ":s 005 bot CASEMAPPING=ascii :are supported").empty());
  CHECK(feed(r, ":s 001 bot :Welcome") == lines{"JOIN #a", "JOIN #b sekrit"});
  CHECK(r.registered());
  CHECK(r.support().mapping == casemapping::ascii);
  CHECK(feed(r, ":s 001 bot :Welcome again").empty());
}

TEST_CASE("registration: PING is answered at every stage") {
  auto cfg = base();
  registration r(cfg);
  (void)r.begin();
  CHECK(feed(r, "PING :before-anything") == lines{"PONG :before-anything"});
  CHECK(feed(r, ":s CAP * LS :") == lines{"CAP END"});
  CHECK(feed(r, "PING :during") == lines{"PONG :during"});
  (void)feed(r, ":s 001 bot :hi");
  CHECK(feed(r, "PING after") == lines{"PONG :after"});
}

TEST_CASE("registration: SASL PLAIN success") {
  auto cfg = base();
  cfg.sasl = "plain";
  cfg.sasl_user = "acct";
  cfg.sasl_password = "pw";
  cfg.nickserv_password = "nspw";  // not used: SASL succeeded
  registration r(cfg);
  (void)r.begin();
  CHECK(feed(r, ":s CAP * LS :sasl=PLAIN,EXTERNAL") == lines{"CAP REQ :sasl"});
  CHECK(feed(r, ":s CAP * ACK :sasl") == lines{"AUTHENTICATE PLAIN"});
  auto out = feed(r, ":s AUTHENTICATE :+");  // InspIRCd's trailing form
  REQUIRE(out.size() == 1);
  CHECK(b64_decode(out[0].substr(13)) == std::string("acct\0acct\0pw", 12));
  CHECK(feed(r, ":s 900 bot bot!u@h acct :You are now logged in as acct").empty());
  CHECK(feed(r, ":s 903 bot :SASL authentication successful") == lines{"CAP END"});
  CHECK(r.sasl_succeeded());
  CHECK(r.account() == "acct");
  CHECK(feed(r, ":s 001 bot :hi") == lines{"JOIN #a", "JOIN #b sekrit"});
}

TEST_CASE("registration: SASL PLAIN payload in 400-byte chunks") {
  // 300 bytes of payload → 400 bytes of base64: one chunk, then "+".
  auto exact = authenticate_lines(std::string(300, 'x'));
  REQUIRE(exact.size() == 2);
  CHECK(exact[0].size() == 13 + 400);
  CHECK(exact[1] == "AUTHENTICATE +");
  auto longer = authenticate_lines(std::string(700, 'y'));  // 936 bytes of base64
  REQUIRE(longer.size() == 3);
  CHECK(longer[0].size() == 413);
  CHECK(longer[1].size() == 413);
  CHECK(longer[2].size() == 13 + 136);
  CHECK(b64_decode(longer[0].substr(13) + longer[1].substr(13) + longer[2].substr(13)) ==
        std::string(700, 'y'));
  auto small = authenticate_lines("ab");
  REQUIRE(small.size() == 1);
  CHECK(small[0] == "AUTHENTICATE YWI=");
  CHECK(authenticate_lines("") == lines{"AUTHENTICATE +"});
}

TEST_CASE("registration: SASL EXTERNAL sends an empty response") {
  auto cfg = base();
  cfg.sasl = "external";
  registration r(cfg);
  (void)r.begin();
  CHECK(feed(r, ":s CAP * LS :sasl") == lines{"CAP REQ :sasl"});
  CHECK(feed(r, ":s CAP * ACK :sasl") == lines{"AUTHENTICATE EXTERNAL"});
  CHECK(feed(r, "AUTHENTICATE +") == lines{"AUTHENTICATE +"});
  CHECK(feed(r, ":s 903 * :ok") == lines{"CAP END"});
}

TEST_CASE("registration: 904 with require_sasl quits, without it NickServ is the fallback") {
  auto cfg = base();
  cfg.sasl = "plain";
  cfg.sasl_password = "wrong";
  cfg.require_sasl = true;
  {
    registration r(cfg);
    (void)r.begin();
    (void)feed(r, ":s CAP * LS :sasl");
    (void)feed(r, ":s CAP * ACK :sasl");
    (void)feed(r, "AUTHENTICATE +");
    auto out = feed(r, ":s 904 bot :SASL authentication failed");
    REQUIRE(out.size() == 1);
    CHECK(out[0].rfind("QUIT :", 0) == 0);
    CHECK(r.quitting());
    CHECK(r.failure().find("904") != std::string::npos);
    CHECK(feed(r, ":s 001 bot :hi").empty());
    CHECK(feed(r, "PING :x") == lines{"PONG :x"});
  }
  cfg.require_sasl = false;
  cfg.nickserv_password = "nspw";
  registration r(cfg);
  (void)r.begin();
  (void)feed(r, ":s CAP * LS :sasl");
  (void)feed(r, ":s CAP * ACK :sasl");
  CHECK(feed(r, ":s 904 bot :failed") == lines{"CAP END"});
  CHECK(feed(r, ":s 001 bot :hi") ==
        lines{"PRIVMSG NickServ :IDENTIFY bot nspw", "JOIN #a", "JOIN #b sekrit"});
}

TEST_CASE("registration: require_sasl quits when SASL is not offered or CAP is ignored") {
  auto cfg = base();
  cfg.sasl = "plain";
  cfg.require_sasl = true;
  registration r(cfg);
  (void)r.begin();
  auto out = feed(r, ":s CAP * LS :multi-prefix");
  REQUIRE(out.size() == 1);
  CHECK(out[0].rfind("QUIT :", 0) == 0);
  registration old(cfg);  // a server without CAP goes straight to 001
  (void)old.begin();
  out = feed(old, ":s 001 bot :hi");
  REQUIRE(out.size() == 1);
  CHECK(out[0].rfind("QUIT :", 0) == 0);
  registration wrong_mech(cfg);  // PLAIN wanted, only EXTERNAL offered
  (void)wrong_mech.begin();
  CHECK(feed(wrong_mech, ":s CAP * LS :sasl=EXTERNAL")[0].rfind("QUIT :", 0) == 0);
}

TEST_CASE("registration: nick in use many times → alt nicks, then nick + digits, then gives up") {
  auto cfg = base();
  cfg.alt_nicks = {"bot_", "bot__"};
  registration r(cfg);
  (void)r.begin();
  CHECK(feed(r, ":s 433 * bot :Nickname is already in use") == lines{"NICK bot_"});
  CHECK(feed(r, ":s 433 * bot_ :in use") == lines{"NICK bot__"});
  CHECK(feed(r, ":s 432 * bot__ :erroneous") == lines{"NICK bot1"});
  CHECK(feed(r, ":s 436 * bot1 :collision") == lines{"NICK bot2"});
  CHECK(feed(r, ":s 437 * bot2 :unavailable") == lines{"NICK bot3"});
  lines last;
  for (int i = 0; i < 40 && !r.quitting(); ++i) last = feed(r, ":s 433 * x :in use");
  CHECK(r.quitting());
  REQUIRE(last.size() == 1);
  CHECK(last[0].rfind("QUIT :", 0) == 0);
}

TEST_CASE("registration: a CAP LS that never ends is cut short") {
  auto cfg = base();
  registration r(cfg);
  (void)r.begin();
  lines out;
  int n = 0;
  while (out.empty() && n < 1000) {
    out = feed(r, ":s CAP * LS * :multi-prefix x" + std::to_string(n));
    ++n;
  }
  CHECK(n == registration::max_cap_ls_lines);
  CHECK(out == lines{"CAP REQ :multi-prefix"});
}

TEST_CASE("registration: NAK ends negotiation") {
  auto cfg = base();
  registration r(cfg);
  (void)r.begin();
  (void)feed(r, ":s CAP * LS :multi-prefix");
  CHECK(feed(r, ":s CAP * NAK :multi-prefix") == lines{"CAP END"});
  CHECK_FALSE(r.has_cap("multi-prefix"));
}

TEST_CASE("registration: a 001 that does not name us is not registration") {
  auto cfg = base();
  registration r(cfg);
  (void)r.begin();
  CHECK(feed(r, ":s CAP * LS :multi-prefix") == lines{"CAP REQ :multi-prefix"});
  CHECK(feed(r, ":s CAP * ACK :multi-prefix") == lines{"CAP END"});
  // Before: a bare 001 registered the client and sent the JOINs.
  for (const char* bare : {":s 001", "001", ":s 001 :", ":s 001 * :Welcome", ":s 001 :Welcome"}) {
    INFO(bare);
    CHECK(feed(r, bare).empty());
    CHECK_FALSE(r.registered());
    CHECK(r.nick() == "bot");
  }
  // Nick fallback still works while waiting, and the real 001 names the nick we got.
  CHECK(feed(r, ":s 433 * bot :in use") == lines{"NICK bot1"});
  CHECK(feed(r, ":s 001 bot1 :Welcome bot1") == lines{"JOIN #a", "JOIN #b sekrit"});
  CHECK(r.registered());
  CHECK(r.nick() == "bot1");
}

TEST_CASE("registration: a bare 001 mid-SASL with require_sasl does not end the attempt") {
  auto cfg = base();
  cfg.sasl = "plain";
  cfg.sasl_user = "bot";
  cfg.sasl_password = "pw";
  cfg.require_sasl = true;
  registration r(cfg);
  (void)r.begin();
  (void)feed(r, ":s CAP * LS :sasl");
  CHECK(feed(r, ":s CAP * ACK :sasl") == lines{"AUTHENTICATE PLAIN"});
  CHECK(feed(r, ":s 001").empty());
  CHECK_FALSE(r.quitting());
  (void)feed(r, "AUTHENTICATE +");
  CHECK(feed(r, ":s 903 bot :ok") == lines{"CAP END"});
  CHECK(feed(r, ":s 001 bot :hi") == lines{"JOIN #a", "JOIN #b sekrit"});
}

TEST_CASE("registration: SASL missing (services not linked) is told apart from SASL refused") {
  auto cfg = base();
  cfg.sasl = "plain";
  cfg.sasl_user = "bot";
  cfg.sasl_password = "pw";
  cfg.require_sasl = true;
  auto quit_after = [&](std::vector<std::string> in) {
    auto r = std::make_unique<registration>(cfg);
    (void)r->begin();
    for (const auto& l : in) (void)feed(*r, l);
    REQUIRE(r->quitting());
    return r;
  };
  // No sasl in CAP LS at all: what InspIRCd and Solanum show while services are away.
  CHECK(quit_after({":s CAP * LS :multi-prefix"})->sasl_unavailable());
  CHECK(quit_after({":s CAP * LS :sasl", ":s CAP * NAK :sasl"})->sasl_unavailable());
  CHECK(quit_after({":s CAP * LS :sasl multi-prefix", ":s CAP * ACK :multi-prefix"})
            ->sasl_unavailable());
  // Offered but refused, or offered without our mechanism: not a matter of waiting.
  CHECK_FALSE(quit_after({":s CAP * LS :sasl", ":s CAP * ACK :sasl", "AUTHENTICATE +",
                          ":s 904 bot :SASL authentication failed"})
                  ->sasl_unavailable());
  CHECK_FALSE(quit_after({":s CAP * LS :sasl=EXTERNAL"})->sasl_unavailable());
  CHECK_FALSE(quit_after({":s 001 bot :no CAP here"})->sasl_unavailable());
}

// The manners as the transport drives them: server lines in, lines to send and log notes
// out, and the wake-up times for the transport's timer. No sockets, no clock.
#include "transports/irc/manners.h"

#include <catch2/catch.hpp>

using namespace frugal;
using namespace frugal::irc;
using lines = std::vector<std::string>;

namespace {
config::irc_network base() {
  config::irc_network c;
  c.nick = "bot";
  c.channels = {{"#a", "", "mention"}, {"#Keyed", "sekrit", "all"}};
  c.rejoin_delay_ms = 5000;
  c.rejoin_max_ms = 60000;
  c.nick_check_ms = 180000;
  return c;
}

message msg(const std::string& line) {
  auto m = parse(line);
  REQUIRE(m);
  return *m;
}

// Registered as `nick` and the welcome burst over (end of MOTD).
manners::output welcome(manners& m, const std::string& nick, const isupport& is) {
  (void)m.registered(nick, is, 0);
  return m.feed(msg(":s 376 " + nick + " :End of MOTD"), nick, is, 0);
}

std::string notes(const manners::output& o) {
  std::string s;
  for (const auto& n : o.notes) s += (n.warn ? "W " : "I ") + n.text + "\n";
  return s;
}
}  // namespace

TEST_CASE("manners: kicked, rejoined after the delay with the key, kicked again: twice the delay") {
  manners m(base());
  isupport is;
  CHECK(welcome(m, "bot", is).lines.empty());
  CHECK(!m.next_wake(0));
  (void)m.feed(msg(":bot!u@h JOIN #keyed"), "bot", is, 100);
  auto kick = m.feed(msg(":op!o@h KICK #KEYED bot :behave"), "bot", is, 1000);
  CHECK(kick.lines.empty());
  CHECK(notes(kick) == "W kicked from #KEYED by op (behave); rejoining in 5000 ms\n");
  CHECK(m.next_wake(1000) == 5000u);
  CHECK(m.wake(5999).lines.empty());
  auto w = m.wake(6000);
  CHECK(w.lines == lines{"JOIN #Keyed sekrit"});  // the configured name and key
  CHECK(!m.next_wake(6000));
  (void)m.feed(msg(":bot!u@h JOIN #Keyed"), "bot", is, 6100);
  (void)m.feed(msg(":op!o@h KICK #Keyed bot"), "bot", is, 6200);
  CHECK(m.next_wake(6200) == 10000u);
  // Someone else kicked: nothing to do.
  CHECK(m.feed(msg(":op!o@h KICK #a carol :x"), "bot", is, 6300).notes.empty());
}

TEST_CASE("manners: banned (474) on the rejoin: one log line, no more JOINs") {
  manners m(base());
  isupport is;
  (void)welcome(m, "bot", is);
  (void)m.feed(msg(":bot!u@h JOIN #a"), "bot", is, 10);
  (void)m.feed(msg(":op!o@h MODE #a +b bot!*@*"), "bot", is, 20);
  (void)m.feed(msg(":op!o@h KICK #a bot :banned"), "bot", is, 30);
  CHECK(m.wake(5030).lines == lines{"JOIN #a"});
  auto refused = m.feed(msg(":s 474 bot #a :Cannot join channel (+b)"), "bot", is, 5040);
  CHECK(notes(refused) ==
        "W cannot join #a: Cannot join channel (+b) (474); giving up rejoining it until the "
        "next connection\n");
  CHECK(!m.next_wake(5040));
  CHECK(m.wake(1000000).lines.empty());
  // Full, invite-only and keyed channels are given up the same way (here at registration).
  for (const char* n : {"471", "473", "475"}) {
    auto o = m.feed(msg(std::string(":s ") + n + " bot #Keyed :Cannot join channel"), "bot", is, 0);
    CHECK(notes(o).find("giving up on it") != std::string::npos);
  }
}

TEST_CASE("manners: a kick from an unconfigured channel, or with rejoin off, is final") {
  manners m(base());
  isupport is;
  (void)welcome(m, "bot", is);
  auto o = m.feed(msg(":op!o@h KICK #elsewhere bot :go"), "bot", is, 10);
  CHECK(notes(o).find("not a configured channel") != std::string::npos);
  CHECK(!m.next_wake(10));
  auto cfg = base();
  cfg.rejoin_delay_ms = 0;
  manners off(cfg);
  (void)welcome(off, "bot", is);
  o = off.feed(msg(":op!o@h KICK #a bot :go"), "bot", is, 10);
  CHECK(notes(o).find("not rejoining") != std::string::npos);
  CHECK(!off.next_wake(10));
}

TEST_CASE("manners: nick reclaim by ISON on the check period, beside a pending rejoin") {
  manners m(base());
  isupport is;  // no MONITOR
  CHECK(m.registered("bot_", is, 0).lines.empty());
  auto end = m.feed(msg(":s 376 bot_ :End of MOTD"), "bot_", is, 0);
  CHECK(end.lines.empty());
  CHECK(notes(end) == "I registered as bot_; watching for bot to become free (ISON)\n");
  CHECK(m.next_wake(0) == 180000u);
  (void)m.feed(msg(":bot_!u@h JOIN #a"), "bot_", is, 10);
  (void)m.feed(msg(":op!o@h KICK #a bot_"), "bot_", is, 20);
  CHECK(m.next_wake(20) == 5000u);  // the rejoin comes first
  CHECK(m.wake(5020).lines == lines{"JOIN #a"});
  CHECK(m.next_wake(5020) == 180000u - 5020u);
  CHECK(m.wake(180000).lines == lines{"ISON bot"});
  CHECK(m.next_wake(180000) == 180000u);
  auto freed = m.feed(msg(":s 303 bot_ :"), "bot_", is, 180100);
  CHECK(freed.lines == lines{"NICK bot"});
  CHECK(notes(freed) == "I bot is free (ISON); taking it back\n");
  auto took = m.feed(msg(":bot_!u@h NICK :bot"), "bot", is, 180200);
  CHECK(notes(took) == "I now using the configured nick bot\n");
  CHECK(!m.next_wake(180200));
}

TEST_CASE("manners: nick reclaim by MONITOR; a lost link forgets everything planned") {
  manners m(base());
  isupport is;
  is.monitor = 100;
  CHECK(m.registered("bot_", is, 0).lines.empty());
  CHECK(m.feed(msg(":s 422 bot_ :MOTD File is missing"), "bot_", is, 0).lines ==
        lines{"MONITOR + bot"});
  CHECK(!m.next_wake(0));  // the server will tell
  (void)m.feed(msg(":bot_!u@h JOIN #a"), "bot_", is, 10);
  (void)m.feed(msg(":op!o@h KICK #a bot_"), "bot_", is, 20);
  m.disconnected();
  CHECK(!m.next_wake(30));
  CHECK(m.feed(msg(":s 731 bot_ :bot"), "bot_", is, 40).lines.empty());
  CHECK(m.wake(1000000).lines.empty());
}

TEST_CASE("manners: the reclaim waits for the 005 that follows 001, then uses MONITOR") {
  // 001 comes before RPL_ISUPPORT: deciding at 001 chose ISON on a server offering MONITOR
  // (seen against InspIRCd in test_irc_manners_services.py).
  manners m(base());
  isupport is;
  CHECK(m.registered("bot_", is, 0).lines.empty());
  CHECK(m.feed(msg(":s 002 bot_ :Your host is s"), "bot_", is, 1).lines.empty());
  auto isupport_line = msg(":s 005 bot_ MONITOR=30 WHOX :are supported by this server");
  is.apply(isupport_line);
  CHECK(m.feed(isupport_line, "bot_", is, 2).lines.empty());
  CHECK(m.feed(msg(":s 376 bot_ :End of /MOTD command."), "bot_", is, 3).lines ==
        lines{"MONITOR + bot"});
  CHECK(!m.next_wake(3));
}

TEST_CASE("manners: without an end of MOTD the reclaim starts after the burst deadline") {
  manners m(base());
  isupport is;
  (void)m.registered("bot_", is, 0);
  CHECK(m.next_wake(0) == manners::burst_wait_ms);
  CHECK(m.wake(manners::burst_wait_ms - 1).notes.empty());
  auto late = m.wake(manners::burst_wait_ms);
  CHECK(notes(late).find("watching for bot") != std::string::npos);
  CHECK(late.lines.empty());  // the first ISON comes one check period later
  CHECK(m.next_wake(manners::burst_wait_ms) == 180000u);
  CHECK(m.wake(manners::burst_wait_ms + 180000).lines == lines{"ISON bot"});
}

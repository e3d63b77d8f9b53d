// Taking the configured nick back: the MONITOR path, the ISON path, refusals, a forced
// rename. Server lines are parsed as they would arrive; returned lines are what is sent.
#include "transports/irc/nick_reclaim.h"

#include <catch2/catch.hpp>

using namespace frugal::irc;
using lines = std::vector<std::string>;

namespace {
message msg(const std::string& line) {
  auto m = parse(line);
  REQUIRE(m);
  return *m;
}

isupport with_monitor(bool on) {
  isupport is;
  is.monitor = on ? 100 : 0;
  return is;
}
}  // namespace

TEST_CASE("nick reclaim: MONITOR, the nick goes offline (731), NICK, then MONITOR -") {
  auto is = with_monitor(true);
  nick_reclaim r("bot", true);
  CHECK(r.start("bot_", is) == lines{"MONITOR + bot"});
  CHECK(r.take_note().find("MONITOR") != std::string::npos);
  CHECK_FALSE(r.polling());
  CHECK(r.feed(msg(":s 730 bot_ :bot!u@h"), "bot_", is).empty());  // still online
  CHECK(r.tick().empty());                                         // MONITOR needs no polling
  CHECK(r.feed(msg(":s 731 bot_ :Bot"), "bot_", is) == lines{"NICK bot"});
  CHECK(r.take_note() == "bot is free (MONITOR); taking it back");
  // The server confirms: registration has applied our NICK, so the nick is now "bot".
  CHECK(r.feed(msg(":bot_!u@h NICK :bot"), "bot", is) == lines{"MONITOR - bot"});
  CHECK_FALSE(r.watching());
  CHECK(r.feed(msg(":s 731 bot :bot"), "bot", is).empty());
}

TEST_CASE("nick reclaim: without MONITOR, ISON each tick; a reply lacking the nick claims it") {
  auto is = with_monitor(false);
  nick_reclaim r("bot", true);
  CHECK(r.start("bot_", is).empty());
  CHECK(r.polling());
  CHECK(r.take_note().find("ISON") != std::string::npos);
  CHECK(r.tick() == lines{"ISON bot"});
  CHECK(r.feed(msg(":s 303 bot_ :Bot"), "bot_", is).empty());  // online (case-folded)
  CHECK(r.feed(msg(":s 303 bot_ :"), "bot_", is).empty());     // not asked: ignored
  CHECK(r.tick() == lines{"ISON bot"});
  CHECK(r.feed(msg(":s 303 bot_ :"), "bot_", is) == lines{"NICK bot"});
  CHECK(r.take_note() == "bot is free (ISON); taking it back");
  CHECK(r.feed(msg(":bot_!u@h NICK :bot"), "bot", is).empty());  // no MONITOR to undo
  CHECK_FALSE(r.watching());
  CHECK(r.tick().empty());
}

TEST_CASE("nick reclaim: refusals: 433 waits, 437 polls, 432 gives up") {
  auto is = with_monitor(true);
  nick_reclaim r("bot", true);
  (void)r.start("bot_", is);
  CHECK(r.feed(msg(":s 731 bot_ :bot"), "bot_", is) == lines{"NICK bot"});
  // Someone was faster: MONITOR reports again when it frees.
  CHECK(r.feed(msg(":s 433 bot_ bot :Nickname is already in use"), "bot_", is).empty());
  CHECK(r.watching());
  CHECK_FALSE(r.polling());
  CHECK(r.feed(msg(":s 731 bot_ :bot"), "bot_", is) == lines{"NICK bot"});
  // Held by the server (nick delay): MONITOR will not say when, so poll.
  CHECK(r.feed(msg(":s 437 bot_ bot :Nick temporarily unavailable"), "bot_", is).empty());
  CHECK(r.polling());
  CHECK(r.tick() == lines{"ISON bot"});
  CHECK(r.feed(msg(":s 303 bot_ :"), "bot_", is) == lines{"NICK bot"});
  // Not a valid nick on this server: stop for good (and stop monitoring it).
  CHECK(r.feed(msg(":s 432 bot_ bot :Erroneous Nickname"), "bot_", is) == lines{"MONITOR - bot"});
  CHECK(r.take_note().find("432") != std::string::npos);
  CHECK_FALSE(r.watching());
  CHECK(r.tick().empty());
}

TEST_CASE("nick reclaim: a full MONITOR list falls back to ISON") {
  auto is = with_monitor(true);
  nick_reclaim r("bot", true);
  (void)r.start("bot_", is);
  CHECK(r.feed(msg(":s 734 bot_ 1 bot :Monitor list is full."), "bot_", is).empty());
  CHECK(r.polling());
  CHECK(r.tick() == lines{"ISON bot"});
}

TEST_CASE("nick reclaim: nothing to do on the right nick, when disabled, or after a reset") {
  auto is = with_monitor(true);
  nick_reclaim same("bot", true);
  CHECK(same.start("BOT", is).empty());
  CHECK_FALSE(same.watching());
  nick_reclaim off("bot", false);
  CHECK(off.start("bot_", is).empty());
  CHECK_FALSE(off.watching());
  CHECK(off.feed(msg(":s 731 bot_ :bot"), "bot_", is).empty());
  nick_reclaim r("bot", true);
  (void)r.start("bot_", is);
  r.reset();
  CHECK_FALSE(r.watching());
  CHECK(r.feed(msg(":s 731 bot_ :bot"), "bot_", is).empty());
}

TEST_CASE("nick reclaim: renamed off the configured nick (services), it starts watching again") {
  auto is = with_monitor(false);
  nick_reclaim r("bot", true);
  CHECK(r.start("bot", is).empty());
  CHECK_FALSE(r.watching());
  CHECK(r.feed(msg(":bot!u@h NICK :Guest123"), "Guest123", is).empty());
  CHECK(r.polling());
  CHECK(r.tick() == lines{"ISON bot"});
}

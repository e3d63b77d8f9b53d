// reply_guard: a private reply follows the person, not the nick (issue 18 item 3). The
// server lines are what InspIRCd sends; the map and the guard see them in the order the
// transport feeds them.
#include "transports/irc/reply_guard.h"

#include <catch2/catch.hpp>

using namespace frugal::irc;

namespace {
struct net {
  isupport is;
  account_map map;
  reply_guard guard{{60000, 15000, 256, 16}};
  std::vector<reply_guard::outgoing> delivered;
  uint64_t now = 0;

  void feed(const std::string& line, const std::string& account = "") {
    auto m = parse(line);
    REQUIRE(m);
    map.observe(*m, is, "frugalbot");
    for (auto& o : guard.observe(*m, account, map, is, now)) delivered.push_back(o);
  }
};
const std::string alice = "alice!a@alice.users.example";
}  // namespace

TEST_CASE("reply_guard: the sender changes nick during the turn, the reply follows") {
  net n;
  n.feed(":frugalbot!b@b JOIN #pub");
  n.feed(":" + alice + " JOIN #pub agentbot :Alice");
  n.guard.note(alice, "agentbot", n.map, n.is, 0);
  n.feed(":alice!a@alice.users.example NICK alice_away");
  n.feed(":mallory!m@evil.example JOIN #pub * :M");
  n.feed(":mallory!m@evil.example NICK alice");
  auto to = n.guard.route(alice, "agentbot", "private answer", n.map, n.is, 10);
  REQUIRE(to);
  CHECK(*to == "alice_away");
}

TEST_CASE("reply_guard: the nick is someone else's and the sender is not followed: held") {
  net n;
  n.feed(":frugalbot!b@b JOIN #pub");
  // alice DMs without sharing a channel: nothing can follow her.
  n.guard.note(alice, "agentbot", n.map, n.is, 0);
  CHECK_FALSE(n.guard.route(alice, "agentbot", "private answer", n.map, n.is, 10));
  CHECK(n.guard.held() == 1);
  n.is.whox = true;
  auto q = n.guard.queries(n.is, 10);
  REQUIRE(q.size() == 1);
  CHECK(q[0] == "WHO alice %tcuhna,71");
  CHECK(n.guard.queries(n.is, 20).empty());  // not again before query_ms
  // The server says mallory holds "alice" (another account): still held.
  n.feed(":irc.example 354 frugalbot 71 * m evil.example alice 0");
  CHECK(n.delivered.empty());
  // alice writes again from her new nick, logged in as agentbot: delivered there.
  n.feed(":alice_away!a@alice.users.example PRIVMSG frugalbot :still there?", "agentbot");
  REQUIRE(n.delivered.size() == 1);
  CHECK(n.delivered[0].nick == "alice_away");
  CHECK(n.delivered[0].text == "private answer");
  CHECK(n.guard.held() == 0);
}

TEST_CASE("reply_guard: a WHOX answer with the same account confirms and delivers") {
  net n;
  n.is.whox = true;
  n.guard.note(alice, "agentbot", n.map, n.is, 0);
  CHECK_FALSE(n.guard.route(alice, "agentbot", "one", n.map, n.is, 1));
  CHECK_FALSE(n.guard.route(alice, "agentbot", "two", n.map, n.is, 2));
  n.feed(":irc.example 354 frugalbot 71 * a other.host alice agentbot");
  REQUIRE(n.delivered.size() == 2);
  CHECK(n.delivered[0].text == "one");
  CHECK(n.delivered[1].text == "two");
  CHECK(n.delivered[1].nick == "alice");
}

TEST_CASE("reply_guard: a hostmask identity is confirmed by user@host (plain WHO)") {
  net n;
  std::string bob = "bob!b@bob.example";
  n.guard.note(bob, "", n.map, n.is, 0);
  CHECK_FALSE(n.guard.route(bob, "", "hi bob", n.map, n.is, 1));
  CHECK(n.guard.queries(n.is, 1) == std::vector<std::string>{"WHO bob"});
  n.feed(":irc.example 352 frugalbot * x evil.example irc.example bob H :0 Bob");
  CHECK(n.delivered.empty());
  n.feed(":irc.example 352 frugalbot * b bob.example irc.example bob H :0 Bob");
  REQUIRE(n.delivered.size() == 1);
  CHECK(n.delivered[0].nick == "bob");
}

TEST_CASE("reply_guard: QUIT, PART out of every shared channel and reconnect stop following") {
  net n;
  n.feed(":frugalbot!b@b JOIN #pub");
  n.feed(":" + alice + " JOIN #pub agentbot :Alice");
  n.guard.note(alice, "agentbot", n.map, n.is, 0);
  CHECK(n.guard.route(alice, "agentbot", "x", n.map, n.is, 1) ==
        std::optional<std::string>("alice"));
  n.feed(":" + alice + " PART #pub");
  CHECK_FALSE(n.guard.route(alice, "agentbot", "y", n.map, n.is, 2));
  net q;
  q.feed(":frugalbot!b@b JOIN #pub");
  q.feed(":" + alice + " JOIN #pub agentbot :Alice");
  q.guard.note(alice, "agentbot", q.map, q.is, 0);
  q.feed(":" + alice + " QUIT :bye");
  q.feed(":mallory!m@evil.example JOIN #pub");
  q.feed(":mallory!m@evil.example NICK alice");
  CHECK_FALSE(q.guard.route(alice, "agentbot", "z", q.map, q.is, 3));
  net r;
  r.feed(":frugalbot!b@b JOIN #pub");
  r.feed(":" + alice + " JOIN #pub agentbot :Alice");
  r.guard.note(alice, "agentbot", r.map, r.is, 0);
  r.guard.disconnected();
  r.map.clear();
  CHECK_FALSE(r.guard.route(alice, "agentbot", "w", r.map, r.is, 4));
}

TEST_CASE("reply_guard: held replies expire; the count is bounded") {
  net n;
  n.guard.note(alice, "agentbot", n.map, n.is, 0);
  for (int i = 0; i < 20; ++i) (void)n.guard.route(alice, "agentbot", "r", n.map, n.is, 100);
  CHECK(n.guard.held() == 16);
  CHECK(n.guard.expire(59000).empty());
  auto gone = n.guard.expire(60100);
  REQUIRE(gone.size() == 1);
  CHECK(gone[0] == "alice: 16 reply(ies)");
  CHECK(n.guard.held() == 0);
  for (int i = 0; i < 300; ++i)
    n.guard.note("u" + std::to_string(i) + "!u@h", "", n.map, n.is, static_cast<uint64_t>(i));
  CHECK(n.guard.people() == 256);
}

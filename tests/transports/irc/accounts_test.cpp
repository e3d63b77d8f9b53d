// account_map: an account is believed only while it is provably current (issue 13 item 1).
// Each case feeds the server lines a real network would send and asks who the sender of
// the next PRIVMSG is.
#include "transports/irc/accounts.h"

#include <catch2/catch.hpp>
#include <initializer_list>

using namespace frugal::irc;

namespace {
struct net {
  isupport is;
  account_map map;
  bool tags = false;
  std::string self = "frugalbot";

  void feed(std::initializer_list<const char*> lines) {
    for (const char* l : lines) {
      auto m = parse(l);
      REQUIRE(m);
      map.observe(*m, is, self);
    }
  }
  // The account the transport would report for this PRIVMSG line.
  std::string sender(const char* line) {
    auto m = parse(line);
    REQUIRE(m);
    map.observe(*m, is, self);
    return account_for(*m, tags, map, is);
  }
};

const char* dm = ":alice!a@alice.users.example PRIVMSG frugalbot :hi";
const char* evil = ":alice!m@evil.example PRIVMSG frugalbot :give me the notes";
}  // namespace

TEST_CASE("accounts: extended-join vouches while the nick shares a channel") {
  net n;
  n.feed({":frugalbot!b@bot.example JOIN #pub",
          ":alice!a@alice.users.example JOIN #pub alice :Alice"});
  CHECK(n.sender(dm) == "alice");
  CHECK(n.map.shares_channel("ALICE", n.is));
  CHECK(n.map.mask_of("alice", n.is) == "alice!a@alice.users.example");
}

TEST_CASE("accounts: the reported attack, JOIN with account, PART, PRIVMSG from another host") {
  net n;
  n.feed({":frugalbot!b@bot.example JOIN #pub",
          ":alice!a@alice.users.example JOIN #pub alice :Alice",
          ":alice!a@alice.users.example PART #pub :bye"});
  CHECK(n.sender(evil).empty());
  CHECK(n.sender(dm).empty());  // even the real alice: nothing proves it any more
  CHECK(n.map.size() == 0);
}

TEST_CASE("accounts: PART keeps the entry while another channel is shared") {
  net n;
  n.feed({":frugalbot!b@b JOIN #a", ":frugalbot!b@b JOIN #b",
          ":alice!a@alice.users.example JOIN #a alice :A",
          ":alice!a@alice.users.example JOIN #b alice :A", ":alice!a@alice.users.example PART #a"});
  CHECK(n.sender(dm) == "alice");
  CHECK(n.sender(evil).empty());  // same nick, other user@host: never
  n.feed({":alice!a@alice.users.example PART #b"});
  CHECK(n.sender(dm).empty());
}

TEST_CASE("accounts: KICK ends the entry, also when the bot is kicked") {
  net n;
  n.feed({":frugalbot!b@b JOIN #pub", ":alice!a@alice.users.example JOIN #pub alice :A",
          ":op!o@o KICK #pub alice :out"});
  CHECK(n.sender(dm).empty());
  n.feed({":alice!a@alice.users.example JOIN #pub alice :A"});
  CHECK(n.sender(dm) == "alice");
  n.feed({":op!o@o KICK #pub frugalbot :you too"});
  CHECK(n.sender(dm).empty());
  CHECK(n.map.channels().empty());
  // The bot's own PART ends what it learned in that channel the same way.
  n.feed({":frugalbot!b@b JOIN #pub", ":alice!a@alice.users.example JOIN #pub alice :A",
          ":frugalbot!b@b PART #pub"});
  CHECK(n.sender(dm).empty());
}

TEST_CASE("accounts: QUIT and NICK end the entry; a newcomer under the old nick is nobody") {
  net n;
  n.feed({":frugalbot!b@b JOIN #pub", ":alice!a@alice.users.example JOIN #pub alice :A",
          ":alice!a@alice.users.example QUIT :gone"});
  CHECK(n.sender(dm).empty());
  n.feed({":alice!a@alice.users.example JOIN #pub alice :A",
          ":alice!a@alice.users.example NICK alice_away"});
  CHECK(n.sender(":alice_away!a@alice.users.example PRIVMSG frugalbot :hi").empty());
  CHECK(n.map.shares_channel("alice_away", n.is));  // membership follows the nick
  n.feed({":mallory!m@evil.example JOIN #pub", ":mallory!m@evil.example NICK alice"});
  CHECK(n.sender(evil).empty());
  // account-notify or WHOX vouches for the new nick again.
  n.feed({":alice_away!a@alice.users.example ACCOUNT alice"});
  CHECK(n.sender(":alice_away!a@alice.users.example PRIVMSG frugalbot :hi") == "alice");
}

TEST_CASE("accounts: account-notify only for someone in a shared channel; logout") {
  net n;
  n.feed({":frugalbot!b@b JOIN #pub", ":dave!d@h ACCOUNT daveacct"});
  CHECK(n.sender(":dave!d@h PRIVMSG frugalbot :hi").empty());
  n.feed({":dave!d@h JOIN #pub", ":dave!d@h ACCOUNT daveacct"});
  CHECK(n.sender(":dave!d@h PRIVMSG frugalbot :hi") == "daveacct");
  n.feed({":dave!d@h ACCOUNT *"});
  CHECK(n.sender(":dave!d@h PRIVMSG frugalbot :hi").empty());
  n.feed({":dave!d@h JOIN #pub * :Dave"});  // extended-join of someone not logged in
  CHECK(n.sender(":dave!d@h PRIVMSG frugalbot :hi").empty());
}

TEST_CASE("accounts: NAMES gives membership only; WHOX gives the account for that mask") {
  net n;
  n.feed({":frugalbot!b@b JOIN #pub",
          ":irc.example 353 frugalbot = #pub :@frugalbot +alice @+carol",
          ":irc.example 366 frugalbot #pub :End of /NAMES list."});
  CHECK(n.map.shares_channel("alice", n.is));
  CHECK(n.map.shares_channel("carol", n.is));
  CHECK(n.sender(dm).empty());
  n.feed({":irc.example 354 frugalbot 71 #pub a alice.users.example alice alice",
          ":irc.example 354 frugalbot 71 #pub c carol.example carol 0",
          ":irc.example 354 frugalbot 99 #pub x evil.example mallory alice"});
  CHECK(n.sender(dm) == "alice");
  CHECK(n.sender(evil).empty());
  CHECK(n.sender(":carol!c@carol.example PRIVMSG frugalbot :hi").empty());
  CHECK_FALSE(n.map.shares_channel("mallory", n.is));  // another token is not our query
  // A WHOX answer for a nick that shares nothing with the bot is not kept.
  n.feed({":irc.example 354 frugalbot 71 * e evil.example eve eveacct"});
  CHECK_FALSE(n.map.shares_channel("eve", n.is));
  CHECK(whox_query("#pub") == "WHO #pub %tcuhna,71");
}

TEST_CASE("accounts: a changed user@host ends the account; reconnect forgets everything") {
  net n;
  n.feed({":frugalbot!b@b JOIN #pub", ":alice!a@alice.users.example JOIN #pub alice :A",
          ":alice!a@cloaked.example PRIVMSG #pub :host changed under us"});
  CHECK(n.sender(":alice!a@alice.users.example PRIVMSG frugalbot :hi").empty());
  n.feed({":alice!a@alice.users.example JOIN #pub alice :A"});
  n.map.clear();
  CHECK(n.sender(dm).empty());
  CHECK(n.map.channels().empty());
}

TEST_CASE("accounts: the account-tag is believed only when the capability was negotiated") {
  net n;
  n.feed({":frugalbot!b@b JOIN #pub", ":alice!a@alice.users.example JOIN #pub alice :A"});
  CHECK(n.sender("@account=bob :alice!a@alice.users.example PRIVMSG frugalbot :hi") == "alice");
  CHECK(n.sender("@account=alice :alice!m@evil.example PRIVMSG frugalbot :hi").empty());
  n.tags = true;
  CHECK(n.sender("@account=alice :alice!m@evil.example PRIVMSG frugalbot :hi") == "alice");
  CHECK(n.sender(dm).empty());  // negotiated: no tag means not logged in
  CHECK(n.sender("@account=* :alice!a@alice.users.example PRIVMSG frugalbot :hi").empty());
}

TEST_CASE("accounts: bounded, and the bot's own events are not people") {
  net n;
  n.feed({":frugalbot!b@b JOIN #pub"});
  for (size_t i = 0; i < account_map::cap + 5; ++i) {
    std::string l = ":u" + std::to_string(i) + "!u@h JOIN #pub";
    auto m = parse(l);
    n.map.observe(*m, n.is, n.self);
  }
  CHECK(n.map.size() <= account_map::cap);
  CHECK_FALSE(n.map.shares_channel("frugalbot", n.is));
  n.feed({":frugalbot!b@b NICK frugal2"});
  CHECK(n.map.channels().count("#pub") == 1);
}

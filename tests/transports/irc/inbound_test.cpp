// Inbound decisions: addressing per CASEMAPPING, respond_to = "all", private messages,
// own echoes, identity (account-tag, extended-join, account-notify, hostmask), CTCP.
#include "transports/irc/inbound.h"

#include <catch2/catch.hpp>

#include "transports/irc/ctcp.h"

using namespace frugal;
using namespace frugal::irc;

namespace {
struct fixture {
  isupport is;
  account_map accounts;
  std::vector<config::irc_channel> channels = {{"#Mention", "", "mention"}, {"#all", "", "all"}};
  bool tags = false;

  std::optional<transports::inbound> in(const std::string& line) {
    auto m = parse(line);
    REQUIRE(m);
    accounts.observe(*m, is, "Bot[1]");
    inbound_context ctx{"irc.test", "Bot[1]", &is, &channels, tags, &accounts};
    return to_inbound(*m, ctx);
  }
};
}  // namespace

TEST_CASE("inbound: addressed in a channel, case-insensitively per rfc1459") {
  fixture f;
  auto a = f.in(":alice!al@host.example PRIVMSG #mention :bot{1}:   what is 2+2?");
  REQUIRE(a);
  CHECK(a->text == "what is 2+2?");
  CHECK(a->target == "#mention");
  CHECK_FALSE(a->direct);
  CHECK(a->transport == "irc.test");
  CHECK(a->from.network == "irc");
  CHECK(a->from.mask == "alice!al@host.example");
  CHECK(a->from.display == "alice");
  CHECK(a->from.account.empty());
  CHECK(f.in(":alice!al@h PRIVMSG #mention :BOT[1], hi")->text == "hi");
  CHECK_FALSE(f.in(":alice!al@h PRIVMSG #mention :hello everyone"));
  CHECK_FALSE(f.in(":alice!al@h PRIVMSG #mention :bot[1]x: not me"));
  CHECK_FALSE(f.in(":alice!al@h PRIVMSG #mention :bot[1]:"));  // nothing asked
  f.is.mapping = casemapping::ascii;
  CHECK_FALSE(f.in(":alice!al@h PRIVMSG #mention :bot{1}: hi"));
}

TEST_CASE("inbound: respond_to all, private messages, own echoes, CTCP, NOTICE") {
  fixture f;
  auto all = f.in(":bob!b@h PRIVMSG #ALL :anyone there?");
  REQUIRE(all);
  CHECK(all->text == "anyone there?");
  auto stripped = f.in(":bob!b@h PRIVMSG #all :bot[1]: still stripped");
  REQUIRE(stripped);
  CHECK(stripped->text == "still stripped");
  auto pm = f.in(
      ":bob!b@h PRIVMSG bot[1] :\x02secret\x02 \x03"
      "04,12question\x03");
  REQUIRE(pm);
  CHECK(pm->direct);
  CHECK(pm->target == "bob");
  CHECK(pm->text == "secret question");
  CHECK_FALSE(f.in(":Bot[1]!x@y PRIVMSG #all :my own echo"));
  CHECK_FALSE(f.in(":bob!b@h PRIVMSG bot[1] :\x01VERSION\x01"));
  CHECK_FALSE(f.in(":bob!b@h NOTICE bot[1] :bot[1]: a notice"));
  CHECK_FALSE(f.in(":bob!b@h PRIVMSG @#all :statusmsg"));
  CHECK_FALSE(f.in(":bob!b@h PRIVMSG someoneelse :misrouted"));
  CHECK_FALSE(f.in(":server.example PRIVMSG #all :no nick!user@host"));
  auto bad = f.in(":bob!b@h PRIVMSG bot[1] :\xff\xfe ok");
  REQUIRE(bad);
  CHECK(bad->text == "\xEF\xBF\xBD\xEF\xBF\xBD ok");
}

TEST_CASE("inbound: identity from account-tag, extended-join, account-notify, never the nick") {
  fixture f;
  f.in(":Bot[1]!b@bot JOIN #all");
  f.in(":carol!c@h JOIN #all carolacct :Carol");
  CHECK(f.in(":carol!c@h PRIVMSG #all :hi")->from.account == "carolacct");
  // A nick change ends what the bot knows (the account is learned again from
  // account-notify or WHOX): see accounts_test.cpp.
  f.in(":carol!c@h NICK carol2");
  CHECK(f.in(":carol2!c@h PRIVMSG #all :hi")->from.account.empty());
  f.in(":carol2!c@h ACCOUNT carolacct");
  CHECK(f.in(":carol2!c@h PRIVMSG #all :hi")->from.account == "carolacct");
  f.in(":carol2!c@h ACCOUNT *");
  CHECK(f.in(":carol2!c@h PRIVMSG #all :hi")->from.account.empty());
  f.in(":dave!d@h JOIN #all");
  f.in(":dave!d@h ACCOUNT daveacct");
  CHECK(f.in(":dave!d@h PRIVMSG #all :hi")->from.account == "daveacct");
  f.in(":dave!d@h QUIT :bye");
  CHECK(f.in(":dave!d@h PRIVMSG #all :hi")->from.account.empty());
  f.tags = true;
  f.in(":erin!e@h JOIN #all erinacct :Erin");
  CHECK(f.in("@account=tagged :erin!e@h PRIVMSG #all :hi")->from.account == "tagged");
  // With account-tag on, a message without the tag is from someone not logged in.
  CHECK(f.in(":erin!e@h PRIVMSG #all :hi")->from.account.empty());
}

TEST_CASE("ctcp: VERSION, PING, TIME answered by NOTICE, sanitised, rate-limited") {
  CHECK_FALSE(parse_ctcp("hello"));
  auto v = parse_ctcp("\x01version\x01");
  REQUIRE(v);
  CHECK(v->command == "VERSION");
  ctcp_responder r("frugal 1.0", 3, 10000);
  CHECK(*r.answer(*v, "alice", 0) == "NOTICE alice :\x01VERSION frugal 1.0\x01");
  auto p = parse_ctcp("\x01PING 123\r\nQUIT :x\x01");
  REQUIRE(p);
  CHECK(*r.answer(*p, "alice", 0) == "NOTICE alice :\x01PING 123QUIT :x\x01");
  auto t = r.answer(*parse_ctcp("\x01TIME\x01"), "alice", 0);
  REQUIRE(t);
  CHECK(t->find("GMT") != std::string::npos);
  CHECK_FALSE(r.answer(*v, "alice", 0));  // burst of 3 used up
  CHECK(r.answer(*v, "alice", 10000));    // one token back after 10 s
  CHECK_FALSE(r.answer(*parse_ctcp("\x01"
                                   "ACTION waves\x01"),
                       "alice", 99999));
  CHECK_FALSE(r.answer(*parse_ctcp("\x01"
                                   "DCC SEND x\x01"),
                       "alice", 99999));
}

// The rejoin plan on its own: delays per kick, the reset after a stay, refusals, links lost.
#include "transports/irc/rejoin.h"

#include <catch2/catch.hpp>

using namespace frugal::irc;
using strings = std::vector<std::string>;

TEST_CASE("rejoin plan: the delay doubles per kick up to the maximum") {
  rejoin_plan p({1000, 5000});
  p.joined("#a", 0);
  CHECK(p.kicked("#a", 100) == 1000u);
  CHECK(p.next_in(100) == 1000u);
  CHECK(p.due(1099).empty());
  CHECK(p.due(1100) == strings{"#a"});
  CHECK(p.due(1100).empty());  // taken once
  CHECK(!p.next_in(1100));
  p.joined("#a", 1200);
  CHECK(p.kicked("#a", 1300) == 2000u);
  p.joined("#a", 3400);
  CHECK(p.kicked("#a", 3500) == 4000u);
  p.joined("#a", 7600);
  CHECK(p.kicked("#a", 7700) == 5000u);  // capped
  p.joined("#a", 12800);
  CHECK(p.kicked("#a", 12900) == 5000u);
}

TEST_CASE("rejoin plan: staying in for the maximum starts the delays over") {
  rejoin_plan p({1000, 5000});
  p.joined("#a", 0);
  CHECK(p.kicked("#a", 10) == 1000u);
  p.joined("#a", 1010);
  CHECK(p.kicked("#a", 1020) == 2000u);
  p.joined("#a", 3020);
  CHECK(p.kicked("#a", 3020 + 5000) == 1000u);
}

TEST_CASE("rejoin plan: channels are separate; the earliest due comes first") {
  rejoin_plan p({1000, 60000});
  p.joined("#a", 0);
  p.joined("#b", 0);
  CHECK(p.kicked("#a", 0) == 1000u);
  p.joined("#a", 1000);
  CHECK(p.kicked("#a", 1000) == 2000u);  // #a at 3000
  CHECK(p.kicked("#b", 1500) == 1000u);  // #b at 2500
  CHECK(p.next_in(1500) == 1000u);
  CHECK(p.due(2600) == strings{"#b"});
  CHECK(p.next_in(2600) == 400u);
  CHECK(p.due(5000) == strings{"#a"});
}

TEST_CASE("rejoin plan: a refusal stops the retries; 0 never rejoins") {
  CHECK(is_join_refusal("474"));
  CHECK(is_join_refusal("471"));
  CHECK(is_join_refusal("473"));
  CHECK(is_join_refusal("475"));
  CHECK_FALSE(is_join_refusal("403"));
  rejoin_plan p({1000, 60000});
  p.joined("#a", 0);
  CHECK(p.kicked("#a", 0) == 1000u);
  CHECK(p.due(1000) == strings{"#a"});
  CHECK(p.refused("#a"));  // the answer to our rejoin
  CHECK(!p.next_in(1000));
  CHECK(p.due(100000).empty());
  CHECK_FALSE(p.refused("#never-joined"));  // a refusal at registration
  rejoin_plan off({0, 60000});
  off.joined("#a", 0);
  CHECK(!off.kicked("#a", 10));
  CHECK(!off.next_in(10));
}

TEST_CASE("rejoin plan: a lost link drops pending rejoins but keeps the kick count") {
  rejoin_plan p({1000, 60000});
  p.joined("#a", 0);
  CHECK(p.kicked("#a", 0) == 1000u);
  p.disconnected();
  CHECK(!p.next_in(0));
  CHECK(p.due(5000).empty());
  p.joined("#a", 6000);  // registration joined it again
  CHECK(p.kicked("#a", 6100) == 2000u);
}

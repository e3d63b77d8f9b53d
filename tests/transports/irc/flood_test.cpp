// Flood control measured with an injected clock: 20 queued lines go out no faster than
// the token bucket allows, at any moment.
#include "transports/irc/flood.h"

#include <catch2/catch.hpp>

using namespace frugal::irc;

TEST_CASE("flood: 20 lines go out no faster than burst 4 + 1 line/s") {
  flood_queue q({1.0, 4, 200}, 1000);
  for (int i = 0; i < 20; ++i) q.push("PRIVMSG #c :line " + std::to_string(i));
  std::vector<uint64_t> sent_at;
  uint64_t t = 1000;
  while (sent_at.size() < 20 && t < 1000 + 60000) {
    for (auto& line : q.take(t)) {
      (void)line;
      sent_at.push_back(t);
    }
    int64_t wait = q.next_in(t);
    t += wait > 0 ? static_cast<uint64_t>(wait) : 1;
  }
  REQUIRE(sent_at.size() == 20);
  // At most `burst` immediately, and over any window [a, b] no more than burst + (b-a)·rate
  // lines (each costs a little more than one token, so this is a loose upper bound).
  for (size_t i = 0; i < sent_at.size(); ++i)
    for (size_t j = i; j < sent_at.size(); ++j) {
      double window_s = static_cast<double>(sent_at[j] - sent_at[i]) / 1000.0;
      REQUIRE(static_cast<double>(j - i + 1) <= 4.0 + window_s * 1.0 + 1e-6);
    }
  double total_cost = 0;
  for (int i = 0; i < 20; ++i)
    total_cost += flood_queue::cost("PRIVMSG #c :line " + std::to_string(i));
  double min_s = total_cost - 4.0;  // seconds the bucket needs to refill for the rest
  double took_s = static_cast<double>(sent_at.back() - sent_at.front()) / 1000.0;
  CHECK(took_s >= min_s - 0.01);
  CHECK(took_s <= min_s + 1.0);  // and not much slower than allowed
  CHECK(q.next_in(t) == -1);
}

TEST_CASE("flood: long lines cost more, front lines overtake, bound drops the oldest") {
  flood_queue q({1.0, 4, 3}, 0);
  CHECK(flood_queue::cost(std::string(510, 'x')) > 1.4);
  q.push("one");
  q.push("two");
  q.push("JOIN #x", flood_queue::priority::front);
  CHECK_FALSE(q.push("three"));  // full: "one" is dropped
  CHECK(q.dropped() == 1);
  auto out = q.take(0);
  REQUIRE(out.size() == 3);
  CHECK(out[0] == "JOIN #x");
  CHECK(out[1] == "two");
  CHECK(out[2] == "three");
}

TEST_CASE("flood: an idle bucket refills to the burst, not beyond") {
  flood_queue q({1.0, 4, 200}, 0);
  for (int i = 0; i < 10; ++i) q.push("x");
  CHECK(q.take(0).size() == 3);       // 4 tokens, each "x" costs ~1.001
  CHECK(q.take(100000).size() == 3);  // 100 s idle still gives only a burst
  q.refill_full(100000);
  CHECK(q.take(100000).size() == 3);
}

TEST_CASE("flood: the owner's reply overtakes a public flood; public drops are reported") {
  flood_queue q({1.0, 4, 40}, 0);
  std::vector<std::string> dropped;
  // A public flood: 60 lines to the channel, more than the queue holds.
  for (int i = 0; i < 60; ++i) {
    std::string gone;
    if (!q.push("PRIVMSG #pub :public " + std::to_string(i), flood_queue::priority::normal, &gone))
      dropped.push_back(gone);
  }
  CHECK(dropped.size() == 20);
  CHECK(dropped.front() == "PRIVMSG #pub :public 0");  // oldest first
  (void)q.take(0);                                     // the burst goes out
  // The owner's three-line answer arrives behind 36 queued public lines.
  for (int i = 0; i < 3; ++i)
    CHECK(q.push("PRIVMSG alice :owner " + std::to_string(i), flood_queue::priority::owner));
  std::vector<std::pair<uint64_t, std::string>> sent;
  uint64_t t = 0;
  while (q.size() > 0 && t < 120000) {
    for (auto& line : q.take(t)) sent.emplace_back(t, line);
    int64_t wait = q.next_in(t);
    t += wait > 0 ? static_cast<uint64_t>(wait) : 1;
  }
  REQUIRE(sent.size() >= 3);
  for (int i = 0; i < 3; ++i) CHECK(sent[i].second == "PRIVMSG alice :owner " + std::to_string(i));
  CHECK(sent[2].first <= 4000);  // before: behind the flood, about 37 s
  // A full queue of owner lines is never emptied for a public one.
  flood_queue o({1.0, 4, 2}, 0);
  CHECK(o.push("PRIVMSG alice :a", flood_queue::priority::owner));
  CHECK(o.push("PRIVMSG alice :b", flood_queue::priority::owner));
  std::string gone;
  CHECK_FALSE(o.push("PRIVMSG #pub :p", flood_queue::priority::normal, &gone));
  CHECK(gone == "PRIVMSG #pub :p");
  CHECK(o.take(0) == std::vector<std::string>{"PRIVMSG alice :a", "PRIVMSG alice :b"});
}

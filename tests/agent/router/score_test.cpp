// Tests for agent/router/score: each signal fires (and only as whole words), weights and
// reasons are as documented, and the simple-turn flag.
#include "agent/router/score.h"

#include <catch2/catch.hpp>

using frugal::router::describe;
using frugal::router::is_simple_turn;
using frugal::router::score_turn;
using frugal::router::turn_score;

namespace {
const frugal::config::router_section rules;
turn_score score(std::string_view text, int64_t tools = 0) {
  return score_turn(text, tools, rules);
}
}  // namespace

TEST_CASE("plain chat scores zero and is simple", "[score]") {
  turn_score s = score("hi there, how are you?");
  CHECK(s.total == 0);
  CHECK(s.reasons.empty());
  CHECK(is_simple_turn(s));
  CHECK(describe(s) == "0");
}

TEST_CASE("each signal adds its documented weight and reason", "[score]") {
  turn_score s = score("please Fetch https://example.org and summarise it");
  CHECK(s.total == 4);
  CHECK(s.reasons == std::vector<std::string>{"url +2", "action 'fetch' +2"});
  CHECK(describe(s) == "4 (url +2, action 'fetch' +2)");
  CHECK_FALSE(is_simple_turn(s));

  CHECK(score("```\nint main() {}\n```").reasons == std::vector<std::string>{"code block +3"});
  CHECK(score("see www.example.org").total == 2);
  CHECK(score("translate this and then shorten it").reasons ==
        std::vector<std::string>{"multi-step 'and then' +2"});
  CHECK(score("1. a thing\n2. another\n").reasons ==
        std::vector<std::string>{"multi-step numbered list +2"});
  CHECK(score("thanks", 1).reasons == std::vector<std::string>{"recent tool calls 1 +1"});
  CHECK(score("thanks", 5).total == 2);
}

TEST_CASE("action words match whole words only, case-insensitively", "[score]") {
  CHECK(score("RUN the tests").total == 2);
  CHECK(score("I love running").total == 0);       // not "run"
  CHECK(score("the rerun was fine").total == 0);   // not "run"
  CHECK(score("checklists are nice").total == 0);  // not "check"
  CHECK(score("can you look   up the train times").reasons ==
        std::vector<std::string>{"action 'look up' +2"});
  CHECK(score("lookup table").total == 0);
  CHECK(score("run.").total == 2);  // punctuation is a boundary
  CHECK(score("rún").total == 0);   // UTF-8 bytes are word characters
}

TEST_CASE("at most two action words count, duplicates once", "[score]") {
  CHECK(score("fetch fetch fetch").total == 2);
  CHECK(score("search, read, write and list").total == 4);
  frugal::config::router_section custom;
  custom.action_words = {"deploy", "DEPLOY"};
  CHECK(score_turn("deploy it", 0, custom).total == 2);
}

TEST_CASE("length counts bytes over the threshold", "[score]") {
  CHECK(score(std::string(600, 'a')).total == 0);
  turn_score s = score(std::string(601, 'a'));
  CHECK(s.reasons == std::vector<std::string>{"long message 601 bytes +1"});
  CHECK(score(std::string(1801, 'a')).total == 2);
  frugal::config::router_section off;
  off.long_message_bytes = 0;
  CHECK(score_turn(std::string(5000, 'a'), 0, off).total == 0);
}

TEST_CASE("huge input is scanned only up to 64 KiB", "[score]") {
  std::string text(70 * 1024, 'a');
  text += " fetch https://x";
  turn_score s = score(text);
  CHECK(s.reasons ==
        std::vector<std::string>{"long message " + std::to_string(text.size()) + " bytes +2"});
}

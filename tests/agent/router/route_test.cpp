// Tests for agent/router/route: the decision table of example turns, missing and realm-
// limited tiers, budget route-down, forced tiers, and the reason strings.
#include "agent/router/route.h"

#include <catch2/catch.hpp>

using frugal::router::choose;
using frugal::router::route_decision;
using frugal::router::route_input;
using kind = route_decision::kind;
using strings = std::vector<std::string>;

namespace {
route_input input(std::string_view text) {
  route_input in;
  in.text = text;
  in.available_tiers = {"chat", "local", "tools"};
  return in;
}

struct row {
  const char* text;
  int64_t recent_tools;
  const char* tier;
};
}  // namespace

TEST_CASE("example turns route to chat or tools", "[route]") {
  const row rows[] = {
      {"hi there", 0, "chat"},
      {"what's the capital of France?", 0, "chat"},
      {"tell me a joke", 0, "chat"},
      {"thanks, that helped", 0, "chat"},
      {"can you explain how TCP slow start works?", 0, "chat"},
      {"check this for me", 0, "chat"},  // one action word alone: chat (it can escalate)
      {"fetch https://x and summarise", 0, "tools"},
      {"```\nfor i in range(3): print(i)\n```\nwhy does this loop print 0?", 0, "tools"},
      {"search the logs and read the last error", 0, "tools"},
      {"run the tests and then list the failures", 0, "tools"},
      {"what does https://example.org/page say?", 0, "chat"},  // url alone: 2
      {"what does https://example.org/page say?", 1, "tools"},
      {"and the second one?", 2, "chat"},
      {"open it and read the first line", 0, "tools"},
      {"remember that my server is called atlas", 0, "chat"},
      {"find the largest file in my workspace step by step", 0, "tools"},
      {"download www.example.org/file.txt", 0, "tools"},
      {"1. list the files\n2. delete the old ones\n", 0, "tools"},
      {"RUN the NIGHTLY report, then SEARCH for errors", 0, "tools"},
      {"I was running late, sorry", 0, "chat"},
  };
  for (const row& r : rows) {
    INFO(r.text);
    route_input in = input(r.text);
    in.recent_tool_calls = r.recent_tools;
    route_decision d = choose(in);
    CHECK(d.verdict == kind::route);
    CHECK(d.tier == r.tier);
  }
}

TEST_CASE("the decision carries fallbacks, score and an exact reason", "[route]") {
  route_decision d = choose(input("fetch https://x and summarise"));
  CHECK(d.tier == "tools");
  CHECK(d.fallbacks == strings{"chat", "local"});
  CHECK(d.score.total == 4);
  CHECK_FALSE(d.simple);
  CHECK(d.reason == "score 4 (url +2, action 'fetch' +2) ≥ 3 → tools");

  d = choose(input("hi there"));
  CHECK(d.tier == "chat");
  CHECK(d.fallbacks == strings{"local"});
  CHECK(d.simple);
  CHECK(d.reason == "score 0 < 3 → chat");
}

TEST_CASE("a missing tier falls down the ladder, or up when nothing is below", "[route]") {
  route_input in = input("fetch https://x and summarise");
  in.available_tiers = {"chat", "local"};
  route_decision d = choose(in);
  CHECK(d.verdict == kind::route);
  CHECK(d.tier == "chat");
  CHECK(d.fallbacks == strings{"local"});
  CHECK(d.reason ==
        "score 4 (url +2, action 'fetch' +2) ≥ 3 → tools; tier 'tools' not "
        "configured → chat");

  in.available_tiers = {"local"};
  CHECK(choose(in).tier == "local");

  route_input up = input("hi there");
  up.available_tiers = {"tools"};
  d = choose(up);
  CHECK(d.tier == "tools");
  CHECK(d.fallbacks.empty());

  up.available_tiers = {"vision"};
  d = choose(up);
  CHECK(d.verdict == kind::error);
  CHECK(d.tier.empty());
  CHECK(d.reason.find("no usable tier") != std::string::npos);
}

TEST_CASE("a realm limited to some tiers never gets the others", "[route]") {
  route_input in = input("```\ncode\n``` fetch https://x");
  in.realm_tiers = {"chat"};
  route_decision d = choose(in);
  CHECK(d.tier == "chat");
  CHECK(d.fallbacks.empty());  // local is configured but not allowed
  CHECK(d.reason.find("realm does not allow 'tools'") != std::string::npos);

  in.realm_tiers = {"local", "chat"};
  d = choose(in);
  CHECK(d.tier == "chat");
  CHECK(d.fallbacks == strings{"local"});
}

TEST_CASE("low budget routes down one step, and keeps the lowest allowed", "[route]") {
  route_input in = input("fetch https://x and summarise");
  in.budget_left = 0.1;
  route_decision d = choose(in);
  CHECK(d.verdict == kind::route_down);
  CHECK(d.tier == "chat");
  CHECK(d.fallbacks == strings{"local"});
  CHECK(d.reason ==
        "score 4 (url +2, action 'fetch' +2) ≥ 3 → tools; budget left 10% < 20% → "
        "chat");

  route_input chat = input("hi there");
  chat.budget_left = 0.05;
  CHECK(choose(chat).tier == "local");

  // At exactly the threshold: no route-down.
  chat.budget_left = 0.2;
  CHECK(choose(chat).tier == "chat");

  // Nothing lower allowed: stay.
  chat.budget_left = 0.0;
  chat.realm_tiers = {"chat"};
  d = choose(chat);
  CHECK(d.verdict == kind::route);
  CHECK(d.tier == "chat");
  CHECK(d.reason.find("no lower tier; staying on chat") != std::string::npos);
}

TEST_CASE("a forced tier is honoured only if it exists and the realm allows it", "[route]") {
  route_input in = input("hi there");
  in.forced_tier = "tools";
  in.budget_left = 0.0;
  route_decision d = choose(in);
  CHECK(d.verdict == kind::forced);
  CHECK(d.tier == "tools");
  CHECK(d.fallbacks.empty());
  CHECK(d.reason == "score 0; forced tier 'tools' (--tier)");

  in.forced_tier = "huge";
  d = choose(in);
  CHECK(d.verdict == kind::error);
  CHECK(d.reason == "forced tier 'huge' is not configured (tiers: chat, local, tools)");

  in.forced_tier = "tools";
  in.realm_tiers = {"chat", "local"};
  d = choose(in);
  CHECK(d.verdict == kind::error);
  CHECK(d.tier.empty());
  CHECK(d.reason.find("not allowed in this realm") != std::string::npos);
}

TEST_CASE("the threshold comes from the config", "[route]") {
  route_input in = input("check this for me");
  in.rules.tools_threshold = 2;
  CHECK(choose(in).tier == "tools");
  in.rules.tools_threshold = 100;
  in.text = "```\n``` fetch https://x";
  CHECK(choose(in).tier == "chat");
}

TEST_CASE("tier_names lists the configured tiers", "[route]") {
  frugal::config::file cfg;
  cfg.tiers["chat"].name = "chat";
  cfg.tiers["tools"].name = "tools";
  CHECK(frugal::router::tier_names(cfg) == strings{"chat", "tools"});
}

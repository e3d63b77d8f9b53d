// Tests for agent/upkeep.cpp's trim_schedule: when the daemon gives memory back. The
// daemon's one-shot timer is simulated here: postpone() true restarts it for k_quiet_ms.
#include "agent/upkeep.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

using frugal::agent::trim_schedule;

namespace {

// Replies at the given times (ms); returns when the timer fired, up to `until_ms`.
std::vector<uint64_t> fires(const std::vector<uint64_t>& replies, uint64_t until_ms) {
  trim_schedule plan;
  std::vector<uint64_t> out;
  bool running = false;
  uint64_t due = 0;
  size_t next = 0;
  for (uint64_t t = 0; t <= until_ms; ++t) {
    if (running && t >= due) {
      running = false;
      plan.fired();
      out.push_back(t);
    }
    while (next < replies.size() && replies[next] == t) {
      if (plan.postpone(t)) running = true, due = t + trim_schedule::k_quiet_ms;
      ++next;
    }
  }
  return out;
}

}  // namespace

TEST_CASE("memory is given back once, a quiet moment after a burst, and never while idle",
          "[upkeep]") {
  std::vector<uint64_t> burst;
  for (uint64_t t = 1000; t <= 10'000; t += 500) burst.push_back(t);
  auto f = fires(burst, 600'000);  // then ten idle minutes
  REQUIRE(f.size() == 1);
  CHECK(f[0] == 10'000 + trim_schedule::k_quiet_ms);
}

TEST_CASE("steady traffic that never pauses still gives memory back about once a minute",
          "[upkeep]") {
  // A reply every second for ten minutes: each one would postpone the trim past the next.
  // Before, the timer never fired while the traffic lasted.
  std::vector<uint64_t> steady;
  for (uint64_t t = 0; t < 600'000; t += 1000) steady.push_back(t);
  auto f = fires(steady, 600'000);
  REQUIRE(f.size() >= 9);
  uint64_t last = 0;
  for (uint64_t at : f) {
    CHECK(at - last <= trim_schedule::k_max_wait_ms + trim_schedule::k_quiet_ms + 1000);
    last = at;
  }
}

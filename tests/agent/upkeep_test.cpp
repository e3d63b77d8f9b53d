// Tests for agent/upkeep.cpp: trim_schedule (when the daemon gives memory back; the
// daemon's one-shot timer is simulated here: postpone() true restarts it for k_quiet_ms)
// and give_back_stack.
#include "agent/upkeep.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdio>
#include <cstring>
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

namespace {

// Private_Dirty KiB of the main thread's stack mapping.
long stack_dirty_kib() {
  FILE* f = std::fopen("/proc/self/smaps", "re");
  REQUIRE(f);
  char line[512];
  bool in_stack = false;
  long kib = -1;
  while (std::fgets(line, sizeof line, f)) {
    if (std::strchr(line, '-') && std::strstr(line, " rw")) in_stack = std::strstr(line, "[stack]");
    if (in_stack && std::sscanf(line, "Private_Dirty: %ld kB", &kib) == 1) break;
  }
  std::fclose(f);
  return kib;
}

// A deep call: writes 512 KiB of stack (alloca: never moved to a sanitizer's fake stack).
__attribute__((noinline)) long touch_deep_stack() {
  auto* p = static_cast<volatile char*>(__builtin_alloca(512 * 1024));
  for (size_t i = 0; i < 512 * 1024; i += 512) p[i] = 1;
  return stack_dirty_kib();
}

}  // namespace

TEST_CASE("the stack pages a deep call touched once are given back", "[upkeep]") {
  const long deep = touch_deep_stack();
  REQUIRE(deep >= 512);
  CHECK(stack_dirty_kib() >= 512);  // before: they stayed for the life of the process
  frugal::agent::give_back_stack();
  CHECK(stack_dirty_kib() < deep - 400);
  CHECK(touch_deep_stack() >= 512);  // a later deep call gets fresh pages
}

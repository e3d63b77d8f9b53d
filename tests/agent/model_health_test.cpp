// Fallback bookkeeping: cool-downs grow, honour Retry-After, the breaker opens after three
// failures in a row and a success closes it.
#include <catch2/catch.hpp>

#include "agent/turn/model_health.h"

using frugal::agent::model_health;

TEST_CASE("a failure cools the model down; Retry-After wins when longer") {
  int64_t now = 1'000'000;
  model_health h([&] { return now; });
  CHECK(h.available("m"));
  h.record_failure("m", -1);
  CHECK_FALSE(h.available("m"));
  CHECK(h.wait_ms("m") == 2'000);
  now += 2'000;
  CHECK(h.available("m"));
  h.record_failure("m", 30'000);  // second failure: 4 s backoff, but Retry-After says 30 s
  CHECK(h.wait_ms("m") == 30'000);
  CHECK(h.available("other"));
}

TEST_CASE("three failures in a row open the breaker for at least a minute") {
  int64_t now = 0;
  model_health h([&] { return now; });
  for (int i = 0; i < 3; ++i) {
    h.record_failure("m", -1);
    now += 10;
  }
  CHECK(h.open("m"));
  CHECK(h.wait_ms("m") >= 59'000);
  now += 60'000;
  CHECK(h.available("m"));
  h.record_success("m");
  CHECK_FALSE(h.open("m"));
  h.record_failure("m", -1);
  CHECK(h.wait_ms("m") == 2'000);  // the count restarted after the success
}

TEST_CASE("backoff is capped at five minutes, absurd Retry-After at an hour") {
  int64_t now = 0;
  model_health h([&] { return now; });
  for (int i = 0; i < 15; ++i) h.record_failure("m", -1);
  CHECK(h.wait_ms("m") <= 300'000);
  h.record_failure("x", int64_t{1} << 50);
  CHECK(h.wait_ms("x") == 3'600'000);
}

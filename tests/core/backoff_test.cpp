// The shared retry schedule (IRC reconnects, Matrix request lanes): doubling from the
// minimum, at most a quarter of jitter, capped at the maximum, no overflow however many
// attempts, and reset starting over.
#include "core/backoff.h"

#include <algorithm>
#include <catch2/catch.hpp>

using frugal::backoff;

TEST_CASE("backoff: doubles from min to max with at most 25 % jitter, never below min·2^n") {
  backoff b(2000, 300000);
  for (int i = 0; i < 12; ++i) {
    uint64_t base = std::min<uint64_t>(300000, 2000ull << i);
    uint64_t d = b.next();
    CHECK(d >= base);
    CHECK(d <= std::min<uint64_t>(300000, base + base / 4));
  }
  CHECK(b.next() == 300000);
  b.reset();
  uint64_t first = b.next();
  CHECK((first >= 2000 && first <= 2500));
}

TEST_CASE("backoff: thousands of attempts stay at the maximum (the shift cannot overflow)") {
  backoff b(1000, 60000);
  for (int i = 0; i < 5000; ++i) b.next();
  CHECK(b.next() == 60000);
  b.reset();
  CHECK(b.next() <= 1250);
}

TEST_CASE("backoff: a zero minimum or a maximum below the minimum is clamped") {
  backoff zero(0, 0);
  CHECK(zero.next() == 1);
  backoff inverted(5000, 100);
  CHECK(inverted.next() == 5000);
  CHECK(inverted.next() == 5000);
}

// Tests for budget/cost.cpp: worst-case reservations, the three usage semantics (OpenAI
// cached-inside-prompt, Anthropic cache reads/writes, provider-reported cost), rounding
// up, and saturation instead of overflow.
#include "budget/cost.h"

#include <catch2/catch.hpp>

using namespace frugal;
using namespace frugal::budget;

TEST_CASE("worst case counts bytes plus per-message overhead, rounded up", "[cost]") {
  const price haiku{1'000'000, 100'000, 1'250'000, 5'000'000};
  const price mini{250'000, 25'000, 250'000, 2'000'000};
  // 1000 bytes + 3 messages × 8 = 1024 tokens × $0.25/M = 256 µ$; 500 × $2/M = 1000 µ$.
  CHECK(worst_case_micro(mini, 1000, 3, 8, 500) == 1256);
  // One byte at $0.25/M is 0.25 µ$: rounded up to 1.
  CHECK(worst_case_micro(mini, 1, 0, 0, 0) == 1);
  CHECK(worst_case_micro(mini, 0, 0, 0, 1) == 2);
  // Anthropic input is reserved at the cache-write rate (dearer than plain input).
  CHECK(worst_case_micro(haiku, 1000, 0, 0, 0) == 1250);
  CHECK(input_worst_case_micro(haiku, 1000, 0, 0) == 1250);
  CHECK(worst_case_micro(price{}, 1'000'000, 10, 8, 4096) == 0);
  CHECK(worst_case_micro(mini, -5, -1, 8, -1) == 0);
  CHECK(worst_case_micro(mini, INT64_MAX, INT64_MAX, INT64_MAX, INT64_MAX) == INT64_MAX);
}

TEST_CASE("max_tokens_within inverts the output cost", "[cost]") {
  const price mini{250'000, 25'000, 250'000, 2'000'000};
  CHECK(max_tokens_within(mini, 1000) == 500);
  CHECK(max_tokens_within(mini, 1001) == 500);
  CHECK(max_tokens_within(mini, 0) == 0);
  CHECK(max_tokens_within(mini, -1) == -1);
  CHECK(max_tokens_within(price{}, 5) == INT64_MAX);
  for (int64_t b : {1, 7, 999, 123457}) {
    int64_t m = max_tokens_within(mini, b);
    CHECK(worst_case_micro(mini, 0, 0, 0, m) <= b);
    CHECK(worst_case_micro(mini, 0, 0, 0, m + 1) > b);
  }
}

TEST_CASE("actual cost from usage", "[cost]") {
  const price haiku{1'000'000, 100'000, 1'250'000, 5'000'000};
  budget::usage u;
  u.present = true;
  // OpenAI style: 1000 prompt tokens of which 400 cached, 100 out.
  // 600 × 1 + 400 × 0.1 + 100 × 5 = 600 + 40 + 500 = 1140 µ$.
  u.input_tokens = 1000;
  u.cached_input_tokens = 400;
  u.output_tokens = 100;
  CHECK(actual_micro(haiku, u) == 1140);
  // Anthropic style after the provider adds cache reads/writes into input_tokens:
  // 200 plain + 400 read + 400 written: 200 + 40 + 500 + 500 = 1240 µ$.
  u.cache_write_tokens = 400;
  CHECK(actual_micro(haiku, u) == 1240);
  // Rounded up: 1 output token of gpt-5-nano is 0.4 µ$.
  budget::usage one;
  one.output_tokens = 1;
  CHECK(actual_micro(price{50'000, 5'000, 50'000, 400'000}, one) == 1);
  // The provider-reported cost is the truth, whatever the tokens say.
  u.cost_micro_usd = 77;
  CHECK(actual_micro(haiku, u) == 77);
  u.cost_micro_usd = -5;
  CHECK(actual_micro(haiku, u) == 0);
  // Inconsistent counts never go negative; absurd counts saturate.
  budget::usage odd;
  odd.input_tokens = 10;
  odd.cached_input_tokens = 50;
  CHECK(actual_micro(haiku, odd) == 5);
  odd.output_tokens = INT64_MAX;
  odd.input_tokens = INT64_MAX;
  CHECK(actual_micro(haiku, odd) == INT64_MAX);
}

// Cost arithmetic. Products of tokens and prices are taken in 128-bit integers: 1e9
// tokens × $1000/Mtok is 1e18 and a fuzzed usage block can be much larger.
#include "budget/cost.h"

#include <algorithm>
#include <limits>

namespace frugal::budget {
namespace {

__extension__ typedef __int128 i128;
constexpr int64_t k_max = std::numeric_limits<int64_t>::max();
constexpr i128 k_mtok = 1'000'000;

i128 nonneg(int64_t v) {
  return v > 0 ? v : 0;
}

// ceil(n / 1e6) for n ≥ 0, saturated to int64.
int64_t ceil_mtok(i128 n) {
  i128 q = (n + k_mtok - 1) / k_mtok;
  return q > k_max ? k_max : static_cast<int64_t>(q);
}

int64_t sat_add(int64_t a, int64_t b) {
  return a > k_max - b ? k_max : a + b;
}

// i128 products of an int64 token count (≤ 2^63) and a rate (≤ 2^63) fit; sums of four
// such products might not, so each term is capped first.
i128 mul(i128 tokens, i128 rate) {
  constexpr i128 cap = static_cast<i128>(k_max) * k_mtok;
  i128 r = tokens * rate;
  return r > cap ? cap : r;
}

}  // namespace

int64_t input_worst_case_micro(const price& p, int64_t input_bytes, int64_t messages,
                               int64_t overhead_per_message) {
  i128 tokens = nonneg(input_bytes) + mul(nonneg(messages), nonneg(overhead_per_message));
  if (tokens > k_max) tokens = k_max;  // keeps the next product inside 128 bits
  i128 rate = nonneg(std::max({p.input, p.cached_input, p.cache_write}));
  return ceil_mtok(mul(tokens, rate));
}

int64_t worst_case_micro(const price& p, int64_t input_bytes, int64_t messages,
                         int64_t overhead_per_message, int64_t max_tokens) {
  int64_t in = input_worst_case_micro(p, input_bytes, messages, overhead_per_message);
  int64_t out = ceil_mtok(mul(nonneg(max_tokens), nonneg(p.output)));
  return sat_add(in, out);
}

int64_t max_tokens_within(const price& p, int64_t budget_micro) {
  if (budget_micro < 0) return -1;
  if (p.output <= 0) return k_max;
  i128 n = static_cast<i128>(budget_micro) * k_mtok / p.output;
  return n > k_max ? k_max : static_cast<int64_t>(n);
}

int64_t actual_micro(const price& p, const usage& u) {
  if (u.cost_micro_usd) return *u.cost_micro_usd > 0 ? *u.cost_micro_usd : 0;
  i128 cached = nonneg(u.cached_input_tokens), written = nonneg(u.cache_write_tokens);
  i128 plain = nonneg(u.input_tokens) - cached - written;
  if (plain < 0) plain = 0;
  i128 n = mul(plain, nonneg(p.input)) + mul(cached, nonneg(p.cached_input)) +
           mul(written, nonneg(p.cache_write)) + mul(nonneg(u.output_tokens), nonneg(p.output));
  return ceil_mtok(n);
}

}  // namespace frugal::budget

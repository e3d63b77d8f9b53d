// Cost arithmetic in integer micro-dollars: the worst case reserved before a call and the
// actual charge computed from the usage a provider reported. Every result is rounded UP
// and saturates at INT64_MAX instead of overflowing. No policy here (see governor.h).
#pragma once
#include <cstdint>

#include "budget/usage.h"
#include "budget/prices.h"

namespace frugal::budget {

// Upper bound for one call: a token is at least one byte, so the input is at most
// input_bytes + messages × overhead_per_message tokens, billed at the dearest input rate
// of `p` (uncached, or cache write when that is dearer), plus max_tokens at the output
// rate. = ceil(in_tokens × in_rate / 1e6) + ceil(max_tokens × p.output / 1e6).
// Negative arguments count as 0.
int64_t worst_case_micro(const price& p, int64_t input_bytes, int64_t messages,
                         int64_t overhead_per_message, int64_t max_tokens);

// The input part alone (the first term above); the governor uses it to shrink max_tokens.
int64_t input_worst_case_micro(const price& p, int64_t input_bytes, int64_t messages,
                               int64_t overhead_per_message);

// The largest max_tokens whose output cost fits in `budget_micro`:
// floor(budget × 1e6 / p.output); INT64_MAX when output is free; -1 when budget < 0.
int64_t max_tokens_within(const price& p, int64_t budget_micro);

// The charge for a finished call. usage.cost_micro_usd, when set, is the truth (negative
// reads as 0). Otherwise, with input_tokens including cached and cache-write tokens:
// ceil(((input - cached - cache_write) × input + cached × cached_input +
//       cache_write × cache_write_price + output × output) / 1e6).
int64_t actual_micro(const price& p, const usage& u);

}  // namespace frugal::budget
